# Tests of cmake/memsafe_settings.cmake, run with cmake -P:
#   cmake -DMEMSAFE_SOURCE_DIR=<repo> -DMEMSAFE_TOOL=<memsafe> -DWORK_DIR=<dir> -P memsafe_settings_test.cmake
# The tool selection is checked in this process. The options files are read by a child
# `cmake -P` each (a bad line stops the configure with FATAL_ERROR, which ends the
# process), and the same lines go to `memsafe suppressions lint`: the two parsers of
# options.txt must give every line of testdata/options_lines.txt its expected verdict.
cmake_minimum_required(VERSION 3.25)
include("${MEMSAFE_SOURCE_DIR}/cmake/memsafe_settings.cmake")

# Child mode: read one options file as MemorySafety.cmake does and print what it kept.
if(DEFINED READ_OPTIONS_FILE)
  _memsafe_read_options_files("${READ_OPTIONS_FILE}")
  foreach(_tool IN LISTS _memsafe_options_tools)
    foreach(_opt IN LISTS _memsafe_opts_${_tool})
      message(STATUS "kept ${_tool} ${_opt}")
    endforeach()
  endforeach()
  return()
endif()

foreach(_required MEMSAFE_SOURCE_DIR MEMSAFE_TOOL WORK_DIR)
  if(NOT ${_required})
    message(FATAL_ERROR "memsafe_settings_test: -D${_required}=... is required")
  endif()
endforeach()

function(expect_equal what actual expected)
  if(NOT "${actual}" STREQUAL "${expected}")
    message(SEND_ERROR "${what}: got '${actual}', expected '${expected}'")
  endif()
endfunction()

# --- The tool selection ---------------------------------------------------------------
# MEMSAFE_SANITIZE | MEMSAFE_VALGRIND | sanitizers | active tools | launcher | error
# (lists comma-separated here: a ';' would split the case)
set(_selections
  "|OFF|||none|"
  "address,undefined|OFF|address,undefined|address,undefined,leak|asan|"
  "address,undefined,address|OFF|address,undefined|address,undefined,leak|asan|"
  "address,leak|OFF|address,leak|address,leak|asan|"
  "leak|OFF|leak|leak|asan|"
  "thread|OFF|thread|thread|tsan|"
  "undefined|OFF|undefined|undefined|ubsan|"
  "|ON||valgrind|valgrind|"
  "address,thread|OFF||||AddressSanitizer and ThreadSanitizer cannot be combined"
  "leak,thread|OFF||||LeakSanitizer cannot be combined with ThreadSanitizer"
  "undefined|ON||||MEMSAFE_VALGRIND cannot be combined with sanitizers"
  "adress|OFF||||unknown sanitizer 'adress'")
foreach(_case IN LISTS _selections)
  if(NOT _case MATCHES "^([^|]*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|([^|]*)\\|(.*)$")
    message(FATAL_ERROR "malformed selection case '${_case}'")
  endif()
  set(_input "${CMAKE_MATCH_1}")
  set(_valgrind "${CMAKE_MATCH_2}")
  string(REPLACE "," ";" _want_sanitize "${CMAKE_MATCH_3}")
  string(REPLACE "," ";" _want_active "${CMAKE_MATCH_4}")
  set(_want_launcher "${CMAKE_MATCH_5}")
  set(_want_error "${CMAKE_MATCH_6}")
  _memsafe_select_tools("${_input}" "${_valgrind}" _got)
  if(_want_error)
    string(FIND "${_got_error}" "${_want_error}" _at)
    if(_at EQUAL -1)
      message(SEND_ERROR "select '${_input}' valgrind=${_valgrind}: error '${_got_error}' lacks '${_want_error}'")
    endif()
    continue()
  endif()
  expect_equal("select '${_input}' error" "${_got_error}" "")
  expect_equal("select '${_input}' sanitizers" "${_got_sanitize}" "${_want_sanitize}")
  expect_equal("select '${_input}' active tools" "${_got_active}" "${_want_active}")
  expect_equal("select '${_input}' launcher" "${_got_launcher}" "${_want_launcher}")
endforeach()

