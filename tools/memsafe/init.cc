#include "init.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "check/test_switches.h"
#include "common/memory_tools.h"
#include "common/text.h"
#include "init_internal.h"
#include "suppressions/options_lint.h"

namespace memsafe::tools {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

bool ReadTemplate(const InitOptions& options, const std::string& name, std::string* content, std::string* error) {
  std::string why;
  const fs::path path = fs::path(options.package_dir) / name;
  if (!ReadWholeFile(path.string(), content, &why)) {
    *error = "memsafe's package file " + path.string() + ": " + why + " (an incomplete installation?)";
    return false;
  }
  return true;
}

// "0.1" of "0.1.0": the versions of memsafe the adopt file accepts (the package says
// which are compatible).
std::string MajorMinor(const std::string& version) {
  const std::size_t first = version.find('.');
  if (first == std::string::npos) return version;
  const std::size_t second = version.find('.', first + 1);
  return version.substr(0, second);
}

std::string Workflow(const std::string& action, const std::string& version) {
  std::ostringstream out;
  out << "# Written by memsafe init: memsafe's memory checks of every preset, nightly and on demand.\n"
      << "name: memsafe nightly\n"
      << "on:\n"
      << "  schedule:\n"
      << "    - cron: \"23 2 * * *\"\n"
      << "  workflow_dispatch:\n"
      << "permissions:\n"
      << "  contents: read\n"
      << "jobs:\n"
      << "  memory-checks:\n"
      << "    runs-on: ubuntu-latest\n"
      << "    container: debian:bookworm\n"
      << "    steps:\n"
      << "      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n"
      << "      - uses: " << action << " # memsafe " << version << "\n"
      << "        with:\n"
      << "          slow: true\n";
  return out.str();
}

// Writes through a symbolic link (the project keeps its link; the file it points at
// changes) and keeps an existing file's permission bits.
bool WriteAtomically(const fs::path& link, const std::string& content, bool executable, std::string* error) {
  std::error_code ec;
  fs::path path = link;
  if (fs::is_symlink(fs::symlink_status(link, ec))) {
    path = fs::canonical(link, ec);
    if (ec) {
      *error = link.string() + ": a symbolic link to a file that cannot be resolved: " + ec.message();
      return false;
    }
  }
  const fs::file_status existing = fs::status(path, ec);
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    *error = path.parent_path().string() + ": " + ec.message();
    return false;
  }
  const fs::path temporary = path.string() + ".memsafe-init";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      *error = temporary.string() + ": cannot write: " + std::strerror(errno);
      fs::remove(temporary, ec);
      return false;
    }
  }
  if (fs::is_regular_file(existing)) {
    fs::permissions(temporary, existing.permissions(), fs::perm_options::replace, ec);
  } else if (executable) {
    fs::permissions(temporary, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);
  }
  fs::rename(temporary, path, ec);
  if (ec) {
    *error = path.string() + ": " + ec.message();
    std::error_code ignored;
    (void)fs::remove(temporary, ignored);  // best effort: the rename's error is the one to report
    return false;
  }
  return true;
}

// A file the project made read-only is not init's to replace (a rename would, since it
// needs only the directory writable): the plan stops before anything is written.
bool RefuseReadOnlyUpdates(const InitPlan& plan, std::string* error) {
  for (const PlannedFile& file : plan.files) {
    if (file.action != FileAction::kUpdate) continue;
    const fs::path path = fs::path(plan.project) / file.path;
    // The mode bits, not only access(): root may write anything, and a file without its
    // write bit still says "do not touch".
    std::error_code ec;
    const fs::perms mode = fs::status(path, ec).permissions();
    const bool no_write_bit = !ec && (mode & fs::perms::owner_write) == fs::perms::none;
    if (no_write_bit || access(path.c_str(), W_OK) != 0) {
      *error = file.path +
               " would change but is read-only: make it writable (memsafe init --dry-run shows the "
               "change), then run memsafe init again";
      return false;
    }
  }
  return true;
}

}  // namespace

// Reads `path` into `content`; false with a message when it exists but cannot be read.
// A missing file is not an error: `exists` says which.
bool ReadIfExists(const fs::path& path, std::string* content, bool* exists, std::string* error) {
  std::error_code ec;
  *exists = fs::exists(fs::symlink_status(path, ec)) || fs::exists(path, ec);
  if (!*exists) return true;
  std::string why;
  if (!ReadWholeFile(path.string(), content, &why)) {
    *error = path.string() + ": " + why;
    return false;
  }
  return true;
}

// Adds `content` for `relative` to the plan: created when missing, updated when
// `overwrite` and different, otherwise left as it is.
bool Plan(const InitOptions& options, const std::string& relative, const std::string& content, bool overwrite,
          bool executable, InitPlan* plan, std::string* error) {
  std::string existing;
  bool exists = false;
  if (!ReadIfExists(fs::path(options.project) / relative, &existing, &exists, error)) return false;
  PlannedFile file{relative, content, FileAction::kUnchanged, executable};
  if (!exists) {
    file.action = FileAction::kCreate;
  } else if (overwrite && existing != content) {
    file.action = FileAction::kUpdate;
  } else {
    file.content = existing;
  }
  plan->files.push_back(std::move(file));
  return true;
}

