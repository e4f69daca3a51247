# MemorySafety.cmake: sanitizer and Valgrind wiring for a CMake C or C++ project.
#
# Include it after project() (find_package(memsafe CONFIG) does), in a project that
# enables C, C++ or both, under any cmake_minimum_required: it sets the policies it
# relies on itself. It reads these cache variables (the presets set them):
#
#   MEMSAFE_SANITIZE        list of sanitizers: address;undefined;leak  or  thread (empty: none)
#   MEMSAFE_VALGRIND        ON: every test runs under Valgrind memcheck
#   MEMSAFE_OPTIMIZATION    optimization flag for instrumented builds (e.g. -O0); the presets
#                           choose it by measurement, see docs/design/MEMORY_SAFETY_CI.md
#   MEMSAFE_SANITIZERS_DIR  the project's suppression files and options.txt (its options
#                           are read after memsafe's defaults, so they override them)
#   MEMSAFE_TEST_TIMEOUT    seconds before a hung test is stopped with a message
#
# and gives the project:
#
#   memsafe_instrument(<target>...)      apply the flags to your own targets
#   memsafe_add_googletest()             GoogleTest built from source with the same flags
#   memsafe_add_test(<name> SOURCES ...) a GoogleTest executable: one CTest test per case
#                                        (per executable under Valgrind)
#   memsafe_add_canary(<name> ...)       a planted bug that the active tool must report
#   memsafe_add_canaries()               memsafe's planted bugs for every active tool: proof in
#                                        the project's own build that the tools are on
#   memsafe_launch_all_tests()           every test of the project, however it was added
#                                        (add_test, gtest_discover_tests, Catch2, doctest),
#                                        runs through the launcher
#   memsafe_adopt_project()              all of the above for a whole project, unmodified:
#                                        what `memsafe init`'s presets include
#
# Every test runs through the launcher (memsafe-run.sh beside this file): it gives the
# tools their runtime options (one list, options.txt), writes each tool's report to
# <build>/memcheck/, echoes the first errors into the test output, and fails the test
# when a report exists even if the exit status was 0. The options are also compiled
# into memsafe_add_test's binaries, so such a binary run by hand behaves the same.
# Per directory: a project that adds memsafe with add_subdirectory includes it again in
# its own scope, where the variables the functions read must exist too.
include_guard(DIRECTORY)
# The policies this file relies on (IN_LIST, if() on quoted names, ...), whatever the
# including project declared; functions keep the settings they were defined under.
cmake_policy(PUSH)
cmake_policy(VERSION 3.19...3.25)

# The language the module's own checks compile in: the project may enable only C.
if(CMAKE_CXX_COMPILER_LOADED)
  set(_MEMSAFE_LANG CXX)
elseif(CMAKE_C_COMPILER_LOADED)
  set(_MEMSAFE_LANG C)
else()
  message(FATAL_ERROR "MemorySafety.cmake: include it after project() has enabled C or CXX")
endif()

set(_MEMSAFE_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")
# Through links: a project that links memsafe's cmake/ into its tree still finds the
# default options and the canaries beside the real directory.
get_filename_component(_MEMSAFE_ROOT "${_MEMSAFE_MODULE_DIR}" REALPATH)
get_filename_component(_MEMSAFE_ROOT "${_MEMSAFE_ROOT}/.." ABSOLUTE)

set(MEMSAFE_SANITIZE "" CACHE STRING
  "Sanitizers for this build: address;undefined;leak or thread (empty: none)")
option(MEMSAFE_VALGRIND "Run every test under Valgrind memcheck" OFF)
set(MEMSAFE_OPTIMIZATION "" CACHE STRING
  "Optimization flag for instrumented builds; empty keeps the build type's")
set(MEMSAFE_SANITIZERS_DIR "${PROJECT_SOURCE_DIR}/sanitizers" CACHE PATH
  "Directory with the project's suppression files and ignore list")
set(MEMSAFE_TEST_TIMEOUT "" CACHE STRING
  "Seconds before a test is stopped (empty: 300, or 900 under Valgrind)")
# Only for measuring what the flags below buy (tools/measure-optimization.sh); no
# preset turns it on.
option(MEMSAFE_ALLOW_ALLOCATION_ELISION
  "Let the optimizer delete unused allocations in instrumented builds" OFF)
set(MEMSAFE_LOG_DIR "${CMAKE_BINARY_DIR}/memcheck" CACHE PATH
  "Where every test writes its sanitizer logs and Valgrind XML")

# The options lists: memsafe's defaults, then the project's own, whose entries win (a
# sanitizer takes the last value of an option, and so does Valgrind).
set(_memsafe_options_files "${_MEMSAFE_ROOT}/sanitizers/options.txt")
get_filename_component(_memsafe_own_options "${MEMSAFE_SANITIZERS_DIR}/options.txt" REALPATH)
get_filename_component(_memsafe_default_options "${_MEMSAFE_ROOT}/sanitizers/options.txt" REALPATH)
if(EXISTS "${_memsafe_own_options}" AND NOT _memsafe_own_options STREQUAL _memsafe_default_options)
  list(APPEND _memsafe_options_files "${_memsafe_own_options}")
endif()
set(MEMSAFE_OPTIONS_FILE "${_memsafe_options_files}")

# ---------------------------------------------------------------------------
# Which tools are on, and are they compatible? (memsafe_settings.cmake)
# ---------------------------------------------------------------------------
include("${_MEMSAFE_MODULE_DIR}/memsafe_settings.cmake")
_memsafe_select_tools("${MEMSAFE_SANITIZE}" "${MEMSAFE_VALGRIND}" _memsafe_selected)
if(_memsafe_selected_error)
  message(FATAL_ERROR "${_memsafe_selected_error}")
endif()
set(_memsafe_sanitize ${_memsafe_selected_sanitize})
# The tools a test may expect, spelled as in MEMSAFE_EXPECT (see the presets).
set(MEMSAFE_ACTIVE_TOOLS ${_memsafe_selected_active})
set(_memsafe_launcher_tool ${_memsafe_selected_launcher})

set(_memsafe_is_clang FALSE)
if(CMAKE_${_MEMSAFE_LANG}_COMPILER_ID MATCHES "Clang")
  set(_memsafe_is_clang TRUE)
endif()

if(MEMSAFE_TEST_TIMEOUT)
  set(_memsafe_timeout "${MEMSAFE_TEST_TIMEOUT}")
elseif(MEMSAFE_VALGRIND)
  set(_memsafe_timeout 900)
else()
  set(_memsafe_timeout 300)
endif()

# ---------------------------------------------------------------------------
# The options list: parse once (memsafe_settings.cmake), reuse for the compiled hooks
# and for Valgrind.
# ---------------------------------------------------------------------------
foreach(_file IN LISTS MEMSAFE_OPTIONS_FILE)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_file}")
endforeach()
_memsafe_read_options_files(${MEMSAFE_OPTIONS_FILE})

