#include "report/report.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "report/report_output.h"
#include "tools/report/captured_reports.h"
#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using testing::Captured;
using testing::kCapturedContext;
using testing::kData;
using testing::ReadCaptured;
using testing::ReadDataLogs;

// A log of test "t" read from file "l".
LogFile TestLog() {
  LogFile log;
  log.path = "l";
  log.test = "t";
  return log;
}

std::string ReadData(const std::string& relative) {
  std::ifstream in(kData + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Where(const Finding& finding) {
  return finding.kind + " " +
         (finding.has_location ? finding.location.file + ":" + std::to_string(finding.location.line)
                               : std::string("?"));
}

TEST(ReportTest, ReadsTheCanaryReportsOfEveryToolFromBothCompilers) {
  const Captured& captured = ReadCaptured();
  const std::vector<InputError>& errors = captured.errors;
  std::map<std::string, std::multiset<std::string>> by_preset;
  for (const Finding& finding : captured.findings) by_preset[finding.preset].insert(Where(finding));
  EXPECT_TRUE(errors.empty()) << errors.front().file << ":" << errors.front().line << ": " << errors.front().message;

  const std::multiset<std::string> asan = {
      "double-free tests/canaries/double_free.cc:9",
      "heap-buffer-overflow tests/canaries/heap_buffer_overflow.cc:8",
      "heap-use-after-free tests/canaries/heap_use_after_free.cc:10",
      "stack-use-after-return tests/canaries/stack_use_after_return.cc:12",
      "memory-leak tests/canaries/leak_unused.cc:11",
      "memory-leak tests/canaries/leak_unused.cc:12",
      "misaligned-pointer-use tests/canaries/misaligned_access.cc:9",
      "signed-integer-overflow tests/canaries/signed_overflow.cc:7",
  };
  EXPECT_EQ(by_preset["asan"], asan);
  EXPECT_EQ(by_preset["asan-gcc"], asan);
  const std::multiset<std::string> tsan = {"data-race tests/canaries/data_race.cc:9"};
  EXPECT_EQ(by_preset["tsan"], tsan);
  EXPECT_EQ(by_preset["tsan-gcc"], tsan);
  const std::multiset<std::string> valgrind = {
      "memory-leak tests/canaries/leak_unused.cc:11",
      "memory-leak tests/canaries/leak_unused.cc:12",
      "uninitialised-value tests/canaries/uninitialised_branch.cc:8",
  };
  EXPECT_EQ(by_preset["valgrind"], valgrind);
  EXPECT_EQ(by_preset["valgrind-clang"], valgrind);
}

TEST(ReportTest, OneBugIsOneRowAcrossCompilersAndTools) {
  const std::vector<Group>& groups = ReadCaptured().groups;
  // 8 ASan/LSan/UBSan kinds + 1 race + 1 uninitialised value; the two leaks are the
  // same bugs whether LSan or Valgrind saw them, from either compiler.
  ASSERT_EQ(groups.size(), 10u);
  for (const Group& group : groups) {
    if (Where(group.first) != "memory-leak tests/canaries/leak_unused.cc:11") continue;
    EXPECT_EQ(group.tools, (std::vector<std::string>{"lsan", "valgrind"}));
    EXPECT_EQ(group.presets, (std::vector<std::string>{"asan", "asan-gcc", "valgrind", "valgrind-clang"}));
    EXPECT_EQ(group.tests, (std::vector<std::string>{"canary.leak.direct-leak", "canary.valgrind.definite-leak"}));
    EXPECT_EQ(group.occurrences, 4);
    EXPECT_EQ(group.first.location.function, "LeakWithMalloc()");
  }
}

TEST(ReportTest, SignatureIsTheKindAndWhereTheBugEntersTheProject) {
  ReportContext context;
  context.root = "/p/";
  context.exclude = {"/p/third_party/"};
  const Frame printf_frames[] = {{"_itoa_word", "", 0, 0, "libc.so.6"},
                                 {"__vfprintf_internal", "", 0, 0, "libc.so.6"},
                                 {"printf", "", 0, 0, "libc.so.6"}};
  // Two programs' uninitialised values, both first used inside printf: two bugs.
  Finding first;
  first.kind = "uninitialised-value";
  first.stacks = {{"", {printf_frames[0], printf_frames[1], printf_frames[2], {"main", "/p/one.c", 7, 0, ""}}}};
  Finding second = first;
  second.stacks[0].frames[3] = {"main", "/p/two.c", 9, 0, ""};
  EXPECT_NE(Signature(first, context), Signature(second, context));
  // One bug, seen through different library frames and depths (another compiler, another
  // tool, an inlined helper): one signature.
  Finding again = first;
  again.stacks[0].frames.erase(again.stacks[0].frames.begin());
  again.stacks[0].frames.push_back({"__libc_start_main", "", 0, 0, "libc.so.6"});
  EXPECT_EQ(Signature(first, context), Signature(again, context));
  // Vendored code is not the project: the place is the project's caller.
  Finding vendored = first;
  vendored.stacks[0].frames.insert(vendored.stacks[0].frames.begin(), {"Parse", "/p/third_party/x.c", 3, 0, ""});
  EXPECT_EQ(Signature(first, context), Signature(vendored, context));
  // ASan's overflow and UBSan's bounds check on the same access are one bug.
  Finding asan;
  asan.kind = "stack-buffer-overflow";
  asan.stacks = {{"", {{"Fill", "/p/fill.cc", 12, 5, ""}}}};
  Finding ubsan = asan;
  ubsan.kind = "array-index-out-of-bounds";
  EXPECT_EQ(Signature(asan, context), Signature(ubsan, context));
  // A read of a returned frame or of a vector's spare capacity is ASan's kind, and the
  // use of undefined bytes to Valgrind: one bug at one place.
  Finding dead_frame = asan;
  dead_frame.kind = "stack-use-after-return";
  Finding undefined = asan;
  undefined.kind = "uninitialised-value";
  Finding spare = asan;
  spare.kind = "container-overflow";
  EXPECT_EQ(Signature(dead_frame, context), Signature(undefined, context));
  EXPECT_EQ(Signature(spare, context), Signature(undefined, context));
  EXPECT_NE(Signature(undefined, context), Signature(asan, context)) << "an overflow is another bug";
}

// Valgrind's own words for each kind of error, as its XML gives them.
TEST(ReportTest, ValgrindKindsComeFromTheBlockDescription) {
  using Aux = std::vector<std::string>;
  EXPECT_EQ(ValgrindKind("InvalidRead",
                         Aux{"Address 0x4a8d044 is 4 bytes inside a block of size 32 free'd", "Block was alloc'd at"}),
            "heap-use-after-free");
  EXPECT_EQ(ValgrindKind("InvalidWrite", Aux{"Address 0x4a8d060 is 0 bytes after a block of size 32 alloc'd"}),
            "heap-buffer-overflow");
  // "not stack'd, malloc'd or (recently) free'd" is no use after free: a null pointer
  // (the first page), or a wild one.
  EXPECT_EQ(ValgrindKind("InvalidWrite", Aux{"Address 0x0 is not stack'd, malloc'd or (recently) free'd"}),
            "null-pointer-use");
  EXPECT_EQ(ValgrindKind("InvalidRead", Aux{"Address 0x10 is not stack'd, malloc'd or (recently) free'd"}),
            "null-pointer-use");
  EXPECT_EQ(ValgrindKind("InvalidRead", Aux{"Address 0x7ff000 is not stack'd, malloc'd or (recently) free'd"}),
            "invalid-read");
  EXPECT_EQ(ValgrindKind("InvalidFree", Aux{"Address 0x4a8d040 is 0 bytes inside a block of size 48 free'd"}),
            "double-free");
  EXPECT_EQ(ValgrindKind("InvalidFree", Aux{"Address 0x1ffefffd0c is not stack'd, malloc'd or (recently) free'd"}),
            "bad-free");
  EXPECT_EQ(ValgrindKind("InvalidRead", Aux{"Address 0x1ffefffd0c is on thread 1's stack"}), "invalid-read");
  EXPECT_EQ(ValgrindKind("UninitCondition", Aux{}), "uninitialised-value");
  EXPECT_EQ(ValgrindKind("Leak_DefinitelyLost", Aux{}), "memory-leak");
  EXPECT_EQ(ValgrindKind("FishyValue", Aux{}), "fishy-value");
}

TEST(ReportTest, SignatureOfARaceIgnoresTheOrderOfItsThreads) {
  ReportContext context;
  context.root = "/p/";
  Finding a;
  a.kind = "data-race";
  a.stacks = {{"Write", {{"Writer()", "/p/a.cc", 10, 3, ""}}}, {"Previous read", {{"Reader()", "/p/b.cc", 20, 1, ""}}}};
  Finding b = a;
  std::swap(b.stacks[0], b.stacks[1]);
  EXPECT_EQ(Signature(a, context), Signature(b, context));
  Finding c = a;
  c.kind = "heap-use-after-free";
  EXPECT_NE(Signature(a, context), Signature(c, context));
  // Clang's TSan gives some accesses line 0: the file and function still place them.
  Finding line_zero = a;
  line_zero.stacks[0].frames[0].line = 0;
  EXPECT_NE(Signature(a, context), Signature(line_zero, context));
  // Outside the project, the library frames place a bug, without their line numbers.
  ReportContext elsewhere;
  elsewhere.root = "/q/";
  Finding moved = a;
  moved.stacks[0].frames[0].line = 99;
  EXPECT_EQ(Signature(a, elsewhere), Signature(moved, elsewhere));
}

// testdata/batched: the consumer project's inventory_test run as one Valgrind process
// (all cases, as Valgrind builds run every test executable), captured at /work/main.
TEST(ReportTest, BatchedValgrindRunNamesTheCaseOfEachFinding) {
  std::vector<InputError> errors;
  const ReportContext consumer{"/work/main/tests/consumer/", {"/work/main/build/"}, {}};
  std::multiset<std::string> found;
  for (const Finding& finding : ReadDataLogs("batched", consumer, &errors)) {
    found.insert(finding.test + " " + Where(finding));
  }
  EXPECT_TRUE(errors.empty()) << errors.front().file << ":" << errors.front().line << ": " << errors.front().message;
  // The leak appears once, under its case: the leak check at exit repeats it and the
  // repeat is dropped; its indirect leak folds into it. The clean cases have nothing.
  const std::multiset<std::string> expected = {
      "inventory_test.PlantedBugTest.HeapUseAfterFree heap-use-after-free tests/inventory_test.cc:28",
      "inventory_test.PlantedBugTest.HeapUseAfterFree heap-use-after-free tests/inventory_test.cc:28",
      "inventory_test.PlantedBugTest.Leak memory-leak tests/inventory_test.cc:32",
      "inventory_test.PlantedBugTest.UninitialisedRead uninitialised-value tests/inventory_test.cc:54",
      "inventory_test.PlantedBugTest.LibraryOverflowFromOneItem heap-buffer-overflow src/inventory.cc:34",
      "inventory_test.PlantedBugTest.LibraryOverflowFromTwoItems heap-buffer-overflow src/inventory.cc:34",
  };
  EXPECT_EQ(found, expected);
}

TEST(ReportTest, CanaryLogsAreMarkedAndToolsPerPresetKnown) {
  std::vector<InputError> errors;
  const LogSet logs = CollectLogs({kData + "reports"}, &errors);
  ASSERT_TRUE(errors.empty());
  for (const LogFile& log : logs.files) {
    EXPECT_EQ(log.expected, log.test.rfind("canary.", 0) == 0) << log.path;
  }
  EXPECT_EQ(logs.tools_by_preset.at("asan-gcc"), std::vector<std::string>{"asan"});
  EXPECT_EQ(logs.tools_by_preset.at("valgrind"), std::vector<std::string>{"valgrind"});
  // The clean test's Valgrind log is read and holds nothing.
  const auto clean = std::find_if(logs.files.begin(), logs.files.end(), [](const LogFile& log) {
    return log.test == "log_test.LogTest.DeliversLevelAndMessage";
  });
  ASSERT_NE(clean, logs.files.end());
  EXPECT_TRUE(clean->xml);
  EXPECT_TRUE(ParseValgrindXml(
                  ReadData("reports/valgrind/memcheck/" + std::string(clean->path.substr(clean->path.rfind('/') + 1))),
                  *clean, kCapturedContext, &errors)
                  .empty());
}

TEST(ReportTest, ParsesTheFrameFormatsOfEveryRuntime) {
  const Frame clang =
      ParseFrameLine("    #1 0x5597 in LeakWithMalloc() /work/main/tests/canaries/leak_unused.cc:11:57");
  EXPECT_EQ(clang.function, "LeakWithMalloc()");
  EXPECT_EQ(clang.file, "/work/main/tests/canaries/leak_unused.cc");
  EXPECT_EQ(clang.line, 11);
  EXPECT_EQ(clang.column, 57);
  const Frame gcc =
      ParseFrameLine("#0 0x7f6b in __interceptor_malloc ../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69");
  EXPECT_EQ(gcc.function, "__interceptor_malloc");
  EXPECT_EQ(gcc.line, 69);
  EXPECT_TRUE(IsRuntimeFrame(gcc));
  const Frame object = ParseFrameLine("#0 0x55975 in malloc (/work/main/build/asan/x+0xa939e) (BuildId: 03ff3ca5)");
  EXPECT_EQ(object.function, "malloc");
  EXPECT_EQ(object.object, "/work/main/build/asan/x");
  EXPECT_TRUE(object.file.empty());
  const Frame anonymous = ParseFrameLine("#8 0x7f20048d44a2  (/lib/x86_64-linux-gnu/libstdc++.so.6+0xd44a2)");
  EXPECT_TRUE(anonymous.function.empty());
  EXPECT_EQ(anonymous.object, "/lib/x86_64-linux-gnu/libstdc++.so.6");
  const Frame tsan = ParseFrameLine(
      "#0 (anonymous namespace)::Increment() /work/main/tests/canaries/data_race.cc:9:34 (bin+0xd5105) (BuildId: 9d)");
  EXPECT_EQ(tsan.function, "(anonymous namespace)::Increment()");
  EXPECT_EQ(tsan.line, 9);
  EXPECT_EQ(tsan.object, "bin");
  const Frame tsan_null = ParseFrameLine("#6 <null> <null> (libstdc++.so.6+0xd44a2)");
  EXPECT_TRUE(tsan_null.function.empty());
  EXPECT_TRUE(tsan_null.file.empty());
  const Frame spaces = ParseFrameLine(
      "#3 0x5 in void std::__invoke_impl<void, main::$_0>(std::__invoke_other, main::$_0&&) "
      "/usr/include/invoke.h:61:14");
  EXPECT_EQ(spaces.function, "void std::__invoke_impl<void, main::$_0>(std::__invoke_other, main::$_0&&)");
  EXPECT_EQ(spaces.file, "/usr/include/invoke.h");
}

// Clang's TSan at -O1 records some accesses at line 0 and prints the file alone: the
// frame keeps its file, so it still places the finding in that file rather than in the
// next frame's.
TEST(ReportTest, FrameWithAFileButNoLineKeepsItsFile) {
  const Frame frame = ParseFrameLine("    #0 Worker(void*) /p/src/race.cc (race+0x1234) (BuildId: 9d)");
  EXPECT_EQ(frame.function, "Worker(void*)");
  EXPECT_EQ(frame.file, "/p/src/race.cc");
  EXPECT_EQ(frame.line, 0);
  EXPECT_EQ(frame.object, "race");

  const std::string log =
      "WARNING: ThreadSanitizer: data race (pid=7)\n"
      "  Write of size 4 at 0x1 by thread T1:\n"
      "    #0 Worker(void*) /p/src/race.cc (race+0x1234)\n"
      "    #1 RunHelper() /p/tests/helper.cc:30:3 (race+0x2)\n"
      "\n"
      "  Previous write of size 4 at 0x1 by main thread:\n"
      "    #0 main /p/src/race.cc:12:5 (race+0x3)\n"
      "\n"
      "SUMMARY: ThreadSanitizer: data race /p/src/race.cc in Worker(void*)\n";
  std::vector<InputError> errors;
  const ReportContext context{"/p/", {}, {}};
  const std::vector<Finding> findings = ParseSanitizerLog(log, TestLog(), context, &errors);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(LocationText(findings[0]), "src/race.cc");
  EXPECT_EQ(findings[0].location.function, "Worker(void*)");
}

// A binary deleted or relinked while it ran leaves the symbolizer nothing to read: the
// stacks are bare addresses (captured from a Clang TSan program that unlinked itself).
TEST(ReportTest, AStackOfBareAddressesSaysItWasNotSymbolized) {
  const std::string log =
      "WARNING: ThreadSanitizer: data race (pid=2639)\n"
      "  Write of size 4 at 0x55d83ab91258 by thread T2:\n"
      "    #0 <null> <null> (t2+0xd018f) (BuildId: f533044c8e803d1e65b6636cd88bab64ffeef86e)\n"
      "    #1 <null> <null> (t2+0x51318) (BuildId: f533044c8e803d1e65b6636cd88bab64ffeef86e)\n"
      "\n"
      "  Location is global '?"
      "?' at 0x55d83971b000 (t2+0x1476258)\n"
      "\n"
      "SUMMARY: ThreadSanitizer: data race (/tmp/t2+0xd018f) (BuildId: f533044c8e80)\n";
  std::vector<InputError> errors;
  const ReportContext context{"/p/", {}, {}};
  const std::vector<Finding> bare = ParseSanitizerLog(log, TestLog(), context, &errors);
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(LocationText(bare[0]), "(not symbolized: t2 was removed, relinked or stripped before the report)");

  // Symbolized frames outside the project keep the plain wording.
  std::string outside = log;
  outside.replace(outside.find("<null> <null> (t2+0xd018f)"), 26, "Run /usr/lib/x.cc:3:1 (t2+0xd018f)");
  const std::vector<Finding> elsewhere = ParseSanitizerLog(outside, TestLog(), context, &errors);
  ASSERT_EQ(elsewhere.size(), 1u);
  EXPECT_EQ(LocationText(elsewhere[0]), "(no frame in the project)");
}

TEST(ReportTest, ExcludedDirectoriesComeFromTheProjectAndTheDefaults) {
  testing::ScratchDir project;
  const std::string root = project.path().string() + "/";
  std::vector<InputError> errors;
  ReportContext context = ProjectReportContext(root, {}, &errors);
  EXPECT_TRUE(errors.empty());
  bool inside = true;
  // Vendored code at any depth, and the build tree, are not the project's own.
  (void)RelativeToRoot(root + "src/third_party/zlib/inflate.c", context, &inside);
  EXPECT_FALSE(inside);
  (void)RelativeToRoot(root + "build/_deps/x.cc", context, &inside);
  EXPECT_FALSE(inside);
  EXPECT_EQ(RelativeToRoot(root + "src/external_api.cc", context, &inside), "src/external_api.cc");
  EXPECT_TRUE(inside) << "a file named like a vendored directory is the project's";

  project.Write("sanitizers/exclude.txt",
                "# test helpers: a bug inside one is located at the test that called it\n"
                "tests/support/\n"
                "!external   # our own code lives in external/\n");
  context = ProjectReportContext(root, {}, &errors);
  EXPECT_TRUE(errors.empty());
  (void)RelativeToRoot(root + "tests/support/fixture.cc", context, &inside);
  EXPECT_FALSE(inside);
  EXPECT_EQ(RelativeToRoot(root + "external/api.cc", context, &inside), "external/api.cc");
  EXPECT_TRUE(inside);

  project.Write("sanitizers/exclude.txt", "/etc/\n../elsewhere/\n!src\n");
  (void)ProjectReportContext(root, {}, &errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].line, 1);
  EXPECT_NE(errors[2].message.find("'src' is not a default excluded directory name"), std::string::npos);
}

// A bug inside vendored code or a test helper: the row is at the project's nearest
// frame, and says where the bad access itself was.
TEST(ReportTest, FindingInExcludedCodeShowsTheAccessAndTheNearestProjectFrame) {
  const std::string log =
      "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1 at pc 0x2 bp 0x3 sp 0x4\n"
      "READ of size 1 at 0x1 thread T0\n"
      "    #0 0x5 in __interceptor_memcpy ../../../../src/libsanitizer/sanitizer_common/x.inc:827\n"
      "    #1 0x6 in Inflate /p/third_party/zlib/inflate.c:210:7\n"
      "    #2 0x7 in LoadArchive(char const*) /p/src/archive.cc:44:10\n"
      "    #3 0x8 in main /p/src/main.cc:5:3\n";
  std::vector<InputError> errors;
  ReportContext context{"/p/", {}, DefaultExcludedNames()};
  const std::vector<Finding> findings = ParseSanitizerLog(log, TestLog(), context, &errors);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(LocationText(findings[0]), "src/archive.cc:44");
  EXPECT_EQ(AccessText(findings[0]), "third_party/zlib/inflate.c:210");
  const std::string table = FormatTable(Deduplicate(findings), ReportSummary{});
  EXPECT_NE(table.find("  access:  third_party/zlib/inflate.c:210"), std::string::npos) << table;
  // In the project's own code the access is the location: said once.
  context.excluded_names.clear();
  const std::vector<Finding> own = ParseSanitizerLog(log, TestLog(), context, &errors);
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(LocationText(own[0]), "third_party/zlib/inflate.c:210");
  EXPECT_EQ(AccessText(own[0]), "");
}

TEST(ReportTest, FrameLinesWithUnbalancedParenthesesAreKeptAsText) {
  // Found by the sanitizer_log fuzzer: a ')' with no '(' before it.
  EXPECT_EQ(ParseFrameLine("#1 0x55 in main)").function, "main)");
  EXPECT_EQ(ParseFrameLine("#1 )").function, ")");
  EXPECT_EQ(ParseFrameLine("#").function, "");
  EXPECT_EQ(ParseFrameLine("#0 0x1 in f (obj+0x1").object, "");
}

TEST(ReportTest, AReportCutMidStackIsAnErrorWithItsLine) {
  LogFile log{.path = "cut.asan.log", .test = "cut", .tool = "asan", .preset = "asan", .xml = false, .expected = false};
  std::vector<InputError> errors;
  const std::vector<Finding> findings =
      ParseSanitizerLog(ReadData("malformed/cut-mid-stack.asan.log"), log, kCapturedContext, &errors);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_FALSE(findings[0].complete);
  EXPECT_EQ(Where(findings[0]), "heap-use-after-free tests/canaries/heap_use_after_free.cc:10");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "cut.asan.log");
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_NE(errors[0].message.find("ends before its SUMMARY line"), std::string::npos) << errors[0].message;
}

