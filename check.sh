#!/usr/bin/env bash
# check.sh: the one entry point for building and checking memsafe. CI runs exactly
# what a developer runs.
#
#   ./check.sh                     build and test the dev preset, then the lints
#   ./check.sh --memory-checks     asan, tsan and valgrind presets, summary and findings
#                                  report, exit 1 on any finding
#
# Run ./check.sh --help for every option.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"

usage() {
  cat <<'EOF'
USAGE: ./check.sh [--memory-checks [--preset NAME[,NAME...]] [--shard I/N] [--slow]]
                  [--review-suppressions] [--memory-baseline] [--fuzz SECONDS] [--list]
                  [--matrix [NAMES]] [--help]

  (no option)        configure, build and test the dev presets (with and without
                     libsodium), then the lints: shell scripts, suppression files and
                     runtime options, workflows, SARIF schema, planning labels, and
                     every command shown in the docs
  --memory-checks    run the memory-check presets (default set: see --list) one after
                     another: configure, build, every test under the preset's tool,
                     every canary; print a summary; exit 1 if anything failed
  --preset NAMES     with --memory-checks: these presets instead of the default set
  --shard I/N        with --memory-checks: only every N-th test, starting at the I-th;
                     the N shards of a build together run every test exactly once
  --slow             with --memory-checks: the thorough run: also the tests labelled
                     memsafe-slow (minutes each under Valgrind) and the valgrind-slow
                     options of sanitizers/options.txt; CI and the nightly pass it
  --review-suppressions
                     list suppression entries whose review-by date has passed or is
                     within 14 days; exit 1 if any is overdue (the quarterly review)
  --memory-baseline  peak heap (Valgrind massif) and peak RSS of the memory scenarios
                     against sanitizers/memory-baseline.json; exit 1 when one grows
                     beyond the file's threshold or grows when run twice as long
  --fuzz SECONDS     build the fuzz preset and run each parser's libFuzzer target
                     for SECONDS, starting from real reports and past crashes;
                     exit 1 if any input crashes a parser
  --list             list the presets, their tools and whether --memory-checks runs them
  --matrix [NAMES]   the nightly workflow's job matrix as JSON: every memory preset (or
                     the named ones, comma-separated) times its shards
  --help             this text

Exit status: 0 all passed, 1 a check failed or a tool is missing, 2 bad usage.
EOF
}

mode=fast
presets_arg=""
shard=""
slow=0
matrix_presets=""
fuzz_seconds=0
while (($#)); do
  case "$1" in
    --memory-checks) mode=memory; shift ;;
    --preset)
      [[ $# -ge 2 && -n $2 ]] || { usage >&2; exit 2; }
      presets_arg="$2"; shift 2 ;;
    --preset=*) presets_arg="${1#--preset=}"; shift ;;
    --list) mode=list; shift ;;
    --matrix)
      mode=matrix; shift
      if (($#)) && [[ $1 != -* ]]; then matrix_presets="$1"; shift; fi ;;
    --shard)
      [[ $# -ge 2 && -n $2 ]] || { usage >&2; exit 2; }
      shard="$2"; shift 2 ;;
    --slow) slow=1; shift ;;
    --review-suppressions) mode=review; shift ;;
    --memory-baseline) mode=baseline; shift ;;
    --fuzz)
      [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "check.sh: --fuzz wants a number of seconds" >&2; usage >&2; exit 2; }
      mode=fuzz fuzz_seconds="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "check.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
if [[ ( -n $presets_arg || -n $shard || $slow == 1 ) && $mode != memory ]]; then
  echo "check.sh: --preset, --shard and --slow go with --memory-checks" >&2
  usage >&2
  exit 2
fi
if [[ -n $shard ]]; then check_shard "$shard"; fi

require_tool cmake cmake
require_tool ninja ninja-build
load_presets
# The presets a memory run means, checked before anything runs (SELECTED_PRESETS).
if [[ $mode == memory ]]; then select_presets "$presets_arg" memory-checks; fi

# The documentation test runs every documented check.sh command this far: the
# arguments are valid and the presets exist.
if [[ ${MEMSAFE_CHECK_PARSE_ONLY:-} == 1 ]]; then
  echo "check.sh: arguments valid (mode $mode)"
  exit 0
fi

case "$mode" in
  list) list_presets ;;
  fast) run_fast_checks ;;
  matrix) print_matrix "$matrix_presets" ;;
  memory) run_memory_checks "$shard" "$slow" ;;
  review) run_suppression_review ;;
  fuzz) run_fuzz "$fuzz_seconds" ;;
  baseline) run_memory_baseline ;;
esac
