#!/usr/bin/env bash
# Builds tests/consumer with one memory preset and checks the verdicts of its tests:
# every planted bug the preset's tool can see fails, naming the test and the kind of
# bug; every clean test passes. Under Valgrind the executable is one CTest test (all its
# cases in one Valgrind process, see memsafe_add_test): that test must fail with every
# planted kind, and `memsafe report` must name each planted case and no clean one.
set -euo pipefail

usage() {
  echo "USAGE: check_consumer.sh --source DIR --build DIR --preset asan|tsan|valgrind --cxx PATH --c PATH" \
    "--memsafe PATH" >&2
  exit 2
}
source_dir="" build_dir="" preset="" cxx="" cc="" memsafe=""
while (($#)); do
  case "$1" in
    --source) source_dir="${2-}"; shift 2 || usage ;;
    --build) build_dir="${2-}"; shift 2 || usage ;;
    --preset) preset="${2-}"; shift 2 || usage ;;
    --cxx) cxx="${2-}"; shift 2 || usage ;;
    --c) cc="${2-}"; shift 2 || usage ;;
    --memsafe) memsafe="${2-}"; shift 2 || usage ;;
    *) usage ;;
  esac
done
[[ -n $source_dir && -n $build_dir && -n $cxx && -n $cc && -n $memsafe ]] || usage

# planted: test name | what the tool must say about it
# rows: the rows `memsafe report` must print: kind | file | text on the bug's line
#       (empty: any line) | number of tests that hit it
case "$preset" in
  asan)
    planted=(
      "PlantedBugTest.HeapUseAfterFree|AddressSanitizer: heap-use-after-free"
      "PlantedBugTest.Leak|LeakSanitizer: detected memory leaks"
      "PlantedBugTest.LeakThenSkip|LeakSanitizer: detected memory leaks"
      "PlantedBugTest.SignedOverflow|signed-integer-overflow"
      "PlantedBugTest.LibraryOverflowFromOneItem|AddressSanitizer: heap-buffer-overflow"
      "PlantedBugTest.LibraryOverflowFromTwoItems|AddressSanitizer: heap-buffer-overflow")
    rows=(
      "heap-use-after-free|tests/inventory_test.cc|planted: reads the deleted vector|1"
      "memory-leak|tests/inventory_test.cc|planted: never deleted|1"
      "memory-leak|tests/inventory_test.cc|planted: leaked, then skipped|1"
      "signed-integer-overflow|tests/inventory_test.cc|planted: INT_MAX + 1|1"
      "heap-buffer-overflow|src/inventory.cc|// planted|2") ;;
  tsan)
    planted=("PlantedBugTest.DataRace|ThreadSanitizer: data race")
    rows=("data-race|tests/inventory_test.cc||1") ;;
  valgrind)
    planted=(
      "PlantedBugTest.HeapUseAfterFree|heap-use-after-free"
      "PlantedBugTest.Leak|memory-leak"
      "PlantedBugTest.LeakThenSkip|memory-leak"
      "PlantedBugTest.UninitialisedRead|uninitialised-value"
      "PlantedBugTest.LibraryOverflowFromOneItem|heap-buffer-overflow"
      "PlantedBugTest.LibraryOverflowFromTwoItems|heap-buffer-overflow")
    rows=(
      "heap-use-after-free|tests/inventory_test.cc|planted: reads the deleted vector|1"
      "memory-leak|tests/inventory_test.cc|planted: never deleted|1"
      "memory-leak|tests/inventory_test.cc|planted: leaked, then skipped|1"
      "uninitialised-value|tests/inventory_test.cc|planted: *count was never written|1"
      "heap-buffer-overflow|src/inventory.cc|// planted|2") ;;
  *) usage ;;
esac
clean=(InventoryTest.ParsesItems InventoryTest.EmptyInput)

echo "== configure and build tests/consumer with preset $preset ($cxx)"
# Incremental on purpose: configure re-applies the preset, and the launcher clears
# each test's old logs, so only what changed is rebuilt.
cmake -S "$source_dir" -B "$build_dir" --preset "$preset" -DMEMSAFE_TOOL="$memsafe" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" >"$build_dir.configure.log" 2>&1 || {
  cat "$build_dir.configure.log"; echo "FAIL: the consumer does not configure"; exit 1; }
# The build lists the tests natively: it must not see the test preset's expectations.
env -u MEMSAFE_EXPECT cmake --build "$build_dir" -j 2 >"$build_dir.build.log" 2>&1 || {
  cat "$build_dir.build.log"; echo "FAIL: the consumer does not build"; exit 1; }

