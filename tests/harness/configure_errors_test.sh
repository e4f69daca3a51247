#!/usr/bin/env bash
# Checks that cmake/MemorySafety.cmake refuses broken setups at configure time with a
# message that says what to do: incompatible tools, unknown sanitizers, a missing
# sanitizer runtime, an options list entry without a reason, and no memsafe tool.
set -euo pipefail

usage() { echo "USAGE: configure_errors_test.sh <memsafe-source-dir> <memsafe> <work-dir>" >&2; exit 2; }
(($# == 3)) || usage
root="$1" memsafe="$2" work="$3"
rm -rf -- "$work"
mkdir -p -- "$work"
consumer="$root/tests/consumer"
failures=0

# refuse <description> <message-regex> <cmake -D arguments...>
refuse() {
  local what="$1" want="$2" dir output status
  shift 2
  dir="$work/$(tr -c 'a-z0-9\n' '-' <<<"$what")"
  set +e
  output="$(env -u MEMSAFE_EXPECT cmake -S "$consumer" -B "$dir" -G Ninja "-DMEMSAFE_TOOL=$memsafe" "$@" 2>&1)"
  status=$?
  set -e
  if ((status == 0)); then
    echo "FAIL: $what: configure succeeded"; failures=$((failures + 1))
  elif ! grep -Eq -- "$want" <<<"$(tr -s ' \n' ' ' <<<"$output")"; then
    echo "FAIL: $what: configure failed without /$want/:"
    printf '    %s\n' "$output"
    failures=$((failures + 1))
  else
    echo "ok: $what"
  fi
}

refuse "asan with tsan" "AddressSanitizer and ThreadSanitizer cannot be combined" \
  "-DMEMSAFE_SANITIZE=address;thread"
refuse "lsan with tsan" "LeakSanitizer cannot be combined with ThreadSanitizer" \
  "-DMEMSAFE_SANITIZE=leak;thread"
refuse "sanitizer with valgrind" "MEMSAFE_VALGRIND cannot be combined with sanitizers" \
  -DMEMSAFE_SANITIZE=address -DMEMSAFE_VALGRIND=ON
refuse "unknown sanitizer" "unknown sanitizer 'adress'" -DMEMSAFE_SANITIZE=adress
# Clang looks for its runtimes under the resource directory: an empty one is a
# machine without libclang-rt.
mkdir -p "$work/empty-resource-dir"
refuse "missing clang runtime" "runtime for Clang .* is missing.*Install libclang-rt-[0-9]+-dev" \
  -DCMAKE_CXX_COMPILER=clang++ -DMEMSAFE_SANITIZE=address \
  "-DCMAKE_CXX_FLAGS=-resource-dir=$work/empty-resource-dir"
# A project's own options list is read after memsafe's defaults, and checked as strictly.
mkdir -p "$work/no-reason" "$work/two"
printf 'asan  halt_on_error=1\n' >"$work/no-reason/options.txt"
refuse "option without a reason" "no-reason/options.txt:1: expected '<tool> <option> # <reason>'" \
  "-DMEMSAFE_SANITIZERS_DIR=$work/no-reason"
printf 'asan  halt_on_error=1:detect_leaks=1  # two options on one line\n' >"$work/two/options.txt"
refuse "two options on one line" "two/options.txt:1: a sanitizer option looks like name=value" \
  "-DMEMSAFE_SANITIZERS_DIR=$work/two"
# Every test's verdict comes from the memsafe tool: without one there is no run to trust.
# (No search anywhere: the machine may have memsafe installed.)
refuse "no memsafe tool" "The memsafe tool was not found.*-DMEMSAFE_TOOL" "-DMEMSAFE_TOOL=MEMSAFE_TOOL-NOTFOUND" \
  -DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=OFF -DCMAKE_FIND_USE_SYSTEM_ENVIRONMENT_PATH=OFF \
  "-DMEMSAFE_BASH=$(command -v bash)" "-DCMAKE_CXX_COMPILER=$(command -v c++)" \
  "-DCMAKE_MAKE_PROGRAM=$(command -v ninja)"

if ((failures)); then
  echo "configure errors test: $failures failure(s)"
  exit 1
fi
echo "configure errors test: every broken setup refused with its message"
