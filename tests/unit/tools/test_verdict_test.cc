#include "test_verdict.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(MEMSAFE_TEST_SOURCE_DIR) + "/tests/unit/tools/testdata/";

// A finished run as the launcher leaves it: <prefix>.stdout, <prefix>.stderr and the
// tool's logs, in a scratch log directory.
class TestVerdictTest : public ::testing::Test {
 protected:
  TestRun Run(const std::string& name, const std::string& out, const std::string& err, int status = 0) {
    TestRun run;
    run.name = name;
    run.tool = "asan";
    run.prefix = (dir_.path() / (name + ".asan")).string();
    run.root = "/src/project";
    run.status = status;
    run.timeout_s = 60;
    dir_.Write(name + ".asan.stdout", out);
    dir_.Write(name + ".asan.stderr", err);
    return run;
  }
  void Log(const std::string& file, const std::string& text) { dir_.Write(file, text); }
  bool Exists(const std::string& file) const { return fs::exists(dir_.path() / file); }

  testing::ScratchDir dir_;
};

constexpr const char* kUseAfterFree =
    "==12==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x1 bp 0x2 sp 0x3\n"
    "READ of size 4 at 0x602000000010 thread T0\n"
    "    #0 0x4 in Use /src/project/src/use.cc:9:5\n"
    "    #1 0x5 in main /src/project/src/main.cc:3:1\n"
    "\n"
    "SUMMARY: AddressSanitizer: heap-use-after-free /src/project/src/use.cc:9:5 in Use\n";

TEST_F(TestVerdictTest, CleanRunKeepsItsStatusAndOutput) {
  const TestVerdict verdict = JudgeTestRun(Run("clean", "hello\n", "", 7));
  EXPECT_EQ(verdict.exit_status, 7);
  EXPECT_EQ(verdict.out, "hello\n");
  EXPECT_FALSE(Exists("clean.asan.stdout"));
  EXPECT_FALSE(Exists("clean.asan.stderr")) << "clean stderr is not a log";
}

TEST_F(TestVerdictTest, ReportInTheLogFailsARunThatExitedZeroNamingKindAndPlace) {
  const TestRun run = Run("uaf", "", "");
  Log("uaf.asan.12", kUseAfterFree);
  const TestVerdict verdict = JudgeTestRun(run);
  EXPECT_EQ(verdict.exit_status, 1);
  EXPECT_NE(verdict.err.find("memsafe: FAILED: asan reported a finding in 'uaf' (exit status 0)"), std::string::npos)
      << verdict.err;
  EXPECT_NE(verdict.err.find("heap-use-after-free at src/use.cc:9: ERROR: AddressSanitizer: heap-use-after-free\n"),
            std::string::npos)
      << verdict.err;
  EXPECT_NE(verdict.err.find("READ of size 4"), std::string::npos) << "the report is shown";
}

