// main() for every test built with memsafe_add_test(): verifies the instrumentation
// the preset expects, then runs GoogleTest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "memsafe_runtime_hooks.h"

int main(int argc, char** argv) {
  // Listing the tests (GoogleTest discovery at build time) runs no test and does not
  // go through the memory tool, so there is nothing to verify.
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing |= std::strcmp(argv[i], "--gtest_list_tests") == 0;
  if (!listing) memsafe_verify_instrumentation();
  testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}
