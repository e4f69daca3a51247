#include "loaded_objects.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <system_error>

#include "common/text.h"

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
  SortUnique(&loaded->arguments);
  SortUnique(&loaded->programs);
  SortUnique(&loaded->objects);
  SortUnique(&loaded->libraries);
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
      loaded->libraries.emplace_back(line.substr(4));
    } else if (line.starts_with("file /")) {
      loaded->objects.emplace_back(line.substr(5));
      loaded->arguments.emplace_back(line.substr(5));
    } else if (line.starts_with("dir /")) {
      Incomplete(loaded, "a process was given the directory " + std::string(line.substr(4)) +
                             ": what it read there is not known");
    } else if (line == "incomplete") {
      loaded->unrecorded = true;
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

void AddValgrindArguments(std::string_view xml, LoadedObjects* loaded) {
  const size_t begin = xml.find("<args>");
  const size_t end = xml.find("</args>");
  pugi::xml_document document;
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin ||
      !document.load_buffer(xml.data() + begin, end + 7 - begin)) {
    Incomplete(loaded, "a Valgrind XML file has no readable <args>");
    return;
  }
  for (const pugi::xml_node& arg : document.child("args").child("argv").children("arg")) {
    std::string_view word = arg.child_value();
    // "--input=/d/x.txt" and "if=/d/x.txt" name a file as "/d/x.txt" does.
    const size_t equals = word.find('=');
    if (equals != std::string_view::npos && equals + 1 < word.size() && word[equals + 1] == '/') {
      word.remove_prefix(equals + 1);
    }
    if (!word.starts_with("/")) continue;  // relative to a directory the XML does not give
    std::error_code error;
    const fs::file_status status = fs::status(std::string(word), error);
    if (fs::is_regular_file(status)) {
      loaded->objects.emplace_back(word);
      loaded->arguments.emplace_back(word);
    } else if (fs::is_directory(status)) {
      Incomplete(loaded,
                 "a process was given the directory " + std::string(word) + ": what it read there is not known");
    }
  }
}

std::vector<std::string> ProjectLibraries(const LoadedObjects& loaded, const std::vector<std::string>& dirs) {
  const auto resolved = [](const std::string& path) {
    std::error_code error;
    fs::path canonical = fs::weakly_canonical(path, error);
    return error ? fs::path(path).lexically_normal() : canonical;
  };
  std::vector<fs::path> trees;
  for (const std::string& dir : dirs) {
    if (!dir.empty()) trees.push_back(resolved(dir));
  }
  std::vector<std::string> inside;
  for (const std::string& library : loaded.libraries) {
    const fs::path path = resolved(library);
    for (const fs::path& tree : trees) {
      const fs::path relative = path.lexically_relative(tree);
      if (!relative.empty() && *relative.begin() != "..") {
        inside.push_back(library);
        break;
      }
    }
  }
  return inside;
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
  // A script the valgrind preset ran natively: what its own processes ran and loaded
  // (the loader audit), beside what the programs it started under Valgrind read.
  if (std::error_code none; fs::exists(prefix + ".loaded", none)) {
    if (ReadWholeFile(prefix + ".loaded", &text, &why)) {
      AddAuditRecord(text, &loaded);
    } else {
      Incomplete(&loaded, prefix + ".loaded: " + why);
    }
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
    // The same process's XML log holds its arguments (<args><argv>), near its start.
    const std::string xml = it->path().string().substr(0, it->path().string().size() - 6) + ".xml";
    std::ifstream in(xml, std::ios::binary);
    std::string head(256 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    AddValgrindArguments(head, &loaded);
  }
  if (error) Incomplete(&loaded, "cannot list " + base.parent_path().string() + ": " + error.message());
  Finish(&loaded);
  return loaded;
}

}  // namespace memsafe::tools
