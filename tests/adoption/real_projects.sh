#!/usr/bin/env bash
# The real-projects matrix: projects from Debian's sources, each of another shape (C89
# with -Werror, tests behind the project's own option, script-driven tests, threads,
# shared libraries, a compile-heavy C++ library, a prebuilt test framework, with and
# without include(CTest)), adopted as a new user adopts them, with no hand edit:
#   1. `apt-get source`, then a plain Debug build and ctest: how many tests the project has;
#   2. `memsafe init`, then `memsafe check --memory-checks` cold, warm and once more
#      (every memory preset; the CMake files must not change);
#   3. a heap overflow planted in a library function the tests call, then the default
#      (quick, cached) `memsafe check --memory-checks`: it must be red at that file:line.
# The projects, their planting points and any memsafe check arguments are in
# tests/adoption/real_projects.txt. This script only runs things and keeps what they
# wrote (ctest's JUnit, memsafe check's summary.json and findings.json, times) under
# <work-dir>/facts/<project>/; tools/node/real-projects-table.mjs reads them, prints the
# table (docs/REAL_PROJECTS.md holds the last one measured) and exits 1 when a project
# falls short: a project test that did not run under a preset, a canary not caught, the
# planted bug not reported at its line.
#
# It takes an hour or more and installs packages (as root), so the nightly workflow runs
# it (./check.sh --real-projects), not .ci/run. With MEMSAFE_TEST_LOCK set, every build
# and check holds that lock file.
set -euo pipefail

