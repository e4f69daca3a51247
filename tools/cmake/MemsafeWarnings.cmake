# Compiler warnings for memsafe's own targets (not for tests' planted bugs, not for
# third-party code). MEMSAFE_WARNINGS_AS_ERRORS turns them into errors; it is on by
# default when the CI environment variable is set, so CI fails on a new warning while
# a developer's build only shows it.
include_guard(GLOBAL)

if(DEFINED ENV{CI} AND NOT "$ENV{CI}" STREQUAL "" AND NOT "$ENV{CI}" MATCHES "^(0|false|no)$")
  set(_memsafe_werror_default ON)
else()
  set(_memsafe_werror_default OFF)
endif()
option(MEMSAFE_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ${_memsafe_werror_default})

function(memsafe_set_warnings)
  foreach(_target IN LISTS ARGN)
    target_compile_options(${_target} PRIVATE
      -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
      -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2
      -Wundef -Wmissing-declarations)
    if(MEMSAFE_WARNINGS_AS_ERRORS)
      target_compile_options(${_target} PRIVATE -Werror)
    endif()
    # GCC 12 at -O2 and above flags libstdc++'s own std::string concatenation
    # ("x" + std::string) under -Wrestrict (GCC bug 105329, fixed in GCC 13): a warning
    # about the library, not about our code, which made every optimised CI build fail.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${_target} PRIVATE -Wno-restrict)
    endif()
  endforeach()
endfunction()