# A suppression file is passed to its tool only when it holds an entry: some runtime
# versions abort on an empty file, and a file of comments only suppresses nothing.
function(_memsafe_supp_has_entries file out)
  set(${out} FALSE PARENT_SCOPE)
  if(EXISTS "${file}")
    file(STRINGS "${file}" _lines REGEX "^[ \t]*[^# \t]")
    if(_lines)
      set(${out} TRUE PARENT_SCOPE)
    endif()
  endif()
endfunction()

# memsafe's defaults (the tools' own false positives, sanitizers/defaults/ beside
# options.txt) come first, then the project's. A sanitizer reads one suppressions= file
# (the last given), so only Valgrind, which reads every suppression file it is given, has defaults.
set(_memsafe_default_supps "${_MEMSAFE_ROOT}/sanitizers/defaults")
foreach(_tool IN ITEMS asan lsan tsan valgrind)
  set(_supp "${MEMSAFE_SANITIZERS_DIR}/${_tool}.supp")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_supp}")
  if(_tool STREQUAL "valgrind")
    foreach(_supp IN ITEMS "${_memsafe_default_supps}/valgrind.supp" "${_supp}")
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_supp}")
      _memsafe_supp_has_entries("${_supp}" _has)
      if(_has)
        list(APPEND _memsafe_opts_valgrind "--suppressions=${_supp}")
      endif()
    endforeach()
    continue()
  endif()
  _memsafe_supp_has_entries("${_supp}" _has)
  if(_has)
    list(APPEND _memsafe_opts_${_tool} "suppressions=${_supp}")
  endif()
endforeach()

# ---------------------------------------------------------------------------
# Compile and link flags (memsafe_settings.cmake).
# ---------------------------------------------------------------------------
# libstdc++ marks a vector's spare capacity (past size(), within capacity()) as
# off-limits to ASan only when asked. Every translation unit that touches a given vector
# must agree: code built without it (a prebuilt C++ library that fills a vector the
# project then reads) leaves the capacity marked and ASan reports a container-overflow
# that is not one. memsafe_adopt_project builds all of the project's code with it; turn
# it off for a project that exchanges vectors with a prebuilt C++ library.
option(MEMSAFE_CONTAINER_OVERFLOW
  "With AddressSanitizer, annotate std::vector (libstdc++) so reads past size() are reported" ON)
set(_memsafe_ignorelist "")
if("undefined" IN_LIST _memsafe_sanitize)
  _memsafe_supp_has_entries("${MEMSAFE_SANITIZERS_DIR}/ubsan_ignorelist.txt" _has)
  if(_has)
    set(_memsafe_ignorelist "${MEMSAFE_SANITIZERS_DIR}/ubsan_ignorelist.txt")
  endif()
endif()
_memsafe_instrumentation_flags(_memsafe_flags
  SANITIZE ${_memsafe_sanitize} VALGRIND "${MEMSAFE_VALGRIND}" CLANG "${_memsafe_is_clang}"
  OPTIMIZATION "${MEMSAFE_OPTIMIZATION}" ALLOW_ALLOCATION_ELISION "${MEMSAFE_ALLOW_ALLOCATION_ELISION}"
  CONTAINER_OVERFLOW "${MEMSAFE_CONTAINER_OVERFLOW}" UBSAN_IGNORELIST "${_memsafe_ignorelist}")
set(MEMSAFE_COMPILE_OPTIONS ${_memsafe_flags_compile})
set(MEMSAFE_LINK_OPTIONS ${_memsafe_flags_link})
if(_memsafe_ignorelist AND NOT _memsafe_is_clang)
  message(WARNING "${_memsafe_ignorelist} has entries, but ${CMAKE_${_MEMSAFE_LANG}_COMPILER_ID} has no "
    "UBSan ignore list: those checks stay on in this build")
endif()
list(JOIN _memsafe_sanitize "," _memsafe_sanitize_csv)

# A missing runtime fails here, naming the package, rather than at link time.
if(_memsafe_sanitize)
  include(CheckSourceCompiles)
  include(CMakePushCheckState)
  cmake_push_check_state(RESET)
  set(CMAKE_REQUIRED_QUIET ON)
  set(CMAKE_REQUIRED_FLAGS "-fsanitize=${_memsafe_sanitize_csv}")
  set(CMAKE_REQUIRED_LINK_OPTIONS "-fsanitize=${_memsafe_sanitize_csv}")
  set(_id "${CMAKE_${_MEMSAFE_LANG}_COMPILER_ID}")
  string(MAKE_C_IDENTIFIER "MEMSAFE_RUNTIME_${_MEMSAFE_LANG}_${_id}_${_memsafe_sanitize_csv}" _var)
  check_source_compiles(${_MEMSAFE_LANG} "int main(void) { return 0; }" ${_var})
  cmake_pop_check_state()
  if(NOT ${_var})
    string(REGEX MATCH "^[0-9]+" _major "${CMAKE_${_MEMSAFE_LANG}_COMPILER_VERSION}")
    if(_memsafe_is_clang)
      set(_pkg "libclang-rt-${_major}-dev")
    else()
      set(_pkg "libgcc-${_major}-dev (it carries libasan, liblsan, libtsan and libubsan)")
    endif()
    unset(${_var} CACHE)
    message(FATAL_ERROR "The ${_memsafe_sanitize_csv} sanitizer runtime for "
      "${_id} ${CMAKE_${_MEMSAFE_LANG}_COMPILER_VERSION} is missing: cannot link "
      "-fsanitize=${_memsafe_sanitize_csv}. Install ${_pkg}, e.g. "
      "`sudo apt-get install ${_pkg}`.")
  endif()
endif()

if(MEMSAFE_VALGRIND)
  find_program(MEMSAFE_VALGRIND_EXECUTABLE valgrind)
  if(NOT MEMSAFE_VALGRIND_EXECUTABLE)
    message(FATAL_ERROR "MEMSAFE_VALGRIND is ON but valgrind was not found. "
      "Install it, e.g. `sudo apt-get install valgrind`.")
  endif()
