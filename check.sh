#!/usr/bin/env bash
# check.sh: the one entry point for building and checking memsafe. CI runs exactly
# what a developer runs.
#
#   ./check.sh                     build and test the dev preset, then the lints
#   ./check.sh --memory-checks     asan, tsan and valgrind presets, summary and findings
#                                  report, exit 1 on any finding (memsafe check --memory-checks,
#                                  built from this tree first)
#
# On a fresh machine it installs the Debian packages memsafe needs when it runs as root
# (CI, containers) and otherwise names them in one `sudo apt-get install` line.
# Run ./check.sh --help for every option.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
# shellcheck source=tools/lib.sh
source "$ROOT/tools/lib.sh"

usage() {
  cat <<'EOF'
USAGE: ./check.sh [--memory-checks [MEMSAFE-CHECK-OPTIONS...]] [--review-suppressions]
                  [--memory-baseline] [--fuzz SECONDS] [--list] [--matrix [NAMES]]
                  [--real-projects [NAMES]] [--help]

  (no option)        configure, build and test the dev presets (with and without
                     libsodium), then the lints: shell scripts, suppression files and
                     runtime options, workflows, SARIF schema, planning labels, and
                     every command shown in the docs
  --memory-checks [MEMSAFE-CHECK-OPTIONS...]
                     memsafe check --memory-checks: the memory-check presets (default
                     set: see --list) one after another: configure, build, every test
                     under the preset's tool, every canary; a summary and the findings
                     report; exit 1 if anything failed. Every argument after it goes to
                     memsafe check unchanged (e.g. --preset asan --slow); their usage is
                     memsafe check --help (below). Not those that would run nothing or
                     write the report elsewhere (--dry-run, --list, --matrix, --help,
                     --report-dir, --source, --detection-*). A --slow run of every test
                     also checks the detection table of docs/MEMORY_SAFETY.md
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
  --real-projects [NAMES]
                     the real-projects matrix (tests/adoption/real_projects.txt, or the
                     named ones, comma-separated): each Debian project adopted with no
                     hand edit, checked cold and warm under every memory preset, a heap
                     overflow planted in its library caught at its line by the quick
                     run; prints the table; an hour or more (the nightly runs it)
  --help             this text

The memory runs, --list and --matrix are `memsafe check` (build/dev/tools/memsafe/memsafe
check --help); check.sh builds the tool first.

Exit status: 0 all passed, 1 a check failed or a tool is missing, 2 bad usage.
EOF
}

mode=""
memory_args=()
real_projects_args=()
fuzz_seconds=0
# Each mode once; two modes in one call are a usage error, never "the last one wins".
set_mode() {
  if [[ -n $mode && $mode != "$1" ]]; then
    echo "check.sh: --$mode and --$1 are separate runs: give one of them" >&2
    usage >&2
    exit 2
  fi
  mode="$1"
}
while (($#)); do
  case "$1" in
    --memory-checks)
      # The rest is memsafe check's, passed on unchanged: it refuses what it does not
      # know, and its --help is the one usage of these options. Except the ones that would
      # make check.sh's verdict a lie: a run that runs nothing (--dry-run, --list,
      # --matrix, --help) would end "all checks passed", and another report directory or
      # source would leave the SARIF check reading an old report.
      set_mode memory-checks; shift
      for arg in "$@"; do
        case "$arg" in
          --dry-run | --list | --matrix | -h | --help | --report-dir | --report-dir=* | --source | --source=* | \
            --detection-table | --detection-table=* | --detection-corpus | --detection-corpus=*)
            echo "check.sh: $arg is for memsafe check run by itself (build/dev/tools/memsafe/memsafe check): check.sh runs the presets and judges the report it writes" >&2
            usage >&2; exit 2 ;;
        esac
      done
      memory_args=("$@"); break ;;
    --list) set_mode list; shift ;;
    --matrix)
      set_mode matrix; shift
      if (($#)) && [[ $1 != -* ]]; then memory_args+=(--preset "$1"); shift; fi ;;
    --real-projects)
      set_mode real-projects; shift
      if (($#)) && [[ $1 != -* ]]; then real_projects_args+=(--only "$1"); shift; fi ;;
    --review-suppressions) set_mode review-suppressions; shift ;;
    --memory-baseline) set_mode memory-baseline; shift ;;
    --fuzz)
      [[ $# -ge 2 && $2 =~ ^[1-9][0-9]{0,5}$ ]] || { echo "check.sh: --fuzz wants a number of seconds" >&2; usage >&2; exit 2; }
      set_mode fuzz; fuzz_seconds="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *)
      echo "check.sh: unknown argument '$1' (memsafe check's options, such as --preset or --slow, go after --memory-checks)" >&2
      usage >&2; exit 2 ;;
  esac
done
mode="${mode:-fast}"

# The documentation test runs every documented check.sh command this far: the
# arguments are valid (memsafe check --dry-run judges its own) and nothing runs.
if [[ ${MEMSAFE_CHECK_PARSE_ONLY:-} == 1 ]]; then
  case "$mode" in
    memory-checks) run_memsafe_check --memory-checks "${memory_args[@]}" --dry-run >/dev/null ;;
    matrix) run_memsafe_check --matrix "${memory_args[@]}" >/dev/null ;;
  esac
  echo "check.sh: arguments valid (mode $mode)"
  exit 0
fi

# What a fresh machine lacks is installed (as root) or named in one apt-get line. With
# --matrix, standard output is the JSON a workflow reads: what the installer says goes
# to standard error.
if [[ $mode == matrix ]]; then ensure_dependencies >&2; else ensure_dependencies; fi

case "$mode" in
  fast) run_fast_checks ;;
  list) run_memsafe_check --list ;;
  matrix) run_memsafe_check --matrix "${memory_args[@]}" ;;
  memory-checks) run_memory_checks "${memory_args[@]}" ;;
  review-suppressions) run_suppression_review ;;
  real-projects) run_real_projects "${real_projects_args[@]}" ;;
  fuzz) run_fuzz "$fuzz_seconds" ;;
  memory-baseline) run_memory_baseline ;;
esac