std::optional<InitPlan> PlanInit(const InitOptions& options, std::string* error) {
  InitPlan plan;
  plan.project = options.project;
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(options.project) / "CMakeLists.txt", ec)) {
    *error = options.project + " has no CMakeLists.txt: run memsafe init in a CMake project's top directory";
    return std::nullopt;
  }
  if (options.package_dir.empty()) {
    *error = "memsafe's package files (share/memsafe/cmake) were not found beside this memsafe executable";
    return std::nullopt;
  }
  if (!options.action.empty() &&
      !std::regex_match(options.action, std::regex("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{40}"))) {
    *error = "--action '" + options.action + "': give OWNER/REPO@<40-hex commit>, actions are pinned by commit";
    return std::nullopt;
  }

  std::string fragment;
  if (!ReadTemplate(options, "memsafe-presets.json", &fragment, error)) return std::nullopt;
  if (!PlanPresets(options, fragment, &plan, error)) return std::nullopt;
  if (!Plan(options, kFragment, fragment, /*overwrite=*/true, false, &plan, error)) return std::nullopt;

  std::string adopt;
  if (!ReadTemplate(options, "templates/memsafe-adopt.cmake", &adopt, error)) return std::nullopt;
  const std::string marker = "@MEMSAFE_VERSION_MAJOR_MINOR@";
  if (const std::size_t at = adopt.find(marker); at != std::string::npos) {
    adopt.replace(at, marker.size(), MajorMinor(options.version));
  }
  if (!Plan(options, kAdoptFile, adopt, /*overwrite=*/true, false, &plan, error)) return std::nullopt;

  // The project's own files from here on: written once, never overwritten.
  std::vector<std::string> own_files;
  for (const MemoryTool& tool : MemoryTools()) own_files.emplace_back(tool.suppression_file);
  own_files.insert(own_files.end(), {"options.txt", "exclude.txt"});
  for (const std::string& name : own_files) {
    std::string content;
    if (!ReadTemplate(options, std::string("templates/") + name, &content, error)) return std::nullopt;
    if (!Plan(options, std::string("sanitizers/") + name, content, false, false, &plan, error)) return std::nullopt;
  }
  if (!options.action.empty()) {
    if (!Plan(options, ".github/workflows/memsafe.yml", Workflow(options.action, options.version), false, false, &plan,
              error)) {
      return std::nullopt;
    }
  } else {
    plan.notes.push_back("no nightly workflow written: pass --action OWNER/REPO@SHA (memsafe's action) for one");
  }
  if (options.pre_push_hook) {
    if (!fs::is_directory(fs::path(options.project) / ".git", ec)) {
      *error = "--pre-push-hook: " + options.project + " is not the top of a git work tree (no .git directory)";
      return std::nullopt;
    }
    const std::string hook =
        "#!/bin/sh\n"
        "# Written by memsafe init: the quick memory checks before every push (git push --no-verify skips them).\n"
        "exec memsafe check --memory-checks --preset asan\n";
    if (!Plan(options, ".git/hooks/pre-push", hook, false, true, &plan, error)) return std::nullopt;
    if (plan.files.back().action == FileAction::kUnchanged && plan.files.back().content != hook) {
      plan.notes.push_back(".git/hooks/pre-push exists and is not memsafe's: left as it is");
    }
  }
  return plan;
}

bool ApplyInit(const InitPlan& plan, std::string* error) {
  if (!RefuseReadOnlyUpdates(plan, error)) return false;
  for (const PlannedFile& file : plan.files) {
    if (file.action == FileAction::kUnchanged) continue;
    if (!WriteAtomically(fs::path(plan.project) / file.path, file.content, file.executable, error)) return false;
  }
  return true;
}

std::string FormatPlan(const InitPlan& plan, bool dry_run) {
  std::ostringstream out;
  int changes = 0;
  for (const PlannedFile& file : plan.files) {
    const char* verb = file.action == FileAction::kCreate   ? "create"
                       : file.action == FileAction::kUpdate ? "update"
                                                            : "keep";
    if (file.action != FileAction::kUnchanged) ++changes;
    out << (dry_run && file.action != FileAction::kUnchanged ? "would " : "") << verb << "  " << file.path << "\n";
  }
  for (const std::string& note : plan.notes) out << "note: " << note << "\n";
  if (changes == 0) {
    out << "memsafe init: nothing to change\n";
  } else {
    out << "memsafe init: " << changes << " file(s) "
        << (dry_run ? "would change (dry run, nothing written)" : "written") << "\n";
  }
  return out.str();
}

std::string ToolPath() {
  std::error_code ec;
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) return {};
  // Rebuilt while it runs (memsafe check building memsafe's own dev preset): the path
  // names the new executable, which is the one to use.
  constexpr std::string_view kDeleted = " (deleted)";
  if (self.size() > kDeleted.size() && self.compare(self.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0) {
    self.erase(self.size() - kDeleted.size());
  }
  return self;
}

std::string PackageCMakeDir() {
  std::error_code ec;
  const fs::path self = ToolPath();
  if (!self.empty()) {
    const fs::path installed = self.parent_path().parent_path() / "share" / "memsafe" / "cmake";
    if (fs::is_regular_file(installed / "MemorySafety.cmake", ec)) return installed.string();
  }
#ifdef MEMSAFE_SOURCE_CMAKE_DIR
  if (fs::is_regular_file(fs::path(MEMSAFE_SOURCE_CMAKE_DIR) / "MemorySafety.cmake", ec))
    return MEMSAFE_SOURCE_CMAKE_DIR;
#endif
  return {};
}

}  // namespace memsafe::tools