TEST(ReportTest, AnUnterminatedXmlElementIsAnErrorWithItsLine) {
  LogFile log{
      .path = "cut.xml", .test = "cut", .tool = "valgrind", .preset = "valgrind", .xml = true, .expected = false};
  std::vector<InputError> errors;
  const std::string content = ReadData("malformed/unterminated.xml");
  EXPECT_TRUE(ParseValgrindXml(content, log, kCapturedContext, &errors).empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("malformed Valgrind XML"), std::string::npos) << errors[0].message;
  // pugixml notices at the end of the input: the last line.
  EXPECT_EQ(errors[0].line, static_cast<int>(std::count(content.begin(), content.end(), '\n')) + 1);
}

TEST(ReportTest, EmptyAndForeignInputsAreHandled) {
  std::vector<InputError> errors;
  LogFile text{.path = "empty.log", .test = "empty", .tool = "asan", .preset = "asan", .xml = false, .expected = false};
  EXPECT_TRUE(ParseSanitizerLog(ReadData("malformed/empty.log"), text, kCapturedContext, &errors).empty());
  EXPECT_TRUE(errors.empty());
  LogFile xml{
      .path = "empty.xml", .test = "empty", .tool = "valgrind", .preset = "valgrind", .xml = true, .expected = false};
  EXPECT_TRUE(ParseValgrindXml("", xml, kCapturedContext, &errors).empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(ParseValgrindXml("<html></html>", xml, kCapturedContext, &errors).empty());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[1].message.find("not a Valgrind XML file"), std::string::npos);
  CollectLogs({kData + "does-not-exist"}, &errors);
  EXPECT_EQ(errors.size(), 3u);
}

