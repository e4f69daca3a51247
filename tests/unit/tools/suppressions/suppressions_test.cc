#include "suppressions/suppressions.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/text.h"
#include "suppressions/options_lint.h"
#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(MEMSAFE_TEST_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Messages(const ParsedFile& file) {
  std::string all;
  for (const Problem& p : file.problems) all += std::to_string(p.line) + ": " + p.message + "\n";
  return all;
}

const char kGoodMetadata[] =
    "# reason: libfoo keeps its locale table for the life of the process\n"
    "# tracker: https://bugs.example.org/1234\n"
    "# added: 2026-11-22\n"
    "# review-by: 2027-02-20\n";

TEST(SuppressionsTest, OurOwnFilesAreClean) {
  for (const char* name : {"sanitizers/asan.supp", "sanitizers/lsan.supp", "sanitizers/tsan.supp",
                           "sanitizers/valgrind.supp", "sanitizers/ubsan_ignorelist.txt"}) {
    ParsedFile file = ParseSuppressions(name, ReadSource(name));
    EXPECT_TRUE(file.problems.empty()) << name << "\n" << Messages(file);
    EXPECT_TRUE(file.drafts.empty()) << name << ": memsafe fixes its own findings, it never drafts them away";
  }
  // The templates memsafe init copies into a project are as clean.
  for (const char* name : {"cmake/templates/asan.supp", "cmake/templates/lsan.supp", "cmake/templates/tsan.supp",
                           "cmake/templates/valgrind.supp", "cmake/templates/ubsan_ignorelist.txt"}) {
    ParsedFile file = ParseSuppressions(name, ReadSource(name));
    EXPECT_TRUE(file.problems.empty() && file.entries.empty()) << name << "\n" << Messages(file);
  }
  EXPECT_TRUE(LintOptions(ReadSource("cmake/templates/options.txt")).empty());
  EXPECT_EQ(ParseSuppressions("lsan.supp", ReadSource("sanitizers/lsan.supp")).entries.size(), 1u);
  EXPECT_EQ(ParseSuppressions("valgrind.supp", ReadSource("sanitizers/valgrind.supp")).entries.at(0).text,
            "memsafe-canary-suppressed-leak");
  EXPECT_TRUE(LintOptions(ReadSource("sanitizers/options.txt")).empty());
}

TEST(SuppressionsTest, ReadsTheMetadataOfAnEntry) {
  ParsedFile file = ParseSuppressions("lsan.supp", std::string(kGoodMetadata) + "leak:libfoo_init\n");
  ASSERT_TRUE(file.problems.empty()) << Messages(file);
  ASSERT_EQ(file.entries.size(), 1u);
  const Entry& entry = file.entries[0];
  EXPECT_EQ(entry.line, 5);
  EXPECT_EQ(entry.text, "leak:libfoo_init");
  EXPECT_EQ(entry.tool, "lsan");
  EXPECT_EQ(entry.tracker, "https://bugs.example.org/1234");
  EXPECT_EQ(FormatDate(*entry.review_by), "2027-02-20");
}

TEST(SuppressionsTest, ReportsEachMissingField) {
  ParsedFile file = ParseSuppressions("lsan.supp", "# reason: a real reason\nleak:x\n");
  const std::string messages = Messages(file);
  EXPECT_NE(messages.find("2: entry 'leak:x' has no '# tracker:' line"), std::string::npos) << messages;
  EXPECT_NE(messages.find("no '# added:' line"), std::string::npos);
  EXPECT_NE(messages.find("no '# review-by:' line"), std::string::npos);
}

