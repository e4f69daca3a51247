// Throughput of `memsafe report` on large logs, beside reading the same bytes from disk
// in the same run:
//   valgrind-xml   a Valgrind XML of thousands of errors (built from a captured batched
//                  run, each error made a distinct finding)
//   sanitizer-log  an ASan log of thousands of distinct reports
// Both are generated at start-up into a private temporary directory, never stored in
// the repository. `--write-valgrind-xml DIR ERRORS [FRAMES]` only writes the XML (as
// DIR/big/memcheck/big_test.valgrind.1.xml) for measuring the command itself:
//
//   build/release/bench/memsafe_report_bench --write-valgrind-xml /tmp/r 7454 22
//   /usr/bin/time -v build/release/tools/memsafe/memsafe report --root / /tmp/r/big
//
// Run: build/release/bench/memsafe_report_bench   (after cmake --workflow --preset release)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ratio_reporter.h"
#include "report/report.h"
#include "suppressions/suppressions.h"

namespace memsafe::bench {
namespace {

namespace fs = std::filesystem;
using tools::CollectLogs;
using tools::InputError;
using tools::ReadLogs;
using tools::ReportContext;

const std::string kData = std::string(MEMSAFE_BENCH_SOURCE_DIR) + "/tests/unit/tools/testdata/";

std::string Read(const std::string& path) {
  std::string text;
  if (!tools::ReadWholeFile(path, &text)) {
    std::cerr << "report_bench: cannot read " << path << "\n";
    std::exit(2);
  }
  return text;
}

// Every occurrence of `from` in `text` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// `block` with at most `keep` <frame> elements in each <stack>.
std::string KeepFrames(const std::string& block, int keep) {
  std::string out;
  size_t at = 0;
  int in_stack = 0;
  for (;;) {
    const size_t frame = block.find("<frame>", at);
    const size_t stack = block.find("<stack>", at);
    if (frame == std::string::npos) break;
    if (stack != std::string::npos && stack < frame) {
      in_stack = 0;
      out += block.substr(at, stack + 7 - at);
      at = stack + 7;
      continue;
    }
    const size_t end = block.find("</frame>", frame) + std::strlen("</frame>");
    out += block.substr(at, frame - at);
    if (++in_stack <= keep) out += block.substr(frame, end - frame);
    at = end;
  }
  return out + block.substr(at);
}

// A Valgrind XML with `errors` errors, each in a function of its own (so each is its
// own finding), from the first error of a captured batched run, each stack cut to
// `frames` frames (the captured one has 39).
std::string MakeValgrindXml(int errors, int frames = 39) {
  const std::string captured = Read(kData + "batched/valgrind/memcheck/inventory_test.valgrind.6925.xml");
  const size_t first = captured.find("<error>");
  const size_t end = captured.find("</error>", first) + std::strlen("</error>\n");
  const std::string header = captured.substr(0, first);
  const std::string block = KeepFrames(captured.substr(first, end - first), frames);
  std::string xml = header;
  xml.reserve(header.size() + block.size() * static_cast<size_t>(errors) + 64);
  for (int i = 0; i < errors; ++i) xml += ReplaceAll(block, "TestBody", "TestBody" + std::to_string(i));
  xml += "\n</valgrindoutput>\n";
  return xml;
}

// An ASan log of `reports` distinct heap-use-after-free reports.
std::string MakeSanitizerLog(int reports) {
  const std::string captured = Read(kData + "reports/asan/memcheck/canary.address.heap-use-after-free.asan.1000");
  std::string log;
  for (int i = 0; i < reports; ++i) log += ReplaceAll(captured, "main", "main" + std::to_string(i));
  return log;
}

// DIR/<preset>/memcheck/<name> holding `content`; returns DIR/<preset>.
std::string WriteLog(const fs::path& dir, const std::string& preset, const std::string& name,
                     const std::string& content) {
  const fs::path memcheck = dir / preset / "memcheck";
  fs::create_directories(memcheck);
  std::ofstream(memcheck / name, std::ios::binary) << content;
  return (dir / preset).string();
}

struct Inputs {
  fs::path dir;
  std::string valgrind_dir, sanitizer_dir, valgrind_file, sanitizer_file;
  size_t valgrind_bytes = 0, sanitizer_bytes = 0;
};

const Inputs& Generated() {
  static const Inputs inputs = [] {
    Inputs in;
    std::string pattern = (fs::temp_directory_path() / "memsafe-report-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::exit(2);
    in.dir = pattern;
    const std::string xml = MakeValgrindXml(7454);
    const std::string log = MakeSanitizerLog(5000);
    in.valgrind_bytes = xml.size();
    in.sanitizer_bytes = log.size();
    in.valgrind_dir = WriteLog(in.dir, "vg", "big_test.valgrind.1.xml", xml);
    in.sanitizer_dir = WriteLog(in.dir, "asan", "big_test.asan.1", log);
    in.valgrind_file = in.valgrind_dir + "/memcheck/big_test.valgrind.1.xml";
    in.sanitizer_file = in.sanitizer_dir + "/memcheck/big_test.asan.1";
    std::atexit([] {
      std::error_code ignored;
      (void)fs::remove_all(Generated().dir, ignored);  // best effort: a private temporary directory
    });
    return in;
  }();
  return inputs;
}

void Report(benchmark::State& state, const std::string& dir, size_t bytes) {
  const ReportContext context{"/work/main/", {}, {}};
  for (auto _ : state) {
    std::vector<InputError> errors;
    auto findings = ReadLogs(CollectLogs({dir}, &errors), context, &errors);
    benchmark::DoNotOptimize(findings.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

void ReadOnly(benchmark::State& state, const std::string& file, size_t bytes) {
  for (auto _ : state) {
    std::string text = Read(file);
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(bytes));
}

void BM_Report_ValgrindXml(benchmark::State& state) {
  Report(state, Generated().valgrind_dir, Generated().valgrind_bytes);
}
void BM_Read_ValgrindXml(benchmark::State& state) {
  ReadOnly(state, Generated().valgrind_file, Generated().valgrind_bytes);
}
void BM_Report_SanitizerLog(benchmark::State& state) {
  Report(state, Generated().sanitizer_dir, Generated().sanitizer_bytes);
}
void BM_Read_SanitizerLog(benchmark::State& state) {
  ReadOnly(state, Generated().sanitizer_file, Generated().sanitizer_bytes);
}

BENCHMARK(BM_Read_ValgrindXml)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Report_ValgrindXml)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Read_SanitizerLog)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Report_SanitizerLog)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace memsafe::bench

int main(int argc, char** argv) {
  if ((argc == 4 || argc == 5) && std::strcmp(argv[1], "--write-valgrind-xml") == 0) {
    const int errors = std::atoi(argv[3]);
    const int frames = argc == 5 ? std::atoi(argv[4]) : 39;
    if (errors < 1 || frames < 1) return 2;
    const std::string xml = memsafe::bench::MakeValgrindXml(errors, frames);
    memsafe::bench::WriteLog(argv[2], "big", "big_test.valgrind.1.xml", xml);
    std::cout << "wrote " << xml.size() << " bytes, " << errors << " errors, to " << argv[2] << "/big/memcheck/\n";
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  memsafe::bench::RatioReporter reporter({{"BM_Report_ValgrindXml", "BM_Read_ValgrindXml", true},
                                          {"BM_Report_SanitizerLog", "BM_Read_SanitizerLog", true}});
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