TEST(ReportTest, ReadsWhichSuppressionsMatched) {
  const LogFile lsan{.path = "x",
                     .test = "canary.leak.suppressed-leak",
                     .tool = "asan",
                     .preset = "asan",
                     .xml = false,
                     .expected = true};
  EXPECT_EQ(ParseSuppressionsUsed(ReadData("reports/asan/memcheck/canary.leak.suppressed-leak.asan.1000"), lsan)
                .at(0)
                .pattern,
            "leak:memsafe_canary_suppressed_leak");
  const LogFile tsan{.path = "x",
                     .test = "canary.thread.suppressed-race",
                     .tool = "tsan",
                     .preset = "tsan-gcc",
                     .xml = false,
                     .expected = true};
  const auto races =
      ParseSuppressionsUsed(ReadData("reports/tsan-gcc/memcheck/canary.thread.suppressed-race.tsan.1000"), tsan);
  ASSERT_EQ(races.size(), 1u);
  EXPECT_EQ(races[0].pattern, "race:memsafe_canary_suppressed_race");
  const LogFile valgrind{.path = "x",
                         .test = "canary.valgrind.suppressed-leak",
                         .tool = "valgrind",
                         .preset = "valgrind",
                         .xml = true,
                         .expected = true};
  const auto blocks = ParseSuppressionsUsed(
      ReadData("reports/valgrind/memcheck/canary.valgrind.suppressed-leak.valgrind.1000.xml"), valgrind);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].pattern, "memsafe-canary-suppressed-leak");
  EXPECT_EQ(blocks[0].count, 1);
}

}  // namespace
}  // namespace memsafe::tools

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;

