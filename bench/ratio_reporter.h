// A console reporter that also prints each benchmark beside its baseline from the same
// run, as a ratio. Absolute times on a shared 2-core machine move from run to run;
// the ratio to a baseline measured minutes apart in the same process moves much less.
#ifndef MEMSAFE_BENCH_RATIO_REPORTER_H_
#define MEMSAFE_BENCH_RATIO_REPORTER_H_

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace memsafe::bench {

// `candidate` is compared with `baseline`; `higher_is_better` says how to read the
// ratio: throughput-like (baseline time / candidate time) or cost-like (candidate /
// baseline).
struct Comparison {
  std::string candidate;
  std::string baseline;
  bool throughput = true;
};

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  explicit RatioReporter(std::vector<Comparison> comparisons) : comparisons_(std::move(comparisons)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Iteration && !run.error_occurred) {
        nanoseconds_[run.benchmark_name()] = run.real_accumulated_time / static_cast<double>(run.iterations) * 1e9;
      }
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-44s %-36s %12s %12s %9s\n", "CANDIDATE", "BASELINE (same run)", "ns/op", "baseline ns", "RATIO");
    for (const Comparison& c : comparisons_) {
      auto candidate = nanoseconds_.find(c.candidate);
      auto baseline = nanoseconds_.find(c.baseline);
      if (candidate == nanoseconds_.end() || baseline == nanoseconds_.end()) continue;
      const double ratio = c.throughput ? baseline->second / candidate->second : candidate->second / baseline->second;
      std::printf("%-44s %-36s %12.1f %12.1f %8.2fx %s\n", c.candidate.c_str(), c.baseline.c_str(), candidate->second,
                  baseline->second, ratio, c.throughput ? "throughput of baseline" : "time of baseline");
    }
  }

 private:
  std::vector<Comparison> comparisons_;
  std::map<std::string, double> nanoseconds_;
};

}  // namespace memsafe::bench

#endif  // MEMSAFE_BENCH_RATIO_REPORTER_H_