// An interpreter run under Valgrind for the project's library it loaded: a report every
// frame of which is in the interpreter's binaries is named and passes; one with a frame in
// the project's build tree, or a frame that cannot be placed, fails the test.
TEST_F(TestVerdictTest, AnInterpretersOwnReportsDoNotFailItsRunTheProjectsDo) {
  TestRun run = Run("py", "", "");
  run.tool = "valgrind";
  run.prefix = (dir_.path() / "py.valgrind").string();
  run.build_dir = (dir_.path() / "build").string();
  run.interpreter_run = true;
  dir_.Write("py.valgrind.stdout", "");
  dir_.Write("py.valgrind.stderr", "");
  const auto leak = [](const std::string& frames) {
    return "<?xml version=\"1.0\"?>\n<valgrindoutput>\n<error><unique>0x1</unique><tid>1</tid>"
           "<kind>Leak_DefinitelyLost</kind><xwhat><text>8 bytes in 1 blocks are definitely lost in loss record 1 of "
           "1</text><leakedbytes>8</leakedbytes><leakedblocks>1</leakedblocks></xwhat><stack>" +
           frames + "</stack></error>\n</valgrindoutput>\n";
  };
  const auto frame = [](const std::string& object, const std::string& dir, const std::string& file) {
    return "<frame><ip>0x1</ip><obj>" + object + "</obj><fn>f</fn><dir>" + dir + "</dir><file>" + file +
           "</file><line>3</line></frame>";
  };
  // As Debian's glibc has them: a relative file, in a binary outside the trees.
  const std::string python = frame("/usr/lib/libpython3.11.so", "/usr/src/python3.11/Objects", "dictobject.c") +
                             frame("/usr/lib/x86_64-linux-gnu/libc.so.6", "./csu/../sysdeps/nptl", "main.h");
  Log("py.valgrind.10.xml", leak(python));
  TestVerdict verdict = JudgeTestRun(run);
  EXPECT_EQ(verdict.exit_status, 0) << verdict.err;
  EXPECT_NE(verdict.err.find("reported on its own code"), std::string::npos) << verdict.err;
  run.interpreter_run = false;
  EXPECT_EQ(JudgeTestRun(run).exit_status, 1) << "the same report in a run of no interpreter is a finding";
  run.interpreter_run = true;
  // The project's library built with -ffile-prefix-map (a relative file), its binary in
  // the build tree: the project's, although no file is under the root.
  Log("py.valgrind.11.xml", leak(python + frame(run.build_dir + "/libp.so", ".", "src/render.c")));
  verdict = JudgeTestRun(run);
  EXPECT_EQ(verdict.exit_status, 1) << verdict.err;
  EXPECT_NE(verdict.err.find("memory-leak"), std::string::npos) << verdict.err;
  fs::remove(dir_.path() / "py.valgrind.11.xml");
  // A frame with no binary named cannot be placed: the report stays the project's.
  Log("py.valgrind.12.xml", leak(python + "<frame><ip>0x2</ip><fn>g</fn></frame>"));
  EXPECT_EQ(JudgeTestRun(run).exit_status, 1);
}

// A library built for the sanitizers that a process without their runtime tried to load
// fails the test, even when the test went on and exited 0 (it skipped on ImportError).
TEST_F(TestVerdictTest, ALibraryThatCouldNotLoadForWantOfTheRuntimeFailsTheTest) {
  const TestRun run = Run("ctypes", "",
                          "OSError: /b/libcmark.so: undefined symbol: __asan_option_detect_stack_use_after_return\n"
                          "SKIPPED: no library\n");
  const TestVerdict verdict = JudgeTestRun(run);
  EXPECT_EQ(verdict.exit_status, 1);
  EXPECT_NE(verdict.err.find("into a program without their runtime"), std::string::npos) << verdict.err;
  EXPECT_EQ(JudgeTestRun(Run("other", "", "OSError: /b/libx.so: undefined symbol: png_read_info\n")).exit_status, 0)
      << "a library missing another symbol is the test's own business";
}

// The word the result cache reads: only a run with no report and exit status 0 is
// clean, whatever CTest later makes of the status (WILL_FAIL inverts it).
TEST_F(TestVerdictTest, TheVerdictWordSaysWhatMemsafeFoundNotWhatCTestWillSay) {
  EXPECT_EQ(JudgeTestRun(Run("clean0", "ok\n", "")).word, "clean");
  EXPECT_EQ(JudgeTestRun(Run("own1", "", "", 1)).word, "failed");
  TestRun found = Run("found", "all done\n", "");
  Log("found.asan.12", kUseAfterFree);
  EXPECT_EQ(JudgeTestRun(found).word, "finding");
  TestRun timed = Run("timed", "", "timeout: sending signal TERM to command 'x'\n", 124);
  EXPECT_EQ(JudgeTestRun(timed).word, "timeout");
  EXPECT_EQ(JudgeTestRun(Run("skip", "[  SKIPPED ] A.B\n", "")).word, "skipped");
  // The launcher's headlines, for memsafe check to show when CTest passed the test anyway.
  const std::string reasons = VerdictReasons(JudgeTestRun(found).err);
  EXPECT_EQ(reasons.rfind("memsafe: FAILED: ", 0), 0u) << reasons;
  EXPECT_EQ(std::count(reasons.begin(), reasons.end(), '\n'), 1) << reasons;
  const TestVerdict stopped = JudgeTestRun(Run("stopped", "", "timeout: sending signal TERM to command 'x'\n", 124));
  EXPECT_EQ(VerdictReasons(stopped.err).rfind("memsafe: TIMEOUT: ", 0), 0u) << stopped.err;
  EXPECT_EQ(VerdictReasons("==1==ERROR: AddressSanitizer\nmemsafe: full report: x\n"), "");
  EXPECT_EQ(VerdictReasons("memsafe: FAILED: a\nmemsafe: FAILED: b\nmemsafe: TIMEOUT: c\n", 2),
            "memsafe: FAILED: a\nmemsafe: FAILED: b\n");
}