using testing::ScratchDir;

// A test whose interpreter ran under Valgrind for the project's library it loaded (the
// launcher's <test>.valgrind.interpreter marker): a report with no frame under the root
// is the interpreter's own; one with a project frame in any stack, the allocation's
// included, is the project's. Without the marker, or without a root, every report is.
TEST(ReportTest, AnInterpretersOwnReportsAreThoseWithNoFrameOfTheProject) {
  const auto frame = [](const std::string& dir, const std::string& file, const std::string& fn) {
    return "<frame><ip>0x1</ip><obj>/x.so</obj><fn>" + fn + "</fn><dir>" + dir + "</dir><file>" + file +
           "</file><line>3</line></frame>";
  };
  const std::string python = frame("/usr/src/python3.11/Objects", "dictobject.c", "free_keys_object");
  const std::string library = frame("/src/p/src", "render.c", "render_html");
  const std::string leak_head =
      "<error><unique>0x%</unique><tid>1</tid><kind>Leak_DefinitelyLost</kind><xwhat><text>8 bytes in 1 blocks are "
      "definitely lost in loss record 1 of 2</text><leakedbytes>8</leakedbytes><leakedblocks>1</leakedblocks></xwhat>";
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<valgrindoutput>\n" + leak_head + "<stack>" + python + "</stack></error>\n" +
      "<error><unique>0x2</unique><tid>1</tid><kind>InvalidRead</kind><what>Invalid read of size 1</what><stack>" +
      python + "</stack><auxwhat>Address 0x4a8d040 is 0 bytes inside a block of size 8 free'd</auxwhat><stack>" +
      library + "</stack></error>\n" + leak_head + "<stack>" + library + python + "</stack></error>\n" +
      "</valgrindoutput>\n";
  ScratchDir dir;
  const std::string log = dir.Write("memcheck/t.valgrind.9.xml", xml);
  const auto read = [&](bool marked, const ReportContext& context) {
    std::vector<InputError> errors;
    const LogSet logs{
        {LogFile{
            .path = log, .test = "t", .tool = "valgrind", .preset = "valgrind", .xml = true, .interpreter = marked}},
        {}};
    std::vector<Finding> findings = ReadLogs(logs, context, &errors);
    EXPECT_TRUE(errors.empty()) << errors.front().message;
    std::vector<std::string> own;
    for (const Finding& finding : findings) own.push_back(finding.kind + (finding.interpreters_own ? " own" : ""));
    return own;
  };
  const ReportContext project{"/src/p/", {}, {}};
  EXPECT_EQ(read(true, project), (std::vector<std::string>{"memory-leak own", "heap-use-after-free", "memory-leak"}));
  EXPECT_EQ(read(false, project), (std::vector<std::string>{"memory-leak", "heap-use-after-free", "memory-leak"}));
  EXPECT_EQ(read(true, ReportContext{}),
            (std::vector<std::string>{"memory-leak", "heap-use-after-free", "memory-leak"}))
      << "no root: nothing can be told apart, so nothing is set aside";

  // The marker beside the log is how memsafe report (and so memsafe check) learns it.
  dir.Write("memcheck/t.valgrind.interpreter", "");
  std::vector<InputError> errors;
  const LogSet collected = CollectLogs({(dir.path() / "memcheck").string()}, &errors);
  ASSERT_EQ(collected.files.size(), 1u) << "the marker is no log";
  EXPECT_TRUE(collected.files[0].interpreter);
}

