// Tells AddressSanitizer and Valgrind about memory memsafe manages itself (the secure
// pool's blocks, guarded allocations), so they can report a use after free or an
// overflow there exactly as they would for malloc'ed memory. Without a tool, every
// macro is a no-op.
#ifndef MEMSAFE_SRC_SECURE_ANNOTATIONS_H_
#define MEMSAFE_SRC_SECURE_ANNOTATIONS_H_

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMSAFE_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MEMSAFE_ASAN 1
#endif

#if defined(MEMSAFE_ASAN)
#include <sanitizer/asan_interface.h>
#endif

// Only where the build asks for them (MEMSAFE_VALGRIND_ANNOTATIONS in CMake, on in the
// Valgrind presets): a client request costs instructions even outside Valgrind.
#if defined(MEMSAFE_WANT_VALGRIND_ANNOTATIONS) && !defined(MEMSAFE_ASAN)
#if MEMSAFE_WANT_VALGRIND_ANNOTATIONS
#include <valgrind/memcheck.h>
#define MEMSAFE_VALGRIND_ANNOTATIONS 1
#endif
#endif

namespace memsafe::internal {

// [p, p + n) is not to be touched until handed out.
inline void MarkNoAccess(const void* p, std::size_t n) noexcept {
#if defined(MEMSAFE_ASAN)
  ASAN_POISON_MEMORY_REGION(p, n);
#elif defined(MEMSAFE_VALGRIND_ANNOTATIONS)
  (void)VALGRIND_MAKE_MEM_NOACCESS(p, n);  // the request's result is only a status for tools
#else
  (void)p;
  (void)n;
#endif
}

// [p, p + n) becomes a live block of the caller, like malloc's result.
inline void MarkAllocated(const void* p, std::size_t n) noexcept {
#if defined(MEMSAFE_ASAN)
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#elif defined(MEMSAFE_VALGRIND_ANNOTATIONS)
  VALGRIND_MALLOCLIKE_BLOCK(p, n, 0, 1);   // zeroed: the pool zeroes every block it takes back
#else
  (void)p;
  (void)n;
#endif
}

// The live block at p ends; any later access is a use after free.
inline void MarkFreed(const void* p, std::size_t n) noexcept {
#if defined(MEMSAFE_ASAN)
  ASAN_POISON_MEMORY_REGION(p, n);
#elif defined(MEMSAFE_VALGRIND_ANNOTATIONS)
  (void)n;
  VALGRIND_FREELIKE_BLOCK(p, 0);
#else
  (void)p;
  (void)n;
#endif
}

// [p, p + n) is about to be unmapped: drop any state the tools keep about it, so a
// later mapping at the same address starts clean.
inline void ForgetRegion(const void* p, std::size_t n) noexcept {
#if defined(MEMSAFE_ASAN)
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#else
  (void)p;
  (void)n;
#endif
}

// Copies bytes the tools consider inaccessible, for tests that check a released
// block holds no secret. Never used by the libraries themselves.
void CopyInaccessibleForTesting(const void* from, std::size_t n, void* to) noexcept;

}  // namespace memsafe::internal

#endif  // MEMSAFE_SRC_SECURE_ANNOTATIONS_H_
