#!/usr/bin/env bash
# memsafe-run.sh: runs one test under the build's memory tool and judges it by the
# tool's report, not only by the exit status.
#
# CTest calls it for every test of a build configured with cmake/MemorySafety.cmake.
# It gives each test its own log file under --log-dir (sanitizer log_path, Valgrind
# XML), copies what the tool reported into the test output, and
#   - fails a normal test when the tool reported anything, even if the status was 0;
#   - passes a canary (--expect REGEX, repeatable) only when the tool reported a
#     finding that matches every REGEX;
#   - passes a suppressed canary (--expect-suppressed ENTRY) only when the run is
#     clean and the tool says that suppression entry matched;
#   - stops a test that outlives --timeout, saying so;
#   - fails a test whose program is not instrumented for the tools the test preset
#     expects (MEMSAFE_EXPECT): a build that lost its flags cannot pass.
# The runtime options (--env, one VARIABLE=value per line) reach every process the
# test starts. Only the first few errors of a noisy report are copied into the test
# output; the log file keeps all of them.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
USAGE: memsafe-run.sh --tool none|asan|tsan|ubsan|valgrind --log-dir DIR --timeout SECONDS
                      [--valgrind PATH --valgrind-args FILE [--valgrind-slow-args FILE]]
                      [--env FILE] [--name TEST]
                      [--expect REGEX]... [--expect-suppressed ENTRY] [--] COMMAND [ARG...]
EOF
  exit 2
}

tool="" log_dir="" timeout_s="" valgrind="" valgrind_args="" valgrind_slow_args="" name="" expect_supp="" env_file=""
expect=()
while (($#)); do
  case "$1" in
    --tool) tool="${2-}"; shift 2 || usage ;;
    --log-dir) log_dir="${2-}"; shift 2 || usage ;;
    --timeout) timeout_s="${2-}"; shift 2 || usage ;;
    --valgrind) valgrind="${2-}"; shift 2 || usage ;;
    --valgrind-args) valgrind_args="${2-}"; shift 2 || usage ;;
    --valgrind-slow-args) valgrind_slow_args="${2-}"; shift 2 || usage ;;
    --name) name="${2-}"; shift 2 || usage ;;
    --env) env_file="${2-}"; shift 2 || usage ;;
    --expect) expect+=("${2-}"); shift 2 || usage ;;
    --expect-suppressed) expect_supp="${2-}"; shift 2 || usage ;;
    --) shift; break ;;
    -*) echo "memsafe-run: unknown option '$1'" >&2; usage ;;
    *) break ;;
  esac
