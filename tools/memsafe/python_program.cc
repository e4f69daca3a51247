// Which tests run a Python interpreter (python_program.h).
#include "python_program.h"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <utility>

#include "common/text.h"
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

// An environment change that keeps a runtime preloaded in front of it from the program.
bool DropsPreload(std::string_view unset_or_assigned) {
  const std::string_view name = unset_or_assigned.substr(0, unset_or_assigned.find('='));
  return name == "LD_PRELOAD" || name.starts_with("MEMSAFE_");
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t at = 0;
  while ((at = text.find_first_not_of(" \t\n", at)) != std::string_view::npos) {
    const size_t end = text.find_first_of(" \t\n", at);
    words.emplace_back(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    at = end;
  }
  return words;
}

// One option of GNU env that takes a value (-u NAME, -C DIR, -S STRING, -a NAME, in
// their short and long forms): applies it, splicing a -S string's words into `argv`
// after `next`, the index of the word that follows the value.
void ApplyEnvValue(char option, const std::string& value, std::vector<std::string>* argv, size_t next,
                   WrappedProgram* found) {
  if (option == 'u' && DropsPreload(value)) found->preload_dropped = true;
  if (option == 'C') found->directory = value;
  if (option == 'S') {
    const std::vector<std::string> words = SplitWords(value);
    argv->insert(argv->begin() + static_cast<ptrdiff_t>(std::min(next, argv->size())), words.begin(), words.end());
  }
}

// Past `env`'s options and assignments from argv[at]; the index of the program.
size_t PastEnv(std::vector<std::string>* argv, size_t at, WrappedProgram* found) {
  static const std::pair<std::string_view, char> kValued[] = {
      {"--unset", 'u'}, {"--chdir", 'C'}, {"--split-string", 'S'}, {"--argv0", 'a'}};
  while (at < argv->size()) {
    const std::string word = (*argv)[at];
    if (word == "--") return at + 1;
    if (word == "-" || word == "--ignore-environment") {
      found->preload_dropped = true;
      ++at;
    } else if (word.starts_with("--")) {
      const std::string name = word.substr(0, word.find('='));
      const auto valued =
          std::find_if(std::begin(kValued), std::end(kValued), [&](const auto& entry) { return entry.first == name; });
      size_t next = at + 1;
      if (valued != std::end(kValued)) {
        const bool inline_value = name.size() < word.size();
        const std::string value = inline_value          ? word.substr(name.size() + 1)
                                  : next < argv->size() ? (*argv)[next]
                                                        : "";
        if (!inline_value) ++next;
        ApplyEnvValue(valued->second, value, argv, next, found);
      }
      at = next;  // another long option is a flag (--null, --debug, --default-signal[=SIG])
    } else if (word.size() > 1 && word[0] == '-') {
      size_t next = at + 1;
      // A cluster of short options (-iu NAME, -uNAME): one that takes a value ends it.
      for (size_t i = 1; i < word.size(); ++i) {
        if (word[i] == 'i') found->preload_dropped = true;
        if (std::string_view("uCSa").find(word[i]) == std::string_view::npos) continue;
        std::string value = word.substr(i + 1);
        if (value.empty() && next < argv->size()) value = (*argv)[next++];
        ApplyEnvValue(word[i], value, argv, next, found);
        break;
      }
      at = next;
    } else if (IsAssignment(word)) {
      if (DropsPreload(word)) found->preload_dropped = true;
      ++at;
    } else {
      break;
    }
  }
  return at;
}

// Past `cmake -E env`'s options and assignments from argv[at]; the index of the program.
size_t PastCmakeEnv(const std::vector<std::string>& argv, size_t at, WrappedProgram* found) {
  while (at < argv.size()) {
    const std::string_view word = argv[at];
    if (word == "--") return at + 1;
    if (word == "--modify") {
      at += 2;  // --modify NAME=OP:VALUE
    } else if (word.starts_with("--unset=") || IsAssignment(word)) {
      if (DropsPreload(word.starts_with("--unset=") ? word.substr(8) : word)) found->preload_dropped = true;
      ++at;
    } else {
      break;
    }
  }
  return at;
}

bool InsideTree(std::string_view path, std::string_view build_dir) {
  if (build_dir.empty()) return false;
  std::string inside(build_dir);
  if (!inside.ends_with('/')) inside += '/';
  return path.starts_with(inside);
}

bool NamedPython(std::string_view path) {
  static const std::regex kName("python[0-9.]*");
  const std::string name(BaseName(path));
  return std::regex_match(name, kName);
}

}  // namespace

WrappedProgram UnwrapProgram(std::vector<std::string> argv) {
  WrappedProgram found;
  size_t at = 0;
  // A wrapper may start another (`env A=1 cmake -E env B=2 python3`).
  while (at < argv.size()) {
    const std::string_view program = BaseName(argv[at]);
    if (program == "env") {
      at = PastEnv(&argv, at + 1, &found);
    } else if (program.starts_with("cmake") && at + 2 < argv.size() && argv[at + 1] == "-E" && argv[at + 2] == "env") {
      at = PastCmakeEnv(argv, at + 3, &found);
    } else {
      break;
    }
  }
  if (at < argv.size()) found.program = argv[at];
  return found;
}

bool IsPythonProgram(const ProgramFile& file, std::string_view build_dir) {
  if (file.elf) return NamedPython(file.path) && !InsideTree(file.canonical, build_dir);
  if (NamedPython(file.path)) return true;
  const std::string_view head = file.head;
  std::string_view first_line = head.substr(0, head.find('\n'));
  if (!first_line.starts_with("#!") || first_line.find("python") == std::string_view::npos) return false;
  // The interpreter the kernel starts: one the project built is never "the" interpreter.
  first_line.remove_prefix(2);
  const std::vector<std::string> words = SplitWords(first_line);
  return words.empty() || !InsideTree(fs::path(words.front()).lexically_normal().string(), build_dir);
}

bool RunsPython(const std::vector<std::string>& argv, const std::string& build_dir) {
  const WrappedProgram wrapped = UnwrapProgram(argv);
  if (wrapped.program.empty() || wrapped.preload_dropped) return false;
  std::string given = wrapped.program;
  // env -C DIR ./python3: the path is DIR's.
  if (!wrapped.directory.empty() && given.find('/') != std::string::npos && given[0] != '/') {
    given = wrapped.directory + "/" + given;
  }
  ProgramFile file{.path = ResolveProgram(given)};
  // A bare name that PATH does not hold is no program the test can start.
  if (file.path.find('/') == std::string::npos) return false;
  std::error_code error;
  if (!fs::is_regular_file(file.path, error)) return false;  // a FIFO is never opened
  std::ifstream in(file.path, std::ios::binary);
  if (!in.is_open()) return false;  // unreadable: the name alone must not decide
  char bytes[256];
  in.read(bytes, sizeof bytes);
  if (in.bad() || in.gcount() == 0) return false;
  file.head.assign(bytes, static_cast<size_t>(in.gcount()));
  file.elf = file.head.starts_with(kElfMagic);
  // Both canonical: a build tree reached through a symlink is still the build tree.
  file.canonical = fs::weakly_canonical(fs::absolute(file.path, error), error).string();
  if (file.canonical.empty()) file.canonical = file.path;
  const std::string tree =
      build_dir.empty() ? "" : fs::weakly_canonical(fs::absolute(build_dir, error), error).string();
  return IsPythonProgram(file, tree);
}

}  // namespace memsafe::tools