endif()
find_program(MEMSAFE_BASH bash REQUIRED)
# The memsafe tool judges every test run (memsafe-run.sh hands it the logs): the one
# given, or the one memsafe's own build makes (its CMakeLists sets MEMSAFE_TOOL), or the
# one installed beside this module (<prefix>/bin, the module in <prefix>/share/memsafe/
# cmake), or memsafe on PATH.
if(NOT MEMSAFE_TOOL AND _MEMSAFE_MODULE_DIR MATCHES "/share/memsafe/cmake$"
   AND EXISTS "${_MEMSAFE_MODULE_DIR}/../../../bin/memsafe")
  get_filename_component(_memsafe_beside "${_MEMSAFE_MODULE_DIR}/../../../bin/memsafe" ABSOLUTE)
  set(MEMSAFE_TOOL "${_memsafe_beside}" CACHE FILEPATH "The memsafe tool, which judges each test run")
endif()
find_program(MEMSAFE_TOOL memsafe DOC "The memsafe tool, which judges each test run")
if(NOT MEMSAFE_TOOL)
  message(FATAL_ERROR "The memsafe tool was not found: every test's verdict comes from it. Install memsafe "
    "(its .deb, or `cmake --install` of its build), build it with memsafe as a subproject "
    "(-DMEMSAFE_BUILD_TOOLS=ON), or point -DMEMSAFE_TOOL at it.")
endif()

# ---------------------------------------------------------------------------
# Targets: the flags, the compiled option hooks, the instrumentation check.
# ---------------------------------------------------------------------------
if(NOT TARGET memsafe_instrumentation)
  add_library(memsafe_instrumentation INTERFACE)
  add_library(memsafe::instrumentation ALIAS memsafe_instrumentation)
  target_compile_options(memsafe_instrumentation INTERFACE ${MEMSAFE_COMPILE_OPTIONS})
  target_link_options(memsafe_instrumentation INTERFACE ${MEMSAFE_LINK_OPTIONS})
endif()

# Applies the build's instrumentation to targets you build from source. Imported
# targets are left alone (they are prebuilt, and flags would not reach them anyway).
# Whatever links an instrumented library links the runtime too (the link options are
# part of the library's interface): with Clang an executable that links instrumented
# code without the runtime does not link at all (undefined __asan_* symbols).
# In builds with a leak check at exit (LeakSanitizer, Valgrind), every executable gets
# cmake/memsafe_exit_scrub.c and runs its main through it (-Wl,--wrap=main): the stack
# that main's callees left behind is zeroed before the check scans it, so a stale
# pointer there cannot hide a leak (the file says what was measured).
if("leak" IN_LIST MEMSAFE_ACTIVE_TOOLS OR "valgrind" IN_LIST MEMSAFE_ACTIVE_TOOLS)
  set(_memsafe_scrub_exit ON)
else()
  set(_memsafe_scrub_exit OFF)
endif()

# memsafe's own code in a project's build (canaries, the exit scrub) compiles whatever
# the project's flags say about warnings and the language standard (-std=c89
# -pedantic-errors -Werror in CMAKE_C_FLAGS, a C_STANDARD of 90): the canaries are
# written for C11 and C++17 and plant bugs a compiler warns about on purpose. These
# options come after the project's on the command line, so they win.
function(_memsafe_own_code_flags target)
  set_target_properties(${target} PROPERTIES C_STANDARD 11 C_EXTENSIONS ON C_STANDARD_REQUIRED ON
    CXX_STANDARD 17 CXX_EXTENSIONS ON CXX_STANDARD_REQUIRED ON)
  target_compile_options(${target} PRIVATE -w -Wno-error
    $<$<COMPILE_LANGUAGE:C>:-std=gnu11> $<$<COMPILE_LANGUAGE:CXX>:-std=gnu++17>)
endfunction()

function(_memsafe_exit_scrub target)
  if(NOT TARGET memsafe_exit_scrub)
    set(_source "${_memsafe_gen_dir}/memsafe_exit_scrub.c")
    configure_file("${_MEMSAFE_MODULE_DIR}/memsafe_exit_scrub.c" "${_source}" COPYONLY)
    # Uninstrumented on purpose (see the file); C where the project enables it.
    if(NOT CMAKE_C_COMPILER_LOADED)
      set_source_files_properties("${_source}" PROPERTIES LANGUAGE CXX)
    endif()
    add_library(memsafe_exit_scrub OBJECT "${_source}")
    _memsafe_own_code_flags(memsafe_exit_scrub)
    # An adopted project instruments every target with directory options, this one
    # too: the last -fno-sanitize on the command line wins.
    target_compile_options(memsafe_exit_scrub PRIVATE -fno-sanitize=all)
  endif()
  get_target_property(_done ${target} MEMSAFE_EXIT_SCRUB)
  if(_done)
    return()
  endif()
  set_target_properties(${target} PROPERTIES MEMSAFE_EXIT_SCRUB TRUE)
  # target_sources, not target_link_libraries: a project's own plain-signature
  # target_link_libraries calls must not clash with a keyword call of ours.
  target_sources(${target} PRIVATE $<TARGET_OBJECTS:memsafe_exit_scrub>)
  target_link_options(${target} PRIVATE "LINKER:--wrap=main")
endfunction()

function(memsafe_instrument)
  foreach(_target IN LISTS ARGN)
    get_target_property(_imported ${_target} IMPORTED)
    get_target_property(_type ${_target} TYPE)
    if(_imported OR _type STREQUAL "INTERFACE_LIBRARY")
      message(FATAL_ERROR "memsafe_instrument(${_target}): only targets built in this "
        "project can be instrumented")
    endif()
    target_compile_options(${_target} PRIVATE ${MEMSAFE_COMPILE_OPTIONS})
    if(NOT _type STREQUAL "STATIC_LIBRARY" AND NOT _type STREQUAL "OBJECT_LIBRARY")
      target_link_options(${_target} PRIVATE ${MEMSAFE_LINK_OPTIONS})
    endif()
    if(_type STREQUAL "EXECUTABLE" AND _memsafe_scrub_exit)
      _memsafe_exit_scrub(${_target})
    endif()
    if(_type MATCHES "_LIBRARY$")
      target_link_options(${_target} INTERFACE ${MEMSAFE_LINK_OPTIONS})
    endif()
  endforeach()
