#include "history/bisect.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using testing::ScratchDir;

constexpr char kSignature[] = "0123456789abcdef";

TEST(BisectTest, AFindingSeenOnceMakesTheCommitBad) {
  using V = RunVerdict;
  EXPECT_EQ(DecideStep({}, 4), StepDecision::kRunAgain);
  EXPECT_EQ(DecideStep({V::kBad}, 4), StepDecision::kBad);
  EXPECT_EQ(DecideStep({V::kGood, V::kBad}, 4), StepDecision::kBad);
}

TEST(BisectTest, AGoodCommitNeedsTwoRunsThatAgree) {
  using V = RunVerdict;
  EXPECT_EQ(DecideStep({V::kGood}, 4), StepDecision::kRunAgain);
  EXPECT_EQ(DecideStep({V::kGood, V::kGood}, 4), StepDecision::kGood);
  EXPECT_EQ(DecideStep({V::kGood, V::kSkip}, 4), StepDecision::kRunAgain);
  EXPECT_EQ(DecideStep({V::kGood, V::kSkip, V::kSkip, V::kSkip}, 4), StepDecision::kSkip);
  EXPECT_EQ(DecideStep({V::kGood, V::kSkip, V::kGood}, 4), StepDecision::kGood);
}

TEST(BisectTest, ACommitThatCannotBeCheckedIsSkipped) {
  EXPECT_EQ(DecideStep({RunVerdict::kSkip}, 4), StepDecision::kSkip);
}

TEST(BisectTest, TheFindingIsFoundBySignatureOrAtAMovedLine) {
  const SoughtFinding sought{kSignature, "memory-leak", "src/lib.c", "make", {}, {}};
  const auto report = [](const std::string& signature, int line, const std::string& function) {
    return R"({"findings": [{"signature": ")" + signature +
           R"(", "kind": "memory-leak", "location": {"file": "src/lib.c", "line": )" + std::to_string(line) +
           R"(, "function": ")" + function + R"("}}]})";
  };
  EXPECT_EQ(FindingIn(report(kSignature, 7, "make"), sought), "signature");
  EXPECT_EQ(FindingIn(report("00000000000000ff", 9, "make"), sought), "moved");
  EXPECT_EQ(FindingIn(report("00000000000000ff", 9, "other"), sought), "");
  EXPECT_EQ(FindingIn(R"({"findings": []})", sought), "");
  EXPECT_FALSE(FindingIn(R"({"runs": []})", sought));
  EXPECT_FALSE(FindingIn("not json", sought));
}

TEST(BisectTest, TheFirstBadCommitIsReadFromGitsWords) {
  EXPECT_EQ(FirstBadCommit("Bisecting: 0 revisions left to test after this (roughly 0 steps)\n"), "");
  EXPECT_EQ(FirstBadCommit("3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b is the first bad commit\ncommit 3f2c...\n"),
            "3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b");
}

// A git repository of six commits whose file `state` says what the fake check finds
// there: "clean", "bug" (the finding), or "broken" (the check fails without a report).
class BisectRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = dir_.path() / "repo";
    std::filesystem::create_directories(repo_);
    previous_ = std::filesystem::current_path();
    std::filesystem::current_path(repo_);
    // The check of a step: records its arguments, then judges the commit by `state`.
    step_ = dir_.Write("step.sh", R"(#!/bin/sh
report=
for arg in "$@"; do
  [ "$prev" = --report-dir ] && report=$arg
  prev=$arg
done
echo "$*" >>")" + (dir_.path() / "steps.log").string() +
                                      R"("
state=$(cat state)
case $state in
  slow) touch ")" + (dir_.path() / "started").string() +
                                      R"("; sleep 30; exit 1 ;;
  broken) exit 1 ;;
  dirty) echo "written by a test" >>notes.txt ;;
esac
mkdir -p "$report/this-run"
if [ "$state" = bug ]; then
  echo '{"findings": [{"signature": "0123456789abcdef", "kind": "memory-leak"}]}' >"$report/this-run/findings.json"
  exit 1
