#include "suppressions/suppression_drafts.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "suppressions/suppressions.h"

namespace memsafe::tools {
namespace {

std::string ReadTestData(const std::string& name) {
  std::ifstream in(std::string(MEMSAFE_TEST_SOURCE_DIR) + "/tests/unit/tools/testdata/drafts/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const Draft* FindDraft(const std::vector<Draft>& drafts, const std::string& file, const std::string& entry_part) {
  for (const Draft& draft : drafts) {
    if (draft.file == file && draft.entry.find(entry_part) != std::string::npos) return &draft;
  }
  return nullptr;
}

// A heap-use-after-free planted in a C test, a GoogleTest and a doctest case, reported
// by ASan, TSan and Valgrind (memsafe report's JSON of tests/adoption/shelf).
TEST(SuppressionDraftsTest, EachToolGetsAnEntryInItsOwnTermsExceptWhereItHasNone) {
  std::vector<Draft> drafts;
  std::vector<std::string> not_drafted;
  std::string error;
  ASSERT_TRUE(DraftSuppressions(ReadTestData("planted.json"), *ParseDate("2026-12-01"), &drafts, &not_drafted, &error))
      << error;
  EXPECT_EQ(drafts.size(), 5u);
  // C++ names keep their class. The C test's bug is in main(), on every stack: no
  // entry for it (it would hide every race), named "to fix" instead.
  EXPECT_EQ(FindDraft(drafts, "tsan.supp", "main"), nullptr);
  EXPECT_NE(FindDraft(drafts, "tsan.supp", "race:ShelfTest_PlantedUseAfterFree_Test::TestBody"), nullptr);
  // Valgrind: its own kind (from its own headline, not ASan's) and the exact line.
  const Draft* valgrind = FindDraft(drafts, "valgrind.supp", "src:shelf_test.c:26");
  ASSERT_NE(valgrind, nullptr);
  EXPECT_NE(valgrind->entry.find("Memcheck:Addr4"), std::string::npos) << valgrind->entry;
  // ASan's memory errors cannot be suppressed at run time: said, never dropped.
  ASSERT_EQ(not_drafted.size(), 4u);
  EXPECT_NE(not_drafted[0].find("asan: heap-use-after-free at tests/shelf_doctest.cc:26"), std::string::npos)
      << not_drafted[0];
  const auto main_only = std::find_if(not_drafted.begin(), not_drafted.end(), [](const std::string& line) {
    return line.find("tsan: heap-use-after-free at tests/shelf_test.c:26") != std::string::npos;
  });
  ASSERT_NE(main_only, not_drafted.end());
  EXPECT_NE(main_only->find("to fix: the only frame to name is '^main$'"), std::string::npos) << *main_only;

  // Every draft is a valid entry that the lint lists as a draft, never as a problem.
  for (const Draft& draft : drafts) {
    const ParsedFile parsed = ParseSuppressions(draft.file, draft.text);
    EXPECT_TRUE(parsed.problems.empty()) << draft.text << parsed.problems.front().message;
    ASSERT_EQ(parsed.entries.size(), 1u) << draft.text;
    EXPECT_TRUE(parsed.entries[0].draft);
    EXPECT_EQ(parsed.drafts.size(), 1u);
    EXPECT_NE(draft.text.find("# added: 2026-12-01\n# review-by: 2027-03-03\n"), std::string::npos);
  }
}

TEST(SuppressionDraftsTest, LeaksRacesAndUndefinedBehaviour) {
  const std::string report = R"json({"findings": [
    {"kind": "memory-leak", "tools": ["lsan", "valgrind"], "tests": ["t"],
     "messages": {"lsan": "Direct leak of 40 byte(s) in 1 object(s) allocated from:",
                  "valgrind": "40 bytes in 1 blocks are definitely lost in loss record 1 of 1"},
     "location": null,
     "stacks": [{"title": "", "frames": [{"function": "malloc", "file": "", "line": 0},
                                         {"function": "int libfoo::Cache<int>::Grow(unsigned long) const",
                                          "file": "/usr/include/foo.h", "line": 9}]}]},
    {"kind": "lock-order-inversion", "tools": ["tsan"], "tests": ["t"], "message": "lock-order-inversion",
     "location": {"function": "(anonymous namespace)::Pool::Take()", "file": "src/pool.cc", "line": 4},
     "stacks": []},
    {"kind": "signed-integer-overflow", "tools": ["ubsan"], "tests": ["t"], "message": "runtime error",
     "location": {"function": "Sum(int, int)", "file": "src/sum.cc", "line": 2}, "stacks": []},
    {"kind": "segv", "tools": ["asan"], "tests": ["t"], "message": "SEGV", "location": null, "stacks": []}
  ]})json";
  std::vector<Draft> drafts;
  std::vector<std::string> not_drafted;
  std::string error;
  ASSERT_TRUE(DraftSuppressions(report, 20000, &drafts, &not_drafted, &error)) << error;
  EXPECT_NE(FindDraft(drafts, "lsan.supp", "leak:libfoo::Cache<int>::Grow"), nullptr);
  const Draft* leak = FindDraft(drafts, "valgrind.supp", "Memcheck:Leak");
  ASSERT_NE(leak, nullptr);
  EXPECT_NE(leak->entry.find("match-leak-kinds: definite\n   ...\n   fun:*libfoo*Cache*Grow*\n}"), std::string::npos)
      << leak->entry;
  EXPECT_NE(FindDraft(drafts, "tsan.supp", "deadlock:Pool::Take"), nullptr);
  EXPECT_NE(FindDraft(drafts, "ubsan_ignorelist.txt", "[signed-integer-overflow]\nfun:Sum"), nullptr);
  ASSERT_EQ(not_drafted.size(), 1u);
  EXPECT_NE(not_drafted[0].find("asan: segv"), std::string::npos);
  EXPECT_NE(not_drafted[0].find("names no function"), std::string::npos) << not_drafted[0];
}

