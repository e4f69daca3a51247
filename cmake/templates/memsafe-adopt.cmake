# Written by `memsafe init`. The memsafe presets in CMakePresets.json name this file in
# CMAKE_PROJECT_INCLUDE, so CMake includes it at the end of every project() call, once
# the languages are enabled: at the top directory's first call it instruments every
# target, runs every test through memsafe's launcher and registers the canaries, with
# no change to the project's own CMake files. memsafe is found where it is installed
# (memsafe check points CMake at its own installation; elsewhere set memsafe_DIR or
# CMAKE_PREFIX_PATH).
get_property(_memsafe_adopted GLOBAL PROPERTY MEMSAFE_ADOPTED)
if(_memsafe_adopted OR NOT CMAKE_CURRENT_SOURCE_DIR STREQUAL CMAKE_SOURCE_DIR)
  return()  # a subproject's project(), or the top directory's second one
endif()
set_property(GLOBAL PROPERTY MEMSAFE_ADOPTED TRUE)
find_package(memsafe @MEMSAFE_VERSION_MAJOR_MINOR@ CONFIG REQUIRED)
memsafe_adopt_project()