endfunction()

function(_memsafe_c_string out)
  list(JOIN ARGN ":" _joined)
  string(REPLACE "\\" "\\\\" _joined "${_joined}")
  string(REPLACE "\"" "\\\"" _joined "${_joined}")
  set(${out} "\"${_joined}\"" PARENT_SCOPE)
endfunction()

set(_memsafe_gen_dir "${CMAKE_BINARY_DIR}/memsafe")
_memsafe_c_string(MEMSAFE_ASAN_OPTIONS_C ${_memsafe_opts_asan})
_memsafe_c_string(MEMSAFE_LSAN_OPTIONS_C ${_memsafe_opts_lsan})
_memsafe_c_string(MEMSAFE_UBSAN_OPTIONS_C ${_memsafe_opts_ubsan})
_memsafe_c_string(MEMSAFE_TSAN_OPTIONS_C ${_memsafe_opts_tsan})
list(JOIN MEMSAFE_ACTIVE_TOOLS "," MEMSAFE_ACTIVE_TOOLS_CSV)
configure_file("${_MEMSAFE_MODULE_DIR}/memsafe_runtime_options.cc.in"
  "${_memsafe_gen_dir}/memsafe_runtime_options.cc" @ONLY)
# One argument per line, read by the launcher.
# One argument per line and no empty line (an empty list is an empty file): the
# launcher reads each line as one argument.
list(TRANSFORM _memsafe_opts_valgrind APPEND "\n" OUTPUT_VARIABLE _memsafe_valgrind_args)
string(JOIN "" _memsafe_valgrind_args ${_memsafe_valgrind_args})
file(CONFIGURE OUTPUT "${_memsafe_gen_dir}/valgrind.args" CONTENT "${_memsafe_valgrind_args}")
list(TRANSFORM _memsafe_opts_valgrind-slow APPEND "\n" OUTPUT_VARIABLE _memsafe_valgrind_slow_args)
string(JOIN "" _memsafe_valgrind_slow_args ${_memsafe_valgrind_slow_args})
file(CONFIGURE OUTPUT "${_memsafe_gen_dir}/valgrind-slow.args" CONTENT "${_memsafe_valgrind_slow_args}")
# The shared sanitizer runtime the launcher preloads into a test's Python interpreter,
# which is not instrumented but may load the project's instrumented libraries (ctypes,
# extension modules; tools/memsafe/preload_scope.c says why and how the preload stays in
# that one process). Empty when the compiler has none: such a test then fails to load
# the library, as it would without memsafe.
set(_memsafe_preload_runtime "")
set(_memsafe_runtime_name "")
if(_memsafe_launcher_tool STREQUAL "asan")
  if(_memsafe_is_clang)
    set(_memsafe_runtime_name "libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so")
  else()
    set(_memsafe_runtime_name "libasan.so")
  endif()
elseif(_memsafe_launcher_tool STREQUAL "tsan")
  # GCC's for either compiler: Clang 14's shared TSan runtime crashes in every process it
  # is preloaded into (its __cxa_atexit interceptor is called by libstdc++'s initialiser
  # before the runtime has set it up); GCC's, which the clang driver finds as well, runs
  # Clang-instrumented code (measured: a ctypes test's race is reported at its line).
  set(_memsafe_runtime_name "libtsan.so")
endif()
if(_memsafe_runtime_name)
  execute_process(COMMAND ${CMAKE_${_MEMSAFE_LANG}_COMPILER} -print-file-name=${_memsafe_runtime_name}
    OUTPUT_VARIABLE _memsafe_runtime_path OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _memsafe_runtime_status ERROR_QUIET)
  # -print-file-name prints the bare name back when it finds no such file.
  if(_memsafe_runtime_status EQUAL 0 AND IS_ABSOLUTE "${_memsafe_runtime_path}" AND EXISTS "${_memsafe_runtime_path}")
    file(REAL_PATH "${_memsafe_runtime_path}" _memsafe_preload_runtime)
  endif()
endif()

# The sanitizer options for the launcher's environment, one VARIABLE=value per line:
# they reach every process a test starts, also programs that link no hooks (plain
# executables, scripts that run the project's binaries).
set(_memsafe_env "")
foreach(_pair IN ITEMS ASAN:asan LSAN:lsan UBSAN:ubsan TSAN:tsan)
  string(REPLACE ":" ";" _pair "${_pair}")
  list(GET _pair 0 _var)
  list(GET _pair 1 _tool)
  list(JOIN _memsafe_opts_${_tool} ":" _joined)
  string(APPEND _memsafe_env "${_var}_OPTIONS=${_joined}\n")
endforeach()
if("thread" IN_LIST _memsafe_sanitize AND (NOT _memsafe_is_clang OR _memsafe_preload_runtime))
  # GCC links ThreadSanitizer's runtime as a shared library whose thread-local storage
  # (768 KiB in GCC 12's libtsan.so.2) must fit the loader's static TLS reserve: with the
  # launcher's loader audit module in the process it did not ("cannot allocate memory in
  # static TLS block", every test exit 127). Clang links the runtime into the program,
  # but a Python interpreter gets GCC's shared one preloaded (above).
  string(APPEND _memsafe_env "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=1048576\n")
endif()
file(CONFIGURE OUTPUT "${_memsafe_gen_dir}/runtime.env" CONTENT "${_memsafe_env}")

# The option hooks and the instrumentation check, linked into memsafe_add_test's
# binaries. C++ only, so created on first use: a C project never needs a C++ compiler.
function(_memsafe_runtime_hooks)
  if(TARGET memsafe_runtime_hooks)
    return()
  endif()
  if(NOT CMAKE_CXX_COMPILER_LOADED)
    message(FATAL_ERROR "memsafe_add_test builds GoogleTest programs: enable CXX in project()")
  endif()
  add_library(memsafe_runtime_hooks OBJECT
    "${_memsafe_gen_dir}/memsafe_runtime_options.cc"
    "${_MEMSAFE_MODULE_DIR}/memsafe_instrumentation_check.cc")
  target_include_directories(memsafe_runtime_hooks PUBLIC "${_MEMSAFE_MODULE_DIR}")
  target_compile_features(memsafe_runtime_hooks PUBLIC cxx_std_17)
  target_link_libraries(memsafe_runtime_hooks PUBLIC ${CMAKE_DL_LIBS})
  memsafe_instrument(memsafe_runtime_hooks)
endfunction()

