#!/usr/bin/env bash
# measure-optimization.sh: which optimization level lets each tool still catch every
# canary? Builds only the canaries of each tool with each compiler at each level,
# with and without the flags that stop allocation elision, and prints a table of
# canaries caught. The presets' MEMSAFE_OPTIMIZATION values come from this table
# (docs/design/MEMORY_SAFETY_CI.md).
#
# Usage: tools/measure-optimization.sh [BUILD_ROOT]   (default: build/optimization)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$ROOT/build/optimization}"
if [[ $# -gt 1 || $out == -* ]]; then
  echo "USAGE: tools/measure-optimization.sh [BUILD_ROOT]" >&2
  exit 2
fi

# tool-config | cache variables
tools=(
  "asan|-DMEMSAFE_SANITIZE=address;undefined;leak"
  "tsan|-DMEMSAFE_SANITIZE=thread"
  "valgrind|-DMEMSAFE_VALGRIND=ON"
)
compilers=("clang|clang|clang++" "gcc|gcc|g++")
# label | optimization | allow elision
levels=("O0|-O0|OFF" "O1|-O1|ON" "O1-keep-allocations|-O1|OFF" "O2-keep-allocations|-O2|OFF")

mkdir -p -- "$out"
printf '%-9s %-6s %-22s %s\n' TOOL CC LEVEL "CANARIES CAUGHT (missed)"
for tool_entry in "${tools[@]}"; do
  tool="${tool_entry%%|*}" cache="${tool_entry#*|}"
  for compiler in "${compilers[@]}"; do
    IFS='|' read -r cc_name cc cxx <<<"$compiler"
    for level in "${levels[@]}"; do
      IFS='|' read -r label opt allow <<<"$level"
      dir="$out/$tool-$cc_name-$label"
      cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" "$cache" \
        -DMEMSAFE_OPTIMIZATION="$opt" -DMEMSAFE_ALLOW_ALLOCATION_ELISION="$allow" \
        >"$dir.log" 2>&1
      mapfile -t targets < <(ninja -C "$dir" -t targets all | sed -n 's/^\(memsafe_canary_[a-z_]*\): .*/\1/p')
      ninja -C "$dir" "${targets[@]}" >>"$dir.log" 2>&1
      set +e
      ctest --test-dir "$dir" -L canary >>"$dir.log" 2>&1
      set -e
      mapfile -t missed < <(grep -oE 'Test +#[0-9]+: canary\.[^ ]+ \.+\*+Failed' "$dir.log" |
        sed -E 's/.*canary\.([^ ]+) .*/\1/')
      ran="$(grep -oE 'out of [0-9]+' "$dir.log" | tail -1 | grep -oE '[0-9]+')"
      printf '%-9s %-6s %-22s %s/%s %s\n' "$tool" "$cc_name" "$label" \
        "$((ran - ${#missed[@]}))" "$ran" "${missed[*]:+(${missed[*]})}"
    done
  done
done
