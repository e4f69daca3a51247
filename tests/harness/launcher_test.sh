#!/usr/bin/env bash
# Checks the verdicts of cmake/memsafe-run.sh with stand-in commands that print what a
# tool would print: a report fails a test whatever its exit status, a canary passes only
# when its report matches, a suppressed canary needs its entry listed, a hung test is
# stopped with a message, and bad usage exits 2.
set -euo pipefail

usage() { echo "USAGE: launcher_test.sh <memsafe-run.sh> <memsafe> <work-dir>" >&2; exit 2; }
(($# == 3)) || usage
launcher="$1" memsafe="$2" work="$3"
rm -rf -- "$work"
mkdir -p -- "$work"

# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

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
common=(--memsafe "$memsafe" --tool asan --log-dir "$work/logs" --timeout 20)

expect 0 '' "a clean test passes" -- bash "$launcher" "${common[@]}" --name clean "$fake" 0
expect 7 '' "a test's own failure status is kept" -- bash "$launcher" "${common[@]}" --name own "$fake" 7
expect 1 "memsafe: FAILED: asan reported a finding in 'stderr-report'" \
  "a report on stderr fails a test that exited 0" -- bash "$launcher" "${common[@]}" --name stderr-report \
  "$fake" 0 "t.cc:3:5: runtime error: signed integer overflow"
expect 1 "ERROR: AddressSanitizer: heap-use-after-free" \
  "a report in the log file fails the test and is shown" -- bash "$launcher" "${common[@]}" --name log-report \
  "$fake_log" "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x1" \
  "SUMMARY: AddressSanitizer: heap-use-after-free t.cc:9 in main"
if compgen -G "$work/logs/log-report.asan.*" >/dev/null; then
  echo "ok: the log stays in the log directory"
else
  echo "FAIL: no log file in $work/logs"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
fi
expect 0 "canary caught" "a canary passes when every pattern matches" -- bash "$launcher" "${common[@]}" \
  --name canary-ok --expect "heap-use-after-free" --expect "t.cc:9" \
  "$fake_log" "==1==ERROR: AddressSanitizer: heap-use-after-free" "SUMMARY: AddressSanitizer: heap-use-after-free t.cc:9 in main"
expect 1 "CANARY NOT CAUGHT" "a canary fails when one pattern is missing" -- bash "$launcher" "${common[@]}" \
  --name canary-partial --expect "heap-use-after-free" --expect "double-free" \
  "$fake_log" "==1==ERROR: AddressSanitizer: heap-use-after-free" "SUMMARY: AddressSanitizer: heap-use-after-free t.cc:9 in main"
expect 1 "CANARY NOT CAUGHT" "a canary fails when the tool says nothing" -- bash "$launcher" "${common[@]}" \
  --name canary-silent --expect "heap-use-after-free" "$fake" 0
expect 0 "suppressed canary passed" "a suppressed canary passes when its entry is listed" -- bash "$launcher" \
  "${common[@]}" --name supp-ok --expect-suppressed my_entry \
  "$fake_log" "Suppressions used:" "  count      bytes template" "      1         40 my_entry"
expect 1 "SUPPRESSION NOT USED" "a suppressed canary fails when its entry is not listed" -- bash "$launcher" \
  "${common[@]}" --name supp-missing --expect-suppressed my_entry "$fake" 0
expect 1 "memsafe: TIMEOUT: 'sleeper' was stopped after 1s" "a hung test is stopped with a message" -- bash "$launcher" \
  --memsafe "$memsafe" --tool none --log-dir "$work/logs" --timeout 1 --name sleeper sleep 30
# A stand-in Valgrind that prints its options: the valgrind-slow options reach it only in
# a thorough run (MEMSAFE_SLOW=1, set by check.sh --slow).
fake_valgrind="$work/fake-valgrind.sh"
cat >"$fake_valgrind" <<'SCRIPT'
#!/usr/bin/env bash
echo "valgrind options: $*" >&2
exit 0
SCRIPT
chmod +x "$fake_valgrind"
printf -- '--leak-check=full\n--num-callers=40' >"$work/valgrind.args"  # no final newline
printf -- '--track-origins=yes\n' >"$work/valgrind-slow.args"
valgrind_common=(--memsafe "$memsafe" --tool valgrind --log-dir "$work/logs" --timeout 20 --valgrind "$fake_valgrind"
  --valgrind-args "$work/valgrind.args" --valgrind-slow-args "$work/valgrind-slow.args")
# (memsafe's valgrind stand-in, beside the launcher, is never followed into.)
expect 0 "valgrind options: --command-line-only=yes --leak-check=full --num-callers=40 --track-origins=yes --trace-children-skip=" \
  "a thorough run adds the valgrind-slow options" -- \
  env MEMSAFE_SLOW=1 bash "$launcher" "${valgrind_common[@]}" --name vg-slow /bin/true
expect 0 "valgrind options: --command-line-only=yes --leak-check=full --num-callers=40 --trace-children-skip=" "a quick run leaves them out" -- \
  env -u MEMSAFE_SLOW bash "$launcher" "${valgrind_common[@]}" --name vg-quick /bin/true
# A script is not compiled code: it runs natively under the Valgrind preset, and says so.
expect 0 "NOT UNDER VALGRIND: 'vg-script'" "a script runs natively under Valgrind, named" -- \
  bash "$launcher" "${valgrind_common[@]}" --name vg-script "$fake" 0
if [[ -f $work/logs/vg-script.valgrind.native ]]; then
  echo "ok: the natively run script is marked for memsafe check"
else
  echo "FAIL: no .native marker for the script run without Valgrind"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
fi
# A compiled program without the sanitizer the preset expects fails, whatever it returns.
expect 1 "NOT INSTRUMENTED: 'plain' runs /bin/true" "an uninstrumented program fails the check" -- \
  env MEMSAFE_EXPECT=address,undefined,leak bash "$launcher" "${common[@]}" --name plain /bin/true
# The options file reaches the test's environment, before the caller's own options.
printf 'ASAN_OPTIONS=detect_leaks=1:halt_on_error=1\nTSAN_OPTIONS=\n' >"$work/runtime.env"
cat >"$work/print-options.sh" <<'SCRIPT'
#!/bin/sh
echo "ASAN_OPTIONS=$ASAN_OPTIONS" >&2
SCRIPT
chmod +x "$work/print-options.sh"
expect 0 "ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:verbosity=0:log_path=" "the options reach the test" -- \
  env ASAN_OPTIONS=verbosity=0 bash "$launcher" --memsafe "$memsafe" --tool asan --log-dir "$work/logs" --timeout 20 \
    --env "$work/runtime.env" --name env-check "$work/print-options.sh"
# A canary whose patterns need no symbols is not symbolized in the quick run; the
# thorough run symbolizes it like any test.
expect 0 "ASAN_OPTIONS=log_path=[^ ]*:symbolize=0\$" "a quick run leaves such a canary unsymbolized" -- \
  env -u MEMSAFE_SLOW -u ASAN_OPTIONS bash "$launcher" "${common[@]}" --name quick-canary --quick-unsymbolized \
    "$work/print-options.sh"
expect 0 "ASAN_OPTIONS=log_path=[^ :]*\$" "a thorough run symbolizes it" -- \
  env -u ASAN_OPTIONS MEMSAFE_SLOW=1 bash "$launcher" "${common[@]}" --name slow-canary --quick-unsymbolized \
    "$work/print-options.sh"
# A noisy log: the first five reports reach the test output, then a count and the path.
noisy=()
for i in 1 2 3 4 5 6 7 8; do noisy+=("==1==ERROR: AddressSanitizer: heap-use-after-free number $i" "  #0 frame of $i"); done
expect 1 "number 5.*\\.\\.\\. 6 more lines \\(8 reports in all\\): see .*/noisy\\.asan\\." \
  "a noisy report is cut after five reports, with a count" -- \
  bash -c 'set -o pipefail; "$@" 2>&1 | tr "\n" " "' _ bash "$launcher" "${common[@]}" --name noisy "$fake_log" "${noisy[@]}"
if bash "$launcher" "${common[@]}" --name noisy "$fake_log" "${noisy[@]}" 2>&1 | grep -q 'number 6'; then
  echo "FAIL: the sixth report of a noisy log reached the test output"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
else
  echo "ok: the sixth report stays in the log file only"
fi
expect 2 "USAGE:" "an unknown option is a usage error" -- bash "$launcher" --tool asan --bogus
# A test's own exit 124 and a SIGKILL are not timeouts; only timeout(1)'s stop is.
expect 124 "" "a test's own exit 124 keeps its status" -- bash "$launcher" "${common[@]}" --name own-124 "$fake" 124
if bash "$launcher" "${common[@]}" --name own-124 "$fake" 124 2>&1 | grep -q TIMEOUT; then
  echo "FAIL: a test's own exit 124 was reported as a timeout"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
else
  echo "ok: a test's own exit 124 is not called a timeout"
fi
if bash "$launcher" "${common[@]}" --name killed bash -c 'kill -KILL $$' 2>&1 | grep -q TIMEOUT; then
  echo "FAIL: a SIGKILL was reported as a timeout"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
else
  echo "ok: a SIGKILL is not called a timeout"
fi

# GTEST_SKIP: a case that skipped itself says so in the launcher's own words, which
# memsafe_add_test gives CTest as SKIP_REGULAR_EXPRESSION; a finding after the skip fails.
skipper="$work/skipper.sh"
cat >"$skipper" <<'SCRIPT'
#!/usr/bin/env bash
echo "[ RUN      ] Suite.Case"
echo "[  SKIPPED ] Suite.Case (0 ms)"
if [[ ${1-} == leak ]]; then
  path="${ASAN_OPTIONS##*log_path=}"
  printf '%s
' "==1==ERROR: LeakSanitizer: detected memory leaks" "Direct leak of 8 byte(s) in 1 object(s) allocated from:"     "    #0 0x1 in main t.cc:3" "SUMMARY: AddressSanitizer: 8 byte(s) leaked in 1 allocation(s)." >"$path.$$"
  exit 23
fi
if [[ ${1-} == fake-marker ]]; then echo "memsafe: SKIPPED: pretending"; fi
exit 0
SCRIPT
chmod +x "$skipper"
expect 0 "memsafe: SKIPPED: 'skip-clean' skipped itself" "a clean GTEST_SKIP is reported skipped" -- \
  bash "$launcher" "${common[@]}" --name skip-clean "$skipper"
expect 1 "memsafe: FAILED: asan reported a finding in 'skip-leak'" "a leak after GTEST_SKIP fails the test" -- \
  bash "$launcher" "${common[@]}" --name skip-leak "$skipper" leak
if bash "$launcher" "${common[@]}" --name skip-leak "$skipper" leak 2>&1 | grep -Eq 'memsafe: SKIPPED:|\[  SKIPPED \]'; then
  echo "FAIL: a test with a finding printed a skip marker CTest would match"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
else
  echo "ok: a test with a finding prints no skip marker CTest would match"
fi
expect 0 "memsafe: \\(test output\\) SKIPPED: pretending" "a test cannot print the launcher's skip marker" -- \
  bash "$launcher" "${common[@]}" --name skip-fake "$skipper" fake-marker
expect 2 "cannot create the log directory '/proc/memsafe-no-such-dir'" \
  "an uncreatable log directory is a clear error" -- \
  bash "$launcher" --memsafe "$memsafe" --tool none --log-dir /proc/memsafe-no-such-dir --timeout 5 true

# Two names that differ only where the log name replaces characters run at once: each
# keeps its own logs and verdict (the clean one passes, the buggy one fails).
bash "$launcher" "${common[@]}" --name "c a" "$fake_log" "==1==ERROR: AddressSanitizer: heap-use-after-free" \
  >"$work/c-space.out" 2>&1 &
space_pid=$!
set +e
bash "$launcher" "${common[@]}" --name "c_a" "$fake" 0 >"$work/c-underscore.out" 2>&1
underscore_status=$?
wait "$space_pid"
space_status=$?
set -e
if ((space_status == 1 && underscore_status == 0)) && [[ $(cat "$work/logs/c_a.asan.verdict") == clean ]] &&
   compgen -G "$work/logs/c_a~*.asan.verdict" >/dev/null && [[ $(cat "$work/logs"/c_a~*.asan.verdict) == finding ]]; then
  echo "ok: 'c a' and 'c_a' keep their own logs and verdicts"
else
  echo "FAIL: 'c a' ($space_status) and 'c_a' ($underscore_status) share logs:"; ls "$work/logs"
  EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
fi
# The arguments as given, for memsafe check to pair the verdict with CTest's test.
if [[ $(tr '\0' ' ' <"$work/logs/c_a.asan.argv") == "$launcher ${common[*]} --name c_a $fake 0 " ]]; then
  echo "ok: the launcher's arguments are kept beside the verdict"
else
  echo "FAIL: $work/logs/c_a.asan.argv: $(tr '\0' ' ' <"$work/logs/c_a.asan.argv")"
  EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
fi

# What the test's processes ran, mapped and were given as files, recorded by the
# loader's audit module (beside memsafe) for the result cache: the stand-in test is a
# script, so the record names the interpreter, the script and the C library.
record="$work/logs/clean.asan.loaded"
if grep -qx "file $fake" "$record" && grep -q '^exe .*/bash$' "$record" && grep -q '^obj .*/libc[.]so' "$record"; then
  echo "ok: the loader's record names the interpreter, its script and the libraries"
else
  echo "FAIL: $record: $(cat "$record" 2>&1)"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
fi

# Options from outside options.txt (a test preset's environment, the test's ENVIRONMENT)
# that weaken the tool fail the test, whatever it found; harmless ones pass. (The
# variable and its value are separate words here: the repository's option lint reads
# this file too, and these values are refused on purpose.)
with_option() { # VARIABLE VALUE NAME: the clean stand-in test under the launcher, given VARIABLE=VALUE
  env "$1=$2" bash "$launcher" "${common[@]}" --name "$3" "$fake" 0
}
expect 1 "ran with tool options that options.txt would not allow" \
  "a suppression file named in the test's environment fails the test" -- \
  with_option LSAN_OPTIONS suppressions=/elsewhere/evil.supp env-supp
expect 1 "detect_leaks=false' weakens the tool" "detect_leaks=false in the test's environment fails the test" -- \
  with_option ASAN_OPTIONS verbosity=0:detect_leaks=false env-weak
expect 0 "" "a harmless option in the test's environment passes" -- \
  with_option ASAN_OPTIONS verbosity=0 env-fine

expect 2 "USAGE:" "an unknown tool is a usage error" -- bash "$launcher" --memsafe "$memsafe" --tool purify --log-dir "$work" --timeout 1 true

# A Python interpreter gets the sanitizer runtime preloaded (here a stand-in library),
# outside the build tree only, and what it starts does not inherit the preload or the
# interpreter's options. Stand-ins: cat named python3 shows what it mapped, env named
# python3.11 what its children would get, a script named python3 plays a pyenv shim.
scope="$(dirname "$memsafe")/memsafe-preload-scope.so"
if [[ -r $scope ]]; then
  mkdir -p "$work/interp" "$work/build" "$work/shim"
  stand_in="$work/stand-in-runtime.so"
  cp -- "$scope" "$stand_in"
  cp -- "$(command -v cat)" "$work/interp/python3"
  cp -- "$(command -v env)" "$work/interp/python3.11"
  cp -- "$(command -v cat)" "$work/build/python3"
  printf '#!/usr/bin/env bash\nexec "%s" "$@"\n' "$work/interp/python3.11" >"$work/shim/python3"
  chmod +x "$work/shim/python3"
  preload=(--preload-runtime "$stand_in" --build-dir "$work/build")
  expect 0 "stand-in-runtime.so" "a Python interpreter runs with the sanitizer runtime preloaded" -- \
    bash "$launcher" "${common[@]}" "${preload[@]}" --name python-maps "$work/interp/python3" /proc/self/maps
  set +e
  interpreter_env="$(bash "$launcher" "${common[@]}" "${preload[@]}" --name python-env "$work/interp/python3.11" 2>&1)"
  shim_env="$(bash "$launcher" "${common[@]}" "${preload[@]}" --name python-shim "$work/shim/python3" 2>&1)"
  tree_maps="$(bash "$launcher" "${common[@]}" "${preload[@]}" --name tree-python "$work/build/python3" /proc/self/maps 2>&1)"
  set -e
  # The variable's name apart from its value, so the options lint does not read a pattern
  # as options.
  options_var=ASAN_OPTIONS
  for pair in "interpreter:$interpreter_env" "shim:$shim_env"; do
    output="${pair#*:}"
    if grep -q "^${options_var}=.*log_path=" <<<"$output" && ! grep -Eq '^(LD_PRELOAD|MEMSAFE_PRELOAD_INTO|MEMSAFE_CHILD_[A-Z_]*)=|detect_leaks=0' <<<"$output"; then
      echo "ok: the ${pair%%:*}'s children get the test's own environment back"
    else
      echo "FAIL: the ${pair%%:*}'s children would inherit the preload or its options:"; printf '    %s\n' "$output"
      EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
    fi
  done
  expect 0 "stand-in-runtime.so" "an interpreter behind env gets the preload too" -- \
    bash "$launcher" "${common[@]}" "${preload[@]}" --name python-env-wrapped env A=1 "$work/interp/python3" /proc/self/maps
  # A "python3" that is a shell running no interpreter: the preload and its relaxed
  # options would reach every process, so the test fails.
  printf '#!/usr/bin/env bash\nexec cat /proc/self/maps\n' >"$work/shim/fake-python3"
  mkdir -p "$work/fake" && mv "$work/shim/fake-python3" "$work/fake/python3" && chmod +x "$work/fake/python3"
  expect 125 "no process of it was a Python interpreter" "a preload that reaches no Python interpreter fails" -- \
    bash "$launcher" "${common[@]}" "${preload[@]}" --name python-none "$work/fake/python3"
  # A wrapper that clears the environment would drop the preload: the interpreter runs
  # as it would without memsafe (no runtime, no failure of the launcher's own).
  set +e
  cleared_maps="$(bash "$launcher" "${common[@]}" "${preload[@]}" --name python-env-cleared \
    env A=1 env -i "$work/interp/python3" /proc/self/maps 2>&1)"
  cleared_status=$?
  set -e
  if ((cleared_status == 0)) && ! grep -q 'stand-in-runtime' <<<"$cleared_maps"; then
    echo "ok: an interpreter behind env -i is not preloaded, and its test passes"
  else
    echo "FAIL: an interpreter behind env -i: exit $cleared_status"; printf '    %s\n' "$cleared_maps"
    EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
  fi
  # A memsafe that cannot answer (older than the launcher, or crashing) fails the test.
  mkdir -p "$work/old-tool"
  cp -- "$scope" "$work/old-tool/"
  # shellcheck disable=SC2016 # the stand-in's own $1 and $@, expanded when it runs
  printf '#!/usr/bin/env bash\n[[ $1 != runs-python ]] || exit 2\nexec "%s" "$@"\n' "$memsafe" >"$work/old-tool/memsafe"
  chmod +x "$work/old-tool/memsafe"
  expect 2 "runs-python' failed \\(exit 2\\)" "a memsafe that cannot say whether a test runs Python fails it" -- \
    bash "$launcher" --memsafe "$work/old-tool/memsafe" --tool asan --log-dir "$work/logs" --timeout 20 \
    "${preload[@]}" --name python-old-tool "$work/interp/python3" /proc/self/maps
  if grep -q 'stand-in-runtime' <<<"$tree_maps"; then
    echo "FAIL: a program of the build tree named python3 got the runtime preloaded"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
  else
    echo "ok: a program of the build tree is never taken for an interpreter"
  fi
else
  echo "FAIL: no $scope beside the tool"; EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
fi

expect_summary "launcher test"
