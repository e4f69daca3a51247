#!/usr/bin/env bash
# Runs `memsafe suppressions lint` and `review` on the repository's real files and on
# broken copies, checking exit statuses and the file:line messages a user sees.
set -euo pipefail

usage() { echo "USAGE: memsafe_suppressions_test.sh <memsafe> <source-dir> <work-dir>" >&2; exit 2; }
(($# == 3)) || usage
memsafe="$1" source_dir="$2" work="$3"
rm -rf -- "$work"
mkdir -p -- "$work"

# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

expect 0 "6 files, [0-9]+ entries, 3 files scanned for option strings, 0 problem" \
  "the repository's files lint clean, option strings in scripts and presets included" -- "$memsafe" \
  suppressions lint --dir "$source_dir/sanitizers" --scan "$source_dir/tools/lib.sh" \
  "$source_dir/cmake/memsafe-run.sh" "$source_dir/CMakePresets.json"

cp "$source_dir/sanitizers/lsan.supp" "$work/lsan.supp"
printf '\n# reason: TODO\n# tracker: t\n# added: 2026-11-22\n# review-by: 2027-12-01\nleak:other\n' >>"$work/lsan.supp"
expect 1 "lsan.supp:[0-9]+: entry 'leak:other' has an empty or placeholder reason" \
  "a placeholder reason fails with file:line" -- "$memsafe" suppressions lint "$work/lsan.supp"
expect 1 "review-by is [0-9]+ days after added" "a review-by beyond a quarter fails" -- "$memsafe" \
  suppressions lint "$work/lsan.supp"

printf 'asan halt_on_error=1,detect_leaks=1 # joined\n' >"$work/options.txt"
expect 1 "options.txt:1: 'halt_on_error=1,detect_leaks=1' joins options" \
  "comma-joined runtime options fail" -- "$memsafe" suppressions lint "$work/options.txt"

# The variable's name is assembled at run time, so this file passes the lint itself.
variable="ASAN""_OPTIONS"
printf 'run() {\n  %s=detect_leaks=1,halt_on_error=1 "$@"\n}\n' "$variable" >"$work/run.sh"
expect 1 "run.sh:2: $variable: 'detect_leaks=1,halt_on_error=1' joins options with ','" \
  "a comma-joined option string in a script fails with file:line" -- "$memsafe" \
  suppressions lint --dir "$source_dir/sanitizers" --scan "$work/run.sh"

expect 0 "0 overdue, 0 due soon" "nothing is due before the review-by dates" -- "$memsafe" \
  suppressions review --dir "$source_dir/sanitizers" --today 2026-11-22
expect 0 "due 2027-02-20: leak:memsafe_canary_suppressed_leak" "entries inside the window are listed" -- "$memsafe" \
  suppressions review --dir "$source_dir/sanitizers" --today 2027-02-01 --within 30
expect 1 "OVERDUE since 2027-02-20: race:memsafe_canary_suppressed_race" "overdue entries fail the review" -- "$memsafe" \
  suppressions review --dir "$source_dir/sanitizers" --today 2027-03-01
expect 1 "tracker: docs/design/MEMORY_SAFETY_CI.md#canaries" "the review shows reason and tracker" -- "$memsafe" \
  suppressions review --dir "$source_dir/sanitizers" --today 2027-03-01
expect 2 "wants YYYY-MM-DD" "a malformed --today is a usage error" -- "$memsafe" \
  suppressions review --dir "$source_dir/sanitizers" --today 2027-3-1
expect 2 "" "an unknown subcommand is a usage error" -- "$memsafe" suppressions frobnicate
expect 2 "missing.supp: cannot open" "a missing file is an input error" -- "$memsafe" suppressions lint "$work/missing.supp"
mkdir -p "$work/dir.supp"
expect 2 "dir.supp: is a directory" "a directory given as a suppression file is refused, not read as empty" -- \
  "$memsafe" suppressions lint "$work/dir.supp"
expect 2 "" "a review window beyond a century is a usage error" -- \
  "$memsafe" suppressions review --dir "$source_dir/sanitizers" --within 2147483647

expect_summary "memsafe suppressions test"
