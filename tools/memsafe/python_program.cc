// Which tests run a Python interpreter (python_program.h).
#include "python_program.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "test_verdict.h"

namespace memsafe::tools {

namespace fs = std::filesystem;

namespace {

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool IsAssignment(std::string_view word) {
  const size_t equals = word.find('=');
  return equals != std::string_view::npos && equals > 0;
}

// Past `env`'s options and assignments; `at` is the word after `env`.
size_t PastEnv(const std::vector<std::string>& argv, size_t at) {
  while (at < argv.size()) {
    const std::string_view word = argv[at];
    if (word == "--") return at + 1;
    // Options that take the next word: the variable to unset, the directory to start in.
    if (word == "-u" || word == "--unset" || word == "-C" || word == "--chdir") {
      at += 2;
    } else if (word == "-" || (word.size() > 1 && word[0] == '-') || IsAssignment(word)) {
      ++at;  // -i, -0, -uNAME, --unset=NAME, --ignore-environment, NAME=VALUE
    } else {
      break;
    }
  }
  return at;
}

// Past `cmake -E env`'s options and assignments; `at` is the word after `env`.
size_t PastCmakeEnv(const std::vector<std::string>& argv, size_t at) {
  while (at < argv.size()) {
    const std::string_view word = argv[at];
    if (word == "--") return at + 1;
    if (word == "--modify") {
      at += 2;  // --modify NAME=OP:VALUE
    } else if (word.starts_with("--unset=") || IsAssignment(word)) {
      ++at;
    } else {
      break;
    }
  }
  return at;
}

bool NamedPython(std::string_view path) {
  static const std::regex kName("python[0-9.]*");
  const std::string name(BaseName(path));
  return std::regex_match(name, kName);
}

}  // namespace

size_t WrappedProgramIndex(const std::vector<std::string>& argv) {
  size_t at = 0;
  // A wrapper may start another (`env A=1 cmake -E env B=2 python3`).
  while (at < argv.size()) {
    const std::string_view program = BaseName(argv[at]);
    if (program == "env") {
      at = PastEnv(argv, at + 1);
    } else if (program.starts_with("cmake") && at + 2 < argv.size() && argv[at + 1] == "-E" && argv[at + 2] == "env") {
      at = PastCmakeEnv(argv, at + 3);
    } else {
      break;
    }
  }
  return std::min(at, argv.size());
}

bool IsPythonProgram(const ProgramFile& file, std::string_view build_dir) {
  if (file.elf) {
    if (!NamedPython(file.path)) return false;
    if (build_dir.empty()) return true;
    std::string inside(build_dir);
    if (!inside.ends_with('/')) inside += '/';
    return !file.canonical.starts_with(inside);
  }
  const std::string_view head = file.head;
  const std::string_view first_line = head.substr(0, head.find('\n'));
  return NamedPython(file.path) ||
         (first_line.starts_with("#!") && first_line.find("python") != std::string_view::npos);
}

bool RunsPython(const std::vector<std::string>& argv, const std::string& build_dir) {
  const size_t at = WrappedProgramIndex(argv);
  if (at >= argv.size()) return false;
  ProgramFile file{.path = ResolveProgram(argv[at])};
  // A bare name that PATH does not hold is no program the test can start.
  if (file.path.find('/') == std::string::npos) return false;
  std::error_code error;
  if (!fs::is_regular_file(file.path, error)) return false;
  std::ifstream in(file.path, std::ios::binary);
  char bytes[256];
  in.read(bytes, sizeof bytes);
  if (in.bad()) return false;
  file.head.assign(bytes, static_cast<size_t>(in.gcount()));
  file.elf = file.head.starts_with(
      "\x7f"
      "ELF");
  // Both canonical: a build tree reached through a symlink is still the build tree.
  file.canonical = fs::weakly_canonical(fs::absolute(file.path, error), error).string();
  if (file.canonical.empty()) file.canonical = file.path;
  const std::string tree =
      build_dir.empty() ? "" : fs::weakly_canonical(fs::absolute(build_dir, error), error).string();
  return IsPythonProgram(file, tree);
}

}  // namespace memsafe::tools