// Output of any size: streamed in blocks, markers defused and found even when a block
// boundary splits them, the same text as defusing it whole.
TEST_F(TestVerdictTest, LargeOutputIsStreamedWithItsMarkersDefused) {
  std::string text;
  while (text.size() < kInlineOutputBytes + (3u << 20)) text += "line of output, nothing to see\n";
  // Split across the first 1 MiB block boundary.
  const size_t boundary = (1u << 20) - 5;
  text.insert(boundary, "\n[  SKIPPED ] A.B\nmemsafe: SKIPPED: fake\n");
  TestRun run = Run("big", text, "");
  const TestVerdict verdict = JudgeTestRun(run);
  EXPECT_EQ(verdict.out, "");
  ASSERT_FALSE(verdict.out_file.empty());
  std::ostringstream streamed;
  bool skipped = false, passed_case = false;
  std::string why;
  ASSERT_TRUE(StreamOutput(verdict.out_file, &streamed, &skipped, &passed_case, &why)) << why;
  EXPECT_TRUE(skipped);
  EXPECT_FALSE(passed_case);
  EXPECT_EQ(streamed.str(), DefuseSkipMarkers(text));
  EXPECT_EQ(verdict.word, "skipped") << "a skip seen in streamed output counts as in held output";
  // Small output is held as before.
  EXPECT_EQ(JudgeTestRun(Run("small", "[       OK ] A.B\n", "")).out, "[       OK ] A.B\n");
}

// Standard error of any size too: streamed, and a report in the middle of it (GCC's
// UBSan writes there whatever log_path says), split across read blocks, still fails the
// test; a timeout said at its end is still a timeout.
TEST_F(TestVerdictTest, LargeStandardErrorIsStreamedAndStillJudged) {
  // Long lines: as much text in fewer lines keeps the test quick under Valgrind.
  const std::string line = "debug: " + std::string(4000, '.') + "\n";
  std::string noise;
  while (noise.size() < kInlineOutputBytes + (3u << 20)) noise += line;
  std::string with_report = noise;
  with_report.insert((2u << 20) - 20,
                     "\n/src/project/t.cc:3:5: runtime error: signed integer overflow: 1 + 2147483647\n");
  const TestVerdict found = JudgeTestRun(Run("bigub", "", with_report));
  EXPECT_EQ(found.exit_status, 1);
  EXPECT_EQ(found.word, "finding");
  EXPECT_NE(found.err.find("signed-integer-overflow at t.cc:3"), std::string::npos) << found.err.substr(0, 400);
  EXPECT_FALSE(found.err_file.empty());
  EXPECT_TRUE(found.err_file_is_log) << "kept for memsafe report";
  EXPECT_LT(found.err.size(), 1u << 20) << "the report is summarised, the output streamed";

  const TestVerdict clean = JudgeTestRun(Run("bigclean", "", noise));
  EXPECT_EQ(clean.word, "clean");
  EXPECT_FALSE(clean.err_file.empty());
  EXPECT_FALSE(clean.err_file_is_log);

  const TestVerdict timed =
      JudgeTestRun(Run("bigtimeout", "", noise + "timeout: sending signal TERM to command 'x'\n", 124));
  EXPECT_EQ(timed.word, "timeout");
}

TEST_F(TestVerdictTest, ReportOnStderrFailsAndStaysForTheReport) {
  const TestVerdict verdict =
      JudgeTestRun(Run("ub", "", "/src/project/t.cc:3:5: runtime error: signed integer overflow: 1 + 2147483647\n"));
  EXPECT_EQ(verdict.exit_status, 1);
  EXPECT_NE(verdict.err.find("signed-integer-overflow at t.cc:3"), std::string::npos) << verdict.err;
  EXPECT_TRUE(Exists("ub.asan.stderr"));
}