regex=""
batched=0
if [[ $preset == valgrind ]]; then
  batched=1
  regex='^inventory_test$'
else
  for entry in "${planted[@]}"; do regex+="${regex:+|}^${entry%%|*}\$"; done
  for name in "${clean[@]}"; do regex+="|^${name}\$"; done
fi

echo "== run the consumer's tests (failures of planted bugs are expected)"
log="$build_dir.ctest.log"
# Logs of tests that no longer exist (a renamed case) would reach the report.
rm -rf -- "$build_dir/memcheck"
set +e
ctest --test-dir "$build_dir" -R "$regex" --output-on-failure -j 2 >"$log" 2>&1
set -e
cat "$log"

failures=0
if ((batched)); then
  if ! grep -Eq "Test +#[0-9]+: inventory_test \.+\*+Failed" "$log" ||
     ! grep -Fq "memsafe: FAILED: $preset reported a finding in 'inventory_test'" "$log"; then
    echo "FAIL: the batched run of inventory_test did not fail on its planted bugs"
    failures=$((failures + 1))
  fi
fi
for entry in "${planted[@]}"; do
  name="${entry%%|*}" kind="${entry#*|}"
  if ((batched)); then
    # One process ran every case: the verdict names the case of each error, its kind
    # and its place (and so does the report, checked below).
    if grep -Eq "memsafe:   $kind at [^ ]+:[0-9]+ in inventory_test\.$name: " "$log"; then
      echo "ok: $name caught ($kind), named in the test output"
    else
      echo "FAIL: the output does not name $kind at FILE:LINE in $name"; failures=$((failures + 1))
    fi
  elif ! grep -Eq "Test +#[0-9]+: ${name} \.+\*+Failed" "$log"; then
    echo "FAIL: planted bug in $name was not caught by $preset"; failures=$((failures + 1))
  elif ! grep -Fq "memsafe: FAILED: $preset reported a finding in 'inventory_test.$name'" "$log" ||
       ! grep -Fq "$kind" "$log"; then
    echo "FAIL: $name failed, but the output does not name it with '$kind'"; failures=$((failures + 1))
  else
    echo "ok: $name caught ($kind)"
  fi
done
for name in "${clean[@]}"; do
  if ((batched)) && grep -Eq "^\[ +OK \] ${name} " "$log"; then
    echo "ok: $name passed"
  elif ((!batched)) && grep -Eq "Test +#[0-9]+: ${name} \.+ +Passed" "$log"; then
    echo "ok: $name passed"
  else
    echo "FAIL: clean test $name did not pass"; failures=$((failures + 1))
  fi
done

# The findings report: one row per distinct bug, at the right file and line, however
# many tests hit it.
echo "== memsafe report over the consumer's logs"
report="$build_dir.report.txt"
set +e
"$memsafe" report --root "$source_dir" "$build_dir" >"$report" 2>&1
report_status=$?
set -e
cat "$report"
if ((report_status != 1)); then
  echo "FAIL: memsafe report exited $report_status, expected 1 (findings)"; failures=$((failures + 1))
fi
for row in "${rows[@]}"; do
  IFS='|' read -r kind file marker tests <<<"$row"
  line='[0-9]+'
  if [[ -n $marker ]]; then line="$(grep -nF -- "$marker" "$source_dir/$file" | head -n 1 | cut -d: -f1)"; fi
  if grep -Eq "^$kind +${file//./[.]}:$line +[a-z,]+ +$tests " "$report"; then
    echo "ok: report row $kind at $file:$line, $tests test(s)"
  else
    echo "FAIL: no report row '$kind at $file:$line hit by $tests test(s)'"; failures=$((failures + 1))
  fi
done
if ((batched)); then
  # One process ran every case: the report must still name the case of each finding.
  for entry in "${planted[@]}"; do
    name="${entry%%|*}"
    if grep -Eq "^  tests: .*inventory_test[.]${name//./[.]}(,|\$)" "$report"; then
      echo "ok: report names $name"
    else
      echo "FAIL: the report does not name $name"; failures=$((failures + 1))
    fi
  done
  for name in "${clean[@]}"; do
    if grep -Eq "^  tests: .*inventory_test[.]${name//./[.]}(,|\$)" "$report"; then
      echo "FAIL: the report blames clean test $name"; failures=$((failures + 1))
    fi
  done