TEST(ReportTest, PlainSanitizerLogsOfAnyNameAreReadAsUsersWriteThem) {
  // What ASAN_OPTIONS=log_path=dir/asan leaves: dir/asan.<pid>, no harness naming.
  ScratchDir dir;
  fs::copy_file(kData + "reports/asan/memcheck/canary.address.heap-use-after-free.asan.1000", dir.path() / "asan.4242");
  fs::copy_file(kData + "reports/tsan/memcheck/canary.thread.data-race.tsan.1000", dir.path() / "tsan.77");
  std::vector<InputError> errors;
  const LogSet logs = CollectLogs({dir.path().string()}, &errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(logs.files.size(), 2u);
  const std::vector<Finding> findings = ReadLogs(logs, kCapturedContext, &errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].tool, "asan");
  EXPECT_EQ(findings[0].kind, "heap-use-after-free");
  EXPECT_EQ(findings[0].location.file, "tests/canaries/heap_use_after_free.cc");
  EXPECT_EQ(findings[0].test, "asan.4242");
  EXPECT_FALSE(findings[0].expected) << "a user's log is never a canary's";
  EXPECT_EQ(findings[1].tool, "tsan");
  EXPECT_EQ(findings[1].kind, "data-race");
  // A single file works as well, and Valgrind XML is told from its content.
  const fs::path xml = dir.path() / "run.xml.log";
  fs::copy_file(kData + "reports/valgrind/memcheck/canary.valgrind.definite-leak.valgrind.1000.xml", xml);
  const std::vector<Finding> leak = ReadLogs(CollectLogs({xml.string()}, &errors), kCapturedContext, &errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_FALSE(leak.empty());
  EXPECT_EQ(leak[0].tool, "valgrind");
  EXPECT_EQ(leak[0].kind, "memory-leak");
}

TEST(ReportTest, UndefinedBehaviorKindsComeFromTheMessage) {
  // Messages of Clang 14's runtime, each with the summary it prints under
  // report_error_type=1 (GCC's runtime prints none): the summary's word is UBSan's check
  // (out-of-bounds-index), while the row's kind is the one ASan, Valgrind and GCC's
  // runtime give the same bug (array-index-out-of-bounds).
  struct Case {
    const char* message;
    const char* summary_word;
    const char* kind;
  };
  const Case cases[] = {
      {"addition of unsigned offset to 0x7feda5600020 overflowed to 0x7feda560001c", "pointer-overflow",
       "pointer-overflow"},
      {"subtraction of unsigned offset from 0x000000001000 overflowed to 0xfffffffffffff000", "pointer-overflow",
       "pointer-overflow"},
      {"pointer index expression with base 0x000000000001 overflowed to 0xffffffffffffffff", "pointer-overflow",
       "pointer-overflow"},
      {"signed integer overflow: 70000 * 70000 cannot be represented in type 'int'", "signed-integer-overflow",
       "signed-integer-overflow"},
      {"index 8 out of bounds for type 'int[8]'", "out-of-bounds-index", "array-index-out-of-bounds"},
      {"load of value 2, which is not a valid value for type 'volatile bool'", "invalid-bool-load",
       "invalid-value-load"},
      {"downcast of address 0x7f1bf9500020 which does not point to an object of type 'const Square'",
       "dynamic-type-mismatch", "vptr-check"},
      {"shift exponent 32 is too large for 32-bit type 'unsigned int'", "invalid-shift-exponent",
       "shift-out-of-bounds"},
  };
  // Where the message says less than the summary: the summary's word, and without a
  // summary (GCC) what the message says.
  const Case vaguer[] = {
      {"division by zero", "float-divide-by-zero", "float-divide-by-zero"},
      {"call to __builtin_clz() with zero", "invalid-builtin-use", "invalid-builtin-use"},
  };
  for (const Case& each : vaguer) {
    ScratchDir dir;
    dir.Write("ubsan.1", std::string("/src/project/src/a.c:9:10: runtime error: ") + each.message +
                             "\nSUMMARY: UndefinedBehaviorSanitizer: " + each.summary_word +
                             " /src/project/src/a.c:9:10 in \n");
    std::vector<InputError> errors;
    const std::vector<Finding> findings =
        ReadLogs(CollectLogs({dir.path().string()}, &errors), kCapturedContext, &errors);
    ASSERT_EQ(findings.size(), 1u) << each.message;
    EXPECT_EQ(findings[0].kind, each.kind) << each.message;
  }
  for (const Case& each : cases) {
    for (const bool with_summary : {false, true}) {
      ScratchDir dir;
      std::string log = std::string("/src/project/src/a.c:9:10: runtime error: ") + each.message + "\n";
      if (with_summary) {
        log +=
            "    #0 0x55d1 in f /src/project/src/a.c:9:10\n"
            "SUMMARY: UndefinedBehaviorSanitizer: " +
            std::string(each.summary_word) + " /src/project/src/a.c:9:10 in \n";
      }
      dir.Write("ubsan.1", log);
      std::vector<InputError> errors;
      const std::vector<Finding> findings =
          ReadLogs(CollectLogs({dir.path().string()}, &errors), kCapturedContext, &errors);
      EXPECT_TRUE(errors.empty());
      ASSERT_EQ(findings.size(), 1u) << each.message;
      EXPECT_EQ(findings[0].kind, each.kind) << each.message << (with_summary ? " (with its summary)" : "");
    }
  }
}

TEST(ReportTest, SanitizerCrashesWithoutAParserOfTheirOwnAreFindings) {
  std::vector<InputError> errors;
  LogFile log{.path = "x", .test = "x", .tool = "tsan", .preset = "-", .xml = false, .expected = false};
  const std::vector<Finding> tsan = ParseSanitizerLog(
      "==12==ERROR: ThreadSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 T12)\n"
      "    #0 main /src/p/main.cc:5:3 (a.out+0x10)\n\nSUMMARY: ThreadSanitizer: SEGV /src/p/main.cc:5:3 in main\n",
      log, kCapturedContext, &errors);
  ASSERT_EQ(tsan.size(), 1u);
  EXPECT_EQ(tsan[0].tool, "tsan");
  EXPECT_EQ(tsan[0].kind, "segv");
  const std::vector<Finding> ubsan = ParseSanitizerLog(
      "==9==ERROR: UndefinedBehaviorSanitizer: SEGV on unknown address 0x000000000000\n    #0 0x1 in f /src/p/f.cc:2\n",
      log, kCapturedContext, &errors);
  ASSERT_EQ(ubsan.size(), 1u);
  EXPECT_EQ(ubsan[0].tool, "ubsan");
  const std::vector<Finding> msan = ParseSanitizerLog(
      "==3==WARNING: MemorySanitizer: use-of-uninitialized-value\n    #0 0x1 in main /src/p/m.cc:7:9\n", log,
      kCapturedContext, &errors);
  ASSERT_EQ(msan.size(), 1u);
  EXPECT_EQ(msan[0].tool, "msan");
  EXPECT_EQ(msan[0].kind, "use-of-uninitialized-value");
}

// Each tool's name for a bug, made the one the others give it, so one bug is one row.
TEST(ReportTest, EachToolsNameForABugIsTheRowsKind) {
  std::vector<InputError> errors;
  LogFile log{.path = "x", .test = "x", .tool = "tsan", .preset = "-", .xml = false, .expected = false};
  const auto tsan_heap = [&](const std::string& access) {
    return ParseSanitizerLog(
        "WARNING: ThreadSanitizer: heap-use-after-free (pid=5)\n"
        "  Write of size 1 at " +
            access +
            " by main thread:\n"
            "    #0 memset <null> (a.out+0x1)\n    #1 f /src/p/f.cc:3:5 (a.out+0x2)\n\n"
            "  Location is heap block of size 8 at 0x7b0400000010 allocated by main thread:\n"
            "    #0 malloc <null> (a.out+0x3)\n    #1 f /src/p/f.cc:3:9 (a.out+0x4)\n\n"
            "SUMMARY: ThreadSanitizer: heap-use-after-free (a.out+0x1) in memset\n",
        log, kCapturedContext, &errors);
  };
  // One byte past a live block of 8 (whose next bytes TSan once saw freed): an overflow,
  // as ASan and Valgrind call it; inside the block, a use after free.
  ASSERT_EQ(tsan_heap("0x7b0400000018").size(), 1u);
  EXPECT_EQ(tsan_heap("0x7b0400000018")[0].kind, "heap-buffer-overflow");
  EXPECT_EQ(tsan_heap("0x7b040000000f")[0].kind, "heap-buffer-overflow");
  EXPECT_EQ(tsan_heap("0x7b0400000014")[0].kind, "heap-use-after-free");
  // The allocator's reports start with a function's name; their SUMMARY names the kind.
  for (const auto& [headline, summary] :
       {std::pair{"requested allocation size 0x400000000000 exceeds maximum supported size of 0x10000000000",
                  "allocation-size-too-big"},
        std::pair{"calloc parameters overflow: count * size (7 * 7) cannot be represented in type size_t",
                  "calloc-overflow"}}) {
    const std::vector<Finding> found = ParseSanitizerLog(
        std::string("==2==ERROR: ThreadSanitizer: ") + headline + "\n    #0 malloc <null> (a.out+0x1)\n" +
            "    #1 main /src/p/a.cc:3:7 (a.out+0x2)\n\nSUMMARY: ThreadSanitizer: " + summary +
            " (a.out+0x1) in malloc\n",
        log, kCapturedContext, &errors);
    ASSERT_EQ(found.size(), 1u) << headline;
    EXPECT_EQ(found[0].kind, summary);
  }
  // "signal-unsafe call inside of a signal": the headline says more than the summary.
  const std::vector<Finding> unsafe = ParseSanitizerLog(
      "WARNING: ThreadSanitizer: signal-unsafe call inside of a signal (pid=3)\n    #0 malloc <null> (a.out+0x1)\n"
      "    #1 handler /src/p/s.cc:4:3 (a.out+0x2)\n\nSUMMARY: ThreadSanitizer: signal-unsafe call inside of a signal "
      "/src/p/s.cc:4:3 in handler\n",
      log, kCapturedContext, &errors);
  ASSERT_EQ(unsafe.size(), 1u);
  EXPECT_EQ(unsafe[0].kind, "signal-unsafe-call-inside-of-a-signal");
  // A SEGV in the zero page is a null pointer, under TSan and ASan as under Valgrind.
  for (const char* tool : {"ThreadSanitizer", "AddressSanitizer"}) {
    const std::vector<Finding> segv = ParseSanitizerLog(
        std::string("==7==ERROR: ") + tool + ": SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x1 sp 0x2 T7)\n" +
            "==7==The signal is caused by a WRITE memory access.\n==7==Hint: address points to the zero page.\n" +
            "    #0 0x1 in main /src/p/main.cc:5:3\n\nSUMMARY: " + tool + ": SEGV /src/p/main.cc:5:3 in main\n",
        log, kCapturedContext, &errors);
    ASSERT_EQ(segv.size(), 1u) << tool;
    EXPECT_EQ(segv[0].kind, "null-pointer-use") << tool;
  }
  // TSan's own frame format ("#0 main file:line (binary+offset)", no pc), as Clang 14 and
  // GCC 12 print it for a null write in the project: the row has the line, not only the kind.
  for (const char* frame : {"main /work/main/src/segv.c:4:6 (segv-clang+0xd0148) (BuildId: c9f12ed99488f1c4)",
                            "main /work/main/src/segv.c:4 (segv-gcc+0x11aa)"}) {
    const std::vector<Finding> segv = ParseSanitizerLog(
        std::string("ThreadSanitizer:DEADLYSIGNAL\n"
                    "==9315==ERROR: ThreadSanitizer: SEGV on unknown address 0x000000000000 (pc 0x5555 bp 0x7fff sp "
                    "0x7ffe T9315)\n==9315==The signal is caused by a WRITE memory access.\n"
                    "==9315==Hint: address points to the zero page.\n    #0 ") +
            frame +
            "\n    #1 __libc_start_call_main csu/../sysdeps/nptl/libc_start_call_main.h:58:16 (libc.so.6+0x27249)\n"
            "    #2 _start <null> (segv-clang+0x23320)\n\nThreadSanitizer can not provide additional info.\n"
            "SUMMARY: ThreadSanitizer: SEGV /work/main/src/segv.c:4 in main\n==9315==ABORTING\n",
        log, kCapturedContext, &errors);
    ASSERT_EQ(segv.size(), 1u) << frame;
    EXPECT_EQ(Where(segv[0]), "null-pointer-use src/segv.c:4") << frame;
  }
  EXPECT_TRUE(errors.empty()) << errors.front().message;
}

// A process Valgrind saw killed by SIGSEGV is a row, unless an error of the same place
// already is one.
TEST(ReportTest, ValgrindFatalSignalIsARowOfItsOwn) {
  const std::string frame =
      "<stack><frame><ip>0x1</ip><obj>/src/p/a.out</obj><fn>main</fn><dir>/src/p</dir><file>main.c</file>"
      "<line>7</line></frame></stack>";
  const auto parse = [&](const std::string& body) {
    std::vector<InputError> errors;
    LogFile log{
        .path = "x.valgrind.1.xml", .test = "x", .tool = "valgrind", .preset = "-", .xml = true, .expected = false};
    const std::vector<Finding> found =
        ParseValgrindXml("<?xml version=\"1.0\"?>\n<valgrindoutput>\n" + body + "\n</valgrindoutput>\n", log,
                         ReportContext{"/src/p/", {}, {}}, &errors);
    EXPECT_TRUE(errors.empty()) << errors.front().message;
    return found;
  };
  const std::string segv =
      "<fatal_signal><tid>1</tid><signo>11</signo><signame>SIGSEGV</signame><sicode>2</sicode>"
      "<event>Bad permissions for mapped region</event><siaddr>0x402004</siaddr>" +
      frame + "</fatal_signal>";
  std::vector<Finding> found = parse(segv);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(Where(found[0]), "segv main.c:7");
  EXPECT_NE(found[0].message.find("SIGSEGV (Bad permissions for mapped region)"), std::string::npos);
  found = parse("<error><unique>0x0</unique><tid>1</tid><kind>InvalidWrite</kind><what>Invalid write of size 4</what>" +
                frame + "<auxwhat>Address 0x0 is not stack'd, malloc'd or (recently) free'd</auxwhat></error>\n" +
                "<fatal_signal><signame>SIGSEGV</signame><siaddr>0x0</siaddr>" + frame + "</fatal_signal>");
  ASSERT_EQ(found.size(), 1u) << "the invalid write it died of is the row";
  EXPECT_EQ(Where(found[0]), "null-pointer-use main.c:7");
  EXPECT_TRUE(parse("<fatal_signal><signame>SIGABRT</signame>" + frame + "</fatal_signal>").empty())
      << "an abort is a failed test, not a memory finding";
  EXPECT_EQ(
      Where(parse("<fatal_signal><signame>SIGSEGV</signame><siaddr>0x8</siaddr>" + frame + "</fatal_signal>").at(0)),
      "null-pointer-use main.c:7");
}

TEST(ReportTest, HostileInputsAreErrorsNamingThePathNeverHangsOrCrashes) {
  ScratchDir dir;
  std::vector<InputError> errors;
  // A link loop, a FIFO, a device: errors, read nowhere.
  fs::create_symlink(dir.path() / "loop-b", dir.path() / "loop-a");
  fs::create_symlink(dir.path() / "loop-a", dir.path() / "loop-b");
  ASSERT_EQ(mkfifo((dir.path() / "fifo").c_str(), 0600), 0);
  CollectLogs({(dir.path() / "loop-a").string(), (dir.path() / "fifo").string(), "/dev/zero"}, &errors);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].file, (dir.path() / "loop-a").string());
  EXPECT_NE(errors[1].message.find("FIFO"), std::string::npos) << errors[1].message;
  // Inside a memcheck directory, a link loop, a dangling link and a FIFO are named as
  // skipped, as they are when named directly: an error, never silence.
  const fs::path memcheck = dir.path() / "build/asan/memcheck";
  fs::create_directories(memcheck);
  fs::create_symlink(memcheck / "x.asan.1", memcheck / "x.asan.1");
  fs::create_symlink(memcheck / "gone", memcheck / "y.asan.2");
  ASSERT_EQ(mkfifo((memcheck / "z.asan.3").c_str(), 0600), 0);
  errors.clear();
  const LogSet logs = CollectLogs({(dir.path() / "build").string()}, &errors);
  ASSERT_EQ(errors.size(), 3u);
  for (const InputError& error : errors)
    EXPECT_NE(error.message.find("skipped: not a regular file"), std::string::npos);
  EXPECT_TRUE(logs.files.empty());
  // An unreadable memcheck directory is an error, not "0 findings". (Root reads it anyway.)
  if (geteuid() != 0) {
    fs::create_directories(dir.path() / "locked/memcheck");
    fs::permissions(dir.path() / "locked/memcheck", fs::perms::none);
    errors.clear();
    CollectLogs({(dir.path() / "locked").string()}, &errors);
    EXPECT_EQ(errors.size(), 1u);
    fs::permissions(dir.path() / "locked/memcheck", fs::perms::owner_all);
  }
  // An empty directory of plain logs says so.
  fs::create_directories(dir.path() / "empty");
  errors.clear();
  CollectLogs({(dir.path() / "empty").string()}, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("no log files"), std::string::npos);
}

