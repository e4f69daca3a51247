#!/usr/bin/env bash
# memsafe-run.sh: runs one test under the build's memory tool; the memsafe tool
# (--memsafe: `memsafe test-verdict`) then judges it by the tool's report, not only by
# the exit status.
#
# CTest calls it for every test of a build configured with cmake/MemorySafety.cmake.
# It gives each test its own log file under --log-dir (sanitizer log_path, Valgrind
# XML); the verdict copies what the tool reported into the test output, and
#   - fails a normal test when the tool reported anything, even if the status was 0;
#   - passes a canary (--expect REGEX, repeatable) only when the tool reported a
#     finding that matches every REGEX;
#   - passes a suppressed canary (--expect-suppressed ENTRY) only when the run is
#     clean and the tool says that suppression entry matched;
#   - with --quick-unsymbolized (a canary whose patterns match text the tool prints
#     without symbols), leaves the sanitizer's stacks unsymbolized outside the thorough
#     run (MEMSAFE_SLOW=1): starting llvm-symbolizer is most of such a canary's time;
#   - stops a test that outlives --timeout, saying so;
#   - fails a test whose program is not instrumented for the tools the test preset
#     expects (MEMSAFE_EXPECT, `memsafe instrumented`): a build that lost its flags
#     cannot pass; nor can a test that starts such a program of --build-dir;
#   - runs a Python interpreter (a ctypes or extension-module test) with the preset's
#     shared sanitizer runtime preloaded (--preload-runtime), so that it can load the
#     project's instrumented libraries and their bugs are reported; the processes it
#     starts do not inherit the preload (tools/memsafe/preload_scope.c);
#   - records what every process of the test ran and mapped (<prefix>.loaded, from the
#     loader's audit module; Valgrind's own log under the valgrind preset), which the
#     result cache keys the test on.
# The runtime options (--env, one VARIABLE=value per line) reach every process the
# test starts. Only the first few errors of a noisy report are copied into the test
# output; the log file keeps all of them.
set -euo pipefail
SECONDS=0  # the timeout's clock; bash would otherwise start it from the environment's value

usage() {
  cat >&2 <<'EOF'
USAGE: memsafe-run.sh --memsafe PATH --tool none|asan|tsan|ubsan|valgrind --log-dir DIR --timeout SECONDS
                      [--valgrind PATH --valgrind-args FILE [--valgrind-slow-args FILE]]
                      [--env FILE] [--name TEST] [--root DIR] [--build-dir DIR] [--preload-runtime PATH]
                      [--expect REGEX]... [--expect-suppressed ENTRY] [--quick-unsymbolized]
                      [--] COMMAND [ARG...]
EOF
  exit 2
}

# As CTest gave them: memsafe check tells this test's files from the others' by them.
given_args=("$@")
# The tools' options this test was given from outside options.txt (a test preset, the
# test's ENVIRONMENT, the caller): the verdict lints them as options.txt is linted, so
# one that weakens a tool (detect_leaks=0, suppressions=/elsewhere) fails the test
# however it was set.
given_options=()
for var in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
  if [[ -n ${!var-} ]]; then given_options+=(--given-option "$var=${!var}"); fi
done
memsafe="" root="" build_dir="" preload_runtime="" tool="" log_dir="" timeout_s="" valgrind="" valgrind_args="" valgrind_slow_args="" name="" expect_supp="" env_file=""
quick_unsymbolized=0
expect=()
while (($#)); do
  case "$1" in
    --memsafe) memsafe="${2-}"; shift 2 || usage ;;
    --root) root="${2-}"; shift 2 || usage ;;
    --build-dir) build_dir="${2-}"; shift 2 || usage ;;
    --preload-runtime) preload_runtime="${2-}"; shift 2 || usage ;;
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
    --quick-unsymbolized) quick_unsymbolized=1; shift ;;
    --) shift; break ;;
    -*) echo "memsafe-run: unknown option '$1'" >&2; usage ;;
    *) break ;;
  esac
