// memsafe/file.h: a file that is closed on every path, with asynchronous reads and
// writes on a TaskScope's threads.
//
// A File is a Resource<int> over a POSIX descriptor, registered in a ResourceRegistry
// as kind "file" with its path as label. Open() can create the missing parent
// directories.
//
// Example:
//
//   memsafe::TaskScope scope;
//   memsafe::Result<memsafe::File> out = memsafe::File::Open(
//       "reports/2026/summary.txt", memsafe::FileMode::kWrite, {.create_parents = true});
//   if (!out.ok()) return out.status();
//   std::future<memsafe::Status> written = out->write_all_async(scope, Render());
//   DoOtherWork();
//   memsafe::Status status = written.get();
//
// Thread-safety: a File is used by one owner at a time. While an asynchronous
// operation runs, the File must not be used, moved or destroyed by anyone else: wait
// for its future first (TaskScope::join does that for all of them).
//
// Failure: system call failures come back as a Status (read/write retry EINTR and
// short transfers). close() returns the error of close(2); the destructor closes and
// counts a failure in the registry instead of throwing.
#ifndef MEMSAFE_FILE_H_
#define MEMSAFE_FILE_H_

#include <sys/types.h>

#include <future>
#include <string>
#include <string_view>

#include "memsafe/resource.h"
#include "memsafe/resource_registry.h"
#include "memsafe/status.h"
#include "memsafe/task_scope.h"

namespace memsafe {

enum class FileMode {
  kRead,    // existing file, read-only
  kWrite,   // create or truncate, write-only
  kAppend,  // create if missing, writes go to the end
};

struct FileOptions {
  bool create_parents = false;  // mkdir -p the parent directories (mode 0755)
  mode_t mode = 0644;           // for a file that is created
};

class File {
 public:
  static Result<File> Open(const std::string& path, FileMode mode, FileOptions options = {},
                           ResourceRegistry& registry = ResourceRegistry::Default());

  Result<std::string> read_all();
  Status write_all(std::string_view data);
  Status sync();

  std::future<Result<std::string>> read_all_async(TaskScope& scope);
  std::future<Status> write_all_async(TaskScope& scope, std::string data);

  Status close() noexcept { return fd_.close(); }
  bool is_open() const noexcept { return fd_.is_open(); }
  const std::string& path() const noexcept { return path_; }

 private:
  File(Resource<int> fd, std::string path) noexcept : fd_(std::move(fd)), path_(std::move(path)) {}

  Resource<int> fd_;
  std::string path_;
};

// Creates `directory` and its missing parents (mode 0755). Ok if it already exists.
Status CreateDirectories(const std::string& directory);

}  // namespace memsafe

#endif  // MEMSAFE_FILE_H_
