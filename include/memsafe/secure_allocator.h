// memsafe/secure_allocator.h: a standard allocator over SecurePool, so std containers
// can hold secrets in locked, zeroed-on-release memory.
//
// Example:
//
//   std::vector<unsigned char, memsafe::SecureAllocator<unsigned char>> key(32);
//   memsafe::SecurePool pool;                       // or a pool of your own
//   std::vector<int, memsafe::SecureAllocator<int>> ids{memsafe::SecureAllocator<int>(pool)};
//
// Note that a container zeroes nothing by itself: the allocator zeroes a block when
// the container releases it (on destruction and on reallocation), which covers every
// copy the container makes of its elements.
//
// Thread-safety: as for the underlying SecurePool (safe from many threads).
//
// Failure: allocate() throws std::bad_alloc (std::bad_array_new_length when the size
// overflows) and never returns null; deallocate() is noexcept. The pool must outlive
// every allocator and container that uses it.
#ifndef MEMSAFE_SECURE_ALLOCATOR_H_
#define MEMSAFE_SECURE_ALLOCATOR_H_

#include <cstddef>
#include <limits>
#include <new>

#include "memsafe/secure_pool.h"

namespace memsafe {

template <typename T>
class SecureAllocator {
  static_assert(alignof(T) <= SecurePool::kAlignment,
                "SecureAllocator serves at most SecurePool::kAlignment alignment");

 public:
  using value_type = T;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;

  SecureAllocator() noexcept : pool_(&SecurePool::Default()) {}
  explicit SecureAllocator(SecurePool& pool) noexcept : pool_(&pool) {}
  template <typename U>
  SecureAllocator(const SecureAllocator<U>& other) noexcept : pool_(&other.pool()) {}  // NOLINT

  T* allocate(std::size_t n) {
    if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(pool_->allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { pool_->deallocate(p, n * sizeof(T)); }

  SecurePool& pool() const noexcept { return *pool_; }

  template <typename U>
  friend bool operator==(const SecureAllocator& a, const SecureAllocator<U>& b) noexcept {
    return &a.pool() == &b.pool();
  }

 private:
  SecurePool* pool_;
};

}  // namespace memsafe

#endif  // MEMSAFE_SECURE_ALLOCATOR_H_
