#!/usr/bin/env bash
# The planning-label lint of ./check.sh on a scratch repository: labels are refused in
# code and docs, accepted in docs/history/, and the message names file and line.
set -euo pipefail

usage() { echo "USAGE: planning_labels_test.sh <source-dir> <work-dir>" >&2; exit 2; }
(($# == 2)) || usage
source_dir="$1" work="$2"
rm -rf -- "$work"
mkdir -p -- "$work/docs/history" "$work/src"
git -C "$work" init -q

# shellcheck source=tests/harness/expect.sh
source "$(dirname "${BASH_SOURCE[0]}")/expect.sh"

run_lint() {
  bash -c 'ROOT="$1"; source "$2/tools/lib.sh"; lint_planning_labels; ((${#MEMSAFE_FAILURES[@]} == 0))' \
    _ "$work" "$source_dir"
}

# The labels are assembled at run time, so this file does not trip the lint itself.
phase=Phase issue=issue ticket=ticket project=MEMSAFE

printf '// Zeroes a buffer whatever the optimizer thinks.\n' >"$work/src/zero.cc"
printf '%s 2 built the secure-memory library (%s 3).\n' "$phase" "$issue" >"$work/docs/history/PLAN.md"
expect 0 "none outside docs/history" "labels in docs/history/ are accepted" -- run_lint

printf '// %s 2: layered zeroing\n' "$phase" >>"$work/src/zero.cc"
expect 1 "src/zero.cc:2:// ${phase}[ ]2: layered zeroing" "a phase label in code is refused with file:line" -- run_lint
printf '// Zeroes a buffer.\n' >"$work/src/zero.cc"

printf 'See %s #42 and %s-17 for details.\n' "$ticket" "$project" >"$work/README.md"
expect 1 "README.md:1:" "ticket ids in docs are refused" -- run_lint

expect_summary "planning labels test"