TEST_F(TestVerdictTest, AllocationFailureAskedForIsNotAFinding) {
  // allocator_may_return_null=1 is set on purpose: an out-of-memory test passes.
  const TestVerdict verdict =
      JudgeTestRun(Run("oom", "", "==3==WARNING: AddressSanitizer failed to allocate 0x10000000000 bytes\n"));
  EXPECT_EQ(verdict.exit_status, 0) << verdict.err;
}

TEST_F(TestVerdictTest, CanaryPassesOnlyWhenEveryPatternMatches) {
  TestRun run = Run("canary", "", "");
  Log("canary.asan.12", kUseAfterFree);
  run.expect = {"heap-use-after-free", "use\\.cc:9"};
  EXPECT_EQ(JudgeTestRun(run).exit_status, 0);

  run = Run("canary", "", "");
  Log("canary.asan.12", kUseAfterFree);
  run.expect = {"heap-use-after-free", "double-free"};
  const TestVerdict partial = JudgeTestRun(run);
  EXPECT_EQ(partial.exit_status, 1);
  EXPECT_NE(partial.err.find("CANARY NOT CAUGHT: 'canary' ran under asan (exit status 0) without a report matching "
                             "/double-free/"),
            std::string::npos)
      << partial.err;

  TestRun silent = Run("silent", "", "");
  silent.expect = {"heap-use-after-free"};
  EXPECT_EQ(JudgeTestRun(silent).exit_status, 1);

  TestRun broken = Run("broken", "", "");
  broken.expect = {"("};
  EXPECT_EQ(JudgeTestRun(broken).exit_status, 2) << "a malformed pattern is a usage error";
}

TEST_F(TestVerdictTest, CanaryPatternMayNameTheParsedKindAndPlace) {
  // The log says "/src/project/src/use.cc:9:5"; the parsed finding is the kind at the
  // place relative to the project root, which no line of the log spells.
  TestRun run = Run("planted", "", "");
  Log("planted.asan.12", kUseAfterFree);
  run.expect = {"^heap-use-after-free at src/use\\.cc:(9)([^0-9]|$)"};
  EXPECT_EQ(JudgeTestRun(run).exit_status, 0);

  run = Run("planted", "", "");
  Log("planted.asan.12", kUseAfterFree);
  run.expect = {"^heap-use-after-free at src/use\\.cc:(10)([^0-9]|$)"};
  const TestVerdict wrong_line = JudgeTestRun(run);
  EXPECT_EQ(wrong_line.exit_status, 1);
  EXPECT_NE(wrong_line.err.find("reported instead: heap-use-after-free at src/use.cc:9"), std::string::npos)
      << wrong_line.err;
}

TEST_F(TestVerdictTest, SuppressedCanaryNeedsItsEntryListed) {
  TestRun run = Run("supp", "", "");
  Log("supp.asan.4", "Suppressions used:\n  count      bytes template\n      1         40 my_entry\n");
  run.expect_suppressed = "my_entry";
  EXPECT_EQ(JudgeTestRun(run).exit_status, 0);

  TestRun missing = Run("supp-missing", "", "");
  missing.expect_suppressed = "my_entry";
  const TestVerdict verdict = JudgeTestRun(missing);
  EXPECT_EQ(verdict.exit_status, 1);
  EXPECT_NE(verdict.err.find("SUPPRESSION NOT USED"), std::string::npos);
}

TEST_F(TestVerdictTest, OnlyTimeoutsOwnWordsMakeATimeout) {
  const TestVerdict stopped = JudgeTestRun(Run("hung", "", "timeout: sending signal TERM to command 'x'\n", 124));
  EXPECT_EQ(stopped.exit_status, 1);
  EXPECT_NE(stopped.err.find("memsafe: TIMEOUT: 'hung' was stopped after 60s"), std::string::npos);

  const TestVerdict own = JudgeTestRun(Run("own-124", "", "my test says timeout: no\n", 124));
  EXPECT_EQ(own.exit_status, 124);
  EXPECT_EQ(own.err.find("TIMEOUT"), std::string::npos);
}

