# shellcheck shell=bash
# Loading a page in headless Chromium, for the tests that check what a browser makes of
# memsafe's HTML. Sourced; the caller counts failures in EXPECT_FAILURES (expect.sh).

# load_page <chromium> <page> <out-prefix>: <out-prefix>.dom is the DOM Chromium built,
# <out-prefix>.console its console (stderr with logging on). A load that fails counts.
load_page() {
  local chromium="$1" page="$2" out="$3"
  timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$out.profile" \
    --enable-logging=stderr --v=0 --dump-dom "file://$page" >"$out.dom" 2>"$out.console" || {
    echo "FAIL: chromium could not load $page (console: $out.console)"
    EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
  }
}

# console_is_quiet <out-prefix> <name>: the page logged nothing and fetched nothing.
console_is_quiet() {
  if grep -E "CONSOLE|Failed to load|ERR_" "$1.console" >/dev/null; then
    echo "FAIL: $2: the browser's console has messages:"
    grep -E "CONSOLE|Failed to load|ERR_" "$1.console" | sed 's/^/    /'
    EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
  else
    echo "ok: $2 loads with nothing on the console"
  fi
}

# plot_values <dom> <plot-id>: the values of one plot's points, in order, as the browser
# parsed them.
plot_values() {
  sed -n "/<svg id=\"$2\"/,/<\/svg>/p" "$1" | grep -o '<circle class="point"[^>]*data-value="[^"]*"' |
    sed 's/.*data-value="\([^"]*\)"/\1/' | xargs
}