fi
echo '{"findings": []}' >"$report/this-run/findings.json"
)");
    std::filesystem::permissions(step_, std::filesystem::perms::owner_all);
    Git("init -q -b main");
    for (const char* state : {"clean", "broken", "clean", "bug", "bug", "bug"}) Commit(state);
  }
  void TearDown() override { std::filesystem::current_path(previous_); }

  void Git(const std::string& args) const {
    ASSERT_EQ(std::system(("git -c user.name=T -c user.email=t@example.org " + args + " >/dev/null").c_str()), 0)
        << args;
  }
  std::string Out(const std::string& command) const {
    std::string out;
    if (FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r")) {
      char buffer[256];
      while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
      (void)pclose(pipe);  // the output is what the tests compare
    }
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  void Commit(const std::string& state) {
    std::ofstream(repo_ / "state") << state << "\n";
    Git("add state");
    Git("commit -q --allow-empty -m 'state " + state + " " + std::to_string(++commits_) + "'");
    ids_.push_back(Out("git rev-parse HEAD"));
  }
  BisectOptions Options(int good, int bad) const {
    BisectOptions options;
    options.good = ids_[good];
    options.bad = ids_[bad];
    options.signature = kSignature;
    options.preset = "asan";
    options.tests = {"t1"};
    options.step_command = {step_};
    options.work_dir = (dir_.path() / "work").string();
    return options;
  }
  // The branch and commit checked out, and whether tracked files changed.
  std::string State() const {
    return Out("git symbolic-ref -q --short HEAD") + " " + Out("git rev-parse HEAD") + " [" +
           Out("git status --porcelain --untracked-files=no") + "]";
  }

  ScratchDir dir_;
  std::filesystem::path repo_, previous_;
  std::string step_;
  std::vector<std::string> ids_;
  int commits_ = 0;
};

TEST_F(BisectRepoTest, NamesTheFirstBadCommitSkippingOneThatDoesNotBuild) {
  const std::string before = State();
  ::testing::internal::CaptureStdout();
  const int status = RunBisect(Options(0, 5));
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("first bad commit: " + ids_[3] + " state bug 4"), std::string::npos) << out;
  EXPECT_NE(out.find("author: T <t@example.org>"), std::string::npos) << out;
  EXPECT_EQ(State(), before);
  // Each step ran the named test of the named preset, and reruns went past the cache.
  const std::string steps = Out("cat " + (dir_.path() / "steps.log").string());
  EXPECT_NE(steps.find("--memory-checks --preset asan --report-dir"), std::string::npos) << steps;
  EXPECT_NE(steps.find("--test t1 --no-cache"), std::string::npos) << steps;
}

// A commit that cannot be checked right before the first bad one: git cannot say which
// of the two it is, and neither does the bisect.
TEST_F(BisectRepoTest, OnlySkippedCommitsLeftIsNoAnswer) {
  Commit("clean");
  Commit("broken");
  Commit("bug");
  const std::string before = State();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunBisect(Options(6, 8)), 1);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("every commit left could not be checked"), std::string::npos) << out;
  EXPECT_EQ(out.find("first bad commit:"), std::string::npos) << out;
  EXPECT_EQ(State(), before);
}

TEST_F(BisectRepoTest, BadUsageIsRefusedBeforeAnythingIsCheckedOut) {
  const std::string before = State();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunBisect(Options(5, 0)), 2);  // the wrong way round
  BisectOptions unknown = Options(0, 5);
  unknown.good = "no-such-revision";
  EXPECT_EQ(RunBisect(unknown), 2);
  std::ofstream(repo_ / "state") << "edited\n";
  EXPECT_EQ(RunBisect(Options(0, 5)), 2);  // a dirty work tree
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("the wrong way round"), std::string::npos) << err;
  EXPECT_NE(err.find("no commit 'no-such-revision'"), std::string::npos) << err;
  EXPECT_NE(err.find("commit or stash them first"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "steps.log"));  // no step ran
  Git("checkout -q -- state");
  EXPECT_EQ(State(), before);
}

