#!/usr/bin/env bash
# memory-history.sh: the nightly's memory history (the history job of
# .github/workflows/memory-safety.yml) around `memsafe history` and `memsafe bisect`.
# What it writes for people goes to the step summary (GITHUB_STEP_SUMMARY; outside
# Actions, standard output).
#
#   tools/memory-history.sh record <memsafe> <db> <artifacts-dir> <commit>
#       The night as one run of <commit>: the report of every memory-checks-* artifact
#       downloaded into <artifacts-dir>, with the peaks the baseline job measured when its
#       artifact is there. An artifact without a report (its check stopped before writing
#       one) is named: its preset or shard is missing from the run. Exit 1 when no
#       artifact has a report, 2 when memsafe refuses the reports or the database.
#   tools/memory-history.sh diff <memsafe> <db> <json-out>
#       The run against the one before, as text into the summary and as JSON into
#       <json-out>. Exits as `memsafe history diff` does: 1 when a finding is new or a
#       preset did not check.
#   tools/memory-history.sh bisect <memsafe> <db> <diff-json>
#       For each new finding of the diff, the first commit that has it, between the
#       compared run's commit and this run's (`memsafe bisect` on the finding's first
#       preset), into the summary. Needs the full history and the project's build
#       environment. Exit 0 whatever the bisections found; they say so in the summary.
set -euo pipefail

# Report artifacts hold build/ from its least common ancestor down (several upload
# paths), so the report is memsafe-report/ inside each.
readonly report_in_artifact=memsafe-report
readonly baseline_artifact=memory-baseline-measured/memory-baseline-measured.json
# Each bisection builds and tests a few commits under one preset: tens of minutes.
readonly bisect_limit=3

usage() {
  cat >&2 <<'EOF'
USAGE: tools/memory-history.sh record <memsafe> <db> <artifacts-dir> <commit>
       tools/memory-history.sh diff <memsafe> <db> <json-out>
       tools/memory-history.sh bisect <memsafe> <db> <diff-json>
EOF
  exit 2
}

summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"

# fenced <file>: the file as a fenced block, the fence longer than any backtick run in it.
fenced() {
  local fence='```'
  while grep -qF -- "$fence" "$1"; do fence+='`'; done
  printf '%stext\n' "$fence"
  cat -- "$1"
  printf '%s\n\n' "$fence"
}

