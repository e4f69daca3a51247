#include "memsafe/secure_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <new>
#include <utility>

#include "memsafe/log.h"
#include "memsafe/secure_zero.h"
#include "../common/posix_io.h"
#include "random.h"

namespace memsafe {
namespace {

std::atomic<std::uint64_t> g_wipe_failures{0};

// Closes a descriptor on every path out of a scope.
class FdCloser {
 public:
  explicit FdCloser(int fd) noexcept : fd_(fd) {}
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    // (void): only reached on error paths, which already return the error that matters.
    if (fd_ >= 0) (void)::close(fd_);
  }
  // Closes now and reports the result (a deferred write error can surface here).
  int Close() noexcept { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

Status Overwrite(int fd, off_t size, const std::string& path) {
  std::array<unsigned char, 64 * 1024> noise;
  off_t offset = 0;
  while (offset < size) {
    const auto chunk = static_cast<std::size_t>(
        std::min<off_t>(size - offset, static_cast<off_t>(noise.size())));
    Status status = internal::FillRandom(noise.data(), chunk);
    if (!status.ok()) return status;
    std::size_t written = 0;
    while (written < chunk) {
      const ssize_t n = ::pwrite(fd, noise.data() + written, chunk - written, offset);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(errno, "wipe_file: write " + path);
      }
      written += static_cast<std::size_t>(n);
      offset += n;
    }
  }
  return Status::Ok();
}

Status WipeFile(const std::string& path) {
  if (path.empty()) return Status(StatusCode::kInvalidArgument, "wipe_file: empty path");
  struct stat seen;
  if (::lstat(path.c_str(), &seen) != 0) return Status::FromErrno(errno, "wipe_file: " + path);
  if (!S_ISREG(seen.st_mode)) {
    return Status(StatusCode::kInvalidArgument,
                  "wipe_file: not a regular file (refusing symlinks, directories, devices): " + path);
  }
  if (seen.st_nlink > 1) {
    return Status(StatusCode::kInvalidArgument,
                  "wipe_file: " + std::to_string(seen.st_nlink) +
                      " hard links; the data would survive under another name: " + path);
  }
  if ((seen.st_mode & S_IWUSR) == 0) {
    return Status(StatusCode::kPermissionDenied, "wipe_file: the file is read-only: " + path);
  }

  // O_NONBLOCK: if a FIFO was swapped in after lstat, open must not hang on it.
  const int fd = internal::OpenRetrying(path.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "wipe_file: open " + path);
  FdCloser closer(fd);
  struct stat opened;
  if (::fstat(fd, &opened) != 0) return Status::FromErrno(errno, "wipe_file: fstat " + path);
  if (opened.st_dev != seen.st_dev || opened.st_ino != seen.st_ino || !S_ISREG(opened.st_mode) ||
      opened.st_nlink > 1) {
    return Status(StatusCode::kInvalidArgument,
                  "wipe_file: the file changed between lstat and open; not touching it: " + path);
  }

  Status status = Overwrite(fd, opened.st_size, path);
  if (!status.ok()) return status;
  if (internal::SyncRetrying(fd, /*data_only=*/true) != 0) {
    return Status::FromErrno(errno, "wipe_file: fdatasync " + path);
  }
  if (closer.Close() != 0) return Status::FromErrno(errno, "wipe_file: close " + path);

  const std::string directory = internal::DirectoryOf(path);
  Result<std::string> name = internal::RandomHex(16);
  if (!name.ok()) return name.status();
  const std::string hidden = directory + "/.memsafe-wiped-" + *name;
  std::string final_name = hidden;
  if (::rename(path.c_str(), hidden.c_str()) != 0) {
    // The content is already overwritten; dropping the original name still matters
    // more than hiding it, so unlink under the old name and tell the log hook.
    Log(LogLevel::kWarning, "wipe_file: rename failed, unlinking under the original name");
    final_name = path;
  }
  if (::unlink(final_name.c_str()) != 0) {
    return Status::FromErrno(errno, "wipe_file: unlink " + final_name);
  }
  return internal::SyncPath(directory, O_RDONLY | O_DIRECTORY);
}

}  // namespace

Status wipe_file(const std::string& path) noexcept {
  try {
    return WipeFile(path);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kResourceExhausted, "wipe_file: out of memory");
  }
}

Result<ScopedSecretFile> ScopedSecretFile::Create(const std::string& directory) {
  std::string dir = directory;
  if (dir.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    dir = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  }
  for (int attempt = 0; attempt < 16; ++attempt) {
    Result<std::string> name = internal::RandomHex(12);
    if (!name.ok()) return name.status();
    std::string path = dir + "/memsafe-secret-" + *name;
    const int fd = internal::OpenRetrying(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                S_IRUSR | S_IWUSR);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      return Status::FromErrno(errno, "ScopedSecretFile: create in " + dir);
    }
    // The umask may have removed the owner's write bit; the file must be exactly 0600.
    if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) {
      Status failure = Status::FromErrno(errno, "ScopedSecretFile: fchmod " + path);
      (void)::close(fd);             // (void): already failing with the fchmod error
      (void)::unlink(path.c_str());  // the file is empty: nothing secret to wipe yet
      return failure;
    }
    return ScopedSecretFile(fd, std::move(path));
  }
  return Status(StatusCode::kUnavailable, "ScopedSecretFile: no free name in " + dir);
}

ScopedSecretFile::ScopedSecretFile(ScopedSecretFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {
  other.path_.clear();
}

ScopedSecretFile& ScopedSecretFile::operator=(ScopedSecretFile&& other) noexcept {
  if (this != &other) {
    WipeOrRecord("reassignment");
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

ScopedSecretFile::~ScopedSecretFile() { WipeOrRecord("destructor"); }

void ScopedSecretFile::WipeOrRecord(const char* where) noexcept {
  Status status = wipe();
  if (status.ok()) return;
  g_wipe_failures.fetch_add(1, std::memory_order_relaxed);
  try {
    Log(LogLevel::kError,
        std::string("ScopedSecretFile: wipe in ") + where + " failed: " + status.message());
  } catch (const std::bad_alloc&) {
    Log(LogLevel::kError, "ScopedSecretFile: a wipe failed (details lost: out of memory)");
  }
}

Status ScopedSecretFile::wipe() noexcept {
  try {
    Status result;
    if (fd_ >= 0 && ::close(std::exchange(fd_, -1)) != 0) {
      result = Status::FromErrno(errno, "ScopedSecretFile: close");
    }
    if (!path_.empty()) {
      std::string path = std::move(path_);
      path_.clear();
      Status wiped = wipe_file(path);
      if (!wiped.ok()) result = std::move(wiped);
    }
    return result;
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kResourceExhausted, "ScopedSecretFile: out of memory");
  }
}

std::uint64_t ScopedSecretFile::wipe_failures() noexcept {
  return g_wipe_failures.load(std::memory_order_relaxed);
}

}  // namespace memsafe
