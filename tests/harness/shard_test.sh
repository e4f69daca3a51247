#!/usr/bin/env bash
# Proves the sharding of ./check.sh --memory-checks --shard I/N on a real build: for
# several N, the shards are disjoint and together list every test exactly once.
set -euo pipefail

usage() { echo "USAGE: shard_test.sh <source-dir> <build-dir>" >&2; exit 2; }
(($# == 2)) || usage
source_dir="$1" build_dir="$2"

# shellcheck source=tools/lib.sh
source "$source_dir/tools/lib.sh"
# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

list_tests() { ctest --test-dir "$build_dir" -N "$@" | sed -n 's/^ *Test *#[0-9]*: //p'; }

all="$(list_tests | sort)"
total="$(wc -l <<<"$all")"
expect 0 "" "the build has tests to shard ($total)" -- test "$total" -gt 10

for n in 1 2 3 7; do
  union=""
  for ((i = 1; i <= n; i++)); do
    read -r -a args <<<"$(shard_ctest_args "$i/$n")"
    union+="$(list_tests "${args[@]}")"$'\n'
  done
  union="$(grep -v '^$' <<<"$union" | sort)"
  expect 0 "" "$n shard(s): every test exactly once ($(wc -l <<<"$union") listed)" -- \
    test "$union" == "$all"
done

expect 2 "--shard wants I/N" "shard 0/2 is refused" -- bash -c "source '$source_dir/tools/lib.sh'; check_shard 0/2"
expect 2 "--shard wants I/N" "shard 3/2 is refused" -- bash -c "source '$source_dir/tools/lib.sh'; check_shard 3/2"
expect 0 "" "shard 2/2 is accepted" -- bash -c "source '$source_dir/tools/lib.sh'; check_shard 2/2"

expect_summary "shard test"
