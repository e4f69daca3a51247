#!/usr/bin/env bash
# The memory-baseline gate on a real scenario: a baseline written by `update` passes
# `check`; a planted regression of 20% of the scenario's peak heap fails it, naming the
# measure and the delta; 5% stays within the 10% threshold.
set -euo pipefail

usage() { echo "USAGE: memory_baseline_test.sh <memsafe> <scenarios> <work-dir>" >&2; exit 2; }
(($# == 3)) || usage
memsafe="$1" scenarios="$2" work="$3"
rm -rf -- "$work"
mkdir -p -- "$work"

# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

file="$work/baseline.json"
args=(--file "$file" --scenarios "$scenarios" --only secure-pool-load)
expect 0 "wrote 1 scenario" "update writes the baseline" -- "$memsafe" baseline update "${args[@]}"
expect 0 "0 regression\(s\) beyond 10.0%" "an unchanged build passes the check" -- "$memsafe" baseline check "${args[@]}"

peak="$(sed -n 's/.*"peak_heap_bytes": \([0-9]*\).*/\1/p' "$file" | head -n 1)"
expect 0 "" "the baseline holds a peak ($peak bytes)" -- test "${peak:-0}" -gt 0
expect 1 "secure-pool-load +peak heap \(bytes\) .* \+20\.[0-9]%  FAIL" \
  "a planted 20% regression fails with its delta" -- \
  env MEMSAFE_SCENARIO_EXTRA_BYTES=$((peak / 5)) "$memsafe" baseline check "${args[@]}"
expect 0 "0 regression" "a 5% increase is within the threshold" -- \
  env MEMSAFE_SCENARIO_EXTRA_BYTES=$((peak / 20)) "$memsafe" baseline check "${args[@]}"
expect 2 "no baseline file" "check without a baseline file is an input error" -- \
  "$memsafe" baseline check --file "$work/missing.json" --scenarios "$scenarios" --only secure-pool-load
expect 2 "no scenario 'secure-pool-lode'" "a misspelt --only name is an input error, not an empty pass" -- \
  "$memsafe" baseline check --file "$file" --scenarios "$scenarios" --only secure-pool-lode
expect 2 "is defined by both" "two programs defining one scenario is an input error" -- \
  "$memsafe" baseline check --file "$file" --scenarios "$scenarios" --scenarios "$scenarios" --only secure-pool-load
printf '{"threshold_percent": 10' >"$work/broken.json"
expect 2 "broken.json: " "a malformed baseline file is an input error" -- \
  "$memsafe" baseline check --file "$work/broken.json" --scenarios "$scenarios" --only secure-pool-load

expect_summary "memory baseline test"