done
(($#)) || usage
[[ $tool =~ ^(none|asan|tsan|ubsan|valgrind)$ ]] || usage
[[ -n $log_dir && $timeout_s =~ ^[0-9]+$ ]] || usage
if [[ $tool == valgrind && ( -z $valgrind || ! -r $valgrind_args ) ]]; then
  echo "memsafe-run: --tool valgrind needs --valgrind and a readable --valgrind-args file" >&2
  exit 2
fi

# Test discovery (GoogleTest, doctest, Catch2) lists the cases: that is not a test run.
for arg in "$@"; do
  case "$arg" in
    --gtest_list_tests|--list-test-cases|--list-test-names-only|--list-tests) exec "$@" ;;
  esac
done

# A stable name per test: the given one, or the executable plus its --gtest_filter.
if [[ -z $name ]]; then
  name="$(basename -- "$1")"
  for arg in "$@"; do
    if [[ $arg == --gtest_filter=* ]]; then name+=".${arg#--gtest_filter=}"; fi
  done
fi
id="${name//[^A-Za-z0-9._-]/_}"
if ! mkdir -p -- "$log_dir" 2>/dev/null; then
  echo "memsafe-run: cannot create the log directory '$log_dir' (is its parent writable?)" >&2
  exit 2
fi
prefix="$log_dir/$id.$tool"
rm -f -- "$prefix".*
# A canary's findings are the point of the test: the marker tells the report tooling
# (memsafe report) to set them aside instead of listing them as bugs.
if ((${#expect[@]})) || [[ -n $expect_supp ]]; then
  printf '%s\n' "${expect[@]}" "$expect_supp" >"$prefix.expected"
fi

# Is the test's program built for the tools the preset expects? Programs compiled with
# memsafe_add_test check themselves in more depth; this covers every other ELF program
# (plain main() tests in C or C++, other frameworks). A script or an interpreter is not
# compiled code and is not judged here; the canaries prove the build's flags.
# The markers are what each compiler emits into every instrumented object.
# Whether the program a test runs (a path or a name on PATH) is an ELF executable.
is_elf() {
  local program
  program="$(command -v -- "$1" 2>/dev/null || true)"
  [[ -n $program && -f $program && -r $program ]] &&
    [[ "$(head -c 4 -- "$program" | od -An -c | tr -d ' ')" == '177ELF' ]]
}
check_instrumented() {
  local program wanted marker missing=()
  is_elf "$1" || return 0
  program="$(command -v -- "$1")"
  IFS=',' read -ra wanted <<<"${MEMSAFE_EXPECT-}"
  for marker in "${wanted[@]}"; do
    case "$marker" in
      address) grep -qaF __asan_version_mismatch_check -- "$program" || missing+=(address) ;;
      thread) grep -qaF __tsan_init -- "$program" || missing+=(thread) ;;
    esac
  done
  if ((${#missing[@]})); then
    echo "memsafe: NOT INSTRUMENTED: '$name' runs $program, which was not compiled with" \
      "-fsanitize=${missing[*]} although the test preset expects it (MEMSAFE_EXPECT=$MEMSAFE_EXPECT)." \
      "Did the build lose its flags?" >&2
    exit 1
  fi
}
check_instrumented "$1"

cmd=("$@")
case "$tool" in
  asan|tsan|ubsan)
    # The options list (also compiled into memsafe_add_test's binaries), then what the
    # caller's environment says, then the log file: a sanitizer takes the last value.
    if [[ -n $env_file ]]; then
      while IFS='=' read -r var value; do
        [[ $var =~ ^(ASAN|LSAN|UBSAN|TSAN)_OPTIONS$ ]] || continue
        if [[ -n $value && -n ${!var-} ]]; then value+=":${!var}"; elif [[ -z $value ]]; then value="${!var-}"; fi
        export "$var=$value"
      done <"$env_file"
    fi
    for var in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
      export "$var=${!var:+${!var}:}log_path=$prefix"
    done
    # Sanitizer runtimes of this era assume at most 28 bits of mmap randomness and
    # fail to map their shadow memory above that; run without ASLR instead.
    rnd_bits="$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)"
    if ((rnd_bits > 28)); then
      if command -v setarch >/dev/null; then
        cmd=(setarch "$(uname -m)" -R "${cmd[@]}")
      else
        echo "memsafe-run: vm.mmap_rnd_bits=$rnd_bits > 28 and setarch is missing:" \
          "run 'sudo sysctl vm.mmap_rnd_bits=28' or install util-linux" >&2
      fi
    fi
    ;;
  valgrind)
    # Valgrind would otherwise try to download debug info over the network.
    unset DEBUGINFOD_URLS
    mapfile -t vg_args < <(grep -v '^[[:space:]]*$' "$valgrind_args")
    # The thorough run (check.sh --slow: CI, nightly) adds the valgrind-slow options.
    if [[ ${MEMSAFE_SLOW:-0} == 1 && -n $valgrind_slow_args ]]; then
      mapfile -t -O "${#vg_args[@]}" vg_args < <(grep -v '^[[:space:]]*$' "$valgrind_slow_args")
    fi
    # A test whose program is a script or an interpreter (a Python driver that runs the
    # project's programs) runs without Valgrind, and says so. Under Valgrind the
    # interpreter would be checked instead of the project's code (it loses track at the
    # first exec); following every child instead was measured on jsoncpp's Python-driven
    # tests: 8 minutes instead of 4 seconds, and only the interpreter's own leaks found.
    # The sanitizer presets check the processes such a test starts.
    if is_elf "$1"; then
      cmd=("$valgrind" "${vg_args[@]}" --xml=yes "--xml-file=$prefix.%p.xml" "${cmd[@]}")
    else
      echo "memsafe: NOT UNDER VALGRIND: '$name' runs $1, a script or interpreter, not a compiled" \
        "program; it runs natively (the sanitizer presets check what it starts)" >&2
      # For memsafe check, which lists such tests under the preset's results.
      printf '%s\n' "$1" >"$prefix.native"
    fi
    ;;
esac

# stderr is kept too: some runtimes (GCC's UBSan) ignore log_path and report there.
# stdout is kept to tell a skipped GoogleTest case (below). --verbose: timeout says when
# it stopped the test, so a test's own exit 124 or a SIGKILL is not taken for a timeout.
if ! : 2>/dev/null >"$prefix.stdout"; then
  echo "memsafe-run: cannot write the test's logs in '$log_dir' (is it writable?)" >&2
  exit 2
fi
set +e
timeout --verbose --kill-after=15 "$timeout_s" "${cmd[@]}" >"$prefix.stdout" 2>"$prefix.stderr"
status=$?
set -e
# Whether a test was skipped is the launcher's word alone (the marker below): the test's
# output can neither fake the marker nor, with GoogleTest's "[  SKIPPED ]", make CTest
# (whose SKIP_REGULAR_EXPRESSION from gtest_discover_tests cannot be removed, only added
# to) call a test skipped that a tool reported a finding in.
unskip='s/memsafe: SKIPPED:/memsafe: (test output) SKIPPED:/g; s/\[  SKIPPED \]/[  Skipped ]/g'
sed "$unskip" -- "$prefix.stdout"
sed "$unskip" -- "$prefix.stderr" >&2
timed_out=0
if grep -q '^timeout: sending signal' -- "$prefix.stderr"; then timed_out=1; fi
# Every case it ran skipped itself (GTEST_SKIP): none passed.
skipped_only=0
if grep -q '^\[  SKIPPED \] ' -- "$prefix.stdout" && ! grep -q '^\[       OK \] ' -- "$prefix.stdout"; then
  skipped_only=1
fi
rm -f -- "$prefix.stdout"

shopt -s nullglob
logs=()
for log in "$prefix".*; do
  [[ $log == "$prefix.stderr" || $log == "$prefix.expected" || $log == "$prefix.stdout" ||
     $log == "$prefix.native" ]] || logs+=("$log")
done
# One pattern for a report line: a sanitizer's headline (it names the kind of bug),
# UBSan's one-line report, or a summary line (it names the place).
headline_re='(ERROR|WARNING): [A-Za-z]+Sanitizer.*|[^ ]*: runtime error: .*|^SUMMARY: [A-Za-z]+Sanitizer.*'
# Not a finding: ASan's note that an allocation failed and returned null, which
# allocator_may_return_null=1 (sanitizers/options.txt) asks for so that out-of-memory
# paths are testable. memsafe report agrees (tests/harness/classifier_agreement_test.sh).
benign_re='WARNING: AddressSanitizer failed to allocate'
# The report lines of a file, benign notes left out.
report_lines() { grep -Eo -- "$headline_re" "$1" | grep -Ev -- "$benign_re"; }
has_report() { report_lines "$1" >/dev/null; }
found=()
summaries=()
add_headlines() {
  local line
  while IFS= read -r line; do summaries+=("$line"); done < <(
    report_lines "$1" |
      sed -E 's/ on address 0x[0-9a-f]+.*//; s/ \(pid=[0-9]+\)//' | awk '!seen[$0]++')
}
for log in "${logs[@]}"; do
  if [[ $log == *.xml ]]; then
    if grep -q '<error>' "$log"; then
      found+=("$log")
      while IFS= read -r kind; do summaries+=("Valgrind: $kind"); done \
        < <(sed -n 's:.*<kind>\(.*\)</kind>.*:\1:p' "$log" | sort -u)
    fi
  elif has_report "$log"; then
    found+=("$log")
    add_headlines "$log"
  fi
done

# A report on stderr is kept beside the log files, for the report tooling; clean
# stderr is not a log.
if has_report "$prefix.stderr"; then
  found+=("$prefix.stderr")
  add_headlines "$prefix.stderr"
else
  rm -f -- "$prefix.stderr"
fi

# Show what the tool said: the log files are for tools, the test output for people.
# At most this many errors of one log reach the test output; the log keeps them all.
max_shown=5
show_valgrind() {
  awk -v max="$max_shown" -v file="$1" '
    function unescape(s) {
      gsub(/&lt;/, "<", s); gsub(/&gt;/, ">", s); gsub(/&quot;/, "\"", s)
      gsub(/&apos;/, "\047", s); gsub(/&amp;/, "\\&", s); return s
    }
    function inner(s) { sub(/^[^>]*>/, "", s); sub(/<\/[^>]*>.*$/, "", s); return unescape(s) }
    /<error>/ {
      errors++
      in_err = errors <= max
      if (in_err) print "== Valgrind error =="
      next
    }
    /<\/error>/ { in_err = 0; next }
    !in_err { next }
    /<suppression>/ { in_supp = 1 } /<\/suppression>/ { in_supp = 0; next }
    in_supp { next }
    /<kind>/ { print "kind: " inner($0) }
    /<what>|<text>/ { print inner($0) }
    /<auxwhat>/ { print "  " inner($0) }
    /<frame>/ { fn = ""; file = ""; line = ""; obj = "" }
    /<fn>/ { fn = inner($0) } /<file>/ { file = inner($0) } /<line>/ { line = inner($0) }
    /<obj>/ { obj = inner($0) }
    /<\/frame>/ {
      where = file != "" ? file ":" line : obj
      printf "    at %s (%s)\n", (fn != "" ? fn : "???"), where
    }
    END {
      if (errors > max) printf "... and %d more Valgrind errors: see %s\n", errors - max, file
    }
  ' "$1"
}
# A sanitizer log: its reports up to the max_shown-th, then a count of the rest.
show_sanitizer() {
  awk -v max="$max_shown" -v file="$1" '
    /^(==[0-9]+==)?(ERROR|WARNING): [A-Za-z]+Sanitizer|: runtime error: / { reports++ }
    reports <= max && shown < 40 * max { print; shown++; next }
    { hidden++ }
    END {
      if (hidden) printf "... %d more lines (%d reports in all): see %s\n", hidden, reports, file
    }
  ' "$1"
}
for log in "${logs[@]}"; do
  echo "---- memsafe: $log" >&2
  if [[ $log == *.xml ]]; then show_valgrind "$log" >&2; else show_sanitizer "$log" >&2; fi
done

if ((timed_out)); then
  echo "memsafe: TIMEOUT: '$name' was stopped after ${timeout_s}s (hung or too slow for $tool)" >&2
  exit 1
fi

if ((${#expect[@]})); then
  missed=()
  for pattern in "${expect[@]}"; do
    if ! ((${#found[@]})) || ! grep -Eqh -- "$pattern" "${found[@]}"; then missed+=("/$pattern/"); fi
  done
  if ((${#missed[@]} == 0)); then
    echo "memsafe: canary caught: $tool reported every expected finding in '$name'" >&2
    exit 0
  fi
  echo "memsafe: CANARY NOT CAUGHT: '$name' ran under $tool (exit status $status) without" \
    "a report matching ${missed[*]}. The tool is not active or the optimizer removed the bug." >&2
  exit 1
fi

if ((${#found[@]})); then
  echo "memsafe: FAILED: $tool reported a finding in '$name' (exit status $status):" >&2
  for s in "${summaries[@]:0:max_shown}"; do echo "memsafe:   $s" >&2; done
  if ((${#summaries[@]} > max_shown)); then
    echo "memsafe:   ... and $((${#summaries[@]} - max_shown)) more" >&2
  fi
  echo "memsafe: full report: ${found[*]}" >&2
  exit 1
fi

# A GoogleTest case that skipped itself (GTEST_SKIP) and left no finding: say so in the
# one line CTest's SKIP_REGULAR_EXPRESSION of memsafe_add_test matches. GoogleTest's own
# "[  SKIPPED ]" is not that regular expression, because CTest applies it before the exit
# status: a finding after GTEST_SKIP() (a leak reported at exit) would pass as skipped.
if ((status == 0 && skipped_only)) && [[ -z $expect_supp ]]; then
  # The trailing "[  SKIPPED ]" lets the skip pattern of the project's own
  # gtest_discover_tests match too: only here, where no tool reported anything.
  echo "memsafe: SKIPPED: '$name' skipped itself and no tool reported anything [  SKIPPED ]" >&2
  exit 0
fi

if [[ -n $expect_supp ]]; then
  if ((${#logs[@]})) && grep -qF -- "$expect_supp" "${logs[@]}"; then
    echo "memsafe: suppressed canary passed: the entry '$expect_supp' matched" >&2
    exit 0
  fi
  echo "memsafe: SUPPRESSION NOT USED: '$name' ran clean, but $tool does not list the" \
    "entry '$expect_supp' as matched: is the suppression file wired?" >&2
  exit 1
fi
exit "$status"