TEST_F(BisectRepoTest, EndsThatDoNotShowTheFindingAsNamedStopTheBisect) {
  const std::string before = State();
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunBisect(Options(0, 2)), 1);  // --bad is clean
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("--bad " + ids_[2].substr(0, 12) + " is good for this finding"), std::string::npos) << out;
  EXPECT_EQ(State(), before);
}

TEST_F(BisectRepoTest, TheFindingIsLearnedFromTheLastReport) {
  dir_.Write("report/this-run/summary.json", R"({"presets": [{"preset": "tsan"}]})");
  dir_.Write("report/this-run/findings.json",
             R"({"findings": [{"signature": "0123456789abcdef", "kind": "data-race", "presets": ["tsan"],
                 "tests": ["RaceTest.Writes", "other"]}]})");
  BisectOptions options = Options(3, 5);
  options.preset.clear();
  options.tests.clear();
  options.report_dir = (dir_.path() / "report").string();
  ::testing::internal::CaptureStdout();
  (void)RunBisect(options);  // --good is bad here: what matters is what the steps were asked
  (void)::testing::internal::GetCapturedStdout();
  const std::string steps = Out("cat " + (dir_.path() / "steps.log").string());
  EXPECT_NE(steps.find("--preset tsan --report-dir"), std::string::npos) << steps;
  EXPECT_NE(steps.find("--test RaceTest.Writes --test other"), std::string::npos) << steps;
  options.signature = "00000000000000ff";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunBisect(options), 2);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("no finding 00000000000000ff"), std::string::npos);
}

// A test that writes into a tracked file: the file is put back after each step, so the
// next commit checks out and the tree ends as it began.
TEST_F(BisectRepoTest, ATrackedFileTheCheckChangesIsPutBack) {
  std::ofstream(repo_ / "notes.txt") << "notes\n";
  Git("add notes.txt");
  Commit("dirty");
  Commit("bug");
  const std::string before = State();
  ::testing::internal::CaptureStdout();
  const int status = RunBisect(Options(6, 7));
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("it changed tracked files, put back"), std::string::npos) << out;
  EXPECT_NE(out.find("first bad commit: " + ids_[7]), std::string::npos) << out;
  EXPECT_EQ(State(), before);
}

// A local file that an older commit tracked and the project now ignores: a checkout of
// that commit would overwrite it without a word. Refused, the file kept.
TEST_F(BisectRepoTest, AnIgnoredFileAnOlderCommitTracksIsRefused) {
  std::ofstream(repo_ / "config.local") << "tracked\n";
  Git("add config.local");
  Commit("clean");
  Git("rm -q --cached config.local");
  std::ofstream(repo_ / ".gitignore") << "config.local\n";
  Git("add .gitignore");
  Commit("bug");
  std::ofstream(repo_ / "config.local") << "my local settings\n";
  const std::string before = State();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(RunBisect(Options(6, 7)), 2);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("move them away first:\n  config.local"), std::string::npos) << err;
  std::ifstream kept(repo_ / "config.local");
  std::string line;
  EXPECT_TRUE(std::getline(kept, line));
  EXPECT_EQ(line, "my local settings");
  EXPECT_EQ(State(), before);
}

// Ctrl-C during a step: the step ends, the bisect stops with 130 and HEAD is back.
TEST_F(BisectRepoTest, AnInterruptedBisectPutsTheWorkTreeBack) {
  Commit("slow");  // the --bad end's check runs until it is interrupted
  const std::string before = State();
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    (void)setpgid(0, 0);  // a group of its own, as a terminal's foreground job
    std::fclose(stdout);  // the parent's captured output is not the child's to write
    _exit(RunBisect(Options(0, 6)));
  }
  for (int i = 0; i < 600 && !std::filesystem::exists(dir_.path() / "started"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(std::filesystem::exists(dir_.path() / "started"));
  ASSERT_EQ(kill(-child, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_EQ(State(), before);
  EXPECT_FALSE(std::filesystem::exists(repo_ / ".git" / "BISECT_LOG"));
}

}  // namespace
}  // namespace memsafe::tools