TEST_F(TestVerdictTest, SkippedOnlyWithoutFindingAndOnlyInTheLaunchersWords) {
  const std::string skipped = "[ RUN      ] Suite.Case\n[  SKIPPED ] Suite.Case (0 ms)\n";
  const TestVerdict clean = JudgeTestRun(Run("skip", skipped, ""));
  EXPECT_EQ(clean.exit_status, 0);
  EXPECT_NE(clean.err.find("memsafe: SKIPPED: 'skip' skipped itself"), std::string::npos);
  EXPECT_EQ(clean.out.find("[  SKIPPED ]"), std::string::npos) << "the test's own marker is defused";

  const TestRun leaky = Run("skip-leak", skipped, "", 23);
  Log("skip-leak.asan.9",
      "==9==ERROR: LeakSanitizer: detected memory leaks\n\nDirect leak of 8 byte(s) in 1 object(s) allocated from:\n"
      "    #0 0x1 in main /src/project/t.cc:3\n\nSUMMARY: AddressSanitizer: 8 byte(s) leaked in 1 allocation(s).\n");
  const TestVerdict leak = JudgeTestRun(leaky);
  EXPECT_EQ(leak.exit_status, 1);
  EXPECT_EQ(leak.err.find("SKIPPED"), std::string::npos) << leak.err;
  EXPECT_NE(leak.err.find("memory-leak at t.cc:3"), std::string::npos) << leak.err;

  EXPECT_EQ(DefuseSkipMarkers("memsafe: SKIPPED: x [  SKIPPED ]"), "memsafe: (test output) SKIPPED: x [  Skipped ]");
}

TEST_F(TestVerdictTest, AnotherTestsLogsAreNotRead) {
  // Test "a" and test "a.asan.b": the second's logs start with the first's prefix.
  const TestRun run = Run("a", "", "");
  Log("a.asan.b.asan.77", kUseAfterFree);
  EXPECT_EQ(JudgeTestRun(run).exit_status, 0);
}

TEST_F(TestVerdictTest, ValgrindBatchedRunNamesTheCaseKindAndLineOfEachError) {
  TestRun run = Run("inventory_test", "", "");
  run.tool = "valgrind";
  run.prefix = (dir_.path() / "inventory_test.valgrind").string();
  run.root = "/work/main/tests/consumer";
  fs::copy_file(kData + "batched/valgrind/memcheck/inventory_test.valgrind.6925.xml",
                dir_.path() / "inventory_test.valgrind.6925.xml");
  const TestVerdict verdict = JudgeTestRun(run);
  EXPECT_EQ(verdict.exit_status, 1);
  for (const char* line :
       {"memsafe:   heap-use-after-free at tests/inventory_test.cc:28 in "
        "inventory_test.PlantedBugTest.HeapUseAfterFree",
        "memsafe:   memory-leak at tests/inventory_test.cc:32 in inventory_test.PlantedBugTest.Leak",
        "== Valgrind error: uninitialised-value in inventory_test.PlantedBugTest.UninitialisedRead =="}) {
    EXPECT_NE(verdict.err.find(line), std::string::npos) << line << "\n" << verdict.err;
  }
}

// A race on a local of the main thread, as Clang 14's TSan logs it (captured; GCC 12's
// runtime writes '<null>' at 0x000000000000 in the same line).
constexpr const char* kStackRace =
    "==================\n"
    "WARNING: ThreadSanitizer: data race (pid=25167)\n"
    "  Write of size 4 at 0x7ffd24975d1c by main thread:\n"
    "    #0 main /src/project/tests/race.cc:5:5 (race+0xd440d)\n"
    "\n"
    "  Previous write of size 4 at 0x7ffd24975d1c by thread T1:\n"
    "    #0 main::$_0::operator()() const /src/project/tests/race.cc:4:25 (race+0xd44e2)\n"
    "\n"
    "  Location is stack of main thread.\n"
    "\n"
    "  Location is global '?\?' at 0x7ffd24956000 ([stack]+0x1fd1c)\n"
    "\n"
    "  Thread T1 (tid=25169, running) created by main thread at:\n"
    "    #0 pthread_create <null> (race+0x533fd)\n"
    "\n"
    "SUMMARY: ThreadSanitizer: data race /src/project/tests/race.cc:5:5 in main\n"
    "==================\n";

