#include "python_program.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using Argv = std::vector<std::string>;

TEST(PythonProgramTest, TheProgramIsFoundPastEnvironmentWrappers) {
  EXPECT_EQ(WrappedProgramIndex({"python3", "t.py"}), 0u);
  EXPECT_EQ(WrappedProgramIndex({"/usr/bin/env", "-i", "-u", "HOME", "A=1", "python3", "t.py"}), 5u);
  EXPECT_EQ(WrappedProgramIndex({"env", "--unset=HOME", "-C", "/tmp", "--", "python3"}), 5u);
  EXPECT_EQ(WrappedProgramIndex({"/usr/bin/cmake", "-E", "env", "--unset=X", "--modify", "P=path_list_prepend:/a",
                                 "PYTHONPATH=/src", "python3", "t.py"}),
            7u);
  EXPECT_EQ(WrappedProgramIndex({"env", "A=1", "cmake", "-E", "env", "B=2", "python3"}), 6u)
      << "one wrapper starting another";
  EXPECT_EQ(WrappedProgramIndex({"cmake", "-P", "run.cmake"}), 0u) << "cmake itself, not its env";
  EXPECT_EQ(WrappedProgramIndex({"env", "A=1"}), 2u) << "nothing to start";
  EXPECT_EQ(WrappedProgramIndex({}), 0u);
}

TEST(PythonProgramTest, AnInterpreterIsNamedSoOrStartedByItsScript) {
  const auto is = [](const std::string& path, const std::string& head, bool elf) {
    return IsPythonProgram({.path = path, .canonical = path, .head = head, .elf = elf}, "/src/build");
  };
  EXPECT_TRUE(is("/usr/bin/python3",
                 "\x7f"
                 "ELF",
                 true));
  EXPECT_TRUE(is("/usr/bin/python3.11",
                 "\x7f"
                 "ELF",
                 true));
  EXPECT_TRUE(is("/usr/bin/python",
                 "\x7f"
                 "ELF",
                 true));
  EXPECT_FALSE(is("/usr/bin/python3-config",
                  "\x7f"
                  "ELF",
                  true));
  EXPECT_FALSE(is("/usr/bin/ipython",
                  "\x7f"
                  "ELF",
                  true));
  EXPECT_FALSE(is("/src/build/tests/python3",
                  "\x7f"
                  "ELF",
                  true))
      << "a program of the build tree";
  EXPECT_TRUE(is("/src/build-other/python3",
                 "\x7f"
                 "ELF",
                 true))
      << "a sibling tree is not the build tree";
  EXPECT_TRUE(is("/root/.pyenv/shims/python3", "#!/usr/bin/env bash\nexec pyenv\n", false)) << "a pyenv shim";
  EXPECT_TRUE(is("/src/tests/run_tests", "#!/usr/bin/env python3\nimport sys\n", false));
  EXPECT_TRUE(is("/src/build/run.py", "#!/usr/bin/python3 -u\n", false)) << "the interpreter is not the tree's";
  EXPECT_FALSE(is("/src/tests/run.sh", "#!/bin/sh\n# python3 runs later\n", false)) << "only the #! line counts";
  EXPECT_FALSE(is("/src/tests/run.py", "import sys\n", false)) << "no #! line: executed how?";
}

TEST(PythonProgramTest, TheDecisionReadsTheProgramItFinds) {
  testing::ScratchDir dir;
  const std::string build = (dir.path() / "build").string();
  const std::string elf = std::string(
                              "\x7f"
                              "ELF\x02\x01\x01",
                              7) +
                          std::string(300, '\0');
  const auto program = [&](const std::string& name, const std::string& text) {
    const std::string path = dir.Write(name, text);
    EXPECT_EQ(chmod(path.c_str(), 0755), 0) << path;
    return path;
  };
  const std::string outside = program("bin/python3", elf);
  const std::string inside = program("build/python3", elf);
  const std::string script = program("tests/driver", "#!/usr/bin/env python3\n");
  EXPECT_TRUE(RunsPython({outside, "t.py"}, build));
  EXPECT_FALSE(RunsPython({inside, "t.py"}, build));
  EXPECT_TRUE(RunsPython({"env", "A=1", outside}, build));
  EXPECT_TRUE(RunsPython({script}, build));
  EXPECT_FALSE(RunsPython({"env", "A=1"}, build));
  EXPECT_FALSE(RunsPython({(dir.path() / "bin/absent").string()}, build));
  // The build tree through a symlink is still the build tree.
  std::filesystem::create_directory_symlink(build, dir.path() / "link");
  EXPECT_FALSE(RunsPython({(dir.path() / "link/python3").string()}, build));
  EXPECT_FALSE(RunsPython({inside}, (dir.path() / "link").string()));
  // By name, through PATH, and not found there.
  testing::ScopedEnv path("PATH", (dir.path() / "bin").c_str());
  EXPECT_TRUE(RunsPython({"python3", "t.py"}, build));
  EXPECT_FALSE(RunsPython({"python3.99"}, build));
}

}  // namespace
}  // namespace memsafe::tools
