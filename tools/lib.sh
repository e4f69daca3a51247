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
declare -gA PRESET_TOOLS=() PRESET_RUN_BY=() PRESET_CXX=()
PRESET_NAMES=()
load_presets() {
  local out name tools run_by cxx
  if ! out="$(cmake -D PRESETS="$ROOT/CMakePresets.json" -P "$ROOT/cmake/memsafe-presets.cmake" 2>&1)"; then
    echo "$out" >&2
    echo "check.sh: cannot read the presets from CMakePresets.json" >&2
    exit 1
  fi
  while read -r name tools run_by cxx; do
    [[ -n $name ]] || continue
    PRESET_NAMES+=("$name")
    PRESET_TOOLS[$name]="$tools"
    PRESET_RUN_BY[$name]="$run_by"
    PRESET_CXX[$name]="$cxx"
  done <<<"$out"
}

list_presets() {
  local name
  printf '%-16s %-24s %-15s %s\n' PRESET TOOLS RUN-BY COMPILER
  for name in "${PRESET_NAMES[@]}"; do
    printf '%-16s %-24s %-15s %s\n' "$name" "${PRESET_TOOLS[$name]}" "${PRESET_RUN_BY[$name]}" "${PRESET_CXX[$name]}"
  done
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
  if ! "$tool" suppressions lint --dir "$ROOT/sanitizers"; then
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
  echo "check.sh: builds, tests and lints took $(format_seconds $((SECONDS - start)))"
  finish
}

run_memory_checks() {
  local requested="$1" selected=() name
  if [[ -n $requested ]]; then
    IFS=',' read -r -a selected <<<"$requested"
    for name in "${selected[@]}"; do
      if [[ -z ${PRESET_TOOLS[$name]+set} ]]; then
        echo "check.sh: unknown preset '$name' (see ./check.sh --list)" >&2; exit 2
      elif [[ ${PRESET_TOOLS[$name]} == - ]]; then
        echo "check.sh: preset '$name' runs no memory tool (see ./check.sh --list)" >&2; exit 2
      fi
    done
  else
    for name in "${PRESET_NAMES[@]}"; do
      [[ ${PRESET_RUN_BY[$name]} == memory-checks ]] && selected+=("$name")
    done
  fi

  # Valgrind would otherwise try to download debug info over the network.
  unset DEBUGINFOD_URLS
  local rnd_bits
  rnd_bits="$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)"
  if ((rnd_bits > 28)); then
    echo "check.sh: vm.mmap_rnd_bits=$rnd_bits (> 28): sanitizer tests run with ASLR off" \
      "(setarch -R). To restore the usual setup: sudo sysctl vm.mmap_rnd_bits=28"
  fi

  local rows=() total_start=$SECONDS start elapsed verdict
  for name in "${selected[@]}"; do
    start=$SECONDS
    group_start "$name (${PRESET_TOOLS[$name]}, ${PRESET_CXX[$name]}): configure, build, test"
    verdict=ok
    if ! preflight_preset "$name"; then
      verdict="missing tools"
    else
      rm -rf -- "$ROOT/build/$name/memcheck" "$ROOT/build/$name/ctest-junit.xml"
      if ! cmake --workflow --preset "$name"; then verdict=failed; fi
    fi
    group_end
    elapsed=$((SECONDS - start))
    read_results "$ROOT/build/$name/ctest-junit.xml"
    if [[ $verdict == ok && $RESULT_CANARIES -eq 0 ]]; then
      verdict="no canaries"
      fail "$name: no canary ran, so nothing shows the tool was active: did the preset lose its flags?"
    elif [[ $verdict == failed && $RESULT_RUN -eq 0 ]]; then
      fail "$name: configure or build failed (see the log above)"
    elif [[ $verdict == failed ]]; then
      fail "$name: $RESULT_FAILED of $RESULT_RUN tests failed: ${RESULT_FAILED_NAMES[*]}"
    elif [[ $verdict != ok ]]; then
      fail "$name: $verdict"
    fi
    rows+=("$name|$RESULT_RUN|$RESULT_FAILED|$RESULT_CAUGHT/$RESULT_CANARIES|$(format_seconds "$elapsed")|$verdict")
  done

  print_summary "${rows[@]}"
  echo "check.sh: memory checks took $(format_seconds $((SECONDS - total_start)))"
  finish
}

print_summary() {
  local row preset run failed canaries wall verdict
  group_start "memory checks: summary"
  printf '%-16s %6s %9s %9s %9s  %s\n' PRESET TESTS FAILURES CANARIES WALL RESULT
  for row in "$@"; do
    IFS='|' read -r preset run failed canaries wall verdict <<<"$row"
    printf '%-16s %6s %9s %9s %9s  %s\n' "$preset" "$run" "$failed" "$canaries" "$wall" "$verdict"
  done
  group_end
  if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
    {
      echo "### Memory checks"
      echo
      echo "| preset | tests | failures | canaries caught | wall time | result |"
      echo "| --- | ---: | ---: | ---: | ---: | --- |"
      for row in "$@"; do
        IFS='|' read -r preset run failed canaries wall verdict <<<"$row"
        echo "| $preset | $run | $failed | $canaries | $wall | $verdict |"
      done
    } >>"$GITHUB_STEP_SUMMARY"
  fi
}
