#!/usr/bin/env bash
# The memory history's dashboard in a real browser. Five runs are recorded with
# `memsafe history record` (clean; clean; a leak appears; the leak again; the leak
# fixed), `memsafe history html` writes the page, and headless Chromium loads it:
#   - no console message and no failed load (the page fetches nothing);
#   - each plot has one point per recorded run;
#   - the page after the fourth run lists the leak as open, first seen in the third
#     commit, linked to its file:line; after the fifth it lists the leak as fixed.
# `memsafe history diff` along the way: exit 1 at the third run (the leak is new), 0 at
# the fourth (known since the third), 0 at the fifth (fixed).
set -euo pipefail

usage() { echo "USAGE: history_dashboard_test.sh <memsafe> <chromium> <work-dir>" >&2; exit 2; }
(($# == 3)) || usage
memsafe="$1" chromium="$2" work="$3"
[[ -x $memsafe ]] || usage
if [[ ! -x $chromium ]]; then
  echo "SKIP: no chromium to load the dashboard in (apt-get install chromium; tools/install-deps.sh does)"
  exit 77 # CTest's SKIP_RETURN_CODE for this test
fi

# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
# shellcheck source=tests/harness/browser.sh
source "$(dirname "${BASH_SOURCE[0]}")/browser.sh"

rm -rf -- "$work"
mkdir -p -- "$work"
db="$work/history.db"

# report <dir> <with-leak>: what memsafe check --memory-checks leaves in this-run/.
report() {
  mkdir -p -- "$1/this-run"
  cat >"$1/this-run/summary.json" <<'JSON'
{"presets": [{"preset": "asan", "tools": "address,undefined,leak", "result": "ok", "tests": 3, "failures": 0,
  "canaries": 8, "canaries_caught": 8, "build_seconds": 4, "test_seconds": 2, "wall_seconds": 6}]}
JSON
  if (($2)); then
    printf '%s\n' '{"findings": [{"signature": "0123456789abcdef", "kind": "memory-leak",' \
      '"location": {"file": "src/greeting.c", "line": 7, "function": "make_greeting"},' \
      '"tools": ["asan"], "presets": ["asan"], "tests": ["greeting"], "occurrences": 1}]}' >"$1/this-run/findings.json"
  else
    echo '{"findings": []}' >"$1/this-run/findings.json"
  fi
}

# points <dom> <plot-id>: how many points one plot has.
points() { plot_values "$1" "$2" | wc -w; }

leak=(0 0 1 1 0)
diff_status=(0 0 1 0 0) # exit 1 only where a finding is new
diff_says=("NEW: 0" "NEW: 0" "NEW: 1" "first seen in c3" "FIXED .*: 1")
for i in 0 1 2 3 4; do
  commit="c$((i + 1))"
  report "$work/report-$commit" "${leak[i]}"
  expect 0 "recorded run $((i + 1))" "record the run of $commit" -- \
    "$memsafe" history record --db "$db" --commit "$commit" "$work/report-$commit"
  expect "${diff_status[i]}" "${diff_says[i]}" "history diff at $commit: ${diff_says[i]}" -- \
    "$memsafe" history diff --db "$db"
  if ((i == 3)); then
    expect 0 "4 run" "the dashboard after the fourth run" -- \
      "$memsafe" history html --db "$db" --out "$work/page4" --source-url "https://example.org/blob/main/"
  fi
done
expect 0 "5 run" "the dashboard after the fifth run" -- "$memsafe" history html --db "$db" --out "$work/page5"

for page in page4 page5; do
  load_page "$chromium" "$work/$page/index.html" "$work/$page"
  console_is_quiet "$work/$page" "$page"
done
for plot in open-findings test-time wall-time; do
  counts="$(points "$work/page4.dom" "$plot") $(points "$work/page5.dom" "$plot")"
  expect 0 "^4 5$" "plot $plot: one point per recorded run (4, then 5)" -- echo "$counts"
done
expect 0 'href="https://example.org/blob/main/src/greeting.c#L7">src/greeting.c:7</a>' \
  "after the fourth run the open leak links to its file:line" -- grep -o 'href="[^"]*greeting.c#L7">[^<]*</a>' "$work/page4.dom"
expect 0 "<td>c3 " "after the fourth run the open leak was first seen in c3" -- \
  sed -n '/<table id="open"/,/<\/table>/p' "$work/page4.dom"
expect 0 'id="open-none"' "after the fifth run nothing is open" -- cat "$work/page5.dom"
expect 0 "<td>c4 .*<td>c5 " "after the fifth run the leak is fixed: last seen in c4, gone since c5" -- \
  sed -n '/<table id="fixed"/,/<\/table>/p' "$work/page5.dom"

expect_summary "history dashboard test"
