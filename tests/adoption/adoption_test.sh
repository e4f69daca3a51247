#!/usr/bin/env bash
# Adoption as a user does it, from scratch: memsafe built as the toolkit alone,
# installed (cmake --install into a prefix, and the .deb from cpack), then
#   - tests/adoption/shelf, a project with a plain C test, GoogleTest, doctest and
#     Catch2 that mentions memsafe nowhere: memsafe init (twice, and --dry-run), memsafe
#     check --memory-checks green with every canary; a planted heap-use-after-free in
#     each kind of test fails the run naming the test, the kind and file:line, and
#     `memsafe suppressions add --from-report` drafts what the tools can suppress; a
#     build that lost its flags fails every test; an existing CMakePresets.json is merged;
#   - tests/adoption/history_test.sh: a git repository of an adopted library, five
#     commits, a leak brought in and fixed: memsafe history diff, bisect and dashboard;
#   - tests/adoption/whole_programs: a GoogleTest, a Catch2 and a doctest program run
#     as one test each, two planted bugs in two cases of each: both reported under asan;
#   - a -Werror C++ project adopted with init --compilers gcc, green under tsan-gcc;
#   - a C-only project with cmake_minimum_required(2.8.12) and a test added by path;
#   - memsafe as a subproject (add_subdirectory, FetchContent);
#   - with --real-projects: tinyxml2 and jsoncpp from Debian's sources, unmodified.
# It takes minutes and installs packages (as root), so .ci/run runs it, not ./check.sh.
set -euo pipefail