usage() {
  echo "USAGE: real_projects.sh <memsafe-source-dir> <work-dir> [--memsafe PATH] [--only NAME[,NAME...]] [--table FILE]" >&2
  exit 2
}
(($# >= 2)) || usage
[[ -f $1/cmake/MemorySafety.cmake ]] || usage
root="$(cd "$1" && pwd)" work="$2"
shift 2
memsafe="" only="" table=""
while (($#)); do
  case "$1" in
    --memsafe) [[ $# -ge 2 && -x $2 ]] || usage; memsafe="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --only) [[ $# -ge 2 && -n $2 ]] || usage; only=",$2,"; shift 2 ;;
    --table) [[ $# -ge 2 && -n $2 ]] || usage; table="$2"; shift 2 ;;
    *) usage ;;
  esac
done
locked() { if [[ -n ${MEMSAFE_TEST_LOCK:-} ]]; then flock "$MEMSAFE_TEST_LOCK" "$@"; else "$@"; fi; }
group() { if [[ ${CI:-} == true ]]; then echo "::group::$*"; else echo "== $*"; fi; }
endgroup() { if [[ ${CI:-} == true ]]; then echo "::endgroup::"; fi; }

mkdir -p -- "$work"
work="$(cd "$work" && pwd)"
rm -rf -- "$work/facts"
mkdir -p -- "$work/facts" "$work/sources"

# apt-get source needs deb-src entries and dpkg-dev; the build dependencies of the
# projects are listed in the projects file (a `needs` line).
if [[ $(id -u) == 0 ]]; then
  if ! grep -rqs '^Types: deb-src' /etc/apt/sources.list.d/; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
      >/etc/apt/sources.list.d/memsafe-deb-src.sources
    apt-get update -qq
  fi
  mapfile -t needs < <(sed -n 's/^needs *//p' "$root/tests/adoption/real_projects.txt" | tr ' ' '\n' | grep -v '^$')
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends dpkg-dev "${needs[@]}" >/dev/null
fi

if [[ -z $memsafe ]]; then
  group "memsafe: build and install the toolkit"
  cmake -S "$root" -B "$work/toolkit" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEMSAFE_BUILD_LIBRARIES=OFF >"$work/toolkit.log" 2>&1
  locked cmake --build "$work/toolkit" >>"$work/toolkit.log" 2>&1 || { cat "$work/toolkit.log"; exit 1; }
  cmake --install "$work/toolkit" --prefix "$work/prefix" >>"$work/toolkit.log" 2>&1
  memsafe="$work/prefix/bin/memsafe"
  endgroup
fi
"$memsafe" --version

# The CMake files a project owns, to show memsafe changed none of them.
cmake_files() {
  (cd "$1" && find . \( -path ./build -o -path ./sanitizers \) -prune -o \
    \( -name CMakeLists.txt -o -name '*.cmake' \) -type f -exec md5sum {} + | sort)
}

# The -D options of the asan configure preset's cache variables (the test switches memsafe
# init found and set), for the plain build to enable the same tests.
cat >"$work/switches.cmake" <<'CMAKE'
file(READ "${FILE}" text)
string(JSON count LENGTH "${text}" configurePresets)
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  string(JSON name GET "${text}" configurePresets ${i} name)
  if(name STREQUAL "asan")
    string(JSON type ERROR_VARIABLE none TYPE "${text}" configurePresets ${i} cacheVariables)
    if(type STREQUAL "OBJECT")
      string(JSON n LENGTH "${text}" configurePresets ${i} cacheVariables)
      if(n GREATER 0)
        math(EXPR n "${n} - 1")
        foreach(j RANGE ${n})
          string(JSON key MEMBER "${text}" configurePresets ${i} cacheVariables ${j})
          string(JSON value GET "${text}" configurePresets ${i} cacheVariables ${key})
          message("-D${key}=${value}")
        endforeach()
      endif()
    endif()
  endif()
endforeach()
CMAKE

# run_check <project-dir> <facts-dir> <label> <args...>: one memsafe check --memory-checks,
# its log, exit status, seconds, summary.json and findings.json kept as <label>.*.
run_check() {
  local dir="$1" facts="$2" label="$3" started status
  shift 3
  started=$SECONDS
  set +e
  (cd "$dir" && locked "$memsafe" check --memory-checks "$@" >"$facts/$label.log" 2>&1)
  status=$?
  set -e
  echo "$status" >"$facts/$label.status"
  echo "$((SECONDS - started))" >"$facts/$label.seconds"
  cp -- "$dir/build/memsafe-report/this-run/summary.json" "$facts/$label.summary.json" 2>/dev/null || true
  cp -- "$dir/build/memsafe-report/this-run/findings.json" "$facts/$label.findings.json" 2>/dev/null || true
  sed -n '/memory checks: summary/,/^OVERHEAD/p' "$facts/$label.log"
  echo "memsafe check ($label): exit $status in $((SECONDS - started))s"
}

# trim VAR...: strips the blanks around each variable's value.
trim() {
  local var value
  for var in "$@"; do
    value="${!var}"
    value="${value#"${value%%[![:space:]]*}"}"
    printf -v "$var" '%s' "${value%"${value##*[![:space:]]}"}"
  done
}

while IFS='|' read -r name package subdir shapes plant_file plant_regex check_args; do
  trim name package subdir shapes plant_file plant_regex check_args
  [[ -z $name || $name == \#* || $name == needs* ]] && continue
  [[ -z $only || $only == *",$name,"* ]] || continue
  extra=()
  [[ $check_args == - || -z $check_args ]] || read -r -a extra <<<"$check_args"
  facts="$work/facts/$name"
  mkdir -p "$facts"
  echo "$shapes" >"$facts/shapes.txt"
  group "$name ($package): sources, plain build and tests"
  rm -rf -- "${work:?}/sources/$name"
  mkdir -p "$work/sources/$name"
  if ! (cd "$work/sources/$name" && apt-get source -qq "$package" >"$facts/source.log" 2>&1); then
    cat "$facts/source.log"; echo "source" >"$facts/failed-step"; endgroup; continue
  fi
  top="$(find "$work/sources/$name" -mindepth 1 -maxdepth 1 -type d | head -n 1)"
  project="$top/$subdir"
  basename "$top" >"$facts/version.txt"
  before="$(cmake_files "$project")"
  (cd "$project" && "$memsafe" init >"$facts/init.log" 2>&1) || { cat "$facts/init.log"; echo "init" >"$facts/failed-step"; endgroup; continue; }
  mapfile -t switches < <(cmake -DFILE="$project/CMakePresets.json" -P "$work/switches.cmake" 2>&1)
  printf '%s\n' "${switches[@]}" >"$facts/switches.txt"
  started=$SECONDS
  if locked cmake -S "$project" -B "$project/build/plain" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DBUILD_TESTING=ON \
      "${switches[@]}" >"$facts/plain.log" 2>&1 && locked cmake --build "$project/build/plain" >>"$facts/plain.log" 2>&1; then
    echo "$((SECONDS - started))" >"$facts/plain-build.seconds"
    started=$SECONDS
    # As parallel as memsafe check runs them (--jobs N among its arguments, else 2).
    jobs=2
    if [[ " $check_args " =~ \ --jobs\ ([0-9]+)\  ]]; then jobs="${BASH_REMATCH[1]}"; fi
    (cd "$project" && locked ctest --test-dir build/plain -j"$jobs" --timeout 600 --output-junit "$facts/plain-junit.xml" \
      >>"$facts/plain.log" 2>&1) || true
    echo "$((SECONDS - started))" >"$facts/plain-test.seconds"
    tail -n 3 "$facts/plain.log"
  else
    tail -n 20 "$facts/plain.log"; echo "plain build" >"$facts/failed-step"
  fi
  endgroup

  group "$name: memsafe check --memory-checks, cold, warm and settled"
  run_check "$project" "$facts" cold "${extra[@]}"
  run_check "$project" "$facts" warm "${extra[@]}"
  # The cache leaves a test out only after kCleanRunsNeeded (2) clean runs in a row,
  # kCleanRunsNeededThread (3) under TSan (tools/memsafe/check/result_cache.h): a third
  # run, so the planted run meets every preset's cache ready to leave tests out.
  run_check "$project" "$facts" settled "${extra[@]}"
  if [[ $before == "$(cmake_files "$project")" ]]; then echo yes >"$facts/cmake-unchanged"; else echo no >"$facts/cmake-unchanged"; fi
  endgroup

  group "$name: a heap overflow planted in $plant_file, then the quick run"
  file="$project/$plant_file"
  # The first line that matches, or the first `{` after it (a brace on the next line).
  line="$(grep -nE -m1 -- "$plant_regex" "$file" 2>/dev/null | cut -d: -f1 || true)"
  [[ -z $line ]] || line="$(awk -v from="$line" 'NR >= from && /\{/ { print NR; exit }' "$file")"
  if [[ -z $line ]]; then
    echo "no line of $plant_file matches /$plant_regex/"; echo "plant" >"$facts/failed-step"; endgroup; continue
  fi
  # Declarations only, so C89 with -Wdeclaration-after-statement accepts it at the top of
  # the function; the size is read from a volatile, so no compiler sees the overflow.
  if [[ $plant_file == *.c ]]; then cast="(char*)"; else cast="static_cast<char*>"; fi
  planted="volatile unsigned long memsafe_planted_size = 8; char* memsafe_planted __attribute__((unused)) = ${cast}(__builtin_memset(__builtin_malloc(memsafe_planted_size), 0, memsafe_planted_size + 1));"
  cp -- "$file" "$facts/plant-original"
  sed -i "${line}a\\
$planted" "$file"
  echo "$plant_file:$((line + 1))" >"$facts/plant-where.txt"
  run_check "$project" "$facts" planted "${extra[@]}"
  cp -- "$facts/plant-original" "$file"
  endgroup
done <"$root/tests/adoption/real_projects.txt"

node "$root/tools/node/real-projects-table.mjs" "$work/facts" ${table:+--out "$table"}