TEST_F(TestVerdictTest, StackRaceIsNotAlsoShownAsAnUnsymbolizedGlobal) {
  TestRun run = Run("race", "", "LLVMSymbolizer: error reading file: No such file or directory\nmy own line\n");
  run.tool = "tsan";
  Log("race.asan.25167", kStackRace);
  const TestVerdict verdict = JudgeTestRun(run);
  EXPECT_EQ(verdict.exit_status, 1) << "the race itself still fails the test";
  EXPECT_NE(verdict.err.find("data-race at tests/race.cc:5"), std::string::npos) << verdict.err;
  EXPECT_NE(verdict.err.find("Location is stack of main thread."), std::string::npos) << verdict.err;
  EXPECT_EQ(verdict.err.find("Location is global"), std::string::npos) << verdict.err;
  EXPECT_EQ(verdict.err.find("LLVMSymbolizer"), std::string::npos) << verdict.err;
  EXPECT_NE(verdict.err.find("my own line"), std::string::npos) << "the test's own output stays";
  EXPECT_NE(verdict.err.find("main thread.\n\n  Thread T1"), std::string::npos) << "one blank line between";
}

TEST_F(TestVerdictTest, SymbolizerErrorsBeyondTheStackGlobalsStay) {
  // Two failures to read a file, one explained by the stack mapping: the other is a
  // binary that was really gone, and says so.
  TestRun run = Run("gone", "",
                    "LLVMSymbolizer: error reading file: No such file or directory\n"
                    "LLVMSymbolizer: error reading file: No such file or directory\n");
  run.tool = "tsan";
  Log("gone.asan.25167", kStackRace);
  const std::string err = JudgeTestRun(run).err;
  const size_t first = err.find("LLVMSymbolizer");
  ASSERT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("LLVMSymbolizer", first + 1), std::string::npos) << err;
  // Without a stack-mapping global in the logs, nothing is taken out.
  TestRun alone = Run("alone", "", "LLVMSymbolizer: error reading file: No such file or directory\n");
  EXPECT_NE(JudgeTestRun(alone).err.find("LLVMSymbolizer"), std::string::npos);
}

TEST(CutSanitizerLogTest, ARealGlobalIsKept) {
  int stack_globals = 0;
  const std::string shown = CutSanitizerLog(
      "  Location is global 'counter' of size 4 at 0x55f0 (race+0x4010)\n"
      "  Location is global '<null>' at 0x000000000000 ([stack]+0x1e8b4)\n",
      "x.log", 5, &stack_globals);
  EXPECT_NE(shown.find("'counter'"), std::string::npos);
  EXPECT_EQ(shown.find("[stack]"), std::string::npos) << "GCC's form of the same artifact";
  EXPECT_EQ(stack_globals, 1);
}

TEST(CutSanitizerLogTest, ShowsTheFirstReportsThenACount) {
  std::string log;
  for (int i = 1; i <= 8; ++i)
    log += "==1==ERROR: AddressSanitizer: heap-use-after-free number " + std::to_string(i) + "\n  #0 f\n";
  const std::string shown = CutSanitizerLog(log, "x.log", 5);
  EXPECT_NE(shown.find("number 5"), std::string::npos);
  EXPECT_EQ(shown.find("number 6"), std::string::npos);
  EXPECT_NE(shown.find("... 6 more lines (8 reports in all): see x.log"), std::string::npos) << shown;
  EXPECT_EQ(CutSanitizerLog("a\nb\n", "x", 5), "a\nb\n");
}

TEST(InstrumentationTest, MarkersFoundAcrossBlocksAndScriptsNotJudged) {
  testing::ScratchDir dir;
  const std::string script = dir.Write("run.sh", "#!/bin/sh\nexit 0\n");
  std::vector<std::string> missing;
  bool elf = true;
  std::string why;
  ASSERT_TRUE(MissingInstrumentation(script, {"address"}, &missing, &elf, &why));
  EXPECT_FALSE(elf);
  EXPECT_TRUE(missing.empty());

  // The ASan marker straddles the 1 MiB read block; the TSan one is absent.
  std::string image =
      "\x7f"
      "ELF";
  image.resize((1 << 20) - 10, '\0');
  image += "__asan_version_mismatch_check_v8";
  const std::string program = dir.Write("prog", image);
  ASSERT_TRUE(MissingInstrumentation(program, {"address", "thread", "undefined"}, &missing, &elf, &why));
  EXPECT_TRUE(elf);
  EXPECT_EQ(missing, std::vector<std::string>{"thread"});

  EXPECT_FALSE(MissingInstrumentation(dir.path().string(), {"address"}, &missing, &elf, &why));
  EXPECT_EQ(why, "is not a regular file");
}

