#!/usr/bin/env bash
# check.sh: the one entry point for building and checking memsafe. CI runs exactly
# what a developer runs.
#
#   ./check.sh                     build and test the dev preset, then the lints
#   ./check.sh --memory-checks     asan, tsan and valgrind presets, summary, exit 1 on any finding
#
# Run ./check.sh --help for every option.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"

usage() {
  cat <<'EOF'
USAGE: ./check.sh [--memory-checks [--preset NAME[,NAME...]]] [--review-suppressions]
                  [--list] [--help]

  (no option)        configure, build and test the dev presets (with and without
                     libsodium), then run the lints (shell scripts, suppression files
                     and runtime options)
  --memory-checks    run the memory-check presets (default set: see --list) one after
                     another: configure, build, every test under the preset's tool,
                     every canary; print a summary; exit 1 if anything failed
  --preset NAMES     with --memory-checks: these presets instead of the default set
  --review-suppressions
                     list suppression entries whose review-by date has passed or is
                     within 14 days; exit 1 if any is overdue (the quarterly review)
  --list             list the presets, their tools and whether --memory-checks runs them
  --help             this text

Exit status: 0 all passed, 1 a check failed or a tool is missing, 2 bad usage.
EOF
}

mode=fast
presets_arg=""
while (($#)); do
  case "$1" in
    --memory-checks) mode=memory; shift ;;
    --preset)
      [[ $# -ge 2 && -n $2 ]] || { usage >&2; exit 2; }
      presets_arg="$2"; shift 2 ;;
    --preset=*) presets_arg="${1#--preset=}"; shift ;;
    --list) mode=list; shift ;;
    --review-suppressions) mode=review; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "check.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if [[ -n $presets_arg && $mode != memory ]]; then
  echo "check.sh: --preset goes with --memory-checks" >&2
  usage >&2
  exit 2
fi

require_tool cmake cmake
require_tool ninja ninja-build
load_presets

case "$mode" in
  list) list_presets ;;
  fast) run_fast_checks ;;
  memory) run_memory_checks "$presets_arg" ;;
  review) run_suppression_review ;;
esac
