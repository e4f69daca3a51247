// Small POSIX helpers shared by memsafe's file code (wipe_file, File, snapshots): the
// EINTR loops and path handling every one of them needs, written once.
#ifndef MEMSAFE_SRC_COMMON_POSIX_IO_H_
#define MEMSAFE_SRC_COMMON_POSIX_IO_H_

#include <sys/types.h>

#include <string>

#include "memsafe/status.h"

namespace memsafe::internal {

// open(2), retried while it fails with EINTR. Returns the descriptor or -1 (errno set).
int OpenRetrying(const char* path, int flags, mode_t mode = 0) noexcept;

// fsync(2) or fdatasync(2), retried while it fails with EINTR. Returns 0 or -1.
int SyncRetrying(int fd, bool data_only) noexcept;

// Opens `path` with `open_flags` (O_RDONLY, or O_RDONLY | O_DIRECTORY), fsyncs it and
// closes it: makes a file's data or a directory's entries durable.
Status SyncPath(const std::string& path, int open_flags);

// The directory part of `path`: "." when there is none, "/" for a top-level entry.
std::string DirectoryOf(const std::string& path);

}  // namespace memsafe::internal

#endif  // MEMSAFE_SRC_COMMON_POSIX_IO_H_
