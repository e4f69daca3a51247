// Direct system calls for locking memory.
//
// The sanitizer runtimes intercept mlock() and munlock() and turn them into no-ops that
// report success (so that mlockall() cannot pin their terabytes of shadow memory). A
// secure-memory library must not believe that: it would report memory as locked that
// is not. Locking our own pages is harmless to the tools, so memsafe calls the kernel
// directly, in every build, and the tests see the same behaviour everywhere.
#ifndef MEMSAFE_SRC_SECURE_SYSCALLS_H_
#define MEMSAFE_SRC_SECURE_SYSCALLS_H_

#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>

namespace memsafe::internal {

inline int SysMlock(const void* address, std::size_t length) noexcept {
  return static_cast<int>(syscall(SYS_mlock, address, length));
}

inline int SysMunlock(const void* address, std::size_t length) noexcept {
  return static_cast<int>(syscall(SYS_munlock, address, length));
}

}  // namespace memsafe::internal

#endif  // MEMSAFE_SRC_SECURE_SYSCALLS_H_
