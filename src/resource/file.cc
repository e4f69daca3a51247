#include "memsafe/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "../common/posix_io.h"

namespace memsafe {
namespace {

Status CloseFd(int& fd) {
  if (fd < 0) return Status::Ok();
  const int result = ::close(std::exchange(fd, -1));
  // EINTR: on Linux the descriptor is closed anyway; retrying could close another's.
  if (result != 0 && errno != EINTR) return Status::FromErrno(errno, "close");
  return Status::Ok();
}

}  // namespace

Status CreateDirectories(const std::string& directory) {
  if (directory.empty()) return Status::Ok();
  std::string prefix;
  std::size_t position = 0;
  while (position != std::string::npos) {
    position = directory.find('/', position + 1);
    prefix = directory.substr(0, position);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno(errno, "mkdir " + prefix);
    }
  }
  struct stat info;
  if (::stat(directory.c_str(), &info) != 0) return Status::FromErrno(errno, "stat " + directory);
  if (!S_ISDIR(info.st_mode)) {
    return Status(StatusCode::kInvalidArgument, "not a directory: " + directory);
  }
  return Status::Ok();
}

Result<File> File::Open(const std::string& path, FileMode mode, FileOptions options, ResourceRegistry& registry) {
  if (options.create_parents) {
    const auto slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
      Status status = CreateDirectories(path.substr(0, slash));
      if (!status.ok()) return status;
    }
  }
  int flags = O_CLOEXEC;
  switch (mode) {
    case FileMode::kRead:
      flags |= O_RDONLY;
      break;
    case FileMode::kWrite:
      flags |= O_WRONLY | O_CREAT | O_TRUNC;
      break;
    case FileMode::kAppend:
      flags |= O_WRONLY | O_CREAT | O_APPEND;
      break;
  }
  const int fd = internal::OpenRetrying(path.c_str(), flags, options.mode);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  Resource<int> resource(registry, "file", path, fd, &CloseFd);
  return File(std::move(resource), path);
}

Result<std::string> File::read_all() {
  std::string data;
  char buffer[16384];
  for (;;) {
    const ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "read " + path_);
    }
    if (n == 0) return data;
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

Status File::write_all(std::string_view data) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd_.get(), data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write " + path_);
    }
    written += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

Status File::sync() {
  return internal::SyncRetrying(fd_.get(), /*data_only=*/false) == 0 ? Status::Ok()
                                                                     : Status::FromErrno(errno, "fsync " + path_);
}

std::future<Result<std::string>> File::read_all_async(TaskScope& scope) {
  return scope.submit([this](std::stop_token) { return read_all(); });
}

std::future<Status> File::write_all_async(TaskScope& scope, std::string data) {
  return scope.submit([this, data = std::move(data)](std::stop_token) { return write_all(data); });
}

}  // namespace memsafe