namespace {

// Valgrind 3.19's XML of fmtlib's format-test, whose case allocates SIZE_MAX / 2 chars
// and expects std::bad_alloc (cut to the two client messages, and the stack to 3 frames).
constexpr std::string_view kFailedNewXml =
    "<?xml version=\"1.0\"?>\n<valgrindoutput>\n<protocolversion>4</protocolversion>\n"
    "<clientmsg>\n  <tid>1</tid>\n  <text>new/new[] failed and should throw an exception, but Valgrind\n"
    "  </text>\n</clientmsg>\n"
    "<clientmsg>\n  <tid>1</tid>\n"
    "  <text>   cannot throw exceptions and so is aborting instead.  Sorry.\n  </text>\n"
    "  <stack>\n"
    "    <frame>\n      <ip>0x4841FA5</ip>\n"
    "      <obj>/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so</obj>\n"
    "      <fn>operator new(unsigned long)</fn>\n    </frame>\n"
    "    <frame>\n      <ip>0x1A367C</ip>\n      <fn>std::__new_allocator&lt;char&gt;::allocate(unsigned long, "
    "void const*)</fn>\n      <dir>/usr/include/c++/12/bits</dir>\n      <file>new_allocator.h</file>\n"
    "      <line>137</line>\n    </frame>\n"
    "    <frame>\n      <ip>0x124603</ip>\n      <fn>util_test_format_system_error_Test::TestBody()</fn>\n"
    "      <dir>/p/test</dir>\n      <file>format-test.cc</file>\n      <line>234</line>\n    </frame>\n"
    "  </stack>\n</clientmsg>\n"
    "<status>\n  <state>FINISHED</state>\n</status>\n</valgrindoutput>\n";

}  // namespace

// The XML of the aborted run has no <error>: without the row the test failed with no
// reason in the report.
TEST(ReportTest, AFailedNewThatValgrindCannotThrowIsARowAtItsLine) {
  const ReportContext context{"/p/", {}, {}};
  LogFile log{.path = "format-test.valgrind.12547.xml",
              .test = "format-test",
              .tool = "valgrind",
              .preset = "valgrind",
              .xml = true,
              .expected = false};
  std::vector<InputError> errors;
  const std::vector<Finding> findings = ParseValgrindXml(kFailedNewXml, log, context, &errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(Where(findings[0]), "out-of-memory test/format-test.cc:234");
  EXPECT_EQ(findings[0].tool, "valgrind");
  EXPECT_EQ(findings[0].test, "format-test");
  EXPECT_EQ(findings[0].log_line, 9);  // the second message, which has the stack
  // Another client message with a stack (a program's own VALGRIND_PRINTF_BACKTRACE) is
  // no finding.
  std::string other(kFailedNewXml);
  other.replace(other.find("cannot throw exceptions"), 23, "a program's own message");
  EXPECT_TRUE(ParseValgrindXml(other, log, context, &errors).empty());
}

}  // namespace
}  // namespace memsafe::tools
