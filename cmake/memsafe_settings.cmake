# memsafe_settings.cmake: what MemorySafety.cmake decides before it touches a target
# (which tools a build runs, the runtime options each gets from options.txt, the compile
# and link flags), as functions that only compute, so `cmake -P` tests call them with
# any input (tests/unit/cmake/memsafe_settings_test.cmake) instead of configuring whole
# projects.
#
# Failure: a function that meets bad input returns the message in its error variable;
# MemorySafety.cmake stops the configure with it. _memsafe_read_options_files stops it
# itself, naming the file and line.
# Per directory, like MemorySafety.cmake: the variables below must exist in every
# directory scope that includes it.
include_guard(DIRECTORY)
# The policies these functions rely on (IN_LIST, quoted arguments never dereferenced),
# whatever the includer declared: a function keeps the settings it was defined under.
cmake_policy(PUSH)
cmake_policy(VERSION 3.19...3.25)

# The tools an options.txt line may name: every tool of memsafe's table
# (tools/memsafe/common/memory_tools.cc; MemoryToolsTest checks the two agree) and
# valgrind-slow, Valgrind's options for the thorough run only.
set(_memsafe_options_tools asan lsan ubsan tsan valgrind valgrind-slow)

# Options that name a file or output memsafe passes itself or never reads: a line with
# one would bring in unlinted suppressions or options, or send the reports where no
# verdict looks. `memsafe suppressions lint` refuses the same (options_lint.cc).
set(_memsafe_options_set_by_memsafe_sanitizer suppressions include include_if_exists log_exe_name)
set(_memsafe_options_set_by_memsafe_valgrind suppressions xml xml-file xml-fd xml-socket tool)

# One line of an options file: `<tool> <option> # <reason>`. Sets <tool_var> and
# <option_var> (both empty for a blank or comment line), or <error_var> to what is wrong.
function(_memsafe_parse_options_line line tool_var option_var error_var)
  set(${tool_var} "" PARENT_SCOPE)
  set(${option_var} "" PARENT_SCOPE)
  set(${error_var} "" PARENT_SCOPE)
  if(line MATCHES "^[ \t]*(#.*)?$")
    return()
  endif()
  list(JOIN _memsafe_options_tools "|" _tools)
  list(JOIN _memsafe_options_tools ", " _tools_text)
  if(NOT line MATCHES "^[ \t]*(${_tools})[ \t]+([^ \t#]+)[ \t]*#[ \t]*([^ \t].*)$")
    set(${error_var} "expected '<tool> <option> # <reason>' with tool ${_tools_text}" PARENT_SCOPE)
    return()
  endif()
  set(_tool "${CMAKE_MATCH_1}")
  set(_opt "${CMAKE_MATCH_2}")
  # The options go into lists, where these characters split or join elements: the line
  # would pass as other options than the one written. No runtime option needs them.
  if(_opt MATCHES "[][;\\]")
    string(CONCAT _message "'${_opt}' holds one of ; [ ] \\, which no runtime option needs and CMake's lists read "
      "as separators")
    set(${error_var} "${_message}" PARENT_SCOPE)
    return()
  endif()
  if(_tool MATCHES "^valgrind")
    set(_shape "^--([a-z0-9-]+)(=.+)?$")
    set(_expected "a Valgrind option looks like --name=value")
    set(_own ${_memsafe_options_set_by_memsafe_valgrind})
  else()
    set(_shape "^([a-z_0-9]+)=[^:,]+$")
    set(_expected "a sanitizer option looks like name=value (no ':' or ',')")
    set(_own ${_memsafe_options_set_by_memsafe_sanitizer})
  endif()
  if(NOT _opt MATCHES "${_shape}")
    set(${error_var} "${_expected}, not '${_opt}'" PARENT_SCOPE)
    return()
  endif()
  if(CMAKE_MATCH_1 IN_LIST _own)
    string(CONCAT _message "'${_opt}' names a file or output memsafe passes itself or does not read: suppressions "
      "belong in the sanitizers directory's <tool>.supp, which memsafe passes, and reports where memsafe reads them")
    set(${error_var} "${_message}" PARENT_SCOPE)
    return()
  endif()
  set(${tool_var} "${_tool}" PARENT_SCOPE)
  set(${option_var} "${_opt}" PARENT_SCOPE)
endfunction()

