#!/usr/bin/env bash
# install-deps.sh: installs what memsafe needs and a fresh machine may lack.
#
#   tools/install-deps.sh           install the missing packages (as root, or via sudo)
#   tools/install-deps.sh --check   only list what is missing; exit 1 if anything is
#   tools/install-deps.sh --ccache  also install ccache (the workflows cache its directory)
#
# Each line of the list below is "<probe> <Debian package>": a command on PATH, or an
# absolute path (a glob) that the package provides.
set -euo pipefail

usage() { echo "USAGE: tools/install-deps.sh [--check] [--ccache]" >&2; exit 2; }
check_only=false
with_ccache=false
case "${1-}" in
  "") ;;
  --check) check_only=true ;;
  --ccache) with_ccache=true ;;
  *) usage ;;
esac
(($# <= 1)) || usage

requirements=(
  "cmake cmake"
  "ninja ninja-build"
  "g++ g++"
  "clang++ clang"
  "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.asan-x86_64.a libclang-rt-14-dev"
  "valgrind valgrind"
  "/usr/include/valgrind/valgrind.h valgrind"
  "/usr/src/googletest/CMakeLists.txt googletest"
  "setarch util-linux"
  "timeout coreutils"
  "shellcheck shellcheck"
  "clang-format-14 clang-format-14"
  "git git"
  "pkg-config pkg-config"
  "/usr/include/sodium.h libsodium-dev"
  "/usr/include/sqlite3.h libsqlite3-dev"
  "/usr/include/benchmark/benchmark.h libbenchmark-dev"
  "/usr/include/CLI/CLI.hpp libcli11-dev"
  "/usr/include/nlohmann/json.hpp nlohmann-json3-dev"
  "/usr/include/pugixml.hpp libpugixml-dev"
  "node nodejs"
  "npm npm"
  "chromium chromium"
)
if $with_ccache; then requirements+=("ccache ccache"); fi

present() {
  local probe="$1" matches
  if [[ $probe == /* ]]; then
    # shellcheck disable=SC2206  # the probe is a glob on purpose
    matches=($probe)
    [[ -e ${matches[0]} ]]
  else
    command -v "$probe" >/dev/null 2>&1
  fi
}

missing=()
for requirement in "${requirements[@]}"; do
  read -r probe package <<<"$requirement"
  if ! present "$probe"; then
    echo "missing: $probe (package $package)"
    [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: everything memsafe needs is installed"
  exit 0
fi
if $check_only; then
  echo "install-deps: install with: sudo apt-get install ${missing[*]}"
  exit 1
fi
sudo=()
if ((EUID != 0)); then sudo=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
