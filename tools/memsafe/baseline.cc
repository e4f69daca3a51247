#include "baseline.h"

#include <nlohmann/json.hpp>

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/process.h"
#include "common/text.h"

namespace memsafe::tools {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Runs argv with stdout and stderr discarded; the exit status.
bool Run(const std::vector<std::string>& args, int* status, std::string* error) {
  ProcessOptions options;
  options.discard_output = true;
  const ProcessResult result = RunProcess(args, options);
  if (!result.started || !result.error.empty()) {
    *error = result.error;
    return false;
  }
  *status = result.exit_code;
  return true;
}

bool Massif(const std::string& binary, const std::string& valgrind, const std::string& scenario, int scale,
            std::uint64_t* peak, std::string* error) {
  // A private directory (mode 0700, unpredictable name): a fixed name in /tmp would let
  // another user plant a symlink there and have a root run write through it.
  std::string dir_template = (fs::temp_directory_path() / "memsafe-massif-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    *error = "cannot create a private temporary directory in " + fs::temp_directory_path().string() + ": " +
             std::strerror(errno);
    return false;
  }
  const fs::path dir = dir_template;
  const fs::path out = dir / "massif.out";
  // --threshold=100 and --depth=1: only the totals are wanted, not the allocation trees.
  const std::vector<std::string> args = {valgrind,          "--tool=massif",      "--massif-out-file=" + out.string(),
                                         "--threshold=100", "--depth=1",          binary,
                                         scenario,          std::to_string(scale)};
  int status = 0;
  const bool ran = Run(args, &status, error);
  std::string text;
  const bool read = ran && ReadWholeFile(out.string(), &text);
  std::error_code ignored;
  // Best effort: a directory left behind is private and says nothing about the result.
  (void)fs::remove_all(dir, ignored);
  if (!ran) return false;
  if (status != 0) {
    *error = "'" + Join(args, " ") + "' exited " + std::to_string(status);
    return false;
  }
  if (!read || !PeakFromMassif(text, peak)) {
    *error = "no snapshots in massif's output for " + scenario;
    return false;
  }
  return true;
}

double Percent(double baseline, double measured) {
  return baseline > 0 ? (measured - baseline) * 100.0 / baseline : 0.0;
}

}  // namespace

bool PeakFromMassif(const std::string& text, std::uint64_t* peak) {
  // Each snapshot lists mem_heap_B= then mem_heap_extra_B=.
  std::uint64_t heap = 0;
  bool found = false;
  *peak = 0;
  for (std::string_view line : SplitLines(text)) {
    const auto value = [&](std::string_view key) {
      return std::strtoull(std::string(line.substr(key.size())).c_str(), nullptr, 10);
    };
    if (line.rfind("mem_heap_B=", 0) == 0) {
      heap = value("mem_heap_B=");
    } else if (line.rfind("mem_heap_extra_B=", 0) == 0) {
      *peak = std::max<std::uint64_t>(*peak, heap + value("mem_heap_extra_B="));
      found = true;
    }
  }
  return found;
}

bool ScenariosFromListings(const std::vector<std::pair<std::string, std::string>>& program_listings,
                           std::vector<ScenarioProgram>* out, std::string* error) {
  std::map<std::string, std::string> seen;  // scenario -> program
  out->clear();
  for (const auto& [program, listing] : program_listings) {
    std::size_t found = 0;
    for (std::string_view line : SplitLines(listing)) {
      const std::string name(Trim(line.substr(0, line.find('\t'))));
      if (name.empty()) continue;
      const auto [where, inserted] = seen.emplace(name, program);
      if (!inserted) {
        *error = "scenario '" + name + "' is defined by both " + where->second + " and " + program;
        return false;
      }
      out->push_back(ScenarioProgram{name, program});
      ++found;
    }
    if (found == 0) {
      *error = program + " --list printed no scenario";
      return false;
    }
  }
  return true;
}

bool ListScenarios(const std::vector<std::string>& programs, std::vector<ScenarioProgram>* out, std::string* error) {
  std::vector<std::pair<std::string, std::string>> listings;
  for (const std::string& program : programs) {
    ProcessOptions options;
    options.capture_stdout = true;
    const ProcessResult listed = RunProcess({program, "--list"}, options);
    if (!listed.started || listed.exit_code != 0) {
      *error = "cannot list the scenarios of '" + program + "' (" +
               (listed.started ? "exit " + std::to_string(listed.exit_code) : listed.error) +
               "; build them: cmake --build --preset dev --target memsafe_memory_scenarios "
               "memsafe_tool_memory_scenarios)";
      return false;
    }
    listings.emplace_back(program, listed.output);
  }
  return ScenariosFromListings(listings, out, error);
}

