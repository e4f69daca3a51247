#include "fuzz_targets.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;

const char* const kTargets[] = {"sanitizer_log", "valgrind_xml", "suppression_file", "options_list", "log_tree"};

// Every input in fuzz/corpus/<target> (interesting inputs kept from fuzzing runs),
// fuzz/regressions/<target> (each crash a fuzzer found, named for the bug) and
// fuzz/seeds/<target> (hand-written seeds of targets without captured material).
std::vector<fs::path> Inputs(const std::string& target) {
  std::vector<fs::path> inputs;
  for (const char* kind : {"corpus", "regressions", "seeds"}) {
    const fs::path dir = fs::path(MEMSAFE_TEST_SOURCE_DIR) / "fuzz" / kind / target;
    std::error_code error;
    for (const auto& item : fs::directory_iterator(dir, error)) {
      if (item.is_regular_file()) inputs.push_back(item.path());
    }
  }
  return inputs;
}

TEST(FuzzTargetsTest, EveryTargetHasAnEntryPoint) {
  for (const char* target : kTargets) EXPECT_NE(FuzzEntryFor(target), nullptr) << target;
  EXPECT_EQ(FuzzEntryFor("no_such_target"), nullptr);
}

// Under asan, tsan and valgrind this replays every past crash with the tool watching:
// a regression fails the test with the tool's report.
TEST(FuzzTargetsTest, ReplaysCorpusAndEveryPastCrash) {
  size_t replayed = 0;
  for (const char* target : kTargets) {
    const FuzzEntry entry = FuzzEntryFor(target);
    ASSERT_NE(entry, nullptr);
    for (const fs::path& input : Inputs(target)) {
      std::ifstream in(input, std::ios::binary);
      const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      SCOPED_TRACE(input.string());
      EXPECT_EQ(entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
      ++replayed;
    }
    // The empty input, which every parser must accept.
    EXPECT_EQ(entry(nullptr, 0), 0);
  }
  EXPECT_GE(replayed, 1u) << "fuzz/regressions holds at least the crash the sanitizer_log fuzzer found";
}

}  // namespace
}  // namespace memsafe::tools
