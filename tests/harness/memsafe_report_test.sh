#!/usr/bin/env bash
# Runs `memsafe report` and `memsafe suppressions unused` on reports captured from the
# canaries (tests/unit/tools/testdata/reports) and on broken copies, checking exit
# statuses, the table a user reads and the files the workflows upload.
set -euo pipefail

usage() { echo "USAGE: memsafe_report_test.sh <memsafe> <source-dir> <work-dir>" >&2; exit 2; }
(($# == 3)) || usage
memsafe="$1" source_dir="$2" work="$3"
rm -rf -- "$work"
mkdir -p -- "$work"

# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

reports="$source_dir/tests/unit/tools/testdata/reports"
# The captures were made in a checkout at /work/main: that is their project root.
root=/work/main

expect 0 "\(no findings\)" "canary findings are set aside: a clean tree reports nothing" -- \
  "$memsafe" report --root "$root" "$reports"
expect 0 "0 distinct finding\(s\) in [0-9]+ log file\(s\); 24 expected canary finding\(s\) set aside" \
  "the summary counts the canary findings it set aside" -- "$memsafe" report --root "$root" "$reports"
expect 1 "memory-leak +tests/canaries/leak_unused.cc:11 +lsan,valgrind +2 " \
  "with canaries counted, one leak seen by LSan and Valgrind under both compilers is one row" -- \
  "$memsafe" report --root "$root" --include-canaries "$reports"
expect 1 "10 distinct finding\(s\)" "ten distinct bugs among the 24 canary findings" -- \
  "$memsafe" report --root "$root" --include-canaries "$reports"
expect 1 "::error file=tests/canaries/data_race.cc,line=9,title=memsafe%3A data-race::" \
  "GitHub annotations carry file and line" -- \
  "$memsafe" report --root "$root" --include-canaries --github-annotations "$reports/tsan"

out="$work/out"
mkdir -p "$out"
expect 1 "" "every output file is written" -- "$memsafe" report --root "$root" --include-canaries \
  --markdown "$out/f.md" --junit "$out/f.xml" --sarif "$out/f.sarif" --json "$out/f.json" "$reports"
for file in f.md f.xml f.sarif f.json; do
  expect 0 "." "$file is not empty" -- cat "$out/$file"
done
expect 0 '"ruleId": "heap-use-after-free"' "SARIF names the rule" -- cat "$out/f.sarif"
expect 0 '<testsuite name="memsafe.findings" tests="10" failures="10"' "JUnit has a failing case per finding" -- \
  cat "$out/f.xml"

broken="$work/broken/asan/memcheck"
mkdir -p "$broken"
cp "$source_dir/tests/unit/tools/testdata/malformed/cut-mid-stack.asan.log" "$broken/cut.PlantedTest.Case.asan.42"
expect 2 "cut.PlantedTest.Case.asan.42:2: error: asan report .* ends before its SUMMARY line" \
  "a report cut mid-stack is an input error with file:line" -- "$memsafe" report --root "$root" "$work/broken"
expect 2 "heap-use-after-free +tests/canaries/heap_use_after_free.cc:10" \
  "what could be read of a cut report is still shown" -- "$memsafe" report --root "$root" "$work/broken"
cp "$source_dir/tests/unit/tools/testdata/malformed/unterminated.xml" "$broken/cut.PlantedTest.Case.valgrind.43.xml"
expect 2 "cut.PlantedTest.Case.valgrind.43.xml:[0-9]+: error: malformed Valgrind XML" \
  "unterminated XML is an input error with file:line" -- "$memsafe" report --root "$root" "$work/broken"
mkdir -p "$work/no-logs"
expect 2 "no log files here" "a directory without logs is an input error" -- "$memsafe" report "$work/no-logs"
expect 2 "missing: error: cannot be read" "a missing input is an input error" -- "$memsafe" report "$work/missing"
mkfifo "$work/fifo"
expect 2 "fifo: error: is not a log file or a directory" "a FIFO is refused, not waited on" -- \
  timeout 10 "$memsafe" report "$work/fifo"
expect 2 "looks like an option" "an output option without its path is a usage error" -- \
  "$memsafe" report --junit --sarif "$work/x.sarif" "$reports"
[[ ! -e --sarif ]] || { echo "FAIL: a file named --sarif was written"; exit 1; }

# A user's own logs: a program built by hand with ASan, its reports written with
# ASAN_OPTIONS=log_path=dir/asan (files asan.<pid>), read from the directory and from stdin.
if command -v clang >/dev/null; then
  mkdir -p "$work/hand/logs"
  printf '#include <stdlib.h>\nint main(void) {\n  int *p = malloc(8);\n  free(p);\n  return p[1];\n}\n' \
    >"$work/hand/uaf.c"
  clang -g -O0 -fsanitize=address "$work/hand/uaf.c" -o "$work/hand/uaf"
  rm -f "$work/hand/logs/"*
  # The program's own failure is the point; its report is what is read below.
  ASAN_OPTIONS=log_path="$work/hand/logs/asan" setarch "$(uname -m)" -R "$work/hand/uaf" || true
  expect 1 "heap-use-after-free +uaf.c:5 " "plain ASan logs: kind and file:line, exit 1" -- \
    "$memsafe" report --root "$work/hand" "$work/hand/logs"
  # shellcheck disable=SC2016  # the inner shell expands its own arguments
  expect 1 "heap-use-after-free +uaf.c:5 " "the same log from standard input" -- \
    bash -c '"$1" report --root "$2" - <"$3"' _ "$memsafe" "$work/hand" "$(ls "$work/hand/logs/"asan.*)"
else
  echo "FAIL: clang is needed for the hand-built ASan program (sudo apt-get install clang)"
  exit 1
fi
expect 2 "" "report without a directory is a usage error" -- "$memsafe" report

expect 0 "0 unused, 3 used, 0 not judged" "the repository's entries are all used by the canaries" -- \
  "$memsafe" suppressions unused --dir "$source_dir/sanitizers" "$reports"
cp "$source_dir/sanitizers/tsan.supp" "$work/tsan.supp"
printf '\n# reason: a race in a library we no longer use\n# tracker: https://bugs.example.org/9\n# added: 2026-11-22\n# review-by: 2027-02-01\nrace:OldLibraryCallback\n' \
  >>"$work/tsan.supp"
expect 1 "tsan.supp:[0-9]+: unused: race:OldLibraryCallback" "an entry no run matched is listed, exit 1" -- \
  "$memsafe" suppressions unused --file "$work/tsan.supp" "$reports"
expect 0 "not judged: race:OldLibraryCallback \(no tsan run among the logs\)" \
  "entries of a tool that did not run are not judged" -- \
  "$memsafe" suppressions unused --file "$work/tsan.supp" "$reports/asan"

expect_summary "memsafe report test"
