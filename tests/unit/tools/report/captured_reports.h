// The canary reports captured from every tool under both compilers, as the report
// tests read them (report_test.cc, report_output_test.cc).
#ifndef MEMSAFE_TESTS_UNIT_TOOLS_REPORT_CAPTURED_REPORTS_H_
#define MEMSAFE_TESTS_UNIT_TOOLS_REPORT_CAPTURED_REPORTS_H_

#include <string>
#include <vector>

#include "report/report.h"

namespace memsafe::tools::testing {

// The reports under testdata/reports were captured from the canaries of every tool,
// built by GCC 12 (asan-gcc, tsan-gcc, valgrind) and Clang 14 (asan, tsan,
// valgrind-clang), in a checkout at /work/main.
inline const std::string kData = std::string(MEMSAFE_TEST_SOURCE_DIR) + "/tests/unit/tools/testdata/";
inline const ReportContext kCapturedContext{"/work/main/", {"/work/main/build/"}, {}};

// The findings of every log under testdata/<dir>, read as `memsafe report` reads them.
inline std::vector<Finding> ReadDataLogs(const std::string& dir, const ReportContext& context,
                                         std::vector<InputError>* errors) {
  return ReadLogs(CollectLogs({kData + dir}, errors), context, errors);
}

// The captured canary reports, read once per process: under Valgrind every case of a
// test file runs in one process, and each read of them took about 1.8 s there.
struct Captured {
  std::vector<InputError> errors;
  std::vector<Finding> findings;
  std::vector<Group> groups;
};
inline const Captured& ReadCaptured() {
  static const Captured captured = [] {
    Captured read;
    read.findings = ReadDataLogs("reports", kCapturedContext, &read.errors);
    read.groups = Deduplicate(read.findings);
    return read;
  }();
  return captured;
}

}  // namespace memsafe::tools::testing

#endif  // MEMSAFE_TESTS_UNIT_TOOLS_REPORT_CAPTURED_REPORTS_H_