# Every options file in order (memsafe's defaults, then the project's: a runtime takes
# the last value of an option). Sets _memsafe_opts_<tool> in the caller for every tool,
# and stops the configure at the first bad line.
function(_memsafe_read_options_files)
  foreach(_tool IN LISTS _memsafe_options_tools)
    set(_opts_${_tool} "")
  endforeach()
  foreach(_file IN LISTS ARGN)
    if(NOT EXISTS "${_file}")
      message(FATAL_ERROR "MEMSAFE_OPTIONS_FILE: '${_file}' does not exist")
    endif()
    file(READ "${_file}" _rest)
    string(REPLACE "\r" "" _rest "${_rest}")
    set(_lineno 0)
    # Line by line with string(FIND), never through a list: a list would split a line at
    # ';' and join it with the next after a '\' at its end or an unclosed '['.
    while(NOT "${_rest}" STREQUAL "")
      math(EXPR _lineno "${_lineno} + 1")
      string(FIND "${_rest}" "\n" _end)
      if(_end EQUAL -1)
        set(_line "${_rest}")
        set(_rest "")
      else()
        string(SUBSTRING "${_rest}" 0 ${_end} _line)
        math(EXPR _end "${_end} + 1")
        string(SUBSTRING "${_rest}" ${_end} -1 _rest)
      endif()
      _memsafe_parse_options_line("${_line}" _tool _opt _error)
      if(_error)
        message(FATAL_ERROR "${_file}:${_lineno}: ${_error}")
      endif()
      if(_tool)
        list(APPEND _opts_${_tool} "${_opt}")
      endif()
    endwhile()
  endforeach()
  foreach(_tool IN LISTS _memsafe_options_tools)
    set(_memsafe_opts_${_tool} "${_opts_${_tool}}" PARENT_SCOPE)
  endforeach()
endfunction()

# The tools of a build from MEMSAFE_SANITIZE (a list or comma-separated) and
# MEMSAFE_VALGRIND. Sets, prefixed by <prefix>:
#   _sanitize  the sanitizers, each once: address;undefined;leak
#   _active    the tools a test may expect (MEMSAFE_EXPECT): LeakSanitizer with
#              AddressSanitizer (it is part of its runtime on Linux), valgrind
#   _launcher  the launcher's --tool: asan, tsan, ubsan, valgrind or none
#   _error     what makes the combination impossible, or empty
function(_memsafe_select_tools sanitize valgrind prefix)
  string(REPLACE "," ";" _sanitize "${sanitize}")
  list(REMOVE_DUPLICATES _sanitize)
  set(_error "")
  foreach(_s IN LISTS _sanitize)
    if(NOT _s MATCHES "^(address|undefined|leak|thread)$")
      set(_error "MEMSAFE_SANITIZE: unknown sanitizer '${_s}' (known: address, undefined, leak, thread)")
      break()
    endif()
  endforeach()
  if(_error)
  elseif("address" IN_LIST _sanitize AND "thread" IN_LIST _sanitize)
    string(CONCAT _error "MEMSAFE_SANITIZE: AddressSanitizer and ThreadSanitizer cannot be combined in one build "
      "(each needs the whole shadow memory for itself). Use two build trees, e.g. the asan and tsan presets.")
  elseif("leak" IN_LIST _sanitize AND "thread" IN_LIST _sanitize)
    string(CONCAT _error "MEMSAFE_SANITIZE: LeakSanitizer cannot be combined with ThreadSanitizer. "
      "Use the asan preset for leaks.")
  elseif(valgrind AND _sanitize)
    string(CONCAT _error "MEMSAFE_VALGRIND cannot be combined with sanitizers (${sanitize}): Valgrind cannot run a "
      "binary that maps sanitizer shadow memory. Use separate presets.")
  endif()

  set(_active ${_sanitize})
  if("address" IN_LIST _sanitize AND NOT "leak" IN_LIST _sanitize)
    list(APPEND _active leak)
  endif()
  if(valgrind)
    list(APPEND _active valgrind)
  endif()
  if("address" IN_LIST _sanitize OR "leak" IN_LIST _sanitize)
    set(_launcher asan)
  elseif("thread" IN_LIST _sanitize)
    set(_launcher tsan)
  elseif("undefined" IN_LIST _sanitize)
    set(_launcher ubsan)
  elseif(valgrind)
    set(_launcher valgrind)
  else()
    set(_launcher none)
  endif()
  set(${prefix}_sanitize "${_sanitize}" PARENT_SCOPE)
  set(${prefix}_active "${_active}" PARENT_SCOPE)
  set(${prefix}_launcher "${_launcher}" PARENT_SCOPE)
  set(${prefix}_error "${_error}" PARENT_SCOPE)
