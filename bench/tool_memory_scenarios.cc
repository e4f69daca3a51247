// memsafe_tool_memory_scenarios: workloads of the memsafe tool whose peak memory
// `memsafe baseline` measures and gates on (sanitizers/memory-baseline.json). A program of
// its own so that the tool's size counts here and never in the library's scenarios:
// see memory_scenario_main.h for the arguments.
#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "memory_scenario_main.h"
#include "report/report.h"
#include "report/report_output.h"

namespace {

namespace fs = std::filesystem;
using memsafe::bench::PlantedRegression;
using memsafe::bench::ScenarioFailed;

// memsafe report over 1,000 logs: the captured canary reports copied under new test
// names into one memcheck directory, then read, deduplicated and written in every
// format, once per unit of scale.
int ReportLargeLogSet(int scale) {
  const fs::path source = fs::path(MEMSAFE_SCENARIO_SOURCE_DIR) / "tests/unit/tools/testdata/reports";
  const fs::path work = fs::temp_directory_path() / ("memsafe-scenario-logs-" + std::to_string(::getpid()));
  const fs::path logs = work / "scenario" / "memcheck";
  std::error_code error;
  fs::create_directories(logs, error);
  std::vector<fs::path> captured;
  for (const auto& item : fs::recursive_directory_iterator(source, error)) {
    const std::string name = item.path().filename().string();
    if (item.is_regular_file() && name.find(".expected") == std::string::npos) captured.push_back(item.path());
  }
  if (captured.empty()) return ScenarioFailed("no captured reports");
  for (int i = 0; i < 1'000; ++i) {
    const fs::path& from = captured[static_cast<std::size_t>(i) % captured.size()];
    // <test>.<tool>.<pid>[.xml]: a new test name, the captured tool and suffix.
    std::string name = from.filename().string();
    name = "scenario_test.Case" + std::to_string(i) + name.substr(name.find('.', name.find('.') + 1));
    fs::copy_file(from, logs / name, fs::copy_options::overwrite_existing, error);
  }
  const PlantedRegression planted;
  std::size_t rows = 0;
  for (int round = 0; round < scale; ++round) {
    std::vector<memsafe::tools::InputError> errors;
    const memsafe::tools::ReportContext context{"/work/main/", {"/work/main/build/"}, {}};
    const memsafe::tools::LogSet set = memsafe::tools::CollectLogs({work.string()}, &errors);
    const std::vector<memsafe::tools::Group> groups =
        memsafe::tools::Deduplicate(memsafe::tools::ReadLogs(set, context, &errors));
    memsafe::tools::ReportSummary summary;
    summary.logs = static_cast<int>(set.files.size());
    rows += groups.size();
    // The text is discarded: building it is the memory being measured.
    rows += memsafe::tools::FormatSarif(groups, context).empty() ? 0 : 1;
    rows += memsafe::tools::FormatJson(groups, summary).empty() ? 0 : 1;
    rows += memsafe::tools::FormatJunit(groups).empty() ? 0 : 1;
    rows += memsafe::tools::FormatMarkdown(groups, summary).empty() ? 0 : 1;
  }
  fs::remove_all(work, error);
  return rows > 0 ? 0 : ScenarioFailed("no findings read");
}

constexpr memsafe::bench::MemoryScenario kScenarios[] = {
    {"report-large-log-set", ReportLargeLogSet, "memsafe report over 1,000 logs: read, deduplicated, every format"},
};

}  // namespace

int main(int argc, char** argv) { return memsafe::bench::RunMemoryScenarios(argc, argv, kScenarios); }