done
(($#)) || usage
[[ $tool =~ ^(none|asan|tsan|ubsan|valgrind)$ ]] || usage
[[ -n $log_dir && $timeout_s =~ ^[0-9]+$ ]] || usage
if [[ ! -x $memsafe ]]; then
  echo "memsafe-run: --memsafe must name the memsafe tool, which judges each run (got '$memsafe'):" \
    "build or install memsafe, or set MEMSAFE_TOOL" >&2
  exit 2
fi
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
# Sanitizer runtimes of this era assume at most 28 bits of mmap randomness and fail to
# map their shadow memory above that: sanitized programs (the test's; the memsafe tool
# itself when a sanitizer build of memsafe judges its own tests) run without ASLR then.
no_aslr=()
rnd_bits=0
read -r rnd_bits 2>/dev/null </proc/sys/vm/mmap_rnd_bits || true
if ((rnd_bits > 28)); then
  if command -v setarch >/dev/null; then
    no_aslr=(setarch "$(uname -m)" -R)
  else
    echo "memsafe-run: vm.mmap_rnd_bits=$rnd_bits > 28 and setarch is missing:" \
      "run 'sudo sysctl vm.mmap_rnd_bits=28' or install util-linux" >&2
  fi
fi

id="${name//[^A-Za-z0-9._-]/_}"
# Two names that differ only where characters were replaced ("c a", "c_a") must not
# share log files: the tool gives such a name its id (a hash suffix, `memsafe log-id`).
if [[ $id != "$name" ]]; then id="$("${no_aslr[@]}" "$memsafe" log-id "$name")"; fi
# Builtins where they can: process starts are much of a short test's time.
if [[ ! -d $log_dir ]] && ! mkdir -p -- "$log_dir" 2>/dev/null; then
  echo "memsafe-run: cannot create the log directory '$log_dir' (is its parent writable?)" >&2
  exit 2
fi
prefix="$log_dir/$id.$tool"
old_logs=("$prefix".*)
if [[ -e ${old_logs[0]} ]]; then rm -f -- "${old_logs[@]}"; fi
# The launcher's own arguments, NUL-separated: memsafe check pairs them with CTest's
# listing to find each test's verdict (<prefix>.verdict, written by test-verdict).
printf '%s\0' "$0" "${given_args[@]}" >"$prefix.argv"
# A canary's findings are the point of the test: the marker tells the report tooling
# (memsafe report) to set them aside instead of listing them as bugs.
if ((${#expect[@]})) || [[ -n $expect_supp ]]; then
  printf '%s\n' "${expect[@]}" "$expect_supp" >"$prefix.expected"
fi

# Whether the program a test runs (a path or a name on PATH) is an ELF executable.
is_elf() {
  local program magic=""
  program="$(command -v -- "$1" 2>/dev/null || true)"
  [[ -n $program && -f $program && -r $program ]] || return 1
  LC_ALL=C read -r -d '' -n 4 magic <"$program" || true
  [[ $magic == $'\x7fELF' ]]
}
# Whether the test's program is a Python interpreter, past env and cmake -E env
# (memsafe runs-python decides: python_program.h): exit 0 yes, 1 no, anything else an
# error. The tool runs with its own defaults, not the test's sanitizer options.
runs_python() {
  env -u ASAN_OPTIONS -u LSAN_OPTIONS -u UBSAN_OPTIONS -u TSAN_OPTIONS "${no_aslr[@]}" "$memsafe" runs-python \
    ${build_dir:+--build-dir "$build_dir"} -- "$@"
}
# Is the test's program built for the tools the preset expects? Programs compiled with
# memsafe_add_test check themselves in more depth; this covers every other program
# (plain main() tests in C or C++, other frameworks). A script is not compiled code and
# is not judged; the canaries prove the build's flags.
# Only a program of the build tree is the project's: a system interpreter or tool a test
# runs (sh, cmake -P, python3) is not, and what it starts is judged from the loader's
# record (NOT INSTRUMENTED for an uninstrumented program of the build tree).
if [[ -n ${MEMSAFE_EXPECT-} ]]; then
  program="$(command -v -- "$1" 2>/dev/null || true)"
  if [[ -z $build_dir || -z $program || $(realpath -m -- "$program") == "$(realpath -m -- "$build_dir")"/* ]]; then
    "${no_aslr[@]}" "$memsafe" instrumented --expect "$MEMSAFE_EXPECT" --name "$name" -- "$1"
  fi
fi

cmd=("$@")
# A test script that runs `valgrind prog` itself meets memsafe's stand-in first on PATH
# (memsafe-shims/valgrind says why): the program runs natively under a sanitizer preset,
# under memsafe's own Valgrind run under the valgrind preset.
shims="${BASH_SOURCE[0]%/*}/memsafe-shims"
if [[ -x $shims/valgrind ]]; then
  export PATH="$shims${PATH:+:$PATH}" MEMSAFE_VALGRIND_STAND_IN="$prefix.valgrind-stand-in"
  if [[ -n $valgrind ]]; then export MEMSAFE_REAL_VALGRIND="$valgrind"; fi
fi
# The loader audit module (what each process runs and maps): beside memsafe, or in libexec.
audit=""
for candidate in "${memsafe%/*}/memsafe-audit.so" "${memsafe%/*}/../libexec/memsafe/memsafe-audit.so"; do
  if [[ -r $candidate ]]; then audit="$candidate"; break; fi
done
case "$tool" in
  asan|tsan|ubsan)
    # The options list (also compiled into memsafe_add_test's binaries), then what the
    # caller's environment says, then the log file: a sanitizer takes the last value.
    if [[ -n $env_file ]]; then
      while IFS='=' read -r var value; do
        [[ $var =~ ^((ASAN|LSAN|UBSAN|TSAN)_OPTIONS|GLIBC_TUNABLES)$ ]] || continue
        if [[ -n $value && -n ${!var-} ]]; then value+=":${!var}"; elif [[ -z $value ]]; then value="${!var-}"; fi
        export "$var=$value"
      done <"$env_file"
    fi
    last="log_path=$prefix"
    # Reason: the canary's patterns need no function names, and symbolizing was 1.2 s of
    # the 1.8 s eight asan canaries took (ctest -j2); the thorough run symbolizes them.
    if ((quick_unsymbolized)) && [[ ${MEMSAFE_SLOW:-0} != 1 ]]; then last+=":symbolize=0"; fi
    for var in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
      export "$var=${!var:+${!var}:}$last"
    done
    cmd=("${no_aslr[@]}" "${cmd[@]}")
    # What each process of the test runs and maps, for the result cache and the child
    # instrumentation check.
    if [[ -n $audit ]]; then
      cmd=(env "LD_AUDIT=$audit${LD_AUDIT:+:$LD_AUDIT}" "MEMSAFE_LOADED_OBJECTS=$prefix.loaded" "${cmd[@]}")
      # Reason: beside an audit module, TSan's __tls_get_addr hook takes a library's
      # dynamic TLS block for glibc's old layout and maps a 246 TiB range (json-c's
      # test_float: "failed to allocate 0xf60ffffff000 bytes", errno 12).
      [[ $tool != tsan ]] || TSAN_OPTIONS+=":intercept_tls_get_addr=0"
    fi
    scope=""
    for candidate in "${memsafe%/*}/memsafe-preload-scope.so" "${memsafe%/*}/../libexec/memsafe/memsafe-preload-scope.so"; do
      if [[ -r $candidate ]]; then scope="$candidate"; break; fi
    done
    python_answer=1
    if [[ -n $preload_runtime ]]; then
      python_answer=0
      runs_python "$@" || python_answer=$?
    fi
    if ((python_answer > 1)); then
      # Not a "no": a memsafe older than this launcher, or one that crashed, would leave a
      # Python test without the runtime it needs, unexplained.
      echo "memsafe-run: '$memsafe runs-python' failed (exit $python_answer), so whether '$name' runs" \
        "Python is unknown; is that memsafe older than this launcher ($0)?" >&2
      exit 2
    elif ((python_answer == 1)); then
      : # no interpreter to preload into
    elif [[ -z $scope ]]; then
      echo "memsafe-run: no memsafe-preload-scope.so beside $memsafe or in its libexec/memsafe:" \
        "'$name' runs Python without the sanitizer runtime, and a library of the build tree will not load" >&2
    else
      # The interpreter gets the runtime; what it starts gets the environment as it is
      # now (MEMSAFE_CHILD_*: "=value", or empty for unset), which preload_scope.c puts
      # back inside the interpreter. Reason for detect_leaks=0 there: the interpreter's
      # own blocks at exit are not the project's (the project's programs it starts keep
      # leak detection).
      preload=(env MEMSAFE_PRELOAD_INTO='python*' "MEMSAFE_PRELOAD_SCOPED=$prefix.preload-scoped")
      preload_applied=1
      for var in LD_PRELOAD ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS; do
        if [[ -v $var ]]; then preload+=("MEMSAFE_CHILD_$var==${!var}"); else preload+=("MEMSAFE_CHILD_$var="); fi
      done
      [[ $tool != asan ]] || preload+=("ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0")
      preload+=("LD_PRELOAD=$preload_runtime:$scope${LD_PRELOAD:+:$LD_PRELOAD}")
      # Last before the program: the wrappers in front (env, setarch) are not its target.
      cmd=("${cmd[@]:0:${#cmd[@]}-$#}" "${preload[@]}" "$@")
    fi
    ;;
  valgrind)
    # Valgrind would otherwise try to download debug info over the network.
    unset DEBUGINFOD_URLS
    # One argument per line (MemorySafety.cmake writes no empty line).
    mapfile -t vg_args <"$valgrind_args"
    # The thorough run (check.sh --slow: CI, nightly) adds the valgrind-slow options.
    if [[ ${MEMSAFE_SLOW:-0} == 1 && -n $valgrind_slow_args ]]; then
      mapfile -t -O "${#vg_args[@]}" vg_args <"$valgrind_slow_args"
    fi
    # --command-line-only: VALGRIND_OPTS and .valgrindrc files are not read, so the
    # options are exactly options.txt's (linted).
    # -v with --log-file: Valgrind's own log (its reports go to the XML) names every
    # object each process reads, for the result cache; --vgdb=no keeps gdbserver's
    # instructions out of it.
    # Valgrind does not follow into memsafe's valgrind stand-in (a script under Valgrind
    # starting Valgrind cuts the first one's log short): the stand-in starts its own run.
    if [[ -x $shims/valgrind ]]; then
      skip_set=0
      for i in "${!vg_args[@]}"; do
        if [[ ${vg_args[$i]} == --trace-children-skip=* ]]; then vg_args[i]+=",$shims/*"; skip_set=1; fi
      done
      ((skip_set)) || vg_args+=("--trace-children-skip=$shims/*")
    fi
    valgrind_cmd=("$valgrind" --command-line-only=yes "${vg_args[@]}" --xml=yes "--xml-file=$prefix.%p.xml" -v --vgdb=no
      "--log-file=$prefix.%p.vglog")
    printf '%s\n' "${valgrind_cmd[@]}" >"$prefix.valgrind-cmd"
    export MEMSAFE_VALGRIND_REEXEC="$prefix.valgrind-cmd"
    if is_elf "$1"; then
      cmd=("${valgrind_cmd[@]}" "${cmd[@]}")
    elif [[ -n $audit && -n $build_dir ]]; then
      # A script or an interpreter (a shell, Python or cmake -P driver that runs the
      # project's programs) runs natively: under Valgrind the interpreter would be checked
      # instead of the project's code (following every child was measured on jsoncpp's
      # Python-driven tests: 8 minutes instead of 4 seconds, only the interpreter's own
      # leaks found). The loader audit module starts each program of the build tree it
      # runs again under memsafe's Valgrind command (loaded_objects_audit.c).
      cmd=(env "LD_AUDIT=$audit${LD_AUDIT:+:$LD_AUDIT}" "MEMSAFE_LOADED_OBJECTS=$prefix.loaded"
        "MEMSAFE_BUILD_DIR=$(cd -P -- "$build_dir" && pwd -P)" "${cmd[@]}")
      script_under_audit=1
    else
      echo "memsafe: NOT UNDER VALGRIND: '$name' runs $1, a script or interpreter, not a compiled" \
        "program; it runs natively (the sanitizer presets check what it starts)" >&2
      # For memsafe check, which lists such tests under the preset's results.
      printf '%s\n' "$1" >"$prefix.native"
    fi
    ;;
esac

# stdout and stderr go to files the verdict reads (some runtimes, GCC's UBSan, report on
# stderr whatever log_path says). --verbose: timeout says when it stopped the test, so
# a test's own exit 124 or a SIGKILL is not taken for a timeout.
if ! : 2>/dev/null >"$prefix.stdout"; then
  echo "memsafe-run: cannot write the test's logs in '$log_dir' (is it writable?)" >&2
  exit 2
fi
set +e
timeout --verbose --kill-after=15 "$timeout_s" "${cmd[@]}" >"$prefix.stdout" 2>"$prefix.stderr"
status=$?
set -e
# A finding that stopped a GoogleTest, Catch2 or doctest program inside a case hides
# what the cases after it would find: memsafe next-cases says which have not run, and
# they run too (at most 20 more runs, within the timeout), their reports into the test's
# logs. Their output goes to files of its own, which CTest never sees (a rerun's
# "[  PASSED  ]" must not meet a PASS_REGULAR_EXPRESSION), and the test keeps the first
# run's status: a clean rerun never passes it.
if ((status != 0)) && is_elf "$1"; then
  wrappers=$((${#cmd[@]} - $#))
  for ((rerun = 1; rerun <= 20; rerun++)); do
    env -u ASAN_OPTIONS -u LSAN_OPTIONS -u UBSAN_OPTIONS -u TSAN_OPTIONS "${no_aslr[@]}" "$memsafe" next-cases \
      --prefix "$prefix" --name "$name" -- "$@" >"$prefix.next" || break
    left=$((timeout_s - SECONDS))
    ((left > 0)) || break # timeout 0 would mean no limit
    mapfile -d '' -t args <"$prefix.next"
    timeout --verbose --kill-after=15 "$left" "${cmd[@]:0:wrappers}" "${args[@]}" \
      >>"$prefix.rerun-out" 2>>"$prefix.rerun-stderr" || true
  done
  rm -f -- "$prefix.next" "$prefix.cases.xml" "$prefix.cases-ran" "$prefix.cases-from"
fi
# The preload must have stopped at a Python interpreter (preload_scope.c): otherwise
# every process of the test ran with the interpreter's settings, leak detection off.
if ((${preload_applied:-0})) && [[ ! -e $prefix.preload-scoped ]] && ((status != 124)); then
  echo "memsafe: FAILED: '$name' ran $1 with the sanitizer runtime preloaded for Python, but no process of it" \
    "was a Python interpreter (named python*): its processes ran with leak detection off" >>"$prefix.stderr"
  status=125
fi
# A script under the valgrind preset whose own processes (an interpreter: Python's ctypes,
# an extension module) loaded a library of the build tree or the source tree, or one
# the record could not name, ran the project's code where Valgrind did not see it: the test runs again with every process under Valgrind but
# memsafe's stand-ins, and reports from the interpreter's own code are set apart
# (test-verdict --interpreter-run).
interpreter_run=0
if ((${script_under_audit:-0})) && ((status != 124)); then
  if ! libraries="$("${no_aslr[@]}" "$memsafe" build-tree-libraries --record "$prefix.loaded" --dir "$build_dir" \
    ${root:+--dir "$root"})"; then
    echo "memsafe-run: cannot tell whether '$name' loaded the project's libraries natively; it fails" >&2
    status=125
  elif [[ -n $libraries ]]; then
    echo "memsafe: NOTE: '$name' runs $1, which loaded ${libraries//$'\n'/ } of the build tree" \
      "outside Valgrind; the test runs again with its interpreter under Valgrind" >&2
    # The first run's Valgrind logs (of the build tree's programs it started) stay: a
    # finding of theirs is not lost to a rerun that happens to miss it.
    # A native run that failed keeps the test failed, as a clean rerun never passes a
    # test; its output stays beside the logs.
    first_status=$status
    mv -f -- "$prefix.stdout" "$prefix.native-stdout"
    mv -f -- "$prefix.stderr" "$prefix.native-stderr"
    # Reasons: the trace-children-skip that follows replaces options.txt's, which would
    # leave a system interpreter's process tree unchecked (a pyenv shim is bash in
    # /usr/bin); --error-exitcode=0 leaves the status to the test, as the interpreter's
    # own reports do not fail it and the project's fail it in the verdict; Python's own
    # allocator hides its objects' blocks from memcheck (PYTHONMALLOC=malloc, as Python's
    # docs say for Valgrind).
    set +e
    left=$((timeout_s - SECONDS > 1 ? timeout_s - SECONDS : 1)) # CTest's own limit counts the first run
    timeout --verbose --kill-after=15 "$left" env PYTHONMALLOC=malloc "${valgrind_cmd[@]}" \
      "--trace-children-skip=$shims/*" --error-exitcode=0 "$@" >"$prefix.stdout" 2>"$prefix.stderr"
    status=$?
    set -e
    if ((first_status != 0)); then
      echo "memsafe: the native run of '$name' exited $first_status, which stays the test's status (its output:" \
        "$prefix.native-stdout, $prefix.native-stderr)" >>"$prefix.stderr"
      status=$first_status
    fi
    interpreter_run=1
    # For memsafe report, as the verdict's --interpreter-run: which logs hold the
    # interpreter's own reports.
    printf '%s\n' "$(cd -P -- "$build_dir" && pwd -P)" >"$prefix.interpreter"
  fi
fi
# A script under the valgrind preset that started no program of the build tree had
# nothing checked: memsafe check lists it as native.
if ((${script_under_audit:-0})); then
  xml_logs=("$prefix".*.xml)
  if [[ ! -e ${xml_logs[0]} ]]; then
    echo "memsafe: NOT UNDER VALGRIND: '$name' runs $1, which started no program and loaded no library of the build tree" >&2
    printf '%s\n' "$1" >"$prefix.native"
  fi
fi
if [[ -s $prefix.valgrind-stand-in ]]; then
  echo "memsafe: NOTE: '$name' runs valgrind itself; memsafe's stand-in ran" \
    "$(sort -u "$prefix.valgrind-stand-in" | paste -sd ' ' -)" \
    "$(if [[ $tool == valgrind ]]; then echo "under memsafe's own Valgrind run"; else echo "natively under $tool (Valgrind and a sanitizer cannot share a process)"; fi)" >&2
fi

# The memsafe tool judges the run (the same parser as memsafe report) and prints the
# test's output and the tool's reports. It runs with its own defaults, not the test's
# sanitizer options (which would send its own reports into this test's logs).
verdict=("${no_aslr[@]}" "$memsafe" test-verdict --prefix "$prefix" --tool "$tool" --status "$status" --name "$name"
  --timeout "$timeout_s")
[[ -z $root ]] || verdict+=(--root "$root")
[[ -z $build_dir ]] || verdict+=(--build-dir "$build_dir" --expect-instrumented "${MEMSAFE_EXPECT-}")
for pattern in "${expect[@]}"; do verdict+=(--expect "$pattern"); done
[[ -z $expect_supp ]] || verdict+=(--expect-suppressed "$expect_supp")
((!interpreter_run)) || verdict+=(--interpreter-run)
verdict+=("${given_options[@]}")
unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS TSAN_OPTIONS
exec "${verdict[@]}"
