#!/usr/bin/env bash
# Checks the verdicts of cmake/memsafe-run.sh with stand-in commands that print what a
# tool would print: a report fails a test whatever its exit status, a canary passes only
# when its report matches, a suppressed canary needs its entry listed, a hung test is
# stopped with a message, and bad usage exits 2.
set -euo pipefail

usage() { echo "USAGE: launcher_test.sh <memsafe-run.sh> <work-dir>" >&2; exit 2; }
(($# == 2)) || usage
launcher="$1" work="$2"
rm -rf -- "$work"
mkdir -p -- "$work"
failures=0

# expect <status> <output-regex> <description> -- <launcher arguments...>
expect() {
  local want_status="$1" want_output="$2" what="$3" status output
  shift 4
  set +e
  output="$(bash "$launcher" "$@" 2>&1)"
  status=$?
  set -e
  if [[ $status -ne $want_status ]] || ! grep -Eq -- "$want_output" <<<"$output"; then
    echo "FAIL: $what: status $status (want $want_status), output:"
    printf '    %s\n' "$output"
    failures=$((failures + 1))
  else
    echo "ok: $what"
  fi
}

# A stand-in test: writes its arguments to stderr, exits with the given status.
fake="$work/fake-test.sh"
cat >"$fake" <<'SCRIPT'
#!/usr/bin/env bash
status="$1"; shift
for line in "$@"; do echo "$line" >&2; done
exit "$status"
SCRIPT
# A stand-in that writes a sanitizer log where log_path says, as the runtimes do.
fake_log="$work/fake-log.sh"
cat >"$fake_log" <<'SCRIPT'
#!/usr/bin/env bash
path="${ASAN_OPTIONS##*log_path=}"
printf '%s\n' "$@" >"$path.$$"
exit 0
SCRIPT
chmod +x "$fake" "$fake_log"
common=(--tool asan --log-dir "$work/logs" --timeout 20)

expect 0 '' "a clean test passes" -- "${common[@]}" --name clean "$fake" 0
expect 7 '' "a test's own failure status is kept" -- "${common[@]}" --name own "$fake" 7
expect 1 "memsafe: FAILED: asan reported a finding in 'stderr-report'" \
  "a report on stderr fails a test that exited 0" -- "${common[@]}" --name stderr-report \
  "$fake" 0 "t.cc:3:5: runtime error: signed integer overflow"
expect 1 "ERROR: AddressSanitizer: heap-use-after-free" \
  "a report in the log file fails the test and is shown" -- "${common[@]}" --name log-report \
  "$fake_log" "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1" \
  "SUMMARY: AddressSanitizer: heap-use-after-free t.cc:9 in main"
if compgen -G "$work/logs/log-report.asan.*" >/dev/null; then
  echo "ok: the log stays in the log directory"
else
  echo "FAIL: no log file in $work/logs"; failures=$((failures + 1))
fi
expect 0 "canary caught" "a canary passes when every pattern matches" -- "${common[@]}" \
  --name canary-ok --expect "heap-use-after-free" --expect "t.cc:9" \
  "$fake_log" "==1==ERROR: AddressSanitizer: heap-use-after-free" "SUMMARY: AddressSanitizer: heap-use-after-free t.cc:9 in main"
expect 1 "CANARY NOT CAUGHT" "a canary fails when one pattern is missing" -- "${common[@]}" \
  --name canary-partial --expect "heap-use-after-free" --expect "double-free" \
  "$fake_log" "==1==ERROR: AddressSanitizer: heap-use-after-free" "SUMMARY: AddressSanitizer: heap-use-after-free t.cc:9 in main"
expect 1 "CANARY NOT CAUGHT" "a canary fails when the tool says nothing" -- "${common[@]}" \
  --name canary-silent --expect "heap-use-after-free" "$fake" 0
expect 0 "suppressed canary passed" "a suppressed canary passes when its entry is listed" -- \
  "${common[@]}" --name supp-ok --expect-suppressed my_entry \
  "$fake_log" "Suppressions used:" "  count      bytes template" "      1         40 my_entry"
expect 1 "SUPPRESSION NOT USED" "a suppressed canary fails when its entry is not listed" -- \
  "${common[@]}" --name supp-missing --expect-suppressed my_entry "$fake" 0
expect 1 "memsafe: TIMEOUT: 'sleeper' was stopped after 1s" "a hung test is stopped with a message" -- \
  --tool none --log-dir "$work/logs" --timeout 1 --name sleeper sleep 30
expect 2 "USAGE:" "an unknown option is a usage error" -- --tool asan --bogus
expect 2 "USAGE:" "an unknown tool is a usage error" -- --tool purify --log-dir "$work" --timeout 1 true

if ((failures)); then
  echo "launcher test: $failures failure(s)"
  exit 1
fi
echo "launcher test: all verdicts as expected"
