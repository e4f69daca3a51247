#include "check/check.h"

#include <gtest/gtest.h>

namespace memsafe::tools {
namespace {

TEST(CheckTest, MissingProgramsAreNamedByTheirDebianPackage) {
  EXPECT_EQ(PackageForProgram("cmake"), "cmake");
  EXPECT_EQ(PackageForProgram("ctest"), "cmake");
  EXPECT_EQ(PackageForProgram("ninja"), "ninja-build");
  EXPECT_EQ(PackageForProgram("valgrind"), "valgrind");
  EXPECT_EQ(PackageForProgram("clang++"), "clang");
  EXPECT_EQ(PackageForProgram("clang++-14"), "clang-14");
  EXPECT_EQ(PackageForProgram("/usr/bin/g++-12"), "g++-12");
  EXPECT_EQ(PackageForProgram("gcc"), "gcc");
  EXPECT_EQ(PackageForProgram("some-tool"), "");
}

}  // namespace
}  // namespace memsafe::tools
