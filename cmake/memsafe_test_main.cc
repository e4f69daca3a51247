// main() for every test built with memsafe_add_test(): verifies the instrumentation
// the preset expects, then runs GoogleTest.
#include <gtest/gtest.h>

#include <cstring>

#include "memsafe_runtime_hooks.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define MEMSAFE_TEST_MAIN_VALGRIND 1
#endif
#endif

namespace {

#if defined(MEMSAFE_TEST_MAIN_VALGRIND)
// Under Valgrind one process runs all the cases of an executable (see
// memsafe_add_test). This listener writes the running case into Valgrind's log, where
// `memsafe report` reads it to name the case of each finding, and asks for a leak
// check after every case, so a leak is reported under the case that caused it rather
// than once for the whole executable at exit.
class ValgrindCaseMarker : public testing::EmptyTestEventListener {
 public:
  void OnTestStart(const testing::TestInfo& info) override {
    VALGRIND_PRINTF("memsafe-case-begin %s.%s\n", info.test_suite_name(), info.name());
  }
  void OnTestEnd(const testing::TestInfo& info) override {
    VALGRIND_DO_ADDED_LEAK_CHECK;
    VALGRIND_PRINTF("memsafe-case-end %s.%s\n", info.test_suite_name(), info.name());
  }
};
#endif

}  // namespace

int main(int argc, char** argv) {
  // Listing the tests (GoogleTest discovery at build time) runs no test and does not
  // go through the memory tool, so there is nothing to verify.
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing |= std::strcmp(argv[i], "--gtest_list_tests") == 0;
  if (!listing) memsafe_verify_instrumentation();
  testing::InitGoogleTest(&argc, argv);
#if defined(MEMSAFE_TEST_MAIN_VALGRIND)
  if (RUNNING_ON_VALGRIND) {
    // GoogleTest owns and deletes the listener.
    testing::UnitTest::GetInstance()->listeners().Append(new ValgrindCaseMarker);
  }
#endif
  return RUN_ALL_TESTS();
}