TEST(SuppressionsTest, RejectsPlaceholderReasonsBadDatesAndLongReviews) {
  const std::string text =
      "# reason: TODO\n# tracker: t\n# added: 2026-11-22\n# review-by: 2027-02-20\nleak:a\n\n"
      "# reason: real\n# tracker: t\n# added: 2026-02-30\n# review-by: 2026-03-01\nleak:b\n\n"
      "# reason: real\n# tracker: t\n# added: 2026-01-01\n# review-by: 2026-06-01\nleak:c\n\n"
      "# reason: real\n# tracker: t\n# added: 2026-05-01\n# review-by: 2026-04-01\nleak:d\n";
  const std::string messages = Messages(ParseSuppressions("lsan.supp", text));
  EXPECT_NE(messages.find("5: entry 'leak:a' has an empty or placeholder reason"), std::string::npos) << messages;
  EXPECT_NE(messages.find("11: entry 'leak:b': added date '2026-02-30' is not YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(messages.find("17: entry 'leak:c': review-by is 151 days after added"), std::string::npos);
  EXPECT_NE(messages.find("23: entry 'leak:d': review-by is before added"), std::string::npos);
}

TEST(SuppressionsTest, DraftsAreValidListedAndKeptApartFromPlaceholders) {
  const std::string text =
      "# reason: draft: memory-leak at src/a.c:3 in t; replace with why this is not a bug to fix here\n"
      "# tracker: draft\n# added: 2026-12-01\n# review-by: 2027-03-03\nleak:^alpha$\n\n"
      "# reason: draft:\n# tracker: draft\n# added: 2026-12-01\n# review-by: 2027-03-03\nleak:bravo\n\n"
      "# reason: libb's cache lives as long as the process\n# tracker: draft\n"
      "# added: 2026-12-01\n# review-by: 2027-03-03\nleak:charlie\n";
  const ParsedFile file = ParseSuppressions("lsan.supp", text);
  const std::string messages = Messages(file);
  ASSERT_EQ(file.entries.size(), 3u);
  EXPECT_TRUE(file.entries[0].draft);
  EXPECT_FALSE(file.entries[2].draft);
  ASSERT_EQ(file.drafts.size(), 2u);  // a and b: b is a draft, and its empty reason is also a problem
  EXPECT_EQ(file.drafts[0].line, 5);
  EXPECT_NE(file.drafts[0].message.find("'leak:^alpha$' is a draft"), std::string::npos);
  EXPECT_EQ(messages.find("leak:^alpha$"), std::string::npos) << messages;  // a draft alone is no problem
  EXPECT_NE(messages.find("11: entry 'leak:bravo' has an empty or placeholder reason"), std::string::npos) << messages;
  EXPECT_NE(messages.find("17: entry 'leak:charlie' has tracker 'draft' but an explained reason"), std::string::npos)
      << messages;
}

TEST(SuppressionsTest, RejectsSyntaxErrorsAndDuplicates) {
  const std::string text = std::string(kGoodMetadata) + "leak:same\n" + kGoodMetadata + "leak:same\n" + kGoodMetadata +
                           "race:x\n" + kGoodMetadata + "justtext\n" + kGoodMetadata + "leak:with space\n";
  const std::string messages = Messages(ParseSuppressions("lsan.supp", text));
  EXPECT_NE(messages.find("10: duplicate entry 'leak:same'"), std::string::npos) << messages;
  EXPECT_NE(messages.find("15: unknown suppression type 'race' for lsan"), std::string::npos);
  EXPECT_NE(messages.find("20: expected '<type>:<pattern>'"), std::string::npos);
  EXPECT_NE(messages.find("25: whitespace inside the entry"), std::string::npos);
}

TEST(SuppressionsTest, AcceptsCrlfAndTabs) {
  std::string text =
      "#\treason:\tlibfoo caches\r\n# tracker: t\r\n#  added:  2026-11-22 \r\n"
      "# review-by: 2027-01-01\r\n\tleak:libfoo\t\r\n";
  ParsedFile file = ParseSuppressions("lsan.supp", text);
  EXPECT_TRUE(file.problems.empty()) << Messages(file);
  ASSERT_EQ(file.entries.size(), 1u);
  EXPECT_EQ(file.entries[0].text, "leak:libfoo");
}

TEST(SuppressionsTest, CapturedCrlfFileParsesLikeTheToolsAndReportsItsLines) {
  // The sanitizer runtimes and Valgrind both strip '\r' and tabs around an entry.
  const std::string crlf = ReadSource("tests/unit/tools/testdata/malformed/crlf-tabs.supp");
  const ParsedFile file = ParseSuppressions("lsan.supp", crlf);
  EXPECT_TRUE(file.problems.empty()) << Messages(file);
  ASSERT_EQ(file.entries.size(), 1u);
  EXPECT_EQ(file.entries[0].text, "leak:libfoo_locale_init");
  EXPECT_EQ(file.entries[0].reason, "libfoo caches its locale for the process lifetime");
  // The same file without its tracker: the problem names the entry's line.
  std::string content = crlf;
  content.erase(content.find("# tracker"), content.find("# added") - content.find("# tracker"));
  const ParsedFile broken = ParseSuppressions("lsan.supp", content);
  ASSERT_EQ(broken.problems.size(), 1u);
  EXPECT_EQ(broken.problems[0].line, 4);
}

TEST(SuppressionsTest, EmptyFileHasNoEntriesAndNoProblems) {
  ParsedFile file = ParseSuppressions("tsan.supp", "");
  EXPECT_TRUE(file.entries.empty());
  EXPECT_TRUE(file.problems.empty());
}

TEST(SuppressionsTest, MetadataWithoutAnEntryIsReported) {
  ParsedFile file = ParseSuppressions("tsan.supp", kGoodMetadata);
  EXPECT_NE(Messages(file).find("1: metadata lines are not followed by an entry"), std::string::npos);
}

TEST(SuppressionsTest, ValgrindBlocks) {
  const std::string good = std::string(kGoodMetadata) +
                           "{\n   libfoo-leak\n   Memcheck:Leak\n   match-leak-kinds: definite\n"
                           "   fun:malloc\n   ...\n   obj:*/libfoo.so*\n}\n";
  ParsedFile file = ParseSuppressions("valgrind.supp", good);
  EXPECT_TRUE(file.problems.empty()) << Messages(file);
  ASSERT_EQ(file.entries.size(), 1u);
  EXPECT_EQ(file.entries[0].text, "libfoo-leak");

  const std::string bad = std::string(kGoodMetadata) + "{\n   no-kind\n   fun:malloc\n}\n" + kGoodMetadata +
                          "{\n   unterminated\n   Memcheck:Cond\n   fun:f\n";
  const std::string messages = Messages(ParseSuppressions("valgrind.supp", bad));
  EXPECT_NE(messages.find("5: a suppression needs a name, a Tool:Kind line"), std::string::npos) << messages;
  EXPECT_NE(messages.find("13: suppression block opened here is never closed"), std::string::npos) << messages;
}

TEST(SuppressionsTest, IgnoreList) {
  const std::string text = std::string("[alignment]\n") + kGoodMetadata + "src:*/third_party/packed/*\n" +
                           kGoodMetadata + "file:*/x.cc\n[unterminated\n";
  const std::string messages = Messages(ParseSuppressions("ubsan_ignorelist.txt", text));
  EXPECT_EQ(messages.find("6: "), std::string::npos) << messages;  // the src: entry is fine
  EXPECT_NE(messages.find("11: expected src:, fun:, type:, global: or mainfile:"), std::string::npos) << messages;
  EXPECT_NE(messages.find("12: unterminated section header"), std::string::npos) << messages;
}

TEST(SuppressionsTest, CatchAllsAreRefusedWhateverTheReason) {
  const std::string explained =
      "# reason: this preset only looks for leaks; races are the tsan preset's\n"
      "# tracker: https://bugs.example.org/7\n# added: 2026-11-22\n# review-by: 2027-02-20\n";
  for (const auto& [name, entry] :
       {std::pair{"tsan.supp", "race:*\n"}, std::pair{"lsan.supp", "leak:**\n"},
        std::pair{"tsan.supp", "called_from_lib:*\n"}, std::pair{"ubsan_ignorelist.txt", "[alignment]\nsrc:*\n"},
        std::pair{"ubsan_ignorelist.txt", "[alignment]\nfun:*\n"},
        std::pair{"ubsan_ignorelist.txt", "[alignment]\nsrc:?*\n"},
        std::pair{"ubsan_ignorelist.txt", "[null]\nsrc:/*\n"},
        std::pair{"ubsan_ignorelist.txt", "[null]\nfun:[a-z_A-Z]*\n"},
        // what the symbolizers print besides the function: modules and files
        std::pair{"lsan.supp", "leak:.so\n"}, std::pair{"lsan.supp", "leak:libc.so.6\n"},
        std::pair{"lsan.supp", "leak:libasan\n"}, std::pair{"lsan.supp", "leak:asan_malloc_linux\n"},
        std::pair{"tsan.supp", "race:pthread_create\n"}, std::pair{"tsan.supp", "race:libtsan\n"},
        std::pair{"tsan.supp", "race:libstdc++\n"}, std::pair{"asan.supp", "interceptor_name:str\n"},
        std::pair{"asan.supp", "interceptor_name:mem\n"}, std::pair{"asan.supp", "interceptor_name:wcs\n"},
        std::pair{"lsan.supp", "leak:testing::\n"}, std::pair{"lsan.supp", "leak:TestBody\n"},
        std::pair{"tsan.supp", "race:testing::Test::Run\n"}, std::pair{"lsan.supp", "leak:Catch::\n"},
        std::pair{"lsan.supp", "leak:doctest::\n"}, std::pair{"tsan.supp", "race:execute_native_thread_routine\n"},
        std::pair{"valgrind.supp", "{\n   mangled\n   Memcheck:Leak\n   fun:_Znwm\n   ...\n}\n"},
        std::pair{"valgrind.supp", "{\n   mangled-wild\n   Memcheck:Leak\n   fun:_Zn*\n}\n"},
        std::pair{"valgrind.supp", "{\n   preload\n   Memcheck:Leak\n   obj:*vgpreload_memcheck*\n   ...\n}\n"},
        std::pair{"valgrind.supp", "{\n   libc\n   Memcheck:Addr8\n   ...\n   obj:*/libc.so*\n}\n"},
        std::pair{"lsan.supp", "leak:^\n"}, std::pair{"lsan.supp", "leak:$\n"}, std::pair{"lsan.supp", "leak:^*$\n"},
        std::pair{"tsan.supp", "race:^*\n"}, std::pair{"lsan.supp", "leak:?\n"}, std::pair{"lsan.supp", "leak:*?*\n"},
        std::pair{"lsan.supp", "leak:a\n"}, std::pair{"lsan.supp", "leak:ab\n"}, std::pair{"lsan.supp", "leak:main\n"},
        std::pair{"lsan.supp", "leak:^main$\n"}, std::pair{"lsan.supp", "leak:operator*\n"},
        std::pair{"lsan.supp", "leak:malloc\n"}, std::pair{"tsan.supp", "race:start_thread\n"},
        std::pair{"valgrind.supp", "{\n   all-leaks\n   Memcheck:Leak\n   ...\n}\n"},
        std::pair{"valgrind.supp", "{\n   all-reads\n   Memcheck:Addr4\n   fun:*\n   obj:*\n}\n"},
        std::pair{"valgrind.supp", "{\n   via-main\n   Memcheck:Leak\n   fun:malloc\n   ...\n   fun:main\n}\n"}}) {
    const ParsedFile refused = ParseSuppressions(name, explained + entry);
    ASSERT_EQ(refused.problems.size(), 1u) << name << " " << entry << Messages(refused);
    EXPECT_NE(refused.problems[0].message.find("is a catch-all"), std::string::npos) << refused.problems[0].message;
    // The reason that once let such an entry through no longer does.
    const ParsedFile still = ParseSuppressions(name, std::string("# reason: accepted blind spot: on purpose\n") +
                                                         explained.substr(explained.find('\n') + 1) + entry);
    EXPECT_FALSE(still.problems.empty()) << name << " " << entry;
  }
  // A pattern far longer than any symbol: refused, and judged without deep recursion.
  const ParsedFile huge = ParseSuppressions("lsan.supp", explained + "leak:" + std::string(120000, 'x') + "\n");
  ASSERT_EQ(huge.problems.size(), 1u);
  EXPECT_NE(huge.problems[0].message.find("over 1 KiB"), std::string::npos);
  // Narrow entries, wildcards and all, stay fine.
  for (const auto& [name, entry] :
       {std::pair{"tsan.supp", "race:libfoo*\n"}, std::pair{"ubsan_ignorelist.txt", "[alignment]\nsrc:*/x/*\n"},
        std::pair{"lsan.supp", "leak:^ab$\n"}, std::pair{"asan.supp", "interceptor_name:strlen\n"},
        std::pair{"lsan.supp", "leak:^shelf_parse$\n"}, std::pair{"lsan.supp", "leak:mainloop_init\n"},
        std::pair{"valgrind.supp", "{\n   one\n   Memcheck:Leak\n   fun:malloc\n   ...\n   fun:foo_init\n}\n"}}) {
    const ParsedFile narrow = ParseSuppressions(name, explained + entry);
    EXPECT_TRUE(narrow.problems.empty()) << name << " " << entry << Messages(narrow);
  }
}

// The ignore list reaches every sanitizer of the build (-fsanitize-ignorelist=): only
// UBSan's checks may be named, and every entry needs its check.
TEST(SuppressionsTest, TheIgnoreListCannotTakeAddressOrThreadSanitizerOff) {
  const std::string explained =
      "# reason: generated parser code\n# tracker: https://bugs.example.org/7\n"
      "# added: 2026-11-22\n# review-by: 2027-02-20\n";
  for (const char* text :
       {"src:*/src/*\n", "[address]\nsrc:*/src/*\n", "[thread]\nfun:parse_*\n", "[*]\nsrc:*/gen/*\n",
        "[memory]\nsrc:*/gen/*\n", "[implicit-conversion|address]\nsrc:*/gen/*\n",
        "[nullability-*|thread]\nsrc:*/gen/*\n", "[{alignment,address}]\nsrc:*/gen/*\n", "[align.*]\nsrc:*/gen/*\n"}) {
    const ParsedFile file = ParseSuppressions("ubsan_ignorelist.txt", explained + text);
    EXPECT_FALSE(file.problems.empty()) << text;
  }
  for (const char* text : {"[alignment]\nsrc:*/gen/*\n", "[implicit-integer-sign-change]\nfun:parse_*\n",
                           "[undefined]\nsrc:*/third_party/packed/*\n", "[alignment|vptr]\nsrc:*/gen/*\n",
                           "[{alignment,vptr}]\nsrc:*/gen/*\n"}) {
    const ParsedFile file = ParseSuppressions("ubsan_ignorelist.txt", explained + text);
    EXPECT_TRUE(file.problems.empty()) << text << Messages(file);
  }
}

TEST(OptionsLintTest, OptionsThatWeakenAToolAreRefusedWhateverTheReason) {
  for (const char* line :
       {"tsan report_bugs=0 # quieter", "asan detect_leaks=0 # faster", "asan exitcode=0 # why not",
        "asan alloc_dealloc_mismatch=0 # noisy", "asan halt_on_error=0 # see all", "lsan detect_leaks=0 # off",
        "ubsan halt_on_error=0 # go on", "valgrind --error-exitcode=0 # keep going",
        "valgrind --leak-check=no # faster", "valgrind-slow --undef-value-errors=no # faster",
        // false, no and off read as 0, as the runtimes read them
        "asan detect_leaks=false # faster", "asan detect_leaks=no # faster", "lsan detect_leaks=OFF # off",
        "asan quarantine_size_mb=0 # less memory", "asan replace_intrin=0 # faster",
        "tsan report_atomic_races=0 # noisy", "tsan ignore_noninstrumented_modules=1 # noisy",
        "tsan ignore_noninstrumented_modules=true # noisy", "valgrind --tool=none # faster",
        "valgrind --partial-loads-ok=yes # noisy", "valgrind --expensive-definedness-checks=no # faster",
        "asan leak_check_at_exit=false # faster", "asan log_exe_name=1 # tidy",
        // files memsafe does not lint or read
        "lsan suppressions=/elsewhere/evil.supp # shared", "asan suppressions=/x.supp # shared",
        "ubsan suppressions=/x.supp # shared", "tsan include=/x/options # shared",
        "asan include_if_exists=/x/options # shared", "valgrind --suppressions=/elsewhere/evil.supp # shared",
        "valgrind --xml-file=/tmp/x.xml # tidy",
        // numbers read as the runtimes read them; lists of leak kinds without one that fails
        "asan quarantine_size_mb=+0 # less memory", "asan quarantine_size_mb=0x0 # less memory",
        "valgrind --show-leak-kinds=indirect # quieter", "valgrind --errors-for-leak-kinds=reachable # odd",
        "valgrind --ignore-ranges=0x0-0x7fffffffffff # noisy", "valgrind --redzone-size=0 # less memory",
        "valgrind --command-line-only=no # my .valgrindrc", "valgrind --trace-children=no # faster",
        "valgrind --trace-children-skip=* # faster", "valgrind --trace-children-skip=/usr/*,/work/* # faster",
        "valgrind --trace-children-skip-by-arg=* # faster"}) {
    const std::vector<Problem> problems = LintOptions(line);
    ASSERT_EQ(problems.size(), 1u) << line;
    EXPECT_NE(problems[0].message.find("weakens the tool"), std::string::npos) << problems[0].message;
    // Each row says where the runtime defines the option.
    EXPECT_NE(problems[0].message.find("; see "), std::string::npos) << problems[0].message;
    const std::string accepted = std::string(line).replace(std::string(line).find('#') + 2, 0, "accepted blind spot: ");
    EXPECT_FALSE(LintOptions(accepted).empty()) << accepted;
  }
  // TSan keeps reporting after a race with halt_on_error=0; that is not a blind spot.
  EXPECT_TRUE(LintOptions("tsan halt_on_error=0 # report every race").empty());
  EXPECT_TRUE(LintOptions("asan detect_leaks=true # explicit").empty());
  // memsafe chooses Valgrind's tool and output itself: options.txt may not set them even
  // to memsafe's own values (the CMake module refuses the same lines).
  for (const char* line :
       {"valgrind --tool=memcheck # explicit", "valgrind --xml=yes # explicit", "asan log_exe_name=0 # explicit"}) {
    const std::vector<Problem> problems = LintOptions(line);
    ASSERT_EQ(problems.size(), 1u) << line;
    EXPECT_NE(problems[0].message.find("memsafe passes itself"), std::string::npos) << problems[0].message;
  }
  EXPECT_TRUE(LintOptions("valgrind --show-leak-kinds=all # every kind").empty());
  EXPECT_TRUE(LintOptions("valgrind --errors-for-leak-kinds=definite,indirect,possible # more").empty());
  EXPECT_TRUE(LintOptions("valgrind --redzone-size=64 # wider").empty());
  EXPECT_TRUE(LintOptions("valgrind --trace-children-skip=/usr/*,/opt/* # system programs").empty());
  EXPECT_TRUE(LintOptions("asan quarantine_size_mb=512 # longer").empty());
  const std::vector<Problem> in_script = LintOptionStrings("export TSAN_OPTIONS=report_bugs=false:history_size=7\n");
  ASSERT_EQ(in_script.size(), 1u);
  EXPECT_NE(in_script[0].message.find("weakens the tool"), std::string::npos);
}

TEST(OptionStringsTest, SuppressionFilesNamedOutsideSanitizersAreRefused) {
  const std::vector<Problem> problems = LintOptionStrings(
      "export LSAN_OPTIONS=suppressions=/elsewhere/evil.supp\n"
      "  \"CMAKE_C_FLAGS\": \"-fsanitize=undefined -fsanitize-ignorelist=/tmp/all.txt\"\n"
      "valgrind --suppressions=/tmp/evil.supp ./test\n"
      "list(APPEND opts \"--suppressions=${_supp}\")\n"
      "ASAN_OPTIONS=include_if_exists=/tmp/more\n"
      "  \"CMAKE_CXX_FLAGS\": \"-fsanitize-ignorelist=${sourceDir}/i.txt\"\n");
  ASSERT_EQ(problems.size(), 6u) << "outside memsafe's module, ${_supp} is any project's variable";
  EXPECT_EQ(problems[4].line, 5);
  EXPECT_EQ(problems[5].line, 6) << "a preset macro does not make it memsafe's own";
  EXPECT_EQ(LintOptionStrings("list(APPEND opts \"--suppressions=${_supp}\")\n", /*memsafe_module=*/true).size(), 0u);
  EXPECT_EQ(LintOptionStrings("target_compile_options(t PRIVATE -Xclang -fsanitize-system-ignorelist=/x)\n").size(),
            1u);
  // In a project's CMake file, a --suppressions= is for its own valgrind runs (cJSON's
  // ENABLE_VALGRIND tests): said, not counted; an ignore list there still changes the build.
  const std::vector<Problem> in_cmake = LintOptionStrings(
      "set(MEMORYCHECK_COMMAND_OPTIONS \"--suppressions=${CMAKE_CURRENT_SOURCE_DIR}/../valgrind.supp\")\n"
      "target_compile_options(t PRIVATE -fsanitize-ignorelist=/x)\n",
      /*memsafe_module=*/false, /*cmake_file=*/true);
  ASSERT_EQ(in_cmake.size(), 2u);
  EXPECT_TRUE(in_cmake[0].note);
  EXPECT_FALSE(in_cmake[1].note);
  EXPECT_EQ(problems[0].line, 1);
  EXPECT_NE(problems[0].message.find("weakens the tool"), std::string::npos) << problems[0].message;
  EXPECT_EQ(problems[1].line, 2);
  EXPECT_NE(problems[1].message.find("'-fsanitize-ignorelist=/tmp/all.txt' names a file"), std::string::npos);
  EXPECT_EQ(problems[2].line, 3);
  EXPECT_EQ(problems[3].line, 4);
}

// The project's CMake files are scanned too: an ignore list set with
// target_compile_options reaches the build as surely as one in a preset.
TEST(OptionStringsTest, TheProjectsCMakeFilesAreFoundOutsideBuildTreesAndHiddenDirectories) {
  testing::ScratchDir dir;
  const std::string top = dir.Write("CMakeLists.txt", "add_subdirectory(lib)\n");
  const std::string lib = dir.Write(
      "lib/CMakeLists.txt", "target_compile_options(l PRIVATE -fsanitize-ignorelist=${CMAKE_SOURCE_DIR}/x.txt)\n");
  const std::string module = dir.Write("cmake/Flags.cmake", "");
  dir.Write("build/asan/CMakeCache.txt", "");
  dir.Write("build/asan/_deps/x/CMakeLists.txt", "");
  dir.Write(".git/hooks/x.cmake", "");
  dir.Write("lib/notes.txt", "-fsanitize-ignorelist=/x\n");
  EXPECT_EQ(ProjectCMakeFiles(dir.path().string()), (std::vector<std::string>{top, module, lib}));
  std::string content;
  ASSERT_TRUE(ReadWholeFile(lib, &content));
  const std::vector<Problem> problems = LintOptionStrings(content);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("names a file of suppressions outside the lint"), std::string::npos);
}

TEST(OptionsLintTest, CatchesTheMistakesThatSilentlyDisableOptions) {
  const std::string text =
      "asan  halt_on_error=1,detect_leaks=1  # comma-joined\n"
      "asan  halt_on_eror=1  # misspelled\n"
      "lsan  print_suppressions = 1  # spaces\n"
      "tsan  history_size=7\n"
      "valgrind leak-check=full  # no dashes\n"
      "ubsan print_stacktrace=1  # fine\n"
      "asan  report_objects=1  # an LSan option ASan accepts\n";
  std::string messages;
  for (const Problem& p : LintOptions(text)) messages += std::to_string(p.line) + ": " + p.message + "\n";
  EXPECT_NE(messages.find("1: 'halt_on_error=1,detect_leaks=1' joins options"), std::string::npos) << messages;
  EXPECT_NE(messages.find("2: unknown asan option 'halt_on_eror'"), std::string::npos);
  EXPECT_NE(messages.find("3: stray space"), std::string::npos);
  EXPECT_NE(messages.find("4: option without a reason"), std::string::npos);
  EXPECT_NE(messages.find("5: a Valgrind option looks like --name=value"), std::string::npos);
  EXPECT_EQ(messages.find("6:"), std::string::npos);
  EXPECT_EQ(messages.find("7:"), std::string::npos);
}

TEST(OptionStringsTest, FindsEveryMistakeWhereverTheStringIsSet) {
  const std::vector<Problem> problems = LintOptionStrings(
      "export ASAN_OPTIONS=detect_leaks=1,halt_on_error=1\n"
      "UBSAN_OPTIONS=\"print_stacktrace=1:halt_on_eror=1\" ./test\n"
      "  TSAN_OPTIONS: \"history_size=7: second_deadlock_stack=1\"\n"
      "  \"LSAN_OPTIONS\": \"report_objects=1:${EXTRA}\"\n"
      "MY_ASAN_OPTIONS=whatever\n"
      "ASAN_OPTIONS=detect_leaks\n");
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].line, 1);
  EXPECT_NE(problems[0].message.find("joins options with ','"), std::string::npos);
  EXPECT_EQ(problems[1].line, 2);
  EXPECT_NE(problems[1].message.find("unknown ubsan option 'halt_on_eror'"), std::string::npos);
  EXPECT_EQ(problems[2].line, 3);
  EXPECT_NE(problems[2].message.find("stray space"), std::string::npos);
  EXPECT_EQ(problems[3].line, 6);
  EXPECT_NE(problems[3].message.find("expected name=value"), std::string::npos);
}

TEST(OptionStringsTest, OurScriptsAndPresetsAreClean) {
  for (const char* name : {"tools/lib.sh", "cmake/memsafe-run.sh", "CMakePresets.json", "cmake/memsafe-presets.json"}) {
    const std::vector<Problem> problems = LintOptionStrings(ReadSource(name));
    EXPECT_TRUE(problems.empty()) << name << ":" << problems.front().line << ": " << problems.front().message;
  }
}

}  // namespace
}  // namespace memsafe::tools