# The launcher command every test runs through.
set(MEMSAFE_LAUNCHER
  "${MEMSAFE_BASH}" "${_MEMSAFE_MODULE_DIR}/memsafe-run.sh"
  --memsafe "${MEMSAFE_TOOL}"
  --root "${CMAKE_SOURCE_DIR}"
  --build-dir "${CMAKE_BINARY_DIR}"
  --tool "${_memsafe_launcher_tool}"
  --log-dir "${MEMSAFE_LOG_DIR}"
  --timeout "${_memsafe_timeout}"
  --env "${_memsafe_gen_dir}/runtime.env")
if(_memsafe_preload_runtime)
  list(APPEND MEMSAFE_LAUNCHER --preload-runtime "${_memsafe_preload_runtime}")
endif()
if(MEMSAFE_VALGRIND)
  list(APPEND MEMSAFE_LAUNCHER
    --valgrind "${MEMSAFE_VALGRIND_EXECUTABLE}"
    --valgrind-args "${_memsafe_gen_dir}/valgrind.args"
    --valgrind-slow-args "${_memsafe_gen_dir}/valgrind-slow.args")
endif()
# CTest's own limit is a backstop; the launcher stops the test first, with a message.
math(EXPR _memsafe_ctest_timeout "${_memsafe_timeout} + 60")

function(_memsafe_use_launcher target)
  if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.29)
    set_property(TARGET ${target} PROPERTY TEST_LAUNCHER "${MEMSAFE_LAUNCHER}")
  else()
    # Before TEST_LAUNCHER existed, CTest (and gtest_discover_tests) prefixed test
    # commands with the emulator even for native builds.
    set_property(TARGET ${target} PROPERTY CROSSCOMPILING_EMULATOR "${MEMSAFE_LAUNCHER}")
  endif()
endfunction()

# ---------------------------------------------------------------------------
# GoogleTest from source, with this build's flags.
# ---------------------------------------------------------------------------
set(MEMSAFE_GOOGLETEST_SOURCE_DIR "/usr/src/googletest" CACHE PATH
  "GoogleTest sources, built with the same instrumentation as the tests")

macro(memsafe_add_googletest)
  if(NOT TARGET gtest)
    if(NOT EXISTS "${MEMSAFE_GOOGLETEST_SOURCE_DIR}/CMakeLists.txt")
      message(FATAL_ERROR "GoogleTest sources not found in "
        "'${MEMSAFE_GOOGLETEST_SOURCE_DIR}'. Install them (`sudo apt-get install "
        "googletest`) or set MEMSAFE_GOOGLETEST_SOURCE_DIR.")
    endif()
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
    add_subdirectory("${MEMSAFE_GOOGLETEST_SOURCE_DIR}"
      "${CMAKE_BINARY_DIR}/_deps/googletest" EXCLUDE_FROM_ALL SYSTEM)
    memsafe_instrument(gtest gtest_main gmock gmock_main)
  endif()
  _memsafe_runtime_hooks()
  if(NOT TARGET memsafe_test_main)
    add_library(memsafe_test_main OBJECT "${_MEMSAFE_MODULE_DIR}/memsafe_test_main.cc")
    # GoogleTest only: GoogleMock stays available (built with the same flags) for tests
    # that link it, but costs nothing in a build whose tests do not use it.
    target_link_libraries(memsafe_test_main PUBLIC gtest memsafe_runtime_hooks)
    memsafe_instrument(memsafe_test_main)
  endif()
  include(GoogleTest)
endmacro()

# memsafe_add_test(<name> SOURCES <src>... [LIBRARIES <lib>...] [LABELS <label>...]
#                  [TIMEOUT <seconds>] [SLOW_CASES <Suite.Case>...] [DATA <file-or-dir>...])
# One executable, run through the launcher with this build's tool. Its main() is
# memsafe's (cmake/memsafe_test_main.cc); a test that uses GoogleMock lists gmock in
# LIBRARIES (GoogleMock's own flags then keep their defaults).
#  - Sanitizer and plain builds: every GoogleTest case becomes its own CTest test.
#  - Valgrind builds: the executable is one CTest test running all its cases in one
#    Valgrind process, because Valgrind's start-up (about 2 s per process here) costs
#    more than most cases. The test main marks each case in the Valgrind log and checks
#    for leaks after it, so findings still name their case. SLOW_CASES (and the whole
#    executable when LABELS has memsafe-slow) run as CTest tests of their own, labelled
#    memsafe-slow: `ctest -LE memsafe-slow` leaves them out of a quick run.
#  - DATA: files and directories the tests read (given to them as MEMSAFE_TEST_DATA,
#    ':'-separated): a change in them reruns the tests in memsafe check's quick run,
#    whose result cache sees only what a test's command line and properties name.
function(memsafe_add_test name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "TIMEOUT" "SOURCES;LIBRARIES;LABELS;SLOW_CASES;DATA")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "memsafe_add_test(${name}): SOURCES is required")
  endif()
  memsafe_add_googletest()
  add_executable(${name} ${ARG_SOURCES})
  # gtest_discover_tests lists the cases through the launcher, which needs the tool: in
  # the build that makes the tool, it is linked first (a parallel build relinking it
  # while a test's list ran failed that test's discovery).
  if(TARGET memsafe_cli)
    add_dependencies(${name} memsafe_cli)
  endif()
  # Objects of an object library reach only the targets that link it directly.
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES} memsafe_test_main memsafe_runtime_hooks)
  memsafe_instrument(${name})
  _memsafe_use_launcher(${name})
  set(_timeout ${_memsafe_ctest_timeout})
  if(ARG_TIMEOUT)
    set(_timeout ${ARG_TIMEOUT})
  endif()
  set(_labels unit ${ARG_LABELS})
  # One value, not a list: gtest_discover_tests splits list values of its PROPERTIES.
  set(_data_property)
  if(ARG_DATA)
    list(JOIN ARG_DATA ":" _data_paths)
    set(_data_property ENVIRONMENT "MEMSAFE_TEST_DATA=${_data_paths}")
  endif()
  if(NOT MEMSAFE_VALGRIND)
    # The launcher says when a case skipped itself without a finding, and rewrites
    # GoogleTest's own "[  SKIPPED ]", which gtest_discover_tests makes a skip pattern
    # that CTest applies before the exit status: a leak reported after GTEST_SKIP()
    # would otherwise pass as skipped. (Properties add skip patterns; none can be removed.)
    gtest_discover_tests(${name}
      DISCOVERY_TIMEOUT 120
      PROPERTIES LABELS "${_labels}" TIMEOUT ${_timeout}
        SKIP_REGULAR_EXPRESSION "memsafe: SKIPPED: " ${_data_property})
    return()
  endif()
  set(_filter)
  if(ARG_SLOW_CASES AND NOT "memsafe-slow" IN_LIST _labels)
    list(JOIN ARG_SLOW_CASES ":" _slow)
    set(_filter "--gtest_filter=-${_slow}")
    foreach(_case IN LISTS ARG_SLOW_CASES)
      add_test(NAME ${name}.${_case}
        COMMAND ${MEMSAFE_LAUNCHER} --name ${name}.${_case} $<TARGET_FILE:${name}>
          "--gtest_filter=${_case}")
      set_tests_properties(${name}.${_case} PROPERTIES
        LABELS "${_labels};memsafe-slow" TIMEOUT ${_timeout})
    endforeach()
  endif()
  add_test(NAME ${name} COMMAND ${MEMSAFE_LAUNCHER} --name ${name} $<TARGET_FILE:${name}> ${_filter})
  set_tests_properties(${name} PROPERTIES LABELS "${_labels}" TIMEOUT ${_timeout})
  if(ARG_DATA)
    set_tests_properties(${name} PROPERTIES ${_data_property})
  endif()
