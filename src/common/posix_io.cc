#include "posix_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace memsafe::internal {

int OpenRetrying(const char* path, int flags, mode_t mode) noexcept {
  int fd;
  do {
    fd = ::open(path, flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

int SyncRetrying(int fd, bool data_only) noexcept {
  int result;
  do {
    result = data_only ? ::fdatasync(fd) : ::fsync(fd);
  } while (result != 0 && errno == EINTR);
  return result;
}

Status SyncPath(const std::string& path, int open_flags) {
  const int fd = OpenRetrying(path.c_str(), open_flags | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  const int result = SyncRetrying(fd, /*data_only=*/false);
  const int saved = errno;
  // (void): the fsync result above is the one that matters for durability.
  (void)::close(fd);
  return result == 0 ? Status::Ok() : Status::FromErrno(saved, "fsync " + path);
}

std::string DirectoryOf(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace memsafe::internal