endfunction()

# The compile and link flags of an instrumented build. Sets <prefix>_compile and
# <prefix>_link from:
#   SANITIZE                  the sanitizers (_memsafe_select_tools' _sanitize)
#   VALGRIND, CLANG           ON or OFF: a Valgrind build; the compiler is Clang
#   OPTIMIZATION              MEMSAFE_OPTIMIZATION (e.g. -O1), or empty for the build type's
#   ALLOW_ALLOCATION_ELISION  MEMSAFE_ALLOW_ALLOCATION_ELISION
#   CONTAINER_OVERFLOW        MEMSAFE_CONTAINER_OVERFLOW
#   UBSAN_IGNORELIST          the ignore list to pass, or empty (the caller passes it only
#                             when it holds an entry; GCC has no ignore list)
function(_memsafe_instrumentation_flags prefix)
  cmake_parse_arguments(PARSE_ARGV 1 _arg ""
    "VALGRIND;CLANG;OPTIMIZATION;ALLOW_ALLOCATION_ELISION;CONTAINER_OVERFLOW;UBSAN_IGNORELIST" "SANITIZE")
  set(_compile "")
  set(_link "")
  if(_arg_SANITIZE)
    list(JOIN _arg_SANITIZE "," _csv)
    list(APPEND _compile
      "-fsanitize=${_csv}"
      -g
      # Reports need whole stacks; frame pointers make the fast unwinder reliable.
      -fno-omit-frame-pointer
      -fno-optimize-sibling-calls
      # A check that fires must fail the test, not print and continue.
      -fno-sanitize-recover=all)
    list(APPEND _link "-fsanitize=${_csv}")
    if("thread" IN_LIST _arg_SANITIZE AND NOT _arg_CLANG)
      # GCC warns that std::atomic_thread_fence is beyond ThreadSanitizer (-Wtsan): a
      # warning about the tool, not the code, which broke the build of a -Werror project.
      # It stays a warning; the project's other warnings stay errors.
      list(APPEND _compile -Wno-error=tsan)
    endif()
    if("undefined" IN_LIST _arg_SANITIZE AND _arg_UBSAN_IGNORELIST AND _arg_CLANG)
      list(APPEND _compile "-fsanitize-ignorelist=${_arg_UBSAN_IGNORELIST}")
    endif()
  endif()
  if("address" IN_LIST _arg_SANITIZE AND _arg_CONTAINER_OVERFLOW)
    list(APPEND _compile "$<$<COMPILE_LANGUAGE:CXX>:-D_GLIBCXX_SANITIZE_VECTOR=1>")
  endif()
  if(_arg_VALGRIND)
    list(APPEND _compile -g -fno-omit-frame-pointer)
    if(_arg_CLANG)
      # Valgrind 3.19 cannot read Clang 14's default DWARF 5.
      list(APPEND _compile -gdwarf-4)
    endif()
  endif()
  if(_arg_SANITIZE OR _arg_VALGRIND)
    if(_arg_OPTIMIZATION)
      list(APPEND _compile ${_arg_OPTIMIZATION})
    endif()
    if(NOT "${_arg_OPTIMIZATION}" MATCHES "^(-O0)?$" AND NOT _arg_ALLOW_ALLOCATION_ELISION)
      # Above -O0 both compilers delete an unused allocation together with its bug
      # (a double free or a leak of memory nobody touched then reports nothing).
      # Measured (tools/measure-optimization.sh): -fno-builtin keeps Clang's malloc and
      # new; GCC needs -fno-builtin for malloc/free and -fno-allocation-dce for new.
      list(APPEND _compile -fno-builtin)
      if(NOT _arg_CLANG)
        list(APPEND _compile -fno-allocation-dce)
      endif()
    endif()
  endif()
  set(${prefix}_compile "${_compile}" PARENT_SCOPE)
  set(${prefix}_link "${_link}" PARENT_SCOPE)
endfunction()

cmake_policy(POP)