# --- The flag matrix -------------------------------------------------------------------
function(expect_flags what)
  cmake_parse_arguments(PARSE_ARGV 1 _want "" "" "HAS;LACKS;LINK")
  _memsafe_instrumentation_flags(_got ${_want_UNPARSED_ARGUMENTS})
  foreach(_flag IN LISTS _want_HAS)
    if(NOT _flag IN_LIST _got_compile)
      message(SEND_ERROR "${what}: '${_flag}' missing from '${_got_compile}'")
    endif()
  endforeach()
  foreach(_flag IN LISTS _want_LACKS)
    if(_flag IN_LIST _got_compile)
      message(SEND_ERROR "${what}: '${_flag}' should not be in '${_got_compile}'")
    endif()
  endforeach()
  expect_equal("${what}: link" "${_got_link}" "${_want_LINK}")
endfunction()
set(_vector "$<$<COMPILE_LANGUAGE:CXX>:-D_GLIBCXX_SANITIZE_VECTOR=1>")
expect_flags("no tool" SANITIZE VALGRIND OFF CLANG OFF OPTIMIZATION -O1
  LACKS -O1 -fno-builtin -g LINK "")
expect_flags("asan, clang, -O1" SANITIZE address undefined leak VALGRIND OFF CLANG ON OPTIMIZATION -O1
  CONTAINER_OVERFLOW ON
  HAS -fsanitize=address,undefined,leak -fno-omit-frame-pointer -fno-sanitize-recover=all -O1 -fno-builtin
    "${_vector}"
  LACKS -fno-allocation-dce -Wno-error=tsan LINK -fsanitize=address,undefined,leak)
expect_flags("asan, gcc, -O0" SANITIZE address VALGRIND OFF CLANG OFF OPTIMIZATION -O0 CONTAINER_OVERFLOW ON
  HAS -fsanitize=address -O0 "${_vector}" LACKS -fno-builtin -fno-allocation-dce LINK -fsanitize=address)
expect_flags("asan, no container annotations" SANITIZE address VALGRIND OFF CLANG ON CONTAINER_OVERFLOW OFF
  LACKS "${_vector}" LINK -fsanitize=address)
expect_flags("tsan, gcc, -O1" SANITIZE thread VALGRIND OFF CLANG OFF OPTIMIZATION -O1
  HAS -fsanitize=thread -Wno-error=tsan -fno-builtin -fno-allocation-dce LACKS "${_vector}"
  LINK -fsanitize=thread)
expect_flags("tsan, clang" SANITIZE thread VALGRIND OFF CLANG ON LACKS -Wno-error=tsan LINK -fsanitize=thread)
expect_flags("valgrind, clang, -O1" VALGRIND ON CLANG ON OPTIMIZATION -O1
  HAS -g -gdwarf-4 -O1 -fno-builtin LACKS -fno-allocation-dce -fno-sanitize-recover=all LINK "")
expect_flags("valgrind, gcc, -O2, elision allowed" VALGRIND ON CLANG OFF OPTIMIZATION -O2
  ALLOW_ALLOCATION_ELISION ON HAS -O2 LACKS -gdwarf-4 -fno-builtin -fno-allocation-dce LINK "")
# The ignore-list flag is spelt in two pieces: memsafe check lints every CMake file of the
# project for option strings, and a whole flag naming a file outside sanitizers/ is refused.
string(CONCAT _ignorelist_flag "-fsanitize-" "ignorelist=/p/ubsan_ignorelist.txt")
expect_flags("ubsan ignore list, clang" SANITIZE undefined CLANG ON UBSAN_IGNORELIST /p/ubsan_ignorelist.txt
  HAS "${_ignorelist_flag}" LINK -fsanitize=undefined)
expect_flags("ubsan ignore list, gcc" SANITIZE undefined CLANG OFF UBSAN_IGNORELIST /p/ubsan_ignorelist.txt
  LACKS "${_ignorelist_flag}" LINK -fsanitize=undefined)

