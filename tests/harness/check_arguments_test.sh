#!/usr/bin/env bash
# Arguments that must never turn into a run: conflicting modes of check.sh, and
# malformed presets, shards and flag combinations of `memsafe check`. Each is USAGE and
# exit 2, checked before anything is built or run.
set -euo pipefail

usage() { echo "USAGE: check_arguments_test.sh <memsafe> <source-dir>" >&2; exit 2; }
(($# == 2)) || usage
memsafe="$1" source_dir="$2"

# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

parse_only() { MEMSAFE_CHECK_PARSE_ONLY=1 bash "$source_dir/check.sh" "$@"; }
for pair in "--memory-checks --review-suppressions" "--memory-checks --fuzz 5" "--list --matrix" \
            "--memory-baseline --memory-checks" "--fuzz 5 --list" "--review-suppressions --memory-baseline"; do
  read -r -a args <<<"$pair"
  expect 2 "USAGE:" "check.sh $pair: two modes are a usage error, not the last one winning" -- parse_only "${args[@]}"
done
expect 2 "go after --memory-checks" "check.sh --slow without --memory-checks" -- parse_only --slow
expect 2 "go after --memory-checks" "check.sh --no-cache without --memory-checks" -- parse_only --no-cache
expect 2 "go after --memory-checks" "check.sh --slow before --memory-checks" -- parse_only --slow --memory-checks
# After --memory-checks every argument is memsafe check's, passed on unchanged: options
# check.sh itself never names work, and memsafe check's usage errors are USAGE and exit 2.
expect 2 "USAGE: see memsafe check --help" "check.sh --preset without a value" -- parse_only --memory-checks --preset
expect 2 "USAGE: see memsafe check --help" "check.sh --memory-checks with an option memsafe check lacks" -- \
  parse_only --memory-checks --no-such-option
expect 0 "arguments valid" "check.sh --memory-checks passes --jobs, --test and --preset=NAME on" -- \
  parse_only --memory-checks --jobs 3 --test secure_zero_test --preset=asan
# Options that would run nothing, or put the report where check.sh's checks do not read
# it: check.sh would end "all checks passed" on a run that tested nothing.
for arg in --dry-run --list --matrix --help --report-dir=/tmp/elsewhere --source=. --detection-table=x.md; do
  expect 2 "is for memsafe check run by itself" "check.sh --memory-checks $arg is refused" -- parse_only --memory-checks --slow "$arg"
done
expect 2 "USAGE:" "check.sh --fuzz with a huge number" -- parse_only --fuzz 99999999999999999999

check() { "$memsafe" check --source "$source_dir" "$@"; }
expect 2 "without empty names" "--preset , is a usage error" -- check --memory-checks --preset , --dry-run
expect 2 "named twice" "--preset asan,asan is a usage error" -- check --memory-checks --preset asan,asan --dry-run
expect 2 "named twice" "--matrix asan,asan is a usage error" -- check --matrix --preset asan,asan
expect 2 "unknown preset" "an unknown preset is a usage error" -- check --memory-checks --preset nosuch --dry-run
expect 2 "runs no memory tool" "a preset without a tool is a usage error" -- check --memory-checks --preset dev --dry-run
expect 2 "--shard wants I/N" "a shard past 64 bits is a usage error" -- \
  check --memory-checks --shard 9223372036854775808/9223372036854775807 --dry-run
expect 2 "--shard wants I/N" "shard 0/2 is a usage error" -- check --memory-checks --shard 0/2 --dry-run
expect 2 "--shard wants I/N" "shard 3/2 is a usage error" -- check --memory-checks --shard 3/2 --dry-run
expect 2 "requires --memory-checks" "--shard needs --memory-checks" -- check --shard 1/2 --dry-run
expect 2 "excludes" "--list and --memory-checks conflict" -- check --list --memory-checks
expect 2 "requires --memory-checks" "--no-cache needs --memory-checks" -- check --no-cache --dry-run
expect 0 "3 preset\\(s\\) would run" "the default memory set is valid" -- check --memory-checks --dry-run
# --dry-run prints the commands the run would execute, not a summary of them.
expect 0 "asan: ctest --preset asan --test-dir [^ ]+/build/asan -T Test --no-tests=error --output-junit [^ ]+ -LE memsafe-slow -j 3" \
  "--dry-run prints the exact ctest command" -- check --memory-checks --preset asan --jobs 3 --dry-run
expect 0 "tsan: cmake --preset tsan --no-warn-unused-cli -DMEMSAFE_TOOL=" \
  "--dry-run prints the exact configure command" -- check --memory-checks --preset tsan --slow --dry-run
expect 2 "no CMakePresets.json" "a directory without presets is a usage error" -- \
  "$memsafe" check --source "$source_dir/tests/harness" --memory-checks

expect_summary "check arguments test"