record() {
  local memsafe="$1" db="$2" artifacts="$3" commit="$4" artifact reports=() missing=() baseline=()
  for artifact in "$artifacts"/memory-checks-*/; do
    [[ -d $artifact ]] || continue
    if [[ -f $artifact$report_in_artifact/this-run/summary.json ]]; then
      reports+=("$artifact$report_in_artifact")
    else
      missing+=("$(basename -- "$artifact")")
    fi
  done
  if [[ -f $artifacts/$baseline_artifact ]]; then baseline=(--baseline "$artifacts/$baseline_artifact"); fi
  echo "## Memory history" >>"$summary"
  if ((${#missing[@]})); then
    printf 'No report in %s: its check stopped before writing one, so this run lacks its tests.\n\n' \
      "${missing[*]}" >>"$summary"
    echo "::warning::No memory-check report in ${missing[*]}: the recorded run lacks those tests"
  fi
  if ((${#reports[@]} == 0)); then
    echo "Nothing recorded: no memory-check artifact in $artifacts has a report." >>"$summary"
    echo "::error::no memory-check report to record in $artifacts"
    return 1
  fi
  echo "memory-history.sh: recording ${#reports[@]} report(s) of $commit${baseline:+, with the measured peaks}"
  mkdir -p -- "$(dirname -- "$db")"
  # A re-run of the night's workflow run records it again: under its run id, in its place.
  local key=()
  if [[ -n ${GITHUB_RUN_ID:-} ]]; then key=(--run-key "$GITHUB_RUN_ID"); fi
  "$memsafe" history record --db "$db" --commit "$commit" "${key[@]}" "${baseline[@]}" "${reports[@]}"
}

diff_runs() {
  local memsafe="$1" db="$2" json="$3" text status=0
  text="$(mktemp)"
  "$memsafe" history diff --db "$db" >"$text" 2>&1 || status=$?
  cat -- "$text"
  if ((status <= 1)); then
    "$memsafe" history diff --db "$db" --json >"$json" || (($? == 1))
  fi
  fenced "$text" >>"$summary"
  rm -f -- "$text"
  return "$status"
}

# The base run's commit, this run's, then one line per new finding: signature, first
# preset, kind, where. Fields end at a unit separator (not a tab: read would merge an
# empty field into the next).
new_findings() {
  # shellcheck disable=SC2016  # JavaScript: ${...} is its template literal
  node -e '
    const diff = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log([diff.base?.commit ?? "", diff.run.commit].join("\x1f"));
    for (const e of diff.new) {
      console.log([e.signature, e.presets[0] ?? "", e.kind, e.file ? `${e.file}:${e.line}` : "(no location)"].join("\x1f"));
    }' "$1"
}

bisect_new() {
  local memsafe="$1" db="$2" json="$3" lines=() line base this signature preset kind where log status said bisected=0
  mapfile -t lines < <(new_findings "$json")
  ((${#lines[@]})) || { echo "memory-history.sh: cannot read $json" >&2; return 2; }
  IFS=$'\x1f' read -r base this <<<"${lines[0]}"
  lines=("${lines[@]:1}")
  echo "### Where the new findings came from" >>"$summary"
  if ((${#lines[@]} == 0)); then
    echo "No new finding: nothing to bisect." >>"$summary"
    return 0
  elif [[ -z $base ]]; then
    echo "No earlier run to compare with: nothing to bisect." >>"$summary"
    return 0
  elif [[ $base == "$this" ]]; then
    printf 'The run compared against is of the same commit (%s): the new findings came from no commit (a flaky test, or a change outside the repository such as the toolchain).\n' \
      "${this:0:12}" >>"$summary"
    return 0
  fi
  for line in "${lines[@]}"; do
    IFS=$'\x1f' read -r signature preset kind where <<<"$line"
    said="- \`$signature\` $kind at $where"
    if ((bisected == bisect_limit)); then
      echo "$said: not bisected (at most $bisect_limit a night)" >>"$summary"
      continue
    elif [[ -z $preset ]]; then
      echo "$said: not bisected (no preset reported it)" >>"$summary"
      continue
    fi
    bisected=$((bisected + 1))
    log="$(mktemp)"
    status=0
    echo "::group::memsafe bisect --good $base --bad $this --signature $signature --preset $preset"
    "$memsafe" bisect --good "$base" --bad "$this" --signature "$signature" --preset "$preset" --db "$db" \
      >"$log" 2>&1 || status=$?
    cat -- "$log"
    echo "::endgroup::"
    case $status in
      0) printf '%s (%s): %s; %s\n' "$said" "$preset" "$(grep -m 1 '^first bad commit:' "$log" || true)" \
        "$(grep -m 1 '^author:' "$log" || true)" >>"$summary" ;;
      1) printf '%s (%s): bisect could not say: %s\n' "$said" "$preset" "$(tail -n 1 -- "$log")" >>"$summary" ;;
      *) printf '%s (%s): not bisected (memsafe bisect exit %d): %s\n' "$said" "$preset" "$status" \
        "$(tail -n 1 -- "$log")" >>"$summary" ;;
    esac
    rm -f -- "$log"
  done
}

main() {
  (($#)) || usage
  local command="$1"
  shift
  case "$command" in
    record) (($# == 4)) || usage; record "$@" ;;
    diff) (($# == 3)) || usage; diff_runs "$@" ;;
    bisect) (($# == 3)) || usage; bisect_new "$@" ;;
    *) usage ;;
  esac
}

# One line, read whole before it runs: a bisection checks out other commits, this file
# among them, and bash reads a script as it goes.
main "$@"; exit $?