# --- Two files, the project's after memsafe's: the later value comes last -------------
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/defaults" "${WORK_DIR}/project")
file(WRITE "${WORK_DIR}/defaults/options.txt" "asan halt_on_error=1 # first\nvalgrind --num-callers=12 # first\n")
file(WRITE "${WORK_DIR}/project/options.txt" "asan halt_on_error=0 # the project's\n")
_memsafe_read_options_files("${WORK_DIR}/defaults/options.txt" "${WORK_DIR}/project/options.txt")
expect_equal("two files: asan" "${_memsafe_opts_asan}" "halt_on_error=1;halt_on_error=0")
expect_equal("two files: valgrind" "${_memsafe_opts_valgrind}" "--num-callers=12")
expect_equal("two files: tsan" "${_memsafe_opts_tsan}" "")

# --- The options lines: both parsers, every line ---------------------------------------
# Each line of `text` in order, through string(FIND): a CMake list would split a line at
# ';' and join lines after a '\' or an unclosed '[', which the corpus holds on purpose.
macro(next_line text line)
  string(FIND "${${text}}" "\n" _end)
  if(_end EQUAL -1)
    set(${line} "${${text}}")
    set(${text} "")
  else()
    string(SUBSTRING "${${text}}" 0 ${_end} ${line})
    math(EXPR _end "${_end} + 1")
    string(SUBSTRING "${${text}}" ${_end} -1 ${text})
  endif()
endmacro()

# What an options file should keep, one "kept <tool> <option>" per option line, sorted:
# read with plain string operations, independently of the parser under test.
function(expected_kept text out)
  set(_kept "")
  while(NOT "${text}" STREQUAL "")
    next_line(text _line)
    string(REPLACE "\r" "" _line "${_line}")
    if(_line MATCHES "^[ \t]*(#.*)?$")
      continue()
    endif()
    string(FIND "${_line}" "#" _hash)
    string(SUBSTRING "${_line}" 0 ${_hash} _body)
    string(STRIP "${_body}" _body)
    string(REGEX REPLACE "[ \t]+" " " _body "${_body}")
    string(APPEND _kept "kept ${_body}\n")
  endwhile()
  set(${out} "${_kept}" PARENT_SCOPE)
endfunction()

# The kept lines a child printed, sorted the same way.
function(printed_kept output out)
  set(_kept "")
  while(NOT "${output}" STREQUAL "")
    next_line(output _line)
    if(_line MATCHES "^-- (kept .*)$")
      string(APPEND _kept "${CMAKE_MATCH_1}\n")
    endif()
  endwhile()
  set(${out} "${_kept}" PARENT_SCOPE)
endfunction()

function(sorted_lines text out)
  string(REPLACE ";" "\\;" text "${text}")  # kept options never hold one; the sort must not split
  string(REPLACE "\n" ";" _lines "${text}")
  list(SORT _lines)
  list(JOIN _lines "\n" _joined)
  set(${out} "${_joined}" PARENT_SCOPE)
endfunction()

file(READ "${CMAKE_CURRENT_LIST_DIR}/testdata/options_lines.txt" _corpus)
set(_cases 0)
foreach(_key ok bad lint_only with_fragment)
  set(_seen_${_key} 0)
