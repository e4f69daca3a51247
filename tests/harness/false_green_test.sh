#!/usr/bin/env bash
# No false green: `memsafe check --memory-checks` attacked as a new user would attack it.
# tests/harness/false_green, a small C project that mentions memsafe nowhere, is adopted
# with `memsafe init` and checked with the asan preset, configured and built once. Each
# fixture makes ONE change that plants a memory bug (or hides one) and needs the run red:
# the quick run (the default, with the result cache) naming the finding, and the
# thorough run (--slow, no cache). Then it reverts the change and needs the run green
# again, so the next fixture starts from a clean, warm cache. When a quick run ends
# green, a --no-cache run with the same change shows whether the bug was there (an
# `info:` line): a false green, not a fixture mistake.
#
#   will-fail             WILL_FAIL TRUE and a heap-buffer-overflow: the second quick
#                         run, nothing changed, is still red; the summary counts the test
#                         failed by memsafe's verdict, though CTest passed it
#   pass-regex            PASS_REGULAR_EXPRESSION "all done", printed before the overflow:
#                         the same
#   env-of-run            HP_MODE=bug in the environment of memsafe check
#   opt-path              --input=/abs/path/file, the file now says "bug"
#   relative-arg          a path relative to WORKING_DIRECTORY, the file now says "bug"
#   same-size-rewrite     a 2 MiB file on the command line rewritten in place at the same
#                         size, its modification time put back with touch -r
#   ld-library-path       LD_LIBRARY_PATH names a buggy copy of the project's shared library
#   dlopen-plugin         the plugin the test dlopen()s is edited; memsafe check rebuilds it
#   outside-plugin        a plugin outside the build tree, its path compiled into the test,
#                         is rebuilt with a bug: only the loader's record of the run names it
#   script-child          the shell script the test runs with system() (its path compiled
#                         in) is edited to run the program on a buggy input
#   preset-include        a test preset in a file CMakePresets.json includes sets the
#                         variable that makes the test overflow
#   flaky                 a test that overflows on its second execution only: if the first
#                         quick run is green by luck, the second must be red
#   options-suppressions  options.txt names an LSan suppression file outside sanitizers/
#                         (`leak:main`) while a test leaks: red even with --no-cache
#   catch-all             a full-metadata `leak:^*$` in lsan.supp while a test leaks: red,
#                         the lint naming the entry (not only "CANARY NOT CAUGHT")
#   weakening-option      options.txt `asan detect_leaks=false` while a test leaks: red,
#                         the lint refusing it as it refuses `detect_leaks=0`
#   child-exec            a test forks and execs a program of the project that overflows,
#                         ignoring how it ended: red under asan and under valgrind
#   stderr-text           a test prints sanitizer-like text on stderr and exits 0 with no
#                         tool log: what happens is printed (info), not judged
#   plain-child           a test starts a program of the build tree built without the
#                         sanitizer, which overflows: red NOT INSTRUMENTED (ASan cannot see it)
#   will-fail-child       a WILL_FAIL test, expected to fail, that starts the same
#                         uninstrumented child: red; memsafe's NOT INSTRUMENTED is not the
#                         failure the test expects (the summary counts it failed)
#   gated-tests           another project whose tests are behind a switch of its own: red
#                         ("no test of the project ran") until `memsafe init --set` sets it;
#                         a switch init recognises (GATED_BUILD_TESTS) is set by init itself
#   strict-flags          projects in C89, C++98 and C++23 built with -pedantic-errors
#                         -Werror -Wall -Wextra (and more) in CMAKE_<LANG>_FLAGS and the
#                         standard set: memsafe's canaries and exit scrub still build, every
#                         canary is caught under every tool; each test checks that a huge
#                         malloc returns null, on purpose
#   subdir-testing        a project that calls enable_testing() only in tests/: its tests
#                         (one added as add_test(name program), a bare program name) and
#                         every canary run from the top build directory
#   printed-leaks         two C programs with their own main that leak a string they
#                         print: both leaks reported under asan and valgrind (a stale
#                         pointer in printf's dead frames hid them from LeakSanitizer);
#                         the presets run one at a time, the report files merge both
#                         (checked on a third program's leak every tool finds)
#   tool-quirks           correct code that glibc's AVX2 wmemcmp makes Valgrind report:
#                         green through memsafe's default suppression (listed apart as
#                         used), red without it
#   feature-check         a project that builds its race test only when
#                         check_c_source_compiles links a TSan-only symbol: under tsan the
#                         check sees the flags, the test runs and the race is reported
#   script-tests          a project whose tests are shell scripts running its program (run
#                         by their #! line, and one through sh), one of them under
#                         valgrind itself: green under asan and valgrind
#                         with the program checked (not "NOT UNDER VALGRIND") and the
#                         script's valgrind replaced; an overflow planted in the library
#                         turns the default quick valgrind run red in the script's test
#
# Not run unless named (a measurement, not a pass/fail attack):
#   flaky-rate            the test `random` overflows in one execution of three; from an
#                         empty cache, quick runs until the bug shows or the cache leaves
#                         the test out, FLAKY_TRIALS times (default 30): how often the
#                         cache hides such a bug (expected (2/3)^2 = 44% under ASan)
#
# The adopted project finds memsafe the way an installed memsafe is found: the script
# lays out an installation (bin/memsafe, share/memsafe/cmake/ from the source tree) in
# the work directory. With MEMSAFE_TEST_LOCK set, every build and memsafe check run holds
# that lock file (a shared machine where other builds run).
set -euo pipefail