endfunction()

# memsafe_add_canary(<name> TOOL <address|leak|undefined|thread|valgrind>
#                    SOURCES <src>... (EXPECT <regex>... | SUPPRESSED <entry-name>)
#                    [NO_SYMBOLS_NEEDED])
# A small program with a planted bug. It is registered only when TOOL is active, and
# passes only when TOOL reports findings that match every EXPECT pattern. With SUPPRESSED, the bug
# is covered by a suppression entry and the test passes only if the run is clean *and*
# the tool says that entry matched: proof that the suppression file is wired.
# NO_SYMBOLS_NEEDED: the EXPECT patterns match what a sanitizer prints without symbols
# (its headline, "SUMMARY: ... heap-use-after-free"), so the quick run may leave the
# stacks unsymbolized; the thorough run (--slow) symbolizes them as for any test.
function(memsafe_add_canary name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_SYMBOLS_NEEDED" "TOOL;SUPPRESSED" "SOURCES;LIBRARIES;EXPECT")
  if(NOT ARG_TOOL MATCHES "^(address|leak|undefined|thread|valgrind)$")
    message(FATAL_ERROR "memsafe_add_canary(${name}): TOOL must be one of address, leak, "
      "undefined, thread, valgrind")
  endif()
  if(NOT ARG_TOOL IN_LIST MEMSAFE_ACTIVE_TOOLS)
    return()
  endif()
  if(ARG_EXPECT AND ARG_SUPPRESSED OR NOT (ARG_EXPECT OR ARG_SUPPRESSED))
    message(FATAL_ERROR "memsafe_add_canary(${name}): give exactly one of EXPECT or SUPPRESSED")
  endif()
  set(_exe "memsafe_canary_${ARG_TOOL}_${name}")
  string(MAKE_C_IDENTIFIER "${_exe}" _exe)
  if(NOT TARGET ${_exe})
    add_executable(${_exe} ${ARG_SOURCES})
    target_link_libraries(${_exe} PRIVATE ${ARG_LIBRARIES})
    memsafe_instrument(${_exe})
    _memsafe_own_code_flags(${_exe})
  endif()
  set(_test "canary.${ARG_TOOL}.${name}")
  if(ARG_EXPECT)
    set(_mode "")
    foreach(_pattern IN LISTS ARG_EXPECT)
      list(APPEND _mode --expect "${_pattern}")
    endforeach()
  else()
    set(_mode --expect-suppressed "${ARG_SUPPRESSED}")
  endif()
  if(ARG_NO_SYMBOLS_NEEDED)
    if(ARG_SUPPRESSED)
      message(FATAL_ERROR "memsafe_add_canary(${name}): a SUPPRESSED canary needs symbols (its entry names a "
        "function): NO_SYMBOLS_NEEDED does not apply")
    endif()
    list(APPEND _mode --quick-unsymbolized)
  endif()
  add_test(NAME ${_test}
    COMMAND ${MEMSAFE_LAUNCHER} --name ${_test} ${_mode} $<TARGET_FILE:${_exe}>)
  set_tests_properties(${_test} PROPERTIES
    LABELS "canary;canary-${ARG_TOOL}" TIMEOUT ${_memsafe_ctest_timeout})
endfunction()


# memsafe_add_canaries()
# Registers memsafe's planted bugs, one per tool and kind of bug, for the tools this
# build has on (the others are not registered). `memsafe check` fails a memory preset
# that ran no canary or whose canary was not caught, so a preset that lost its flags
# cannot pass. The suppressed canaries are not here: they need entries in the
# project's own suppression files (see memsafe's tests/canaries).
function(memsafe_add_canaries)
  set(_dir "${_MEMSAFE_MODULE_DIR}/canaries")
  if(NOT EXISTS "${_dir}/heap_use_after_free.c")
    message(FATAL_ERROR "memsafe_add_canaries: no canary sources in '${_dir}' (an incomplete installation?)")
  endif()
  # The canaries are written in the common subset of C and C++: compiled as C where
  # the project enables it, as C++ otherwise.
  if(NOT CMAKE_C_COMPILER_LOADED)
    file(GLOB _sources "${_dir}/*.c")
    set_source_files_properties(${_sources} PROPERTIES LANGUAGE CXX)
  endif()
  find_package(Threads REQUIRED)
  # At -O1 GCC's UBSan object-size check sees this overflow before ASan does; either
  # report counts as caught.
  memsafe_add_canary(heap-buffer-overflow TOOL address SOURCES "${_dir}/heap_buffer_overflow.c"
    EXPECT "AddressSanitizer: heap-buffer-overflow|insufficient space for an object" NO_SYMBOLS_NEEDED)
  memsafe_add_canary(heap-use-after-free TOOL address
    SOURCES "${_dir}/heap_use_after_free.c" EXPECT "AddressSanitizer: heap-use-after-free" NO_SYMBOLS_NEEDED)
  memsafe_add_canary(stack-use-after-return TOOL address
    SOURCES "${_dir}/stack_use_after_return.c" EXPECT "AddressSanitizer: stack-use-after-return" NO_SYMBOLS_NEEDED)
  memsafe_add_canary(double-free TOOL address
    SOURCES "${_dir}/double_free.c" EXPECT "AddressSanitizer: attempting double-free" NO_SYMBOLS_NEEDED)
  # C++ only (std::vector), and only where the annotations are on.
  if(CMAKE_CXX_COMPILER_LOADED AND MEMSAFE_CONTAINER_OVERFLOW)
    memsafe_add_canary(container-overflow TOOL address
      SOURCES "${_dir}/container_overflow.cc" EXPECT "AddressSanitizer: container-overflow" NO_SYMBOLS_NEEDED)
  endif()
  memsafe_add_canary(direct-leak TOOL leak SOURCES "${_dir}/leak_unused.c" LIBRARIES Threads::Threads
    EXPECT "Direct leak of 64 byte" "Direct leak of 48 byte" NO_SYMBOLS_NEEDED)
  memsafe_add_canary(signed-overflow TOOL undefined
    SOURCES "${_dir}/signed_overflow.c" EXPECT "signed integer overflow" NO_SYMBOLS_NEEDED)
  memsafe_add_canary(misaligned-access TOOL undefined
    SOURCES "${_dir}/misaligned_access.c" EXPECT "misaligned address" NO_SYMBOLS_NEEDED)
  memsafe_add_canary(data-race TOOL thread
    SOURCES "${_dir}/data_race.c" LIBRARIES Threads::Threads EXPECT "ThreadSanitizer: data race" NO_SYMBOLS_NEEDED)
  memsafe_add_canary(uninitialised-branch TOOL valgrind
    SOURCES "${_dir}/uninitialised_branch.c" EXPECT "<kind>UninitCondition</kind>")
  memsafe_add_canary(definite-leak TOOL valgrind SOURCES "${_dir}/leak_unused.c" LIBRARIES Threads::Threads
    EXPECT "64 bytes in 1 blocks are definitely lost" "48 bytes in 1 blocks are definitely lost")
endfunction()

# memsafe_launch_all_tests()
# Every test of the project runs through the launcher, however it was added: plain
# add_test (by target or by path), gtest_discover_tests, catch_discover_tests,
# doctest_discover_tests, a script that runs the project's programs. CTest reads a test
# file of memsafe's before any directory's tests (TEST_INCLUDE_FILES of the top
# directory, which CTest includes first), and that file wraps CTest's add_test: a test
# that does not already run through the launcher gets it in front of its command.
# CMake 3.25 has no other hook that reaches every test (TEST_LAUNCHER is 3.29, and the
# emulator reaches only tests whose command names a target).
function(memsafe_launch_all_tests)
  set(_file "${_memsafe_gen_dir}/launch-all-tests.cmake")
  set(_launcher "")
  foreach(_word IN LISTS MEMSAFE_LAUNCHER)
    string(APPEND _launcher " [==[${_word}]==]")
  endforeach()
  file(CONFIGURE OUTPUT "${_file}" @ONLY CONTENT [=[
# Generated by MemorySafety.cmake (memsafe_launch_all_tests): every test runs through
# memsafe's launcher. Read by CTest before the tests of any directory.
function(add_test name program)
  # The arguments after the program, each passed on by reference as one quoted
  # argument: ${ARGN} would split one that holds ';' (gflags gives `cmake -P` its whole
  # command line as -DCOMMAND:STRING=prog;--flag) and drop an empty one, and a value
  # pasted into the code would lose a leading newline or break on its own brackets.
  set(args "")
  if(ARGC GREATER 2)
    math(EXPR last "${ARGC} - 1")
    foreach(i RANGE 2 ${last})
      string(APPEND args " \"\${ARGV${i}}\"")
    endforeach()
  endif()
  if(ARGC GREATER 2 AND "${ARGV2}" MATCHES "memsafe-run[.]sh$")
    # memsafe's own helpers already use it
    cmake_language(EVAL CODE "_add_test(\"\${name}\" \"\${program}\"${args})")
  else()
    # add_test(name program) without NAME leaves a bare program name that CTest looks
    # up beside this test file; behind the launcher it would be a word on PATH.
    if(NOT program MATCHES "/" AND EXISTS "${CMAKE_CURRENT_LIST_DIR}/${program}"
       AND NOT IS_DIRECTORY "${CMAKE_CURRENT_LIST_DIR}/${program}")
      set(program "${CMAKE_CURRENT_LIST_DIR}/${program}")
    endif()
    cmake_language(EVAL CODE "_add_test(\"\${name}\"@_launcher@ --name \"\${name}\" -- \"\${program}\"${args})")
  endif()
endfunction()
]=])
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY TEST_INCLUDE_FILES "${_file}")
endfunction()