usage() { echo "USAGE: adoption_test.sh <memsafe-source-dir> <work-dir> [--real-projects]" >&2; exit 2; }
(($# == 2 || $# == 3)) || usage
root="$(cd "$1" && pwd)" work="$2" real=0
if (($# == 3)); then [[ $3 == --real-projects ]] || usage; real=1; fi
rm -rf -- "$work"
mkdir -p -- "$work"
work="$(cd "$work" && pwd)"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
group() { if [[ ${CI:-} == true ]]; then echo "::group::$*"; else echo "== $*"; fi; }
endgroup() { if [[ ${CI:-} == true ]]; then echo "::endgroup::"; fi; }

# What the test projects need: doctest, Catch2 and GoogleTest's libraries (shelf), dpkg-dev
# (apt-get source unpacks with dpkg-source), Python (jsoncpp's test driver), Chromium (the
# history dashboard, loaded as a user opens it).
needed=()
for pair in doctest-dev:/usr/lib/cmake/doctest/doctestConfig.cmake catch2:/usr/lib/cmake/Catch2/Catch2Config.cmake \
            libgtest-dev:/usr/lib/x86_64-linux-gnu/cmake/GTest/GTestConfig.cmake \
            dpkg-dev:/usr/bin/dpkg-source python3:/usr/bin/python3 chromium:/usr/bin/chromium; do
  [[ -e ${pair#*:} ]] || needed+=("${pair%%:*}")
done
if ((${#needed[@]})); then
  if [[ $(id -u) != 0 ]]; then
    echo "adoption test: missing packages; install with: sudo apt-get install ${needed[*]}" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${needed[@]}"
fi

group "the toolkit alone: build, install, package"
cmake -S "$root" -B "$work/toolkit" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEMSAFE_BUILD_LIBRARIES=OFF \
  >"$work/toolkit.log" 2>&1 || { cat "$work/toolkit.log"; fail "toolkit configure"; exit 1; }
if grep -Eq 'SQLite|libsodium' "$work/toolkit.log"; then fail "the toolkit-only build looked for SQLite or libsodium"; fi
cmake --build "$work/toolkit" >>"$work/toolkit.log" 2>&1 || { cat "$work/toolkit.log"; fail "toolkit build"; exit 1; }
cmake --install "$work/toolkit" --prefix "$work/prefix" >>"$work/toolkit.log" 2>&1
memsafe="$work/prefix/bin/memsafe"
"$memsafe" --version
for module in memsafe-audit.so memsafe-preload-scope.so; do
  if [[ -r $work/prefix/libexec/memsafe/$module ]]; then ok "cmake --install puts $module in libexec/memsafe"; else fail "no libexec/memsafe/$module in the install prefix"; fi
done
(cd "$work/toolkit" && cpack -G DEB >>"$work/toolkit.log" 2>&1) || { cat "$work/toolkit.log"; fail "cpack -G DEB"; }
deb="$(find "$work/toolkit" -maxdepth 1 -name 'memsafe_*.deb' | head -n 1)"
if [[ -n $deb ]]; then ok "cpack made $(basename "$deb")"; else fail "no memsafe_*.deb"; fi
endgroup

if [[ -n $deb && $(id -u) == 0 ]]; then
  group "the .deb: apt install, memsafe --version, find_package(memsafe CONFIG)"
  apt-get install -y -qq "$deb" >"$work/deb.log" 2>&1 || { cat "$work/deb.log"; fail "apt install $deb"; }
  if /usr/bin/memsafe --version | grep -q '^memsafe [0-9]'; then ok "/usr/bin/memsafe --version"; else fail "memsafe --version from the .deb"; fi
  # The launcher finds its modules (the loader's audit, the preload's scope) from the
  # tool's path (bin/../libexec).
  for module in memsafe-audit.so memsafe-preload-scope.so; do
    if [[ -r /usr/libexec/memsafe/$module ]]; then ok "the .deb carries $module"; else fail "no /usr/libexec/memsafe/$module from the .deb"; fi
  done
  mkdir -p "$work/find-package"
  cat >"$work/find-package/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(probe C)
find_package(memsafe CONFIG REQUIRED)
message(STATUS "found memsafe ${memsafe_VERSION} in ${memsafe_DIR}")
CMAKE
  if cmake -S "$work/find-package" -B "$work/find-package/build" 2>&1 | grep 'found memsafe'; then
    ok "find_package(memsafe CONFIG) from the .deb"
  else
    fail "find_package(memsafe CONFIG) from the .deb"
  fi
  endgroup
fi

# check_run <dir> <log> <expected status> [extra env...]: memsafe check --memory-checks in <dir>,
# with the arguments in check_args.
check_args=()
check_run() {
  local dir="$1" log="$2" want="$3" status
  shift 3
  set +e
  (cd "$dir" && env "$@" "$memsafe" check --memory-checks "${check_args[@]}" >"$log" 2>&1)
  status=$?
  set -e
  if ((status != want)); then
    sed -n '/memory checks: summary/,$p' "$log"
    fail "memsafe check --memory-checks in $dir: exit $status, expected $want (log: $log)"
    return 1
  fi
}
# Every preset of the run caught all its canaries, and ran at least one.
canaries_caught() {
  local log="$1" line bad=0 presets=0
  while read -r line; do
    presets=$((presets + 1))
    if [[ $line =~ ([0-9]+)/([0-9]+) ]] && ((BASH_REMATCH[2] > 0 && BASH_REMATCH[1] == BASH_REMATCH[2])); then
      continue
    fi
    bad=1
  done < <(sed -n '/memory checks: summary/,/^OVERHEAD/p' "$log" | grep -E '^(asan|tsan|valgrind)(-gcc|-clang)? ' || true)
  ((presets > 0)) || bad=1
  return "$bad"
}

group "shelf: memsafe init, twice, and --dry-run"
shelf="$work/shelf"
cp -r "$root/tests/adoption/shelf" "$shelf"
before="$(cd "$shelf" && find . -name CMakeLists.txt -exec md5sum {} + | sort)"
(cd "$shelf" && "$memsafe" init --dry-run) >"$work/dry.log"
if grep -q '^would create  CMakePresets.json' "$work/dry.log" && [[ ! -e $shelf/CMakePresets.json ]]; then
  ok "--dry-run lists the files and writes none"
else
  cat "$work/dry.log"; fail "--dry-run"
fi
(cd "$shelf" && "$memsafe" init) >"$work/init1.log"
(cd "$shelf" && "$memsafe" init) >"$work/init2.log"
if grep -q 'nothing to change' "$work/init2.log" && ! grep -Eq '^(create|update) ' "$work/init2.log"; then
  ok "a second memsafe init changes nothing"
else
  cat "$work/init2.log"; fail "the second memsafe init changed files"
fi
endgroup

group "shelf: memsafe check --memory-checks (clean)"
if check_run "$shelf" "$work/shelf-check.log" 0; then
  if canaries_caught "$work/shelf-check.log"; then ok "every preset green with every canary caught"; else fail "a preset missed or ran no canary"; fi
fi
if tr -s ' \n' ' ' <"$work/shelf-check.log" | grep -q 'prebuilt, uninstrumented test framework: GTest::gtest_main (shelf_gtest)'; then
  ok "the system's prebuilt GoogleTest is reported at configure"
else
  fail "no configure-time report of the prebuilt GoogleTest"
fi
after="$(cd "$shelf" && find . -name CMakeLists.txt -exec md5sum {} + | sort)"
if [[ $before == "$after" ]]; then ok "no CMakeLists.txt changed"; else fail "memsafe changed the project's CMake files"; fi
endgroup

group "shelf: a heap-use-after-free planted in each kind of test"
planted="$work/shelf-planted"
cp -r "$root/tests/adoption/shelf" "$planted"
(cd "$planted" && "$memsafe" init >/dev/null)
if check_run "$planted" "$work/planted.log" 1 CFLAGS=-DPLANT_USE_AFTER_FREE CXXFLAGS=-DPLANT_USE_AFTER_FREE; then
  for want in 'shelf_test.c:26|shelf_test' 'shelf_gtest.cc:27|ShelfTest.PlantedUseAfterFree' \
              'shelf_doctest.cc:26|planted_use_after_free' 'shelf_catch.cc:19|planted_use_after_free_in_Catch2'; do
    where="${want%%|*}" test="${want#*|}"
    # Every tool reports it at that line (in one row of the table, or in several when
    # the tools' stacks differ), for that test.
    tools="$(grep -E "^heap-use-after-free +tests/$where " "$work/planted.log" | awk '{print $3}' | tr ',' '\n' | sort -u | xargs)"
    if [[ $tools == "asan tsan valgrind" ]] && grep -Eq "^  tests: +$test\$" "$work/planted.log"; then
      ok "planted bug found by every preset: heap-use-after-free at tests/$where in $test"
    else
      fail "planted bug at tests/$where not reported by every preset for $test"
    fi
  done
fi
endgroup

group "the memory history of an adopted project: five commits, diff, bisect, dashboard"
if bash "$root/tests/adoption/history_test.sh" "$memsafe" "$work/history" >"$work/history.log" 2>&1; then
  ok "history: new at the leak's commit, known after it, fixed; bisect names it; the dashboard shows it"
else
  cat "$work/history.log"; fail "the memory history of an adopted project (log: $work/history.log)"
fi
endgroup

group "whole test programs: the cases after a finding still run (GoogleTest, Catch2, doctest)"
# Each program is one test with two planted bugs in two cases; ASan stops it at the
# first, and the report must have both (tests/adoption/whole_programs).
whole="$work/whole-programs"
cp -r "$root/tests/adoption/whole_programs" "$whole"
(cd "$whole" && "$memsafe" init >/dev/null)
check_args=(--preset asan)
if check_run "$whole" "$work/whole.log" 1; then
  for want in 'gtest.cc:7 gtest.cc:14' 'catch.cc:8 catch.cc:15' 'doctest.cc:8 doctest.cc:15'; do
    read -r first second <<<"$want"
    if grep -Eq "^heap-buffer-overflow +two_bugs_$first " "$work/whole.log" &&
       grep -Eq "^heap-use-after-free +two_bugs_$second " "$work/whole.log"; then
      ok "both planted bugs reported: two_bugs_$first and, in the case after it, two_bugs_$second"
    else
      fail "two_bugs_$first / two_bugs_$second: not both reported (log: $work/whole.log)"
    fi
  done
fi
check_args=()
endgroup

group "memsafe init --compilers gcc: a -Werror C++ project under tsan-gcc"
# GCC's -fsanitize=thread warns of std::atomic_thread_fence (-Wtsan); under the
# project's -Werror that broke the build. And GCC's shared ThreadSanitizer runtime did
# not load beside the launcher's loader audit module (static TLS). With one compiler
# asked for, tsan-gcc is the tsan preset of the quick run.
fence="$work/fence"
mkdir -p "$fence"
cat >"$fence/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(fence CXX)
enable_testing()
add_compile_options(-Wall -Wextra -Werror)
add_executable(fence_test fence_test.cc)
add_test(NAME fence_test COMMAND fence_test)
CMAKE
cat >"$fence/fence_test.cc" <<'CXX'
#include <atomic>
#include <cstdio>
int main() {
  std::atomic<int> value{1};
  std::atomic_thread_fence(std::memory_order_seq_cst);
  std::printf("%d\n", value.load());
  return 0;
}
CXX
(cd "$fence" && "$memsafe" init --compilers gcc >"$work/fence-init.log")
check_args=(--preset tsan-gcc)
if check_run "$fence" "$work/fence.log" 0 && canaries_caught "$work/fence.log" &&
   grep -q "Wtsan" "$work/fence.log" &&
   (cd "$fence" && "$memsafe" check --memory-checks --dry-run) | grep -q '^tsan-gcc: cmake --preset tsan-gcc'; then
  ok "tsan-gcc built the -Werror project, GCC's -Wtsan shown as a warning; it runs in --memory-checks"
else
  fail "tsan-gcc on a -Werror project (log: $work/fence.log)"
fi
check_args=()
endgroup

group "shelf: day-one findings drafted as suppressions"
# TSan and Valgrind can suppress a heap-use-after-free, ASan cannot; and a TSan entry for
# the C test's bug could only name main(), which is on every stack (it would hide every
# race of the project): those five are named "not drafted", the other seven drafted.
# With the drafts, only the C test's TSan finding is left, every draft used and listed.
set +e
(cd "$planted" && "$memsafe" suppressions add --from-report build/memsafe-report/findings.json >"$work/drafts.log" 2>&1)
drafts_status=$?
set -e
if ((drafts_status == 1)) && grep -q '^memsafe suppressions add: 7 draft entries added, 5 finding(s) not drafted' "$work/drafts.log" &&
   [[ $(grep -c '^not drafted: asan: heap-use-after-free' "$work/drafts.log") == 4 ]] &&
   grep -q "^not drafted: tsan: heap-use-after-free at tests/shelf_test.c:26.*to fix: the only frame to name is '^main\$'" "$work/drafts.log"; then
  ok "7 drafts for TSan and Valgrind; ASan's 4 findings and the TSan one only main() could name are named as not drafted"
else
  cat "$work/drafts.log"; fail "memsafe suppressions add --from-report"
fi
if (cd "$planted" && "$memsafe" suppressions lint >"$work/drafts-lint.log") &&
   grep -q '0 problem(s), 7 draft(s) still to explain' "$work/drafts-lint.log"; then
  ok "the lint accepts the drafts and lists each one"
else
  cat "$work/drafts-lint.log"; fail "the lint and the drafts"
fi
set +e
(cd "$planted" && "$memsafe" check --memory-checks --preset tsan,valgrind >"$work/drafted.log" 2>&1)
drafted_status=$?
set -e
if ((drafted_status == 1)) && [[ $(grep -c 'is a DRAFT nobody has explained yet' "$work/drafted.log") == 7 ]] &&
   [[ $(grep -cE '^heap-use-after-free +tests/' "$work/drafted.log") == 1 ]] &&
   grep -Eq '^heap-use-after-free +tests/shelf_test.c:26 +tsan( |$)' "$work/drafted.log" &&
   grep -q 'memsafe suppressions unused: 0 unused, 7 used' "$work/drafted.log"; then
  ok "with the drafts, only the C test's TSan finding is left; each draft used and listed as a DRAFT"
else
  sed -n '/memory checks: summary/,$p' "$work/drafted.log"; fail "the drafted run"
fi
endgroup

group "shelf: a build that lost its sanitizer flags fails every kind of test"
lost="$work/shelf-lost"
cp -r "$shelf" "$lost"
rm -rf "$lost/build"
(cd "$lost" && cmake --preset asan -DMEMSAFE_SANITIZE= -Dmemsafe_DIR="$work/prefix/share/memsafe/cmake" \
  >"$work/lost.log" 2>&1 && cmake --build --preset asan >>"$work/lost.log" 2>&1) || { cat "$work/lost.log"; fail "lost-flags build"; }
set +e
(cd "$lost" && ctest --preset asan >"$work/lost-ctest.log" 2>&1)
set -e
for test in shelf_test ShelfTest.CountsAddUp 'an empty shelf has nothing' 'adding to an existing name adds to its count'; do
  if grep -Eq "Test +#[0-9]+: $test \.+\*+Failed" "$work/lost-ctest.log" &&
     grep -q "NOT INSTRUMENTED: '$test'" "$work/lost-ctest.log"; then
    ok "uninstrumented '$test' fails"
  else
    fail "uninstrumented '$test' did not fail the instrumentation check"
  fi
done
endgroup

group "a C-only project with an old cmake_minimum_required and a test added by path"
conly="$work/conly"
mkdir -p "$conly"
cat >"$conly/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 2.8.12)
project(conly C)
enable_testing()
add_executable(sum sum.c)
add_test(NAME sum COMMAND ./sum WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
CMAKE
cat >"$conly/sum.c" <<'C'
#include <stdlib.h>
int main(void) {
  int* values = (int*)calloc(4, sizeof(int));
  int sum = 0;
  for (int i = 0; i < 4; ++i) sum += values[i];
  free(values);
  return sum;
}
C
(cd "$conly" && "$memsafe" init >/dev/null)
if check_run "$conly" "$work/conly.log" 0 && canaries_caught "$work/conly.log"; then
  if grep -q 'The CXX compiler identification' "$work/conly.log"; then
    fail "the C-only project needed a C++ compiler"
  elif (cd "$conly/build/asan" && ctest --show-only=json-v1) | python3 -c '
import json, sys
tests = {t["name"]: t["command"] for t in json.load(sys.stdin)["tests"]}
sys.exit(0 if tests["sum"][1].endswith("memsafe-run.sh") and tests["sum"][-1] == "./sum" else 1)'; then
    ok "C only, cmake_minimum_required 2.8.12: every preset green, canaries built as C, the test by path launched"
  else
    fail "the test added by path did not run through the launcher"
  fi
fi
endgroup

for how in add_subdirectory FetchContent; do
group "memsafe as a subproject ($how): the module alone, memsafe's tests and libraries off"
sub="$work/subproject-$how"
mkdir -p "$sub"
if [[ $how == add_subdirectory ]]; then
  bring="add_subdirectory(\"$root\" memsafe)"
else
  bring="include(FetchContent)
FetchContent_Declare(memsafe SOURCE_DIR \"$root\")
FetchContent_MakeAvailable(memsafe)"
fi
cat >"$sub/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(subproject CXX)
$bring
include(MemorySafety)
add_library(counter counter.cc)
memsafe_instrument(counter)
enable_testing()
memsafe_add_test(counter_test SOURCES counter_test.cc LIBRARIES counter)
memsafe_add_canaries()
CMAKE
printf 'int Count(int n) { return n + 1; }\n' >"$sub/counter.cc"
cat >"$sub/counter_test.cc" <<'CC'
#include <gtest/gtest.h>
int Count(int n);
TEST(CounterTest, CountsOnePastItsArgument) { EXPECT_EQ(Count(1), 2); }
CC
if cmake -S "$sub" -B "$sub/build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
     "-DMEMSAFE_SANITIZE=address;undefined;leak" -DMEMSAFE_OPTIMIZATION=-O0 >"$work/sub-$how.log" 2>&1 &&
   cmake --build "$sub/build" >>"$work/sub-$how.log" 2>&1 &&
   MEMSAFE_EXPECT=address,undefined,leak ctest --test-dir "$sub/build" >>"$work/sub-$how.log" 2>&1; then
  if grep -q 'CounterTest.CountsOnePastItsArgument' "$work/sub-$how.log" && grep -q 'canary.address.heap-use-after-free' "$work/sub-$how.log" &&
     ! grep -q 'memsafe_unit_test_pch\|secure_pool' "$work/sub-$how.log"; then
    ok "$how: the parent's test and the canaries pass; memsafe's own tests and libraries were not built"
  else
    fail "$how: unexpected build or test set (log: $work/sub-$how.log)"
  fi
else
  tail -30 "$work/sub-$how.log"; fail "memsafe as a subproject with $how"
fi
endgroup
done

group "a project with presets of its own: merged, every old and new preset configures"
merged="$work/merged"
cp -r "$root/tests/adoption/shelf" "$merged"
cat >"$merged/CMakePresets.json" <<'JSON'
{
  "version": 3,
  "configurePresets": [
    { "name": "dev", "generator": "Ninja", "binaryDir": "${sourceDir}/out/dev" }
  ]
}
JSON
(cd "$merged" && "$memsafe" init >"$work/merge-init.log")
for preset in dev asan tsan valgrind; do
  if (cd "$merged" && cmake --preset "$preset" -Dmemsafe_DIR="$work/prefix/share/memsafe/cmake" >"$work/merge-$preset.log" 2>&1); then
    ok "merged presets: $preset configures"
  else
    tail -20 "$work/merge-$preset.log"; fail "merged presets: $preset does not configure"
  fi
done
printf '{ "version": 6, "configurePresets": [ { "name": "asan", "binaryDir": "x" } ] }\n' >"$merged/CMakePresets.json"
if (cd "$merged" && "$memsafe" init >"$work/conflict.log" 2>&1); then
  fail "init accepted a project preset named asan"
elif grep -q "already has a configurePresets entry named 'asan'" "$work/conflict.log"; then
  ok "a preset of the project's own under memsafe's name is refused, clearly"
else
  cat "$work/conflict.log"; fail "the refusal does not say why"
fi
endgroup

# The checksums of a project's own CMake files (not memsafe's sanitizers/ nor build/).
cmake_files() {
  (cd "$1" && find . \( -path ./build -o -path ./sanitizers \) -prune -o \
    \( -name CMakeLists.txt -o -name '*.cmake' \) -type f -exec md5sum {} + | sort)
}

if ((real)); then
  group "real projects from Debian's sources, unmodified"
  if [[ $(id -u) == 0 ]] && ! grep -rqs '^Types: deb-src' /etc/apt/sources.list.d/; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      >/etc/apt/sources.list.d/memsafe-deb-src.sources
    apt-get update -qq
  fi
  mkdir -p "$work/real"
  (cd "$work/real" && apt-get source -qq tinyxml2 libjsoncpp >"$work/real/source.log" 2>&1) ||
    { cat "$work/real/source.log"; fail "apt-get source"; }
  for project in "$work"/real/tinyxml2-*/ "$work"/real/libjsoncpp-*/; do
    [[ -d $project ]] || { fail "no sources for $project"; continue; }
    name="$(basename "$project")"
    before="$(cmake_files "$project")"
    (cd "$project" && "$memsafe" init >/dev/null)
    # jsoncpp's two reader/writer tests write the same .actual files next to the test data:
    # run at once they race and one reads the other's half-written output (seen here as a
    # truncated legacy_test_large_01.actual), so its tests run one at a time.
    # Under the valgrind preset every program jsoncpp's Python driver starts runs under
    # Valgrind (948 log files, two per start of its test runner): 11m39s for that preset alone
    # (memsafe check --memory-checks --preset valgrind --jobs 1, with another build on the
    # machine). The nightly's real-projects matrix runs it; here asan and tsan do.
    check_args=()
    if [[ $name == libjsoncpp-* ]]; then check_args=(--jobs 1 --preset 'asan,tsan'); fi
    if check_run "$project" "$work/real-$name.log" 0 && canaries_caught "$work/real-$name.log"; then
      ok "$name: every preset green, every canary caught"
      sed -n '/memory checks: summary/,/^OVERHEAD/p' "$work/real-$name.log"
      grep 'ran natively' "$work/real-$name.log" || true
    else
      fail "$name"
    fi
    check_args=()
    after="$(cmake_files "$project")"
    if [[ $before == "$after" ]]; then ok "$name: no CMake file changed"; else fail "$name: CMake files changed"; fi
  done
  endgroup
fi

if ((failures)); then
  echo "adoption test: $failures failure(s)"
  exit 1
fi
echo "adoption test: passed"