endforeach()
while(NOT "${_corpus}" STREQUAL "")
  next_line(_corpus _entry)
  if(_entry STREQUAL "" OR _entry MATCHES "^#")
    continue()
  endif()
  if(NOT _entry MATCHES "^(ok|bad|lint-only)(=([^|]+))?\\|(.*)$")
    message(FATAL_ERROR "options_lines.txt: '${_entry}' is not <verdict>[=<fragment>]|<line>")
  endif()
  set(_verdict "${CMAKE_MATCH_1}")
  set(_fragment "${CMAKE_MATCH_3}")
  set(_line "${CMAKE_MATCH_4}")
  # \\ a backslash, \n a new line of the same file, \r \t, \s a space.
  string(ASCII 1 _backslash)
  string(REPLACE "\\\\" "${_backslash}" _line "${_line}")
  string(REPLACE "\\n" "\n" _line "${_line}")
  string(REPLACE "\\r" "\r" _line "${_line}")
  string(REPLACE "\\t" "\t" _line "${_line}")
  string(REPLACE "\\s" " " _line "${_line}")
  string(REPLACE "${_backslash}" "\\" _line "${_line}")
  math(EXPR _cases "${_cases} + 1")
  string(REPLACE "-" "_" _key "${_verdict}")
  math(EXPR _seen_${_key} "${_seen_${_key}} + 1")
  if(_fragment)
    math(EXPR _seen_with_fragment "${_seen_with_fragment} + 1")
  endif()
  set(_dir "${WORK_DIR}/line-${_cases}")
  file(MAKE_DIRECTORY "${_dir}")
  file(WRITE "${_dir}/options.txt" "${_line}\n")
  execute_process(COMMAND "${CMAKE_COMMAND}" -DMEMSAFE_SOURCE_DIR=${MEMSAFE_SOURCE_DIR}
      "-DREAD_OPTIONS_FILE=${_dir}/options.txt" -P "${CMAKE_CURRENT_LIST_FILE}"
    RESULT_VARIABLE _cmake_status OUTPUT_VARIABLE _cmake_out ERROR_VARIABLE _cmake_err)
  execute_process(COMMAND "${MEMSAFE_TOOL}" suppressions lint "${_dir}/options.txt"
    RESULT_VARIABLE _lint_status OUTPUT_VARIABLE _lint_out ERROR_VARIABLE _lint_err)
  set(_case "line ${_cases} '${_line}' (${_verdict})")
  if(NOT _lint_status MATCHES "^[01]$")
    message(SEND_ERROR "${_case}: memsafe suppressions lint exited ${_lint_status}: ${_lint_out}${_lint_err}")
    continue()
  endif()
  if(_verdict STREQUAL "bad")
    # Refused, and for the line's own reason: each names the file's line, and both name
    # what the corpus says is wrong when it says it (CMake wraps its message at spaces).
    string(REGEX REPLACE "[ \t\n]+" " " _cmake_err "${_cmake_err}")
    if(_cmake_status EQUAL 0 OR NOT _cmake_err MATCHES "options\\.txt:[0-9]+: ")
      message(SEND_ERROR "${_case}: CMake did not refuse a line: ${_cmake_status}\n${_cmake_out}${_cmake_err}")
    endif()
    if(_lint_status EQUAL 0 OR NOT _lint_out MATCHES "options\\.txt:[0-9]+: ")
      message(SEND_ERROR "${_case}: the lint did not refuse a line: ${_lint_status}\n${_lint_out}${_lint_err}")
    endif()
    if(_fragment)
      string(FIND "${_cmake_err}" "${_fragment}" _in_cmake)
      string(FIND "${_lint_out}" "${_fragment}" _in_lint)
      if(_in_cmake EQUAL -1 OR _in_lint EQUAL -1)
        message(SEND_ERROR "${_case}: both should say '${_fragment}'\nCMake: ${_cmake_err}\nlint: ${_lint_out}")
      endif()
    endif()
    continue()
  endif()
  # ok and lint-only: CMake keeps exactly the options written, each as written.
  expected_kept("${_line}" _want)
  printed_kept("${_cmake_out}" _got)
  sorted_lines("${_want}" _want)
  sorted_lines("${_got}" _got)
  if(NOT _cmake_status EQUAL 0 OR NOT _got STREQUAL _want)
    message(SEND_ERROR "${_case}: CMake should keep\n${_want}\nand kept (status ${_cmake_status})\n${_got}\n${_cmake_err}")
  endif()
  if(_verdict STREQUAL "ok" AND NOT _lint_status EQUAL 0)
    message(SEND_ERROR "${_case}: the lint refused it\n${_lint_out}")
  elseif(_verdict STREQUAL "lint-only" AND NOT _lint_status EQUAL 1)
    message(SEND_ERROR "${_case}: the lint took it\n${_lint_out}")
  endif()
endwhile()
# A corpus that lost a kind of line could no longer catch the parsers drifting apart.
foreach(_key ok bad lint_only with_fragment)
  if(_seen_${_key} LESS 3)
    message(SEND_ERROR "options_lines.txt has ${_seen_${_key}} '${_key}' lines; the test needs at least 3 of each")
  endif()
endforeach()
message(STATUS "memsafe_settings_test: ${_cases} options files through both parsers")