# memsafe_adopt_project()
# Adoption without one changed line of the project's CMake files: called in the top
# directory at the first project() (the presets of `memsafe init` set
# CMAKE_PROJECT_INCLUDE to a file that calls it), it instruments every target
# of every directory (directory options, so C and C++, libraries, tests and other
# programs alike), runs every test through the launcher, and registers the canaries
# that prove, in the project's own build, that the tools are on.
# A macro, not a function: enable_testing() takes effect through a variable of the
# directory's scope (CMAKE_TESTING_ENABLED), which a function's return drops. In a
# project that enables testing only in a subdirectory (tests/CMakeLists.txt), the top
# build directory would then have no CTestTestfile.cmake, and ctest there would run
# neither the canaries nor the project's tests.
#
# The sanitizer flags also go to CMAKE_<LANG>_FLAGS and the linker flags of this scope,
# which the project's feature checks read (check_c_source_compiles, try_compile; they
# see no directory option): a project that detects its sanitizer by linking a TSan-only
# symbol must find it under the tsan preset, or it builds without its sanitizer-only
# tests. A project that later sets CMAKE_C_FLAGS without its old value drops them for
# its later checks only; its targets keep the directory options. One cost, documented:
# check_c_source_runs programs run instrumented too, as they would with the flags
# given on the command line.
macro(memsafe_adopt_project)
  _memsafe_adopt_project()
  enable_testing()
  set(_memsafe_check_flags "${MEMSAFE_COMPILE_OPTIONS}")
  list(FILTER _memsafe_check_flags INCLUDE REGEX "^-fsanitize")
  list(JOIN _memsafe_check_flags " " _memsafe_check_flags)
  list(JOIN MEMSAFE_LINK_OPTIONS " " _memsafe_check_link_flags)
  if(_memsafe_check_flags)
    string(APPEND CMAKE_C_FLAGS " ${_memsafe_check_flags}")
    string(APPEND CMAKE_CXX_FLAGS " ${_memsafe_check_flags}")
  endif()
  if(_memsafe_check_link_flags)
    string(APPEND CMAKE_EXE_LINKER_FLAGS " ${_memsafe_check_link_flags}")
    string(APPEND CMAKE_SHARED_LINKER_FLAGS " ${_memsafe_check_link_flags}")
    string(APPEND CMAKE_MODULE_LINKER_FLAGS " ${_memsafe_check_link_flags}")
  endif()
