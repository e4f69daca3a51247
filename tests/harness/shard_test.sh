#!/usr/bin/env bash
# Proves on a real build what `memsafe check --shard I/N` relies on: CTest's selection
# "-I I,,N" (every N-th test from the I-th) splits the tests of a build into disjoint
# shards that together list every test exactly once, and test numbers appended to it
# ("-I I,,N,a,b", how memsafe check adds the canaries to every shard) are listed too.
set -euo pipefail

usage() { echo "USAGE: shard_test.sh <source-dir> <build-dir>" >&2; exit 2; }
(($# == 2)) || usage
build_dir="$2"

# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

list_tests() { ctest --test-dir "$build_dir" -N "$@" | sed -n 's/^ *Test *#[0-9]*: //p'; }

all="$(list_tests | sort)"
total="$(wc -l <<<"$all")"
expect 0 "" "the build has tests to shard ($total)" -- test "$total" -gt 10

for n in 1 2 3 7; do
  union=""
  for ((i = 1; i <= n; i++)); do
    union+="$(list_tests -I "$i,,$n")"$'\n'
  done
  union="$(grep -v '^$' <<<"$union" | sort)"
  expect 0 "" "$n shard(s): every test exactly once ($(wc -l <<<"$union") listed)" -- \
    test "$union" == "$all"
done

# Shard 2 of 1000 holds only test 2; appending test 1 (as memsafe check appends the
# canaries) lists tests 1 and 2.
listed="$(list_tests -I 2,,1000,1)"
expected="$(list_tests | sed -n 1,2p)"
expect 0 "" "tests appended to a shard's selection are listed in it" -- test "$listed" == "$expected"

expect_summary "shard test"