bool MeasureScenario(const std::string& binary, const std::string& valgrind, const std::string& scenario,
                     Measurement* out, std::string* error) {
  out->scenario = scenario;
  // The scenario reports its own peak RSS (VmHWM): the child's ru_maxrss would include
  // this tool's footprint, which a spawned process inherits across exec.
  ProcessOptions options;
  options.capture_stdout = true;
  const ProcessResult result = RunProcess({binary, scenario, "1"}, options);
  if (!result.started || result.exit_code != 0) {
    *error = result.started ? "'" + binary + " " + scenario + " 1' exited " + std::to_string(result.exit_code)
                            : result.error;
    return false;
  }
  constexpr std::string_view kKey = "peak_rss_kib=";
  bool found = false;
  for (std::string_view line : SplitLines(result.output)) {
    if (line.substr(0, kKey.size()) != kKey) continue;
    const long long value = std::atoll(std::string(line.substr(kKey.size())).c_str());
    if (value <= 0) break;
    out->peak_rss_kib = static_cast<std::uint64_t>(value);
    found = true;
  }
  if (!found) {
    *error = "'" + binary + " " + scenario + " 1' printed no peak_rss_kib= line";
    return false;
  }
  return Massif(binary, valgrind, scenario, 1, &out->peak_heap_bytes, error) &&
         Massif(binary, valgrind, scenario, 2, &out->peak_heap_bytes_2x, error);
}

bool ReadBaseline(const std::string& text, BaselineFile* file, std::string* error) {
  try {
    const json data = json::parse(text);
    file->threshold_percent = data.at("threshold_percent").get<double>();
    file->rationale = data.value("rationale", "");
    file->environment = data.value("environment", std::map<std::string, std::string>{});
    for (const auto& [name, entry] : data.at("scenarios").items()) {
      Measurement measurement;
      measurement.scenario = name;
      measurement.peak_heap_bytes = entry.at("peak_heap_bytes").get<std::uint64_t>();
      measurement.peak_heap_bytes_2x = entry.at("peak_heap_bytes_2x").get<std::uint64_t>();
      measurement.peak_rss_kib = entry.at("peak_rss_kib").get<std::uint64_t>();
      file->scenarios[name] = measurement;
    }
  } catch (const json::exception& exception) {
    *error = exception.what();
    return false;
  }
  if (file->threshold_percent <= 0) {
    *error = "threshold_percent must be positive";
    return false;
  }
  return true;
}

std::string WriteBaseline(const BaselineFile& file) {
  json scenarios = json::object();
  for (const auto& [name, m] : file.scenarios) {
    scenarios[name] = {{"peak_heap_bytes", m.peak_heap_bytes},
                       {"peak_heap_bytes_2x", m.peak_heap_bytes_2x},
                       {"peak_rss_kib", m.peak_rss_kib}};
  }
  const json data = {{"threshold_percent", file.threshold_percent},
                     {"rationale", file.rationale},
                     {"environment", file.environment},
                     {"scenarios", scenarios}};
  return data.dump(2) + "\n";
}

std::vector<Verdict> Compare(const BaselineFile& baseline, const std::vector<Measurement>& measured,
                             bool every_scenario) {
  std::vector<Verdict> verdicts;
  const double limit = baseline.threshold_percent;
  for (const Measurement& now : measured) {
    const auto it = baseline.scenarios.find(now.scenario);
    if (it == baseline.scenarios.end()) {
      verdicts.push_back({now.scenario, "missing from the baseline (run memsafe baseline update)", 0,
                          static_cast<double>(now.peak_heap_bytes), 0, true});
      continue;
    }
    const Measurement& then = it->second;
    const auto add = [&](const char* what, double before, double after) {
      const double delta = Percent(before, after);
      verdicts.push_back({now.scenario, what, before, after, delta, delta > limit});
    };
    add("peak heap (bytes)", static_cast<double>(then.peak_heap_bytes), static_cast<double>(now.peak_heap_bytes));
    add("peak RSS (KiB)", static_cast<double>(then.peak_rss_kib), static_cast<double>(now.peak_rss_kib));
    // Growth over time: twice the work must not need more memory than once.
    add("peak heap at 2x vs 1x", static_cast<double>(now.peak_heap_bytes), static_cast<double>(now.peak_heap_bytes_2x));
  }
  if (every_scenario) {
    // A scenario of the baseline that no program listed would otherwise drop out of the
    // gate unnoticed (a program left out of --scenarios, a scenario renamed).
    for (const auto& [scenario, then] : baseline.scenarios) {
      // A named copy: Clang 14 cannot capture a structured binding in a lambda.
      const std::string& name = scenario;
      const bool ran =
          std::any_of(measured.begin(), measured.end(), [&](const Measurement& m) { return m.scenario == name; });
      if (!ran) {
        verdicts.push_back(
            {name, "not measured (no program given lists it)", static_cast<double>(then.peak_heap_bytes), 0, 0, true});
      }
    }
  }
  return verdicts;
}

}  // namespace memsafe::tools
