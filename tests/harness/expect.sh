# shellcheck shell=bash
# Assertions for the harness tests. Sourced; the test sets `set -euo pipefail`.
#
#   expect <status> <output-regex> <description> -- <command> [args...]
#   expect_summary <name>     prints the result and exits 1 if any expectation failed

EXPECT_FAILURES=0

expect() {
  local want_status="$1" want_output="$2" what="$3" status output
  shift 4
  set +e
  output="$("$@" 2>&1)"
  status=$?
  set -e
  if [[ $status -ne $want_status ]] || ! grep -Eq -- "$want_output" <<<"$output"; then
    echo "FAIL: $what: status $status (want $want_status), output:"
    printf '    %s\n' "$output"
    EXPECT_FAILURES=$((EXPECT_FAILURES + 1))
  else
    echo "ok: $what"
  fi
}

expect_summary() {
  if ((EXPECT_FAILURES)); then
    echo "$1: $EXPECT_FAILURES failure(s)"
    exit 1
  fi
  echo "$1: all as expected"
}