fi
table_rows="$(awk 'NR > 1 && /^$/ { exit } NR > 1 { n++ } END { print n + 0 }' "$report")"
if ((table_rows != ${#rows[@]})); then
  echo "FAIL: the report has $table_rows rows, expected ${#rows[@]} (one per distinct bug)"
  failures=$((failures + 1))
fi

# The whole run as an adopter starts it, once (the asan preset; the other presets'
# verdicts on this project are checked above): `memsafe check --memory-checks` in the
# project's own directory, presets and all. The project is copied beside its build
# (memsafe check builds under <project>/build/<preset>), with memsafe's cmake/, which
# its presets and CMakeLists name by a relative path, linked back to memsafe's tree.
if [[ $preset == asan ]]; then
  echo "== memsafe check --memory-checks --preset $preset in a copy of the consumer"
  copy="$build_dir-check"
  memsafe_root="$(cd "$source_dir/../.." && pwd)"
  mkdir -p -- "$copy/tests"
  rm -rf -- "$copy/tests/consumer/src" "$copy/tests/consumer/tests" "$copy/tests/consumer/sanitizers"
  cp -R -- "$source_dir" "$copy/tests/"
  ln -sfn -- "$memsafe_root/cmake" "$copy/cmake"
  check_log="$build_dir.memsafe-check.txt"
  set +e
  env -u MEMSAFE_EXPECT "$memsafe" check --memory-checks --preset "$preset" --source "$copy/tests/consumer" \
    >"$check_log" 2>&1
  check_status=$?
  set -e
  grep -v '^\[' "$check_log" | tail -n 60
  first_planted="${planted[0]%%|*}"
  for want in "^PRESET +TESTS +FAILURES +SKIPPED +CANARIES" "^$preset +[0-9]+ +[1-9][0-9]* +[0-9]+ +([0-9]+)/\\1 .* FAILED\$" \
      "$first_planted" "suppressions: entries no run matched" "memsafe suppressions unused: 0 unused"; do
    if grep -Eq -- "$want" "$check_log"; then echo "ok: memsafe check printed /$want/"; else
      echo "FAIL: memsafe check did not print /$want/"; failures=$((failures + 1)); fi
  done
  for row in "${rows[@]}"; do
    IFS='|' read -r kind file _ _ <<<"$row"
    if grep -Eq "^$kind +${file//./[.]}:[0-9]+ " "$check_log"; then echo "ok: memsafe check names $kind at $file"; else
      echo "FAIL: memsafe check does not name $kind at $file:LINE"; failures=$((failures + 1)); fi
  done
  if ((check_status != 1)); then
    echo "FAIL: memsafe check exited $check_status on planted bugs, expected 1"; failures=$((failures + 1))
  fi
  if [[ ! -s $copy/tests/consumer/build/memsafe-report/findings.sarif ]]; then
    echo "FAIL: memsafe check wrote no SARIF"; failures=$((failures + 1))
  fi
fi

if [[ $preset == asan ]]; then
  # The same project configured as if the preset had lost its sanitizer flags: the
  # launcher's check of the test program (or, behind it, the program's own check) must
  # notice and fail every test.
  echo "== a build that lost its sanitizer flags must fail its tests"
  lost="$build_dir-lost-flags"

  if ! { cmake -S "$source_dir" -B "$lost" --preset "$preset" -DMEMSAFE_SANITIZE= -DMEMSAFE_TOOL="$memsafe" \
           -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" >"$lost.configure.log" 2>&1 &&
         env -u MEMSAFE_EXPECT cmake --build "$lost" -j 2 >"$lost.build.log" 2>&1; }; then
    cat "$lost.configure.log" "$lost.build.log"
    echo "FAIL: the lost-flags build failed"
    exit 1
  fi
  set +e
  MEMSAFE_EXPECT=address,undefined,leak ctest --test-dir "$lost" -R '^InventoryTest[.]' \
    --output-on-failure >"$lost.ctest.log" 2>&1
  lost_status=$?
  set -e
  if ((lost_status != 0)) &&
     grep -Eq "NOT INSTRUMENTED: .* -fsanitize=address|instrumentation check failed: the preset expects 'address'" \
       "$lost.ctest.log" &&
     ! grep -Eq 'Test +#[0-9]+: InventoryTest[.][A-Za-z]+ \.+ +Passed' "$lost.ctest.log"; then
    echo "ok: without its flags every test fails the instrumentation check"
  else
    cat "$lost.ctest.log"
    echo "FAIL: a build without sanitizer flags passed (or failed for another reason)"
    failures=$((failures + 1))
  fi
fi
if ((failures)); then
  echo "consumer check: $failures problem(s)"
  exit 1
fi
echo "consumer check: every planted bug caught, every clean test passed"