// A program of the build tree that the test started without the preset's sanitizer
// would run its memory errors unseen: the test fails, naming it. Programs outside the
// build tree (system tools) and runs with nothing expected are not judged.
TEST_F(TestVerdictTest, AnUninstrumentedChildProgramOfTheBuildTreeFailsTheTest) {
  testing::ScratchDir build;
  const std::string plain = build.Write("bin/helper",
                                        "\x7f"
                                        "ELF plain code");
  const std::string instrumented = build.Write("bin/checked",
                                               "\x7f"
                                               "ELF __asan_version_mismatch_check_v8");
  const std::string outside = dir_.Write("elsewhere/tool",
                                         "\x7f"
                                         "ELF plain code");
  auto run_with = [&](const std::string& name, const std::string& record) {
    TestRun run = Run(name, "ok\n", "");
    run.expect_instrumented = "address,undefined";
    run.build_dir = build.path().string();
    Log(name + ".asan.loaded", record);
    return run;
  };
  const TestVerdict caught = JudgeTestRun(run_with("child", "exe " + instrumented + "\nexe " + plain + "\n"));
  EXPECT_EQ(caught.exit_status, 1);
  EXPECT_EQ(caught.word, "refused");  // memsafe failed it: WILL_FAIL cannot make it a pass
  EXPECT_NE(caught.err.find("NOT INSTRUMENTED: 'child' ran or loaded " + plain), std::string::npos) << caught.err;
  EXPECT_EQ(caught.err.find("loaded " + instrumented), std::string::npos) << caught.err;

  // A plain library of the build tree, and a plain program the loader did not audit
  // (static, emptied environment) that a process was given as an argument, count too;
  // a data file of the build tree given as an argument is not code.
  const std::string library = build.Write("lib/libplain.so",
                                          "\x7f"
                                          "ELF plain code");
  const std::string data = build.Write("data/input.txt", "plain text");
  EXPECT_NE(JudgeTestRun(run_with("lib", "exe " + instrumented + "\nobj " + library + "\n")).err.find(library),
            std::string::npos);
  const TestVerdict argument = JudgeTestRun(run_with("arg", "exe " + instrumented + "\nfile " + plain + "\n"));
  EXPECT_NE(argument.err.find("NOT INSTRUMENTED: 'arg' ran or loaded " + plain), std::string::npos) << argument.err;
  EXPECT_EQ(JudgeTestRun(run_with("data", "exe " + instrumented + "\nfile " + data + "\n")).word, "clean");

  EXPECT_EQ(JudgeTestRun(run_with("fine", "exe " + instrumented + "\nexe " + outside + "\n")).word, "clean");
  TestRun nothing_expected = run_with("none", "exe " + plain + "\n");
  nothing_expected.expect_instrumented = "";
  EXPECT_EQ(JudgeTestRun(nothing_expected).word, "clean");
  TestRun valgrind = run_with("vg", "exe " + plain + "\n");
  valgrind.tool = "valgrind";
  EXPECT_EQ(JudgeTestRun(valgrind).exit_status, 0) << "Valgrind needs no instrumentation";
}

TEST(LogIdTest, NamesThatSanitizeAlikeGetIdsOfTheirOwn) {
  EXPECT_EQ(LogId("vec.Grows-1_a"), "vec.Grows-1_a") << "a plain name is its own id";
  const std::string space = LogId("c a");
  const std::string underscore = LogId("c_a");
  EXPECT_EQ(underscore, "c_a");
  EXPECT_TRUE(space.starts_with("c_a~")) << space;
  EXPECT_EQ(space.size(), std::string("c_a~").size() + 8);
  EXPECT_NE(LogId("c/a"), space) << "the hash tells apart names that sanitize alike";
  EXPECT_EQ(LogId("c a"), space) << "stable";
}

TEST(InstrumentationTest, BareNamesAreLookedUpOnPath) {
  EXPECT_EQ(ResolveProgram("./x"), "./x");
  const std::string sh = ResolveProgram("sh");
  EXPECT_TRUE(sh.size() > 3 && sh.substr(sh.size() - 3) == "/sh") << sh;
}

}  // namespace
}  // namespace memsafe::tools