usage() {
  echo "USAGE: false_green_test.sh <memsafe-source-dir> <memsafe-tool-path> <work-dir> [FIXTURE...]" >&2
  exit 2
}
(($# >= 3)) || usage
[[ -f $1/cmake/MemorySafety.cmake && -f $1/cmake/memsafeConfig.cmake.in ]] || usage
[[ -f $2 && -x $2 ]] || usage
root="$(cd "$1" && pwd)" tool="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")" work="$3"
shift 3
fixtures=(will-fail pass-regex env-of-run opt-path relative-arg same-size-rewrite ld-library-path dlopen-plugin
  outside-plugin script-child preset-include flaky options-suppressions catch-all weakening-option child-exec stderr-text
  plain-child will-fail-child gated-tests strict-flags subdir-testing printed-leaks tool-quirks feature-check script-tests)
selected=("$@")
((${#selected[@]})) || selected=("${fixtures[@]}")
for name in "${selected[@]}"; do
  [[ " ${fixtures[*]} flaky-rate " == *" $name "* ]] || { echo "false_green_test: unknown fixture '$name'" >&2; usage; }
done

# What the lint says when it refuses a catch-all entry (a regular expression, any case).
catch_all_words='catch-all'
locked() {
  if [[ -n ${MEMSAFE_TEST_LOCK:-} ]]; then flock "$MEMSAFE_TEST_LOCK" "$@"; else "$@"; fi
}

started=$SECONDS
rm -rf -- "$work"
mkdir -p -- "$work/logs"
work="$(cd "$work" && pwd)"
logs="$work/logs" project="$work/project" prefix="$work/prefix"
passed=0 failed=0 runs=0 status=0 log=""
pass() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
info() { echo "info: $*"; }
finish() {
  echo "false green test: $runs memsafe check runs in $((SECONDS - started))s; logs in $logs"
  echo "$passed passed, $failed failed"
  ((failed == 0)) || exit 1
  exit 0
}

# An installation of memsafe: the tool in bin/, the CMake package in share/memsafe/cmake
# (the source tree's cmake/ and a package config generated as the build generates it).
mkdir -p "$prefix/bin" "$prefix/share/memsafe/cmake" "$prefix/share/memsafe/sanitizers"
cp -- "$tool" "$prefix/bin/memsafe"
# The launcher's modules (loader audit, preload scope), where an installation keeps them.
mkdir -p "$prefix/libexec/memsafe"
cp -- "$(dirname "$tool")/memsafe-audit.so" "$(dirname "$tool")/memsafe-preload-scope.so" "$prefix/libexec/memsafe/"
memsafe="$prefix/bin/memsafe"
cp -R -- "$root/cmake/." "$prefix/share/memsafe/cmake/"
cp -- "$root/sanitizers/options.txt" "$prefix/share/memsafe/sanitizers/"
mkdir -p "$prefix/share/memsafe/sanitizers/defaults"
cp -- "$root/sanitizers/defaults/valgrind.supp" "$prefix/share/memsafe/sanitizers/defaults/"
version="$("$memsafe" --version | awk '{print $2}')"
cat >"$work/package.cmake" <<'CMAKE'
include(CMakePackageConfigHelpers)
set(PROJECT_VERSION "${VERSION}")
set(MEMSAFE_HAVE_SODIUM 0)
set(CMAKE_INSTALL_BINDIR bin)
set(CMAKE_INSTALL_PREFIX "${PREFIX}")
configure_package_config_file("${SOURCE}/cmake/memsafeConfig.cmake.in" "${PREFIX}/share/memsafe/cmake/memsafeConfig.cmake"
  INSTALL_DESTINATION share/memsafe/cmake PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file("${PREFIX}/share/memsafe/cmake/memsafeConfigVersion.cmake"
  VERSION "${VERSION}" COMPATIBILITY SameMinorVersion)
CMAKE
cmake -DVERSION="$version" -DPREFIX="$prefix" -DSOURCE="$root" -P "$work/package.cmake"

# The project, adopted. Its asan test preset also inherits the project's own hidden test
# preset from presets/environment.json (included by CMakePresets.json), as a project
# that sets its tests' environment in presets would write it.
cp -R -- "$(dirname "${BASH_SOURCE[0]}")/false_green" "$project"
mkdir -p "$project/state"
# The plugin outside the build tree (outside-plugin), clean, as the developer built it.
build_outer() { # extra compiler flags
  locked clang -shared -fPIC -g -O1 -fsanitize=address "$@" -o "$project/state/libouter.so" "$project/src/outer.c"
}
build_outer
if (cd "$project" && "$memsafe" init >"$logs/init.log" 2>&1); then
  pass "setup: memsafe init adopts the project"
else
  cat "$logs/init.log"; fail "setup: memsafe init"; finish
fi
cat >"$work/inherit.cmake" <<'CMAKE'
file(READ "${FILE}" text)
string(JSON count LENGTH "${text}" testPresets)
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON name GET "${text}" testPresets ${i} name)
  if(name STREQUAL "asan")
    string(JSON type TYPE "${text}" testPresets ${i} inherits)
    if(type STREQUAL "STRING")
      string(JSON parent GET "${text}" testPresets ${i} inherits)
      string(JSON text SET "${text}" testPresets ${i} inherits "[\"${parent}\", \"hp-environment\"]")
    else()
      string(JSON n LENGTH "${text}" testPresets ${i} inherits)
      string(JSON text SET "${text}" testPresets ${i} inherits ${n} "\"hp-environment\"")
    endif()
    file(WRITE "${FILE}" "${text}\n")
    return()
  endif()
endforeach()
message(FATAL_ERROR "no test preset named asan in ${FILE}")
CMAKE
cmake -DFILE="$project/CMakePresets.json" -P "$work/inherit.cmake"
# 2 MiB: more than the size up to which the cache rereads a file every run.
big="$project/data/big.bin"
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' '.' >"$big"
printf 'ok ' | dd of="$big" conv=notrunc status=none
cp -- "$project/sanitizers/options.txt" "$work/options.txt.orig"
cp -- "$project/sanitizers/lsan.supp" "$work/lsan.supp.orig"

# run LABEL [VAR=value...] [-- memsafe check options]: one memsafe check of the asan preset.
run() {
  local label="$1" envs=()
  shift
  while (($#)) && [[ $1 != -- ]]; do envs+=("$1"); shift; done
  (($#)) && shift
  runs=$((runs + 1))
  log="$logs/$(printf '%02d' "$runs")-$label.log"
  set +e
  (cd "$project" && locked env "${envs[@]}" "$memsafe" check --source "$project" --memory-checks --preset "${preset:-asan}" "$@" \
    >"$log" 2>&1)
  status=$?
  set -e
}
# What the run said was wrong, on one line.
problems() { sed -n '/problem(s):$/,$p' "$log" | grep -E '^  - ' | sed 's/^  - //' | paste -sd ';' -; }
# The findings report has a row of this kind and names this test.
names_finding() { # kind test
  grep -Eq "^$1 " "$log" && grep -Eq "^  tests: +(.*[ ,])?$2(,| |\$)" "$log"
}
expect_red() { # fixture what kind test
  if ((status == 0)); then
    fail "$1: $2: ended green (exit 0) while the bug is there (log: $log)"
    return 1
  elif names_finding "$3" "$4"; then
    pass "$1: $2: red, $3 in $4"
  else
    fail "$1: $2: red (exit $status) but no $3 in $4 is reported: $(problems) (log: $log)"
    return 1
  fi
}
expect_green() { # fixture what
  if ((status == 0)); then
    pass "$1: $2: green"
  else
    fail "$1: $2: exit $status: $(problems) (log: $log)"
  fi
}
# After a green quick run: does the same change show the bug without the cache?
control() { # fixture kind test [VAR=value...]
  run "$1-control" "${@:4}" -- --no-cache
  if ((status != 0)) && names_finding "$2" "$3"; then
    info "$1: --no-cache with the same change is red, $2 in $3: the quick run's green was false"
  else
    info "$1: --no-cache with the same change: exit $status, no $2 in $3: the fixture did not plant its bug (log: $log)"
  fi
}
# The common shape: quick red (else the control), --slow red, revert, green.
quick_red() { # fixture kind test [VAR=value...]
  run "$1-quick" "${@:4}"
  if ! expect_red "$1" "quick run" "$2" "$3" && ((status == 0)); then control "$@"; fi
}
slow_red() { # fixture kind test [VAR=value...]
  run "$1-slow" "${@:4}" -- --slow
  expect_red "$1" "--slow" "$2" "$3" || true
}
# Every test the fixtures attack, by name: before an attack each is left out by the
# cache, so the attack tests the cache's key and not a test that would rerun anyway.
# Not will-fail: WILL_FAIL passes it on its own exit status 1, which memsafe never
# calls clean, so it always runs.
cacheable=(pass-regex env-of-run preset-include opt-path relative-arg same-size-rewrite ld-library-path
  dlopen-plugin outside-plugin script-child flaky leak stderr-text plain-child)
# The last run's CTest command left every one of them out (its -E list of exact names).
cached_all() {
  local line name
  line="$(grep -E '^\$ ctest .* -E ' "$log" || true)"
  for name in "${cacheable[@]}"; do
    [[ $line == *"($name|"* || $line == *"|$name|"* || $line == *"|$name)"* || $line == *"($name)"* ]] || return 1
  done
}
# Quick runs until the cache leaves every test out (a test needs clean runs in a row:
# kCleanRunsAfterAFinding = 5 when it reported a finding under the same key, as
# outside-plugin does: the plugin is not in the key, only in the record of the run).
warm() { # label
  local i
  for ((i = 0; i < 6; i++)); do
    cached_all && return 0
    run "$1-warm"
    ((status == 0)) || return 1
  done
  cached_all
}
reverted_green() { # fixture
  run "$1-revert"
  expect_green "$1" "change reverted, quick run"
  warm "$1" || fail "$1: after the revert the cache did not come to leave every test out (log: $log)"
}
# Rewrites the start of a file in place, same size, same modification time.
rewrite_in_place() { # file text
  touch -r "$1" "$work/mtime.ref"
  printf '%s' "$2" | dd of="$1" conv=notrunc status=none
  touch -r "$work/mtime.ref" "$1"
}
set_trigger() { printf '%s\n' "$2" >"$project/triggers/$1.txt"; }
# Appends one entry with the full metadata the lint asks for.
add_lsan_entry() { # entry
  printf '\n# reason: a pool of a system library, released by the OS at exit\n# tracker: https://example.org/issues/7\n# added: %s\n# review-by: %s\n%s\n' \
    "$(date -u +%F)" "$(date -u -d '+30 days' +%F)" "$1" >>"$project/sanitizers/lsan.supp"
}
restore_sanitizers() {
  cp -- "$work/options.txt.orig" "$project/sanitizers/options.txt"
  cp -- "$work/lsan.supp.orig" "$project/sanitizers/lsan.supp"
}
# The leaking test alone turns the run red: the bug the suppression attacks hide is seen.
leak_seen() { # fixture
  set_trigger leak bug
  run "$1-leak"
  expect_red "$1" "the leak alone, quick run" memory-leak leak || true
}
# Red for the right reason: the lint refuses the change (a line naming the file and
# the pattern), or the leak is reported.
lint_or_leak() { # fixture what lint-regex accept-leak
  if ((status == 0)); then
    fail "$1: $2: ended green (exit 0) while the test leaks (log: $log)"
  elif grep -Eiq "$3" "$log"; then
    pass "$1: $2: red, the lint refuses the change: $(grep -Eio "$3" "$log" | head -n 1)"
  elif (($4)) && names_finding memory-leak leak; then
    pass "$1: $2: red, memory-leak in leak"
  elif grep -q 'CANARY NOT CAUGHT' "$log"; then
    fail "$1: $2: red only because a canary was not caught (the change was accepted and hid it too): $(problems) (log: $log)"
  else
    fail "$1: $2: red (exit $status) for another reason: $(problems) (log: $log)"
  fi
}

fixture_will_fail() {
  set_trigger will-fail bug
  quick_red will-fail heap-buffer-overflow will-fail
  overruled will-fail will-fail
  run will-fail-again
  if ! expect_red will-fail "second quick run, nothing changed" heap-buffer-overflow will-fail && ((status == 0)); then
    control will-fail heap-buffer-overflow will-fail
  fi
  slow_red will-fail heap-buffer-overflow will-fail
  set_trigger will-fail ok
  reverted_green will-fail
}

# The summary counts the test as failed, by memsafe's verdict, whatever CTest's
# properties made of it.
overruled() { # fixture test
  if grep -A3 "counted as failed, by memsafe's verdict" "$log" | grep -Eq "^  - $2 \(memsafe: " &&
    grep -Eq "^asan +[0-9]+ +[1-9]" "$log"; then
    pass "$1: the summary counts $2 as failed (memsafe's verdict over CTest's)"
  else
    fail "$1: the summary does not count $2 as failed by memsafe's verdict (log: $log)"
  fi
}

fixture_pass_regex() {
  set_trigger pass-regex bug
  quick_red pass-regex heap-buffer-overflow pass-regex
  overruled pass-regex pass-regex
  run pass-regex-again
  if ! expect_red pass-regex "second quick run, nothing changed" heap-buffer-overflow pass-regex && ((status == 0)); then
    control pass-regex heap-buffer-overflow pass-regex
  fi
  slow_red pass-regex heap-buffer-overflow pass-regex
  set_trigger pass-regex ok
  reverted_green pass-regex
}

fixture_env_of_run() {
  quick_red env-of-run heap-buffer-overflow env-of-run HP_MODE=bug
  slow_red env-of-run heap-buffer-overflow env-of-run HP_MODE=bug
  reverted_green env-of-run
}

fixture_opt_path() {
  echo bug >"$project/data/opt.txt"
  quick_red opt-path heap-buffer-overflow opt-path
  slow_red opt-path heap-buffer-overflow opt-path
  echo ok >"$project/data/opt.txt"
  reverted_green opt-path
}

fixture_relative_arg() {
  echo bug >"$project/data/relative.txt"
  quick_red relative-arg heap-buffer-overflow relative-arg
  slow_red relative-arg heap-buffer-overflow relative-arg
  echo ok >"$project/data/relative.txt"
  reverted_green relative-arg
}

fixture_same_size_rewrite() {
  local before after
  before="$(stat -c '%s %y %i' "$big")"
  rewrite_in_place "$big" bug
  after="$(stat -c '%s %y %i' "$big")"
  if [[ $before != "$after" ]]; then
    fail "same-size-rewrite: the rewrite changed size, modification time or inode ($before -> $after)"
  fi
  quick_red same-size-rewrite heap-buffer-overflow same-size-rewrite
  slow_red same-size-rewrite heap-buffer-overflow same-size-rewrite
  rewrite_in_place "$big" 'ok '
  reverted_green same-size-rewrite
}

fixture_ld_library_path() {
  # A copy of the project's library with a bug, built outside the project, as a
  # developer's stale or patched copy would be.
  local evil="$work/evil-lib"
  mkdir -p "$evil"
  locked clang -shared -fPIC -g -O1 -fsanitize=address -DHP_SHARED_BUG -Wl,-soname,libhpshared.so \
    -o "$evil/libhpshared.so" "$project/src/shared.c"
  quick_red ld-library-path heap-buffer-overflow ld-library-path "LD_LIBRARY_PATH=$evil"
  slow_red ld-library-path heap-buffer-overflow ld-library-path "LD_LIBRARY_PATH=$evil"
  reverted_green ld-library-path
}

# Plants a heap overflow by editing a file (FROM -> TO, plain text), needs the quick
# and the thorough run red in the test named like the fixture, then reverts it.
edit_red_revert() { # fixture file from to
  sed -i "s/$3/$4/" "$2"
  grep -q "$4" "$2" || fail "$1: could not plant the bug in $2"
  quick_red "$1" heap-buffer-overflow "$1"
  slow_red "$1" heap-buffer-overflow "$1"
  sed -i "s/$4/$3/" "$2"
  reverted_green "$1"
}

fixture_dlopen_plugin() {
  edit_red_revert dlopen-plugin "$project/src/plugin.c" '#define HP_PLUGIN_BUG 0' '#define HP_PLUGIN_BUG 1'
}

fixture_outside_plugin() {
  build_outer -DHP_OUTER_BUG=1
  quick_red outside-plugin heap-buffer-overflow outside-plugin
  slow_red outside-plugin heap-buffer-overflow outside-plugin
  build_outer
  reverted_green outside-plugin
}

fixture_script_child() {
  edit_red_revert script-child "$project/data/child.sh" 'script-ok.txt' 'script-bug.txt'
}

fixture_gated_tests() {
  local gated="$work/gated" saved="$project"
  mkdir -p "$gated"
  cat >"$gated/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(gated C)
enable_testing()
option(QA_ON "the project's tests" OFF)
if(QA_ON)
  add_executable(gated_test gated_test.c)
  add_test(NAME gated.works COMMAND gated_test)
endif()
CMAKE
  printf 'int main(void) { return 0; }\n' >"$gated/gated_test.c"
  (cd "$gated" && "$memsafe" init >"$logs/gated-init.log" 2>&1) || fail "gated-tests: memsafe init failed"
  project="$gated"
  run gated-no-tests
  if ((status != 0)) && grep -q "no test of the project ran, only memsafe's" "$log"; then
    pass "gated-tests: canaries alone: red, no test of the project ran"
  else
    fail "gated-tests: canaries alone: exit $status: $(problems) (log: $log)"
  fi
  (cd "$gated" && "$memsafe" init --set QA_ON=ON >"$logs/gated-init-set.log" 2>&1) || fail "gated-tests: init --set"
  run gated-set
  if ((status == 0)) && grep -q "gated.works" "$log"; then
    pass "gated-tests: init --set QA_ON=ON: green, the project's test ran"
  else
    fail "gated-tests: init --set QA_ON=ON: exit $status: $(problems) (log: $log)"
  fi
  # A switch init recognises by its name is set without being told.
  rm -rf -- "$gated/CMakePresets.json" "$gated/build"
  sed -i 's/QA_ON/GATED_BUILD_TESTS/g' "$gated/CMakeLists.txt"
  (cd "$gated" && "$memsafe" init >"$logs/gated-init-found.log" 2>&1) || fail "gated-tests: init (found)"
  run gated-found
  if ((status == 0)) && grep -q "gated.works" "$log" && grep -q "GATED_BUILD_TESTS=ON (CMakeLists.txt:4" "$logs/gated-init-found.log"; then
    pass "gated-tests: init finds GATED_BUILD_TESTS and sets it: green, the project's test ran"
  else
    fail "gated-tests: init (found): exit $status: $(problems) (log: $log, $logs/gated-init-found.log)"
  fi
  project="$saved"
}

# strict_project NAME LANGUAGE STANDARD FLAGS: a project of one test, built with
# LANGUAGE's STANDARD and FLAGS (warnings as errors, pedantic), adopted with init: every
# memory preset green with every canary caught. Its test checks that a huge allocation
# returns null, on purpose, under every tool.
strict_project() {
  local name="$1" language="$2" standard="$3" flags="$4" dir="$work/$1" saved="$project" tool source
  mkdir -p "$dir"
  if [[ $language == C ]]; then source="$name.c"; else source="$name.cc"; fi
  cat >"$dir/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project($name $language)
set(CMAKE_${language}_STANDARD $standard)
set(CMAKE_${language}_EXTENSIONS OFF)
set(CMAKE_${language}_FLAGS "\${CMAKE_${language}_FLAGS} $flags")
enable_testing()
add_executable(${name}_test $source)
add_test(NAME $name.works COMMAND ${name}_test)
CMAKE
  # Declarations first and no // comment: C89 and C++98 with -pedantic-errors.
  if [[ $language == C ]]; then
    printf '%s\n' '#include <stdlib.h>' 'int main(void) {' '  volatile size_t size = (size_t)1 << 46;' \
      '  void* block = malloc(size);' '  free(block);' '  return block != NULL;' '}' >"$dir/$source"
  else
    printf '%s\n' '#include <cstdlib>' 'int main() {' '  volatile std::size_t size = static_cast<std::size_t>(1) << 46;' \
      '  void* block = std::malloc(size);' '  std::free(block);' '  return block != 0;' '}' >"$dir/$source"
  fi
  (cd "$dir" && "$memsafe" init >"$logs/$name-init.log" 2>&1) || fail "$name: memsafe init failed"
  project="$dir"
  for tool in asan tsan valgrind; do
    preset=$tool run "$name-$tool"
    if ((status == 0)) && grep -Eq "^$tool +.* ([0-9]+)/\1 .* ok\$" "$log"; then
      pass "strict-flags: $name: $tool: green, every canary built and caught under the project's $flags"
    else
      fail "strict-flags: $name: $tool: exit $status: $(problems) (log: $log)"
    fi
  done
  project="$saved"
}

fixture_strict_flags() {
  strict_project strict-c89 C 90 "-std=c89 -pedantic-errors -Werror -Wall -Wextra -Wdeclaration-after-statement"
  strict_project strict-cxx98 CXX 98 "-std=c++98 -pedantic-errors -Werror -Wall -Wextra -Wshadow -Wold-style-cast"
  strict_project strict-cxx23 CXX 23 "-pedantic-errors -Werror -Wall -Wextra -Wconversion"
}

# new_project NAME: an empty directory for a project of another shape, in $work/NAME.
new_project() { rm -rf -- "${work:?}/$1"; mkdir -p -- "$work/$1"; }
# adopt_and_run NAME [preset]: memsafe init in $work/NAME, then one memsafe check of it.
adopt_and_run() {
  local saved="$project"
  (cd "$work/$1" && "$memsafe" init >"$logs/$1-init.log" 2>&1) || fail "$1: memsafe init failed (log: $logs/$1-init.log)"
  project="$work/$1"
  preset="${2:-asan}" run "$1-${2:-asan}"
  project="$saved"
}

fixture_subdir_testing() {
  new_project subdir
  mkdir -p "$work/subdir/tests"
  printf '%s\n' 'cmake_minimum_required(VERSION 3.25)' 'project(subdir C)' 'add_subdirectory(tests)' \
    >"$work/subdir/CMakeLists.txt"
  # The second test in add_test's old signature: a bare program name CTest looks up.
  printf '%s\n' 'enable_testing()' 'add_executable(sub_test sub_test.c)' 'add_test(NAME sub.works COMMAND sub_test)' \
    'add_test(sub.old sub_test)' >"$work/subdir/tests/CMakeLists.txt"
  printf 'int main(void) { return 0; }\n' >"$work/subdir/tests/sub_test.c"
  adopt_and_run subdir
  if ((status == 0)) && grep -q "sub.works" "$log" && grep -q "sub.old .*Passed" "$log" &&
    grep -Eq '^asan +.* ([0-9]+)/\1 .* ok$' "$log"; then
    pass "subdir-testing: green, the project's tests (one by a bare program name) and every canary ran"
  else
    fail "subdir-testing: exit $status: $(problems) (log: $log)"
  fi
}

fixture_printed_leaks() {
  new_project printed
  cat >"$work/printed/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(printed C)
enable_testing()
foreach(program greet shout lost)
  add_executable(${program} ${program}.c)
  add_test(NAME ${program} COMMAND ${program})
endforeach()
find_package(Threads REQUIRED)
target_link_libraries(lost Threads::Threads)
CMAKE
  # A leak on an ended thread, as the leak canary's: every tool finds it with or without
  # the exit scrub, so the merge check below does not hang on the printed leaks.
  cat >"$work/printed/lost.c" <<'C'
#include <pthread.h>
#include <stdlib.h>
__attribute__((noinline)) static void lose(void) { (void)malloc(40); }
static void* leaker(void* unused) { (void)unused; lose(); return 0; }
int main(void) {
  pthread_t thread;
  if (pthread_create(&thread, 0, leaker, 0) != 0) return 2;
  pthread_join(thread, 0);
  return 0;
}
C
  cat >"$work/printed/greet.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static char* greeting(const char* who) {
  char* text = malloc(strlen(who) + 7);
  strcpy(text, "hello ");
  strcat(text, who);
  return text;
}
int main(void) {
  puts(greeting("world"));
  return 0;
}
C
  cat >"$work/printed/shout.c" <<'C'
#include <ctype.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char** argv) {
  char* loud = strdup(argc > 1 ? argv[1] : "quiet words");
  for (char* c = loud; *c; ++c) *c = (char)toupper((unsigned char)*c);
  printf("%s!\n", loud);
  return 0;
}
C
  local tool
  for tool in asan valgrind; do
    adopt_and_run printed "$tool"
    if ((status != 0)) && names_finding memory-leak greet && names_finding memory-leak shout; then
      pass "printed-leaks: $tool: red, both leaks of a printed string reported"
    else
      fail "printed-leaks: $tool: exit $status, a leak missed: $(problems) (log: $log)"
    fi
  done
  # The presets ran one at a time: the report files keep the first one's findings.
  local reports="$work/printed/build/memsafe-report"
  # shellcheck disable=SC2016 # backquotes of Markdown, not a command
  local row='| memory-leak | `lost.c:3` | lose |'
  if grep -Fq "$row lsan, valgrind | asan, valgrind |" "$reports/findings.md" &&
    grep -Fq "$row valgrind | valgrind |" "$reports/this-run/findings.md"; then
    pass "printed-leaks: asan then valgrind: the report files merge both presets, this-run/ has the last one"
  else
    fail "printed-leaks: the report files after asan then valgrind: $(grep -h 'lost' "$reports/findings.md" "$reports/this-run/findings.md" 2>&1)"
  fi
}

fixture_tool_quirks() {
  new_project quirks
  cat >"$work/quirks/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(quirks C)
enable_testing()
add_executable(wide_compare wide_compare.c)
add_test(NAME wide-compare COMMAND wide_compare)
CMAKE
  # Correct code: wmemcmp of equal and unequal wide strings in blocks of their exact size.
  cat >"$work/quirks/wide_compare.c" <<'C'
#include <stdlib.h>
#include <wchar.h>
int main(void) {
  int differ = 0;
  for (size_t length = 1; length < 40; ++length) {
    wchar_t* a = malloc(length * sizeof(wchar_t));
    wchar_t* b = malloc(length * sizeof(wchar_t));
    for (size_t i = 0; i < length; ++i) a[i] = b[i] = L'a' + (wchar_t)(i % 26);
    differ += wmemcmp(a, b, length) != 0;
    b[length - 1] = L'!';
    differ += wmemcmp(a, b, length) == 0;
    free(a);
    free(b);
  }
  return differ;
}
C
  adopt_and_run quirks valgrind
  local used=no
  if grep -Eq "used [0-9]+x: memsafe-default-glibc-wmemcmp-avx2-overread" "$log"; then used=yes; fi
  if ((status == 0)) && grep -q "wide-compare" "$log"; then
    pass "tool-quirks: valgrind: a correct wmemcmp is green (memsafe's default entry used: $used)"
  else
    fail "tool-quirks: valgrind: exit $status: $(problems) (log: $log)"
  fi
  if [[ $used == no ]] && grep -qw avx2 /proc/cpuinfo; then
    fail "tool-quirks: this machine has AVX2 but the default wmemcmp entry was not reported used (log: $log)"
  fi
  # The entry is what made it green: without memsafe's defaults the same run is red.
  local defaults="$prefix/share/memsafe/sanitizers/defaults/valgrind.supp"
  if [[ $used == yes ]]; then
    local saved="$project"
    project="$work/quirks"
    mv -- "$defaults" "$defaults.off"
    rm -rf -- "$work/quirks/build/valgrind"
    preset=valgrind run quirks-no-defaults -- --no-cache
    mv -- "$defaults.off" "$defaults"
    project="$saved"
    if ((status != 0)) && grep -q "__wmemcmp_avx2_movbe" "$log"; then
      pass "tool-quirks: without memsafe's defaults the same run is red in __wmemcmp_avx2_movbe"
    else
      fail "tool-quirks: without the defaults: exit $status: $(problems) (log: $log)"
    fi
  fi
}

fixture_feature_check() {
  new_project detect
  cat >"$work/detect/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(detect C)
enable_testing()
find_package(Threads REQUIRED)
add_executable(plain_test plain_test.c)
add_test(NAME plain COMMAND plain_test)
# The project's own way to know it runs under ThreadSanitizer: link one of its symbols.
include(CheckCSourceCompiles)
check_c_source_compiles("void __tsan_acquire(void*); int main(void) { int x = 0; __tsan_acquire(&x); return x; }"
  DETECT_HAS_TSAN)
if(DETECT_HAS_TSAN)
  add_executable(race_test race_test.c)
  target_link_libraries(race_test Threads::Threads)
  add_test(NAME tsan-only.race COMMAND race_test)
endif()
CMAKE
  printf 'int main(void) { return 0; }\n' >"$work/detect/plain_test.c"
  # Two threads that each increment a shared counter a thousand times: ThreadSanitizer
  # sees the race in every run (one increment each was missed once in a loaded run).
  cat >"$work/detect/race_test.c" <<'C'
#include <pthread.h>
static int counter;
__attribute__((noinline)) static void* bump(void* unused) {
  (void)unused;
  for (int i = 0; i < 1000; ++i) ++counter;
  return 0;
}
int main(void) {
  pthread_t first, second;
  if (pthread_create(&first, 0, bump, 0) != 0 || pthread_create(&second, 0, bump, 0) != 0) return 2;
  pthread_join(first, 0);
  pthread_join(second, 0);
  return counter > 0 ? 0 : 1;
}
C
  adopt_and_run detect tsan
  if ((status != 0)) && names_finding data-race tsan-only.race; then
    pass "feature-check: tsan: the project's TSan check saw the flags, its race test ran and was red"
  else
    fail "feature-check: tsan: exit $status, the TSan-only test: $(grep -c 'tsan-only.race' "$log") mentions: $(problems) (log: $log)"
  fi
}

fixture_script_tests() {
  new_project scripts
  local dir="$work/scripts"
  cat >"$dir/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(scripts C)
enable_testing()
add_library(shout SHARED shout.c)
add_executable(echoer echoer.c)
target_link_libraries(echoer shout)
# The project's tests are shell scripts that run its program and compare the output; one
# runs it under valgrind itself when valgrind is installed, as json-c's scripts do. Each
# test's program is the script itself (its #! line), as json-c's are; one more runs the
# same script through sh.
add_test(NAME script-direct COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/direct.sh" $<TARGET_FILE:echoer>)
add_test(NAME script-valgrind COMMAND "${CMAKE_CURRENT_SOURCE_DIR}/own_valgrind.sh" $<TARGET_FILE:echoer>)
add_test(NAME script-sh COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/direct.sh" $<TARGET_FILE:echoer>)
CMAKE
  cat >"$dir/shout.c" <<'C'
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
char* shout(const char* text) {
  size_t length = strlen(text);
  char* loud = malloc(length + 1);
  for (size_t i = 0; i <= length; ++i) loud[i] = (char)toupper((unsigned char)text[i]);
  return loud;
}
C
  cat >"$dir/echoer.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
char* shout(const char* text);
int main(int argc, char** argv) {
  char* loud = shout(argc > 1 ? argv[1] : "hello");
  puts(loud);
  free(loud);
  return 0;
}
C
  cat >"$dir/direct.sh" <<'SH'
#!/bin/sh
set -e
[ "$("$1" hi)" = HI ]
SH
  cat >"$dir/own_valgrind.sh" <<'SH'
#!/bin/sh
set -e
log="${TMPDIR:-/tmp}/own_valgrind.$$.log"
if command -v valgrind >/dev/null; then
  out="$(valgrind --error-exitcode=3 --log-file="$log" "$1" hi)"
  tail -1 "$log" | grep -q "ERROR SUMMARY: 0 errors"
  rm -f "$log"
else
  out="$("$1" hi)"
fi
[ "$out" = HI ]
SH
  chmod +x "$dir/direct.sh" "$dir/own_valgrind.sh"
  local tool
  for tool in asan valgrind; do
    adopt_and_run scripts "$tool"
    if ((status == 0)) && ! grep -Eq "NOT UNDER VALGRIND|ran natively" "$log" && grep -q "run valgrind themselves" "$log"; then
      pass "script-tests: $tool: green, the script's program checked, its own valgrind call replaced"
    else
      fail "script-tests: $tool: exit $status: $(problems) $(grep -m1 'NOT UNDER VALGRIND' "$log") (log: $log)"
    fi
  done
  # An overflow planted in the library: the default quick run is red under valgrind too.
  sed -i 's/malloc(length + 1)/malloc(length)/' "$dir/shout.c"
  local saved="$project"
  project="$dir"
  preset=valgrind run scripts-planted
  project="$saved"
  if ((status != 0)) && names_finding heap-buffer-overflow script-direct && names_finding heap-buffer-overflow script-sh; then
    pass "script-tests: valgrind, library overflow planted: the quick run is red in the scripts' program"
  else
    fail "script-tests: valgrind, library overflow planted: exit $status, $(problems) (log: $log)"
  fi
}

measure_flaky_rate() {
  local trials="${FLAKY_TRIALS:-30}" seen=0 missed=0 trial attempt line
  set_trigger random on
  for ((trial = 1; trial <= trials; trial++)); do
    rm -f -- "$project/build/asan/memsafe-result-cache.json"
    for ((attempt = 1; attempt <= 6; attempt++)); do
      run "flaky-rate-$trial"
      if ((status != 0)); then
        if names_finding heap-buffer-overflow random; then seen=$((seen + 1)); else fail "flaky-rate: red for another reason: $(problems) (log: $log)"; fi
        break
      fi
      line="$(grep -E '^\$ ctest .* -E ' "$log" || true)"
      if [[ $line == *"|random|"* || $line == *"(random|"* || $line == *"|random)"* ]]; then
        missed=$((missed + 1))
        break
      fi
    done
  done
  set_trigger random off
  info "flaky-rate: $trials trials of a bug that shows in one execution of three: seen before the cache left the test out in $seen, hidden by the cache in $missed ($((100 * missed / trials))%)"
  if ((seen == 0)); then fail "flaky-rate: the bug never showed in $trials trials"; else pass "flaky-rate: measured"; fi
}

fixture_plain_child() {
  set_trigger plain-child bug
  local how words="NOT INSTRUMENTED: 'plain-child' ran or loaded .*/hp_plain"
  for how in quick slow; do
    if [[ $how == quick ]]; then run plain-child-quick; else run plain-child-slow -- --slow; fi
    if ((status == 0)); then
      fail "plain-child: $how run: ended green (exit 0) while an uninstrumented child overflowed (log: $log)"
    elif grep -Eq "$words" "$log"; then
      pass "plain-child: $how run: red, the child program named NOT INSTRUMENTED"
    else
      fail "plain-child: $how run: red (exit $status) without naming the uninstrumented child: $(problems) (log: $log)"
    fi
  done
  set_trigger plain-child ok
  reverted_green plain-child
}

fixture_will_fail_child() {
  set_trigger will-fail-child bug
  local how words="NOT INSTRUMENTED: 'will-fail-child' ran or loaded .*/hp_plain"
  for how in quick slow; do
    if [[ $how == quick ]]; then run will-fail-child-quick; else run will-fail-child-slow -- --slow; fi
    if ((status == 0)); then
      fail "will-fail-child: $how run: green while WILL_FAIL took NOT INSTRUMENTED for the expected failure (log: $log)"
    elif grep -Eq "$words" "$log"; then
      pass "will-fail-child: $how run: red, NOT INSTRUMENTED is not the failure WILL_FAIL expects"
    else
      fail "will-fail-child: $how run: red (exit $status) without naming the uninstrumented child: $(problems) (log: $log)"
    fi
  done
  overruled will-fail-child will-fail-child
  set_trigger will-fail-child ok
  reverted_green will-fail-child
}

fixture_preset_include() {
  # The included file, not CMakePresets.json nor memsafe's fragment, changes.
  local included="$project/presets/environment.json"
  cp -- "$included" "$work/environment.json.orig"
  sed 's/"HP_PRESET_MODE": "ok"/"HP_PRESET_MODE": "bug"/' "$work/environment.json.orig" >"$included"
  grep -q '"HP_PRESET_MODE": "bug"' "$included" || fail "preset-include: could not change $included"
  quick_red preset-include heap-buffer-overflow preset-include
  slow_red preset-include heap-buffer-overflow preset-include
  cp -- "$work/environment.json.orig" "$included"
  reverted_green preset-include
}

fixture_flaky() {
  # The counter is compiled into the test (state/flaky.count): an input no key can see,
  # as a race's timing is. Arming it changes the test's command-line file, so the first
  # quick run does run it.
  local counter="$project/state/flaky.count" first
  rm -f -- "$counter"
  set_trigger flaky on
  run flaky-first
  first=$status
  if ((first == 0)); then
    info "flaky: first quick run green (execution $(cat "$counter" 2>/dev/null || echo none): the bug did not show)"
    run flaky-second
    if ! expect_red flaky "second quick run, nothing changed" heap-buffer-overflow flaky && ((status == 0)); then
      echo 1 >"$counter"
      control flaky heap-buffer-overflow flaky
    fi
  else
    expect_red flaky "first quick run" heap-buffer-overflow flaky || true
  fi
  echo 1 >"$counter"  # the next execution is the second
  slow_red flaky heap-buffer-overflow flaky
  set_trigger flaky off
  rm -f -- "$counter"
  reverted_green flaky
}

fixture_options_suppressions() {
  leak_seen options-suppressions
  mkdir -p "$work/elsewhere"
  printf 'leak:main\n' >"$work/elsewhere/evil.supp"
  printf 'lsan suppressions=%s # a pool of a system library, released by the OS at exit\n' \
    "$work/elsewhere/evil.supp" >>"$project/sanitizers/options.txt"
  local refused='options\.txt:[0-9]+:.*suppressions'
  run options-suppressions-quick
  lint_or_leak options-suppressions "quick run" "$refused" 1
  run options-suppressions-nocache -- --no-cache
  lint_or_leak options-suppressions "--no-cache" "$refused" 1
  run options-suppressions-slow -- --slow
  lint_or_leak options-suppressions "--slow" "$refused" 1
  restore_sanitizers
  set_trigger leak ok
  reverted_green options-suppressions
}

fixture_catch_all() {
  leak_seen catch-all
  add_lsan_entry 'leak:^*$'
  local refused="lsan\\.supp:[0-9]+:.*($catch_all_words)"
  run catch-all-quick
  lint_or_leak catch-all "quick run" "$refused" 0
  run catch-all-slow -- --slow
  lint_or_leak catch-all "--slow" "$refused" 0
  restore_sanitizers
  set_trigger leak ok
  reverted_green catch-all
}

fixture_weakening_option() {
  leak_seen weakening-option
  printf 'asan detect_leaks=false # the leaks are in a library we do not own\n' >>"$project/sanitizers/options.txt"
  local refused='options\.txt:[0-9]+:.*detect_leaks'
  run weakening-option-quick
  lint_or_leak weakening-option "quick run" "$refused" 0
  run weakening-option-slow -- --slow
  lint_or_leak weakening-option "--slow" "$refused" 0
  restore_sanitizers
  set_trigger leak ok
  reverted_green weakening-option
}

# A test that forks and execs a program of the project, which overflows; the test
# ignores how its child ended. Valgrind must follow the child (the sanitizer presets see
# it because the child is instrumented too).
fixture_child_exec() {
  set_trigger child bug
  quick_red child-exec heap-buffer-overflow child-exec
  local preset=valgrind
  run child-exec-valgrind
  expect_red child-exec "valgrind preset, quick run" "(heap-buffer-overflow|invalid-write)" child-exec || true
  run child-exec-valgrind-slow -- --slow
  expect_red child-exec "valgrind preset, --slow" "(heap-buffer-overflow|invalid-write)" child-exec || true
  unset preset
  set_trigger child ok
  reverted_green child-exec
}

fixture_stderr_text() {
  set_trigger stderr-text bug
  run stderr-text-quick
  local said="exit $status"
  if grep -q "reported a finding in 'stderr-text'" "$log"; then said+=", the test failed as a finding"; fi
  if names_finding heap-use-after-free stderr-text; then said+=", the report lists heap-use-after-free in stderr-text"; fi
  if compgen -G "$project/build/asan/memcheck/stderr-text.asan.[0-9]*" >/dev/null; then
    said+=", a tool log exists"
  else
    said+=", no tool log"
  fi
  info "stderr-text: sanitizer-like text on stderr, exit 0: $said (log: $log)"
  set_trigger stderr-text ok
  reverted_green stderr-text
}

# The clean project: green, every canary caught, the cache warm.
run setup
if ((status == 0)) && grep -Eq '^asan +.* ([0-9]+)/\1 .* ok$' "$log"; then
  pass "setup: the clean project is green with every canary caught"
else
  fail "setup: the clean project: exit $status: $(problems) (log: $log)"
  finish
fi
# A clean run says nothing it need not: no "Cannot find file: DartConfiguration.tcl"
# from `ctest -T Test`, no "Manually-specified variables were not used" from CMake.
if grep -Eq 'Cannot find file|Manually-specified variables were not used' "$logs/01-setup.log"; then
  fail "setup: the first run printed noise: $(grep -Em1 'Cannot find file|Manually-specified' "$logs/01-setup.log")"
else
  pass "setup: no noise from CTest or CMake on a clean run"
fi
# CMake says which memsafe the build uses: the installation memsafe check ran from.
if grep -Fq -- "-- memsafe: module $prefix/share/memsafe/cmake, tool $prefix/bin/memsafe" "$logs/01-setup.log"; then
  pass "setup: the configure names the memsafe it uses, the one memsafe check ran from"
else
  fail "setup: the configure does not name $prefix's memsafe: $(grep -m1 -- '-- memsafe: module' "$logs/01-setup.log" || echo 'no line')"
fi
# `cmake --preset` alone, with another installation of memsafe first on PATH: the
# configure says which module and tool it took, and, when that is not the memsafe on
# PATH, a NOTE names both (a machine with a .deb in /usr and a newer prefix).
other="$work/other-prefix"
cp -R -- "$prefix" "$other"
(cd "$project" && PATH="$other/bin:$PATH" locked cmake --preset asan -B "$work/plain-configure" \
  >"$logs/plain-configure.log" 2>&1) || true
(cd "$project" && PATH="$other/bin:$PATH" locked cmake --preset asan -B "$work/plain-configure-given" \
  -Dmemsafe_DIR="$prefix/share/memsafe/cmake" >"$logs/plain-configure-given.log" 2>&1) || true
if grep -Fq -- "-- memsafe: module $other/share/memsafe/cmake, tool $other/bin/memsafe" "$logs/plain-configure.log" &&
  grep -Fq -- "-- memsafe: module $prefix/share/memsafe/cmake, tool $prefix/bin/memsafe" "$logs/plain-configure-given.log" &&
  grep -Fq -- "-- memsafe: NOTE: the memsafe on PATH is $other/bin/memsafe, not the tool of this build" \
    "$logs/plain-configure-given.log"; then
  pass "setup: cmake --preset alone names the memsafe it found, and notes another one first on PATH"
else
  fail "setup: cmake --preset alone: no line naming the memsafe it uses, or no NOTE of the one on PATH" \
    "(logs: $logs/plain-configure.log, $logs/plain-configure-given.log)"
fi
rm -rf -- "$other" "$work/plain-configure" "$work/plain-configure-given"
if warm setup; then
  pass "setup: the cache leaves every test out before the first attack"
else
  fail "setup: the cache never left every test out (log: $log)"
fi
# A quick run has only the results the cache did not answer: it must say it did not
# compare a detection table, never that the table agrees (nor fail on one it never read).
run detection-table-quick -- --detection-table "$work/no-such-table.md"
if ((status == 0)) && grep -Fq "detection table not compared with $work/no-such-table.md" "$log" &&
  ! grep -q "detection corpus:" "$log"; then
  pass "setup: a quick run says it did not compare the detection table"
else
  fail "setup: a quick run with --detection-table: exit $status, no 'not compared' line or a comparison (log: $log)"
fi
# A --slow run of every test has every result: it compares, and a table it cannot read
# (nor a corpus: this project has none) turns it red.
run detection-table-slow -- --slow --detection-table "$work/no-such-table.md"
if ((status != 0)) && grep -q "detection corpus: the run disagrees with $work/no-such-table.md" "$log"; then
  pass "setup: a --slow run compares the detection table (red on one it cannot read)"
else
  fail "setup: a --slow run with a missing detection table: exit $status, no comparison (log: $log)"
fi
for name in "${selected[@]}"; do
  case "$name" in
    will-fail) fixture_will_fail ;;
    pass-regex) fixture_pass_regex ;;
    env-of-run) fixture_env_of_run ;;
    opt-path) fixture_opt_path ;;
    relative-arg) fixture_relative_arg ;;
    same-size-rewrite) fixture_same_size_rewrite ;;
    ld-library-path) fixture_ld_library_path ;;
    dlopen-plugin) fixture_dlopen_plugin ;;
    outside-plugin) fixture_outside_plugin ;;
    script-child) fixture_script_child ;;
    preset-include) fixture_preset_include ;;
    flaky) fixture_flaky ;;
    options-suppressions) fixture_options_suppressions ;;
    catch-all) fixture_catch_all ;;
    weakening-option) fixture_weakening_option ;;
    child-exec) fixture_child_exec ;;
    stderr-text) fixture_stderr_text ;;
    plain-child) fixture_plain_child ;;
    will-fail-child) fixture_will_fail_child ;;
    flaky-rate) measure_flaky_rate ;;
    gated-tests) fixture_gated_tests ;;
    strict-flags) fixture_strict_flags ;;
    subdir-testing) fixture_subdir_testing ;;
    printed-leaks) fixture_printed_leaks ;;
    tool-quirks) fixture_tool_quirks ;;
    feature-check) fixture_feature_check ;;
    script-tests) fixture_script_tests ;;
  esac
done
finish