// Names no entry may hold as they are, and names that would match every stack.
TEST(SuppressionDraftsTest, NoDraftIsBroaderThanItsFindingOrCarriesAHostileName) {
  nlohmann::json findings = nlohmann::json::array();
  const auto add = [&findings](const std::string& function, const std::string& file,
                               const std::vector<std::string>& tools) {
    const nlohmann::json frame = {{"function", function}, {"file", file}, {"line", 3}};
    findings.push_back({{"kind", "memory-leak"},
                        {"tools", tools},
                        {"tests", {"t"}},
                        {"signature", "{}\nleak:*"},
                        {"message", "Direct leak of 32 byte(s)"},
                        {"location", frame},
                        {"stacks", {{{"title", ""}, {"frames", {{{"function", "malloc"}}, frame}}}}}});
  };
  add("main", "tests/t.cc", {"lsan"});
  add("main", "tests/t.c", {"lsan", "tsan"});
  add("run()", "src/w.cc", {"tsan"});  // "run" is in std::thread's _M_run, on every thread's stack
  add("a", "src/a.cc", {"lsan"});
  add("operator new(unsigned long)", "src/n.cc", {"lsan"});
  add("foo\nleak:*", "src/f.cc", {"lsan"});
  add("*", "src/s.cc", {"lsan"});
  add(std::string(100000, 'x'), "src/x.cc", {"lsan"});
  add("ok_function", "src/{evil}.c", {"valgrind"});
  add("Worker::run()", "src/w.cc", {"tsan", "valgrind"});
  std::string report = nlohmann::json({{"findings", findings}}).dump();
  std::vector<Draft> drafts;
  std::vector<std::string> not_drafted;
  std::string error;
  ASSERT_TRUE(DraftSuppressions(report, 20000, &drafts, &not_drafted, &error)) << error;
  // Only the last finding can be drafted: narrowly, and with a safe block name.
  ASSERT_EQ(drafts.size(), 2u) << (drafts.empty() ? "" : drafts[0].text);
  EXPECT_EQ(drafts[0].entry, "race:Worker::run(") << "ends at its parameter list: not Worker::runner()";
  EXPECT_NE(drafts[1].entry.find("   draft-finding\n"), std::string::npos) << drafts[1].entry;
  EXPECT_NE(drafts[1].entry.find("src:w.cc:3"), std::string::npos) << drafts[1].entry;
  ASSERT_EQ(not_drafted.size(), 10u);
  for (const std::string& line : not_drafted) EXPECT_NE(line.find("to fix"), std::string::npos) << line;
  for (const Draft& draft : drafts) {
    EXPECT_TRUE(ParseSuppressions(draft.file, draft.text).problems.empty()) << draft.text;
  }
  // A name that is not UTF-8 makes the report no JSON at all: refused whole.
  const std::string marker = "ok_function";
  report.replace(report.find(marker), marker.size(), "bad\xff");
  drafts.clear();
  EXPECT_FALSE(DraftSuppressions(report, 20000, &drafts, &not_drafted, &error));
  EXPECT_TRUE(drafts.empty());
}

TEST(SuppressionDraftsTest, SomethingElseThanAFindingsReportIsRefused) {
  std::vector<Draft> drafts;
  std::vector<std::string> not_drafted;
  std::string error;
  EXPECT_FALSE(DraftSuppressions("{ nope", 0, &drafts, &not_drafted, &error));
  EXPECT_NE(error.find("not JSON"), std::string::npos);
  EXPECT_FALSE(DraftSuppressions(R"({"version": "2.1.0", "runs": []})", 0, &drafts, &not_drafted, &error));
  EXPECT_NE(error.find("findings.json"), std::string::npos) << error;
  EXPECT_TRUE(drafts.empty());
}

}  // namespace
}  // namespace memsafe::tools
