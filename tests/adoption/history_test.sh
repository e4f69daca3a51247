#!/usr/bin/env bash
# The memory history of an adopted project, as its nightly would keep it: a git
# repository of a small C library adopted with `memsafe init`, five commits (clean; an
# unrelated change; a leak introduced in a library function; an unrelated change; the
# leak fixed), and at each `memsafe check --memory-checks --preset asan` then
# `memsafe history record`:
#   - `history diff` exits 1 at the third commit naming the leak as new, 0 at the fourth
#     naming it known since the third, and reports it fixed at the fifth;
#   - `memsafe bisect --good <first> --bad <fourth>` names the third commit and leaves
#     the branch, HEAD and the tracked files as they were;
#   - the dashboard, loaded in headless Chromium, shows one open finding in the third and
#     fourth runs and none in the others, with no console message.
# Exit 1 when an expectation failed, 2 on bad usage.
set -euo pipefail

usage() { echo "USAGE: history_test.sh <memsafe> <work-dir>" >&2; exit 2; }
(($# == 2)) || usage
memsafe="$1" work="$2"
[[ -x $memsafe ]] || usage
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/harness/expect.sh
source "$here/../harness/expect.sh"
# shellcheck source=tests/harness/browser.sh
source "$here/../harness/browser.sh"
chromium="$(command -v chromium || true)"
[[ -n $chromium ]] || { echo "history test: no chromium (tools/install-deps.sh installs it)" >&2; exit 1; }

rm -rf -- "$work"
mkdir -p -- "$work/greeting/src" "$work/greeting/tests"
work="$(cd "$work" && pwd)"
project="$work/greeting" db="$work/history.db"
git_in() { git -C "$project" -c user.name="Memsafe Test" -c user.email=test@memsafe.invalid "$@"; }
# memsafe in the project's directory, as its user runs it.
memsafe_in() { (cd "$project" && "$memsafe" "$@"); }

cat >"$project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(greeting C)
enable_testing()
add_library(greeting src/greeting.c)
target_include_directories(greeting PUBLIC src)
add_executable(greeting_test tests/greeting_test.c)
target_link_libraries(greeting_test PRIVATE greeting)
add_test(NAME greeting_test COMMAND greeting_test)
CMAKE
printf 'char* make_greeting(const char* name);\nint greeting_length(const char* name);\n' >"$project/src/greeting.h"
cat >"$project/tests/greeting_test.c" <<'C'
#include <stdio.h>
#include "greeting.h"
int main(void) {
  if (greeting_length("memsafe") != 14) {
    puts("wrong length");
    return 1;
  }
  return 0;
}
C
# write_library <free-or-not>: greeting_length frees the greeting, or leaks it.
write_library() {
  cat >"$project/src/greeting.c" <<C
#include "greeting.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
char* make_greeting(const char* name) {
  size_t size = strlen(name) + 8;
  char* text = malloc(size);
  if (text != NULL) snprintf(text, size, "Hello, %s", name);
  return text;
}
int greeting_length(const char* name) {
  char* text = make_greeting(name);
  int length = text != NULL ? (int)strlen(text) : -1;
  $1
  return length;
}
C
}
write_library "free(text);"
printf 'build/\n' >"$project/.gitignore"
printf '# greeting\n' >"$project/README.md"
git_in init -q -b main
memsafe_in init >"$work/init.log"
git_in add -A
git_in commit -q -m "greeting: a library and its test"

# The four later commits: what each changes.
change() {
  case $1 in
    2) printf 'Says hello.\n' >>"$project/README.md" ;;
    3) write_library "/* the greeting is kept */" ;;
    4) printf 'Says hello, and measures it.\n' >>"$project/README.md" ;;
    5) write_library "free(text);" ;;
  esac
  git_in commit -q -am "$2"
}

check_status=(0 0 1 1 0)
diff_status=(0 0 1 0 0)
subjects=("" "" "README: what it does" "greeting_length keeps its greeting" "README: more" "greeting_length frees its greeting again")
commits=()
for i in 1 2 3 4 5; do
  ((i == 1)) || change "$i" "${subjects[i]}"
  commits+=("$(git_in rev-parse HEAD)")
  expect "${check_status[i - 1]}" "" "commit $i: memsafe check --memory-checks --preset asan exits ${check_status[i - 1]}" -- \
    memsafe_in check --memory-checks --preset asan
  expect 0 "recorded run $i" "commit $i: memsafe history record" -- \
    memsafe_in history record --db "$db"
  case $i in
    3) says="NEW[^,]*: 1" ;;
    4) says="first seen in ${commits[2]:0:12}" ;;
    5) says="FIXED .*: 1" ;;
    *) says="NEW.*: 0" ;;
  esac
  expect "${diff_status[i - 1]}" "$says" "commit $i: memsafe history diff exits ${diff_status[i - 1]} and says /$says/" -- \
    "$memsafe" history diff --db "$db"
  if ((i == 3)); then
    expect 1 "memory-leak at src/greeting.c:7" "commit 3: the new finding is the leak at its line" -- \
      "$memsafe" history diff --db "$db"
    "$memsafe" history diff --db "$db" --json >"$work/diff3.json" || true
  fi
  if ((i >= 4)); then
    expect 0 "" "commit $i: memsafe history html" -- \
      "$memsafe" history html --db "$db" --out "$work/page$i" --source-url "https://example.org/greeting/blob/main/"
  fi
done

signature="$(grep -o '"signature": *"[0-9a-f]\{16\}"' "$work/diff3.json" | head -n 1 | grep -o '[0-9a-f]\{16\}' || true)"
expect 0 "^[0-9a-f]{16}$" "the leak's signature from history diff --json at the third commit" -- echo "$signature"

before="$(git_in symbolic-ref --short HEAD) $(git_in rev-parse HEAD) [$(git_in status --porcelain --untracked-files=no)]"
expect 0 "first bad commit: ${commits[2]} ${subjects[3]}" "memsafe bisect --good <first> --bad <fourth> names the third commit" -- \
  memsafe_in bisect --good "${commits[0]}" --bad "${commits[3]}" --signature "$signature" --db "$db"
after="$(git_in symbolic-ref --short HEAD) $(git_in rev-parse HEAD) [$(git_in status --porcelain --untracked-files=no)]"
expect 0 "^main ${commits[4]} \[\]$" "after the bisect: main at the fifth commit, no tracked file changed" -- echo "$after"
expect 0 "" "after the bisect: exactly as before it ($before)" -- test "$after" = "$before"
expect 2 "wrong way round" "memsafe bisect with --good and --bad swapped is refused" -- \
  memsafe_in bisect --good "${commits[3]}" --bad "${commits[0]}" --signature "$signature" --db "$db"

for page in page4 page5; do
  load_page "$chromium" "$work/$page/index.html" "$work/$page"
  console_is_quiet "$work/$page" "$page"
done
expect 0 "^0\.0 0\.0 1\.0 1\.0$" "dashboard after four runs: an open finding in the third and fourth" -- \
  plot_values "$work/page4.dom" open-findings
expect 0 "^0\.0 0\.0 1\.0 1\.0 0\.0$" "dashboard after five runs: none open after the fix" -- \
  plot_values "$work/page5.dom" open-findings
expect 0 'href="https://example.org/greeting/blob/main/src/greeting.c#L7"' \
  "the open leak links to its file:line" -- cat "$work/page4.dom"
expect 0 'id="open-none"' "after the fifth run nothing is open" -- cat "$work/page5.dom"

expect_summary "history test"
