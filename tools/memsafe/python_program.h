// Which tests run a Python interpreter. Python is where tests load a project's shared
// libraries into a program the project did not build (ctypes, cffi, extension modules
// under pytest): under a sanitizer preset the launcher preloads the sanitizer runtime
// into that interpreter so that an instrumented library can load at all, and keeps it
// out of the programs the interpreter starts (preload_scope.c).
//
// Example (the launcher's `memsafe runs-python --build-dir build/asan -- CMD...`):
//   if (RunsPython({"env", "PYTHONPATH=.", "python3", "test.py"}, "/src/build/asan")) ...
//
// A compiled program of the build tree is never an interpreter, whatever its name: it
// carries its own sanitizer runtime, and a second one would stop it.
//
// Thread-safety: UnwrapProgram and IsPythonProgram are pure; RunsPython reads PATH and
// the program's first bytes.
// Failure: a program that cannot be found, opened or read (a FIFO, a directory, an
// unreadable or empty file) is not Python: the test then runs as it would without the
// preload, and a library that cannot load for want of the runtime fails it in the verdict.
#ifndef MEMSAFE_TOOLS_PYTHON_PROGRAM_H_
#define MEMSAFE_TOOLS_PYTHON_PROGRAM_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

// The program a test's command starts, past the wrappers that only set its environment:
// `env [OPTION]... [NAME=VALUE]...` (GNU env's options, -S split strings included) and
// `cmake -E env [--unset=NAME] [--modify OP] [NAME=VALUE]...`, one after another.
struct WrappedProgram {
  std::string program{};    // the word that names it; empty when nothing follows the wrappers
  std::string directory{};  // where a wrapper starts it (env -C), for a relative path
  // A wrapper clears the environment, unsets LD_PRELOAD or a MEMSAFE_ variable, or sets
  // LD_PRELOAD itself: a runtime preloaded in front of it never reaches the program.
  bool preload_dropped = false;
};
WrappedProgram UnwrapProgram(std::vector<std::string> argv);

// A test's program as found on disk.
struct ProgramFile {
  std::string path{};       // as PATH lookup found it: its name is the one the test used
  std::string canonical{};  // symlinks resolved, for the build-tree comparison
  std::string head{};       // its first bytes (up to 256)
  bool elf = false;
};

// Whether `file` is a Python interpreter: an ELF program named python, python3,
// python3.11 outside the build tree (`build_dir`, canonical, or empty for none); or a
// script so named (a pyenv shim) or whose first line is a "#!" line that starts Python,
// an interpreter outside the build tree.
bool IsPythonProgram(const ProgramFile& file, std::string_view build_dir);

// The whole decision for a test's command, reading the program's first bytes. No when a
// wrapper drops the preload (the program then runs as it would without memsafe).
bool RunsPython(const std::vector<std::string>& argv, const std::string& build_dir);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_PYTHON_PROGRAM_H_
