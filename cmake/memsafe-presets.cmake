# Lists the test presets of a CMakePresets.json, one line each:
#
#   <name> <tools> <run-by> <c++ compiler> <shards>
#
#   tools     MEMSAFE_EXPECT of the preset ("address,undefined,leak", "thread",
#             "valgrind"), or "-" for a preset that runs no memory tool
#   run-by    "check" (./check.sh), "memory-checks" (./check.sh --memory-checks),
#             "on-request" (--preset NAME), or "-"
#   compiler  CMAKE_CXX_COMPILER of its configure preset, or "-"
#   shards    how many runners the nightly workflow spreads the preset over
#             (vendor.memsafe.shards; 1 when not set)
#
# Usage: cmake -D PRESETS=<path/CMakePresets.json> -P memsafe-presets.cmake
#
# check.sh and the workflows read the presets through this script, so the preset list
# exists once, in CMakePresets.json (and the fragment it includes). Inheritance and
# includes are resolved the way CMake resolves them for these fields.
cmake_minimum_required(VERSION 3.25)

if(NOT PRESETS OR NOT EXISTS "${PRESETS}")
  message(FATAL_ERROR "USAGE: cmake -D PRESETS=<CMakePresets.json> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()

set(_kinds configurePresets testPresets)

# Loads a presets file and, depth first, the files it includes.
function(_load file)
  get_filename_component(file "${file}" ABSOLUTE)
  get_property(_seen GLOBAL PROPERTY _memsafe_loaded)
  if(file IN_LIST _seen)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY _memsafe_loaded "${file}")
  file(READ "${file}" _json)
  get_filename_component(_dir "${file}" DIRECTORY)
  foreach(_kind IN LISTS _kinds)
    string(JSON _n ERROR_VARIABLE _err LENGTH "${_json}" ${_kind})
    if(_err)
      continue()
    endif()
    math(EXPR _last "${_n} - 1")
    foreach(_i RANGE ${_last})
      if(_n EQUAL 0)
        break()
      endif()
      string(JSON _preset GET "${_json}" ${_kind} ${_i})
      string(JSON _name GET "${_preset}" name)
      set_property(GLOBAL PROPERTY "_memsafe_${_kind}_${_name}" "${_preset}")
      set_property(GLOBAL APPEND PROPERTY "_memsafe_${_kind}_names" "${_name}")
    endforeach()
  endforeach()
  string(JSON _n ERROR_VARIABLE _err LENGTH "${_json}" include)
  if(NOT _err AND _n GREATER 0)
    math(EXPR _last "${_n} - 1")
    foreach(_i RANGE ${_last})
      string(JSON _inc GET "${_json}" include ${_i})
      if(NOT IS_ABSOLUTE "${_inc}")
        set(_inc "${_dir}/${_inc}")
      endif()
      _load("${_inc}")
    endforeach()
  endif()
endfunction()

# The value at the JSON path in ARGN of preset <name>, searched through its inherits
# (first match wins, as in CMake); "-" when nowhere set.
function(_resolve kind name out)
  get_property(_preset GLOBAL PROPERTY "_memsafe_${kind}_${name}")
  if(NOT _preset)
    message(FATAL_ERROR "preset '${name}' is inherited but not defined")
  endif()
  string(JSON _value ERROR_VARIABLE _err GET "${_preset}" ${ARGN})
  if(NOT _err)
    set(${out} "${_value}" PARENT_SCOPE)
    return()
  endif()
  string(JSON _type ERROR_VARIABLE _err TYPE "${_preset}" inherits)
  set(_parents "")
  if(_type STREQUAL "STRING")
    string(JSON _parents GET "${_preset}" inherits)
  elseif(_type STREQUAL "ARRAY")
    string(JSON _n LENGTH "${_preset}" inherits)
    math(EXPR _last "${_n} - 1")
    foreach(_i RANGE ${_last})
      string(JSON _p GET "${_preset}" inherits ${_i})
      list(APPEND _parents "${_p}")
    endforeach()
  endif()
  foreach(_parent IN LISTS _parents)
    _resolve(${kind} "${_parent}" _value ${ARGN})
    if(NOT _value STREQUAL "-")
      set(${out} "${_value}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} "-" PARENT_SCOPE)
endfunction()

_load("${PRESETS}")
get_property(_names GLOBAL PROPERTY _memsafe_testPresets_names)
foreach(_name IN LISTS _names)
  get_property(_preset GLOBAL PROPERTY "_memsafe_testPresets_${_name}")
  string(JSON _hidden ERROR_VARIABLE _err GET "${_preset}" hidden)
  if(NOT _err AND _hidden)
    continue()
  endif()
  _resolve(testPresets "${_name}" _tools environment MEMSAFE_EXPECT)
  # The set is a property of the named preset itself, never inherited.
  string(JSON _set ERROR_VARIABLE _err GET "${_preset}" vendor memsafe runBy)
  if(_err)
    set(_set "-")
  endif()
  _resolve(testPresets "${_name}" _configure configurePreset)
  set(_cxx "-")
  if(NOT _configure STREQUAL "-")
    _resolve(configurePresets "${_configure}" _cxx cacheVariables CMAKE_CXX_COMPILER)
  endif()
  string(JSON _shards ERROR_VARIABLE _err GET "${_preset}" vendor memsafe shards)
  if(_err)
    set(_shards 1)
  endif()
  message(NOTICE "${_name} ${_tools} ${_set} ${_cxx} ${_shards}")
endforeach()
