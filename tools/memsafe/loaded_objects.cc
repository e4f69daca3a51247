#include "loaded_objects.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "text.h"

namespace memsafe::tools {
namespace fs = std::filesystem;

namespace {

void Incomplete(LoadedObjects* loaded, std::string why) {
  if (loaded->why.empty()) loaded->why = std::move(why);
  loaded->complete = false;
}

void SortUnique(std::vector<std::string>* items) {
  std::sort(items->begin(), items->end());
  items->erase(std::unique(items->begin(), items->end()), items->end());
}

void Finish(LoadedObjects* loaded) {
  SortUnique(&loaded->programs);
  SortUnique(&loaded->objects);
  if (loaded->why.empty() && loaded->programs.empty()) Incomplete(loaded, "no program was recorded");
  loaded->complete = loaded->why.empty();
}

}  // namespace

void AddAuditRecord(std::string_view text, LoadedObjects* loaded) {
  // The module writes whole lines; a last line without its '\n' was cut short.
  if (!text.empty() && text.back() != '\n') Incomplete(loaded, "the record ends in the middle of a line");
  for (std::string_view line : SplitLines(text)) {
    if (line.starts_with("exe /")) {
      loaded->programs.emplace_back(line.substr(4));
      loaded->objects.emplace_back(line.substr(4));
    } else if (line.starts_with("obj /")) {
      loaded->objects.emplace_back(line.substr(4));
    } else if (line.starts_with("file /")) {
      loaded->objects.emplace_back(line.substr(5));
    } else if (line == "incomplete") {
      Incomplete(loaded, "a process mapped an object whose path could not be recorded");
    } else {
      Incomplete(loaded, "the record has a line it cannot read: '" + std::string(line.substr(0, 80)) + "'");
    }
  }
}

void AddValgrindLog(std::string_view text, LoadedObjects* loaded) {
  static constexpr std::string_view kReading = " Reading syms from ";
  bool first = true;
  for (std::string_view line : SplitLines(text)) {
    // "--1234-- Reading syms from /path"; Valgrind writes no other line that way.
    if (!line.starts_with("--")) continue;
    const size_t at = line.find(kReading);
    if (at == std::string_view::npos) continue;
    const std::string_view path = line.substr(at + kReading.size());
    if (!path.starts_with("/")) {
      Incomplete(loaded, "Valgrind read an object by a relative path");
      continue;
    }
    if (first) loaded->programs.emplace_back(path);
    first = false;
    loaded->objects.emplace_back(path);
  }
  if (first) Incomplete(loaded, "a Valgrind log names no program");
}

LoadedObjects ReadLoadedObjects(const std::string& prefix) {
  LoadedObjects loaded;
  std::string text, why;
  if (!prefix.ends_with(".valgrind")) {
    if (!ReadWholeFile(prefix + ".loaded", &text, &why)) {
      Incomplete(&loaded, "no record of what the test loaded (" + prefix + ".loaded: " + why + ")");
    } else {
      AddAuditRecord(text, &loaded);
    }
    Finish(&loaded);
    return loaded;
  }
  // <prefix>.<pid>.vglog: one per process Valgrind followed.
  const fs::path base(prefix);
  const std::string stem = base.filename().string() + ".";
  std::error_code error;
  for (fs::directory_iterator it(base.parent_path(), error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(stem) || !name.ends_with(".vglog")) continue;
    const std::string_view pid = std::string_view(name).substr(stem.size(), name.size() - stem.size() - 6);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string_view::npos) continue;
    if (!ReadWholeFile(it->path().string(), &text, &why)) {
      Incomplete(&loaded, it->path().string() + ": " + why);
      continue;
    }
    AddValgrindLog(text, &loaded);
  }
  if (error) Incomplete(&loaded, "cannot list " + base.parent_path().string() + ": " + error.message());
  Finish(&loaded);
  return loaded;
}

}  // namespace memsafe::tools
