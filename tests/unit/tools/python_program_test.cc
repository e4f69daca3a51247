#include "python_program.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using Argv = std::vector<std::string>;

TEST(PythonProgramTest, TheProgramIsFoundPastEnvironmentWrappers) {
  const auto program = [](const Argv& argv) { return UnwrapProgram(argv).program; };
  EXPECT_EQ(program({"python3", "t.py"}), "python3");
  EXPECT_EQ(program({"/usr/bin/env", "-u", "HOME", "A=1", "python3", "t.py"}), "python3");
  EXPECT_EQ(program({"env", "--unset=HOME", "-C", "/tmp", "--", "python3"}), "python3");
  EXPECT_EQ(program({"env", "--unset", "HOME", "--chdir=/tmp", "-0v", "--debug", "python3"}), "python3");
  EXPECT_EQ(program({"env", "-a", "name", "--argv0=other", "python3"}), "python3") << "-a's value is not the program";
  EXPECT_EQ(program({"env", "-uHOME", "-vuPATH", "python3"}), "python3") << "clustered short options";
  EXPECT_EQ(program({"env", "-S", "python3 -u", "t.py"}), "python3") << "a -S string's first word";
  EXPECT_EQ(program({"env", "--split-string=A=1 python3", "t.py"}), "python3");
  EXPECT_EQ(program({"/usr/bin/cmake", "-E", "env", "--unset=X", "--modify", "P=path_list_prepend:/a",
                     "PYTHONPATH=/src", "python3", "t.py"}),
            "python3");
  EXPECT_EQ(program({"env", "A=1", "cmake", "-E", "env", "B=2", "python3"}), "python3")
      << "one wrapper starting another";
  EXPECT_EQ(program({"cmake", "-P", "run.cmake"}), "cmake") << "cmake itself, not its env";
  EXPECT_EQ(program({"env", "A=1"}), "") << "nothing to start";
  EXPECT_EQ(program({"env", "-u"}), "");
  EXPECT_EQ(program({"cmake", "-E", "env"}), "");
  EXPECT_EQ(program({}), "");
  EXPECT_EQ(UnwrapProgram({"env", "-C", "/opt", "./python3"}).directory, "/opt");
}

// A runtime preloaded in front of the wrappers never reaches a program they
// start with the environment cleared or LD_PRELOAD replaced.
TEST(PythonProgramTest, AWrapperThatClearsTheEnvironmentDropsThePreload) {
  for (const Argv& argv : std::vector<Argv>{{"env", "-i", "python3"},
                                            {"env", "-", "python3"},
                                            {"env", "--ignore-environment", "python3"},
                                            {"env", "-iu", "HOME", "python3"},
                                            {"env", "A=1", "env", "-i", "python3"},
                                            {"env", "-u", "LD_PRELOAD", "python3"},
                                            {"env", "--unset=MEMSAFE_PRELOAD_INTO", "python3"},
                                            {"env", "LD_PRELOAD=/x.so", "python3"},
                                            {"env", "-S", "-i python3"},
                                            {"cmake", "-E", "env", "--unset=LD_PRELOAD", "python3"},
                                            {"cmake", "-E", "env", "LD_PRELOAD=", "python3"}}) {
    EXPECT_TRUE(UnwrapProgram(argv).preload_dropped) << ::testing::PrintToString(argv);
  }
  EXPECT_FALSE(UnwrapProgram({"env", "-u", "HOME", "LD_LIBRARY_PATH=/x", "python3"}).preload_dropped);
}

TEST(PythonProgramTest, AnInterpreterIsNamedSoOrStartedByItsScript) {
  const auto is = [](const std::string& path, const std::string& head, bool elf) {
    return IsPythonProgram({.path = path, .canonical = path, .head = head, .elf = elf}, "/src/build");
  };
  EXPECT_TRUE(is("/usr/bin/python3", "\177ELF", true));
  EXPECT_TRUE(is("/usr/bin/python3.11", "\177ELF", true));
  EXPECT_TRUE(is("/usr/bin/python", "\177ELF", true));
  EXPECT_FALSE(is("/usr/bin/python3-config", "\177ELF", true));
  EXPECT_FALSE(is("/usr/bin/ipython", "\177ELF", true));
  EXPECT_FALSE(is("/src/build/tests/python3", "\177ELF", true)) << "a program of the build tree";
  EXPECT_TRUE(is("/src/build-other/python3", "\177ELF", true)) << "a sibling tree is not the build tree";
  EXPECT_TRUE(is("/root/.pyenv/shims/python3", "#!/usr/bin/env bash\nexec pyenv\n", false)) << "a pyenv shim";
  EXPECT_TRUE(is("/src/tests/run_tests", "#!/usr/bin/env python3\nimport sys\n", false));
  EXPECT_TRUE(is("/src/build/run.py", "#!/usr/bin/python3 -u\n", false)) << "the interpreter is not the tree's";
  EXPECT_FALSE(is("/src/tests/run.sh", "#!/bin/sh\n# python3 runs later\n", false)) << "only the #! line counts";
  EXPECT_FALSE(is("/src/tests/run.py", "import sys\n", false)) << "no #! line: executed how?";
  EXPECT_FALSE(is("/src/tests/run", "#!/src/build/bin/python3\n", false)) << "the project's own interpreter";
  EXPECT_FALSE(is("/src/tests/run", "#! /src/build/./bin/python3 -u\n", false));
  EXPECT_FALSE(is("/src/tests/run", "  #!/usr/bin/python3\n", false)) << "not a #! line to the kernel";
}

TEST(PythonProgramTest, TheDecisionReadsTheProgramItFinds) {
  testing::ScratchDir dir;
  const std::string build = (dir.path() / "build").string();
  const std::string elf = std::string("\177ELF\2\1\1", 7) + std::string(300, '\0');
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
  // What cannot be opened or holds nothing is not decided by its name.
  EXPECT_EQ(mkfifo((dir.path() / "bin/python3.9").c_str(), 0755), 0);
  EXPECT_FALSE(RunsPython({(dir.path() / "bin/python3.9").string()}, build)) << "a FIFO, never opened";
  std::filesystem::create_directory(dir.path() / "bin/python3.8");
  EXPECT_FALSE(RunsPython({(dir.path() / "bin/python3.8").string()}, build));
  EXPECT_FALSE(RunsPython({program("bin/python3.7", "")}, build)) << "an empty file";
  const std::string unreadable = program("build/python3.6", elf);
  EXPECT_EQ(chmod(unreadable.c_str(), 0111), 0);
  if (geteuid() != 0) {
    EXPECT_FALSE(RunsPython({unreadable}, build)) << "unreadable (root reads it anyway)";
  }
  // env -C: a relative path is the directory's.
  EXPECT_TRUE(RunsPython({"env", "-C", (dir.path() / "bin").string(), "./python3"}, build));
  EXPECT_FALSE(RunsPython({"env", "-i", outside}, build)) << "the preload would never reach it";
  // By name, through PATH, and not found there.
  testing::ScopedEnv path("PATH", (dir.path() / "bin").c_str());
  EXPECT_TRUE(RunsPython({"python3", "t.py"}, build));
  EXPECT_FALSE(RunsPython({"python3.99"}, build));
}

}  // namespace
}  // namespace memsafe::tools