endmacro()

function(_memsafe_adopt_project)
  if(NOT CMAKE_CURRENT_SOURCE_DIR STREQUAL CMAKE_SOURCE_DIR)
    message(FATAL_ERROR "memsafe_adopt_project: call it in the top directory "
      "(CMAKE_PROJECT_INCLUDE does)")
  endif()
  add_compile_options(${MEMSAFE_COMPILE_OPTIONS})
  add_link_options(${MEMSAFE_LINK_OPTIONS})
  memsafe_launch_all_tests()
  memsafe_add_canaries()
  if(_memsafe_launcher_tool STREQUAL "none")
    return()
  endif()
  # Once the whole project is read: every program gets the exit scrub (what
  # memsafe_instrument gives memsafe's own), and the prebuilt libraries its programs
  # link, which this build does not compile and so cannot instrument, are named.
  if(_memsafe_scrub_exit)
    cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _memsafe_scrub_every_program)
  endif()
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _memsafe_report_prebuilt_libraries)
endfunction()

# The exit scrub for every program the project builds: a program that prints a string
# it leaked leaves the pointer in printf's dead frames, where LeakSanitizer's scan of
# the stack at exit finds it and calls the block reachable.
function(_memsafe_scrub_every_program)
  _memsafe_targets_under("${CMAKE_SOURCE_DIR}" _targets)
  foreach(_target IN LISTS _targets)
    get_target_property(_type ${_target} TYPE)
    get_target_property(_imported ${_target} IMPORTED)
    if(_type STREQUAL "EXECUTABLE" AND NOT _imported)
      _memsafe_exit_scrub(${_target})
    endif()
  endforeach()
endfunction()

# The targets of `dir` and of every directory under it.
function(_memsafe_targets_under dir out)
  get_property(_targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(_subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(_sub IN LISTS _subdirs)
    _memsafe_targets_under("${_sub}" _more)
    list(APPEND _targets ${_more})
  endforeach()
  set(${out} ${_targets} PARENT_SCOPE)
endfunction()

# Says at configure which prebuilt libraries (imported targets with code: a test
# framework from the system, zlib, ...) the project's programs link: the sanitizers see
# their heap use through the runtime's interceptors, not their own memory accesses or
# races. A prebuilt test framework is a warning: its checks run uninstrumented.
function(_memsafe_report_prebuilt_libraries)
  _memsafe_targets_under("${CMAKE_SOURCE_DIR}" _targets)
  set(_prebuilt)
  set(_frameworks)
  foreach(_target IN LISTS _targets)
    get_target_property(_type ${_target} TYPE)
    if(NOT _type STREQUAL "EXECUTABLE" AND NOT _type STREQUAL "SHARED_LIBRARY")
      continue()
    endif()
    get_target_property(_links ${_target} LINK_LIBRARIES)
    set(_seen)
    while(_links)
      list(POP_FRONT _links _lib)
      if(NOT TARGET "${_lib}" OR "${_lib}" IN_LIST _seen)
        continue()
      endif()
      list(APPEND _seen "${_lib}")
      get_target_property(_imported "${_lib}" IMPORTED)
      if(NOT _imported)
        continue()
      endif()
      get_target_property(_libtype "${_lib}" TYPE)
      get_target_property(_interface "${_lib}" INTERFACE_LINK_LIBRARIES)
      if(_interface)
        list(APPEND _links ${_interface})
      endif()
      if(_libtype MATCHES "^(STATIC|SHARED|UNKNOWN)_LIBRARY$")
        list(APPEND _prebuilt "${_lib} (${_target})")
        if(_lib MATCHES "^(GTest::|gtest|gmock|Catch2::Catch2WithMain|Catch2::Catch2$|Boost::unit_test)")
          list(APPEND _frameworks "${_lib} (${_target})")
        endif()
      endif()
    endwhile()
  endforeach()
  list(REMOVE_DUPLICATES _prebuilt)
  list(REMOVE_DUPLICATES _frameworks)
  if(_frameworks)
    list(JOIN _frameworks ", " _text)
    message(WARNING "memsafe: these tests link a prebuilt, uninstrumented test framework: ${_text}. "
      "Your test code is checked; the framework's own code is not (build it from source in the "
      "project, e.g. with FetchContent, to check it too).")
  endif()
  if(_prebuilt)
    list(JOIN _prebuilt ", " _text)
    message(STATUS "memsafe: prebuilt libraries, not instrumented: ${_text}")
  endif()
endfunction()

message(STATUS "memsafe: tools [${MEMSAFE_ACTIVE_TOOLS_CSV}] launcher=${_memsafe_launcher_tool} "
  "optimization='${MEMSAFE_OPTIMIZATION}' logs=${MEMSAFE_LOG_DIR}")
# Which memsafe this build uses, said at every configure: a machine may have several (a
# .deb in /usr, a newer one installed in a prefix), and `cmake --preset` alone takes the
# package find_package meets first, while `memsafe check` points CMake at its own.
message(STATUS "memsafe: module ${_MEMSAFE_MODULE_DIR}, tool ${MEMSAFE_TOOL}")
find_program(_memsafe_on_path memsafe NO_CACHE)
if(_memsafe_on_path)
  get_filename_component(_memsafe_on_path "${_memsafe_on_path}" REALPATH)
  get_filename_component(_memsafe_used "${MEMSAFE_TOOL}" REALPATH)
  if(NOT _memsafe_on_path STREQUAL _memsafe_used)
    message(STATUS "memsafe: NOTE: the memsafe on PATH is ${_memsafe_on_path}, not the tool of this build; "
      "`memsafe check` configures with its own installation; with CMake alone choose one with "
      "-Dmemsafe_DIR=<prefix>/share/memsafe/cmake -DMEMSAFE_TOOL=<prefix>/bin/memsafe")
  endif()
endif()
cmake_policy(POP)
