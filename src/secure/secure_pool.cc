#include "memsafe/secure_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <thread>

#include "annotations.h"
#include "memsafe/locked_memory.h"
#include "memsafe/log.h"
#include "memsafe/secure_zero.h"
#include "memsafe/status.h"
#include "random.h"
#include "syscalls.h"

namespace memsafe {
namespace {

std::size_t RoundUp(std::size_t value, std::size_t multiple) noexcept {
  return (value + multiple - 1) / multiple * multiple;
}

// Maps `bytes` of fresh memory, locked and out of core dumps when the system allows.
// Returns null when the mapping fails; *locked says whether mlock succeeded.
std::byte* MapLocked(std::size_t bytes, bool* locked) noexcept {
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return nullptr;
  *locked = internal::SysMlock(base, bytes) == 0;
  // (void): a failed MADV_DONTDUMP only leaves the pages in core dumps; the lock result
  // already decides whether the pool reports itself degraded.
  (void)madvise(base, bytes, MADV_DONTDUMP);
  return static_cast<std::byte*>(base);
}

void Unmap(std::byte* base, std::size_t bytes, bool locked) noexcept {
  internal::ForgetRegion(base, bytes);
  // (void): the pages are zero already and about to disappear; there is no one to
  // report a failure to, and nothing better to do than to continue.
  if (locked) (void)internal::SysMunlock(base, bytes);
  (void)munmap(base, bytes);
}

}  // namespace

namespace internal {
void CopyInaccessibleForTesting(const void* from, std::size_t n, void* to) noexcept {
#if defined(MEMSAFE_ASAN)
  const bool poisoned = __asan_region_is_poisoned(const_cast<void*>(from), n) != nullptr;
  ASAN_UNPOISON_MEMORY_REGION(from, n);
  std::memcpy(to, from, n);
  if (poisoned) ASAN_POISON_MEMORY_REGION(from, n);
#elif defined(MEMSAFE_VALGRIND_ANNOTATIONS)
  VALGRIND_DISABLE_ERROR_REPORTING;
  std::memcpy(to, from, n);
  VALGRIND_ENABLE_ERROR_REPORTING;
  (void)VALGRIND_MAKE_MEM_DEFINED(to, n);  // the copy is data the test inspects
#else
  std::memcpy(to, from, n);
#endif
}
}  // namespace internal

SecurePool::SecurePool(std::size_t chunk_bytes) {
  chunk_bytes_ = RoundUp(chunk_bytes == 0 ? 1 : chunk_bytes, page_size());
  for (std::size_t i = 0; i < kClasses; ++i) classes_[i].block = kMinBlock << i;
}

SecurePool::~SecurePool() {
  MEMSAFE_CHECK(used_bytes_ == 0, "SecurePool destroyed while blocks are still in use (dangling pointers)");
  for (SizeClass& size_class : classes_) {
    for (Chunk& chunk : size_class.chunks) Unmap(chunk.base, chunk.bytes, chunk.locked);
  }
}

SecurePool& SecurePool::Default() {
  static SecurePool* pool = new SecurePool;
  return *pool;
}

void SecurePool::SpinLock::LockContended() noexcept {
  for (int attempt = 0;; ++attempt) {
    // Wait on plain loads, so waiters do not fight over the cache line.
    while (held_.load(std::memory_order_relaxed)) {
      if (attempt < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        ++attempt;
      } else {
        std::this_thread::yield();
      }
    }
    if (!held_.exchange(true, std::memory_order_acquire)) return;
  }
}

std::size_t SecurePool::ClassIndex(std::size_t size) noexcept {
  if (size <= kMinBlock) return 0;
  return static_cast<std::size_t>(std::bit_width(size - 1)) - 4;  // 17..32 -> 1, ...
}

void SecurePool::AddChunk(SizeClass& size_class) {
  Chunk chunk;
  // At least one block: the largest classes get a chunk per block or two.
  chunk.bytes = std::max(chunk_bytes_, RoundUp(size_class.block, page_size()));
  const std::size_t blocks = chunk.bytes / size_class.block;
  if (blocks > UINT32_MAX) throw std::bad_alloc();  // block numbers are 32-bit
  // Map first: a chunk the system cannot give must fail before any bookkeeping is sized
  // for it.
  chunk.base = MapLocked(chunk.bytes, &chunk.locked);
  if (chunk.base == nullptr) throw std::bad_alloc();
  try {
    chunk.in_use.assign((blocks + 63) / 64, 0);
    size_class.chunks.reserve(size_class.chunks.size() + 1);
    size_class.free.reserve(size_class.free.size() + blocks);
  } catch (...) {
    Unmap(chunk.base, chunk.bytes, chunk.locked);
    throw;
  }
  NoteLockResult(chunk.locked, chunk.bytes);
  internal::MarkNoAccess(chunk.base, chunk.bytes);
  // Hand out low addresses first: push in reverse.
  const auto chunk_number = static_cast<std::uint32_t>(size_class.chunks.size());
  for (std::size_t i = blocks; i-- > 0;) {
    size_class.free.push_back({chunk.base + i * size_class.block, chunk_number, static_cast<std::uint32_t>(i)});
  }
  size_class.chunks.push_back(std::move(chunk));
}

void SecurePool::NoteLockResult(bool locked, std::size_t bytes) noexcept {
  if (locked) {
    locked_bytes_ += bytes;
  } else if (!degraded_) {
    degraded_ = true;
    Log(LogLevel::kWarning,
        "SecurePool: could not lock memory in RAM (RLIMIT_MEMLOCK?); "
        "secrets may reach swap");
  }
}

void* SecurePool::AllocateLarge(std::size_t size) {
  Large large;
  large.size = size;
  large.mapped = RoundUp(size, page_size());
  auto* base = MapLocked(large.mapped, &large.locked);
  if (base == nullptr) throw std::bad_alloc();
  try {
    std::lock_guard<SpinLock> guard(lock_);
    large_.emplace(base, large);
    NoteLockResult(large.locked, large.mapped);
    used_bytes_ += size;
    large_bytes_ += size;
  } catch (...) {
    Unmap(base, large.mapped, large.locked);
    throw;
  }
  // The tail of the last page is off-limits, as a heap block's redzone would be.
  internal::MarkNoAccess(base, large.mapped);
  internal::MarkAllocated(base, size);
  return base;
}

void SecurePool::DeallocateLarge(void* block, std::size_t size) noexcept {
  Large large;
  {
    std::lock_guard<SpinLock> guard(lock_);
    const auto it = large_.find(block);
    // Checked before anything is touched: a wrong size would zero a neighbour.
    MEMSAFE_CHECK(it != large_.end(), "SecurePool::deallocate: pointer not from this pool, or wrong size");
    MEMSAFE_CHECK(it->second.size == size, "SecurePool::deallocate: size does not match allocate");
    large = it->second;
    large_.erase(it);
    used_bytes_ -= size;
    large_bytes_ -= size;
    if (large.locked) locked_bytes_ -= large.mapped;
  }
  secure_zero(block, size);
  internal::MarkFreed(block, size);
  Unmap(static_cast<std::byte*>(block), large.mapped, large.locked);
}

void* SecurePool::allocate(std::size_t size) {
  if (size > kMaxSmall) return AllocateLarge(size);
  std::lock_guard<SpinLock> guard(lock_);
  SizeClass& size_class = classes_[ClassIndex(size)];
  if (size_class.free.empty()) AddChunk(size_class);
  const FreeBlock free = size_class.free.back();
  size_class.free.pop_back();
  size_class.chunks[free.chunk].in_use[free.index / 64] |= std::uint64_t{1} << (free.index % 64);
  used_bytes_ += size_class.block;
  internal::MarkAllocated(free.block, size_class.block);
  return free.block;
}

void SecurePool::deallocate(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  if (size > kMaxSmall) {
    DeallocateLarge(block, size);
    return;
  }
  std::lock_guard<SpinLock> guard(lock_);
  SizeClass& size_class = classes_[ClassIndex(size)];
  const FreeBlock located = Locate(size_class, block);
  std::uint64_t& word = size_class.chunks[located.chunk].in_use[located.index / 64];
  const std::uint64_t bit = std::uint64_t{1} << (located.index % 64);
  MEMSAFE_CHECK(word & bit, "SecurePool::deallocate: block released twice (double free)");
  word &= ~bit;
  secure_zero(block, size_class.block);
  internal::MarkFreed(block, size_class.block);
  used_bytes_ -= size_class.block;
  size_class.free.push_back(located);  // never reallocates: capacity covers every block
}

SecurePool::FreeBlock SecurePool::Locate(SizeClass& size_class, void* block) noexcept {
  auto* p = static_cast<std::byte*>(block);
  // Block sizes are powers of two: a shift and a mask, not a division (perf: this
  // function fell from 21% to 5% of a 32-byte allocate + deallocate).
  const int shift = std::countr_zero(size_class.block);
  for (std::size_t i = 0; i < size_class.chunks.size(); ++i) {
    const Chunk& chunk = size_class.chunks[i];
    if (p >= chunk.base && p < chunk.base + chunk.bytes) {
      const auto offset = static_cast<std::size_t>(p - chunk.base);
      MEMSAFE_CHECK((offset & (size_class.block - 1)) == 0,
                    "SecurePool::deallocate: pointer is not the start of a block");
      return {p, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(offset >> shift)};
    }
  }
  internal::CheckFailed(__FILE__, __LINE__, "SecurePool::deallocate: pointer not from this pool, or wrong size");
}

SecurePoolStats SecurePool::stats() const {
  std::lock_guard<SpinLock> guard(lock_);
  SecurePoolStats stats;
  stats.used_bytes = used_bytes_;
  stats.large_bytes = large_bytes_;
  stats.large_blocks = large_.size();
  stats.locked_bytes = locked_bytes_;
  stats.degraded = degraded_;
  for (const SizeClass& size_class : classes_) {
    stats.free_bytes += size_class.free.size() * size_class.block;
    stats.chunks += size_class.chunks.size();
  }
  return stats;
}

void SecurePool::PeekReleasedForTesting(const void* block, std::size_t size, void* out) noexcept {
  internal::CopyInaccessibleForTesting(block, size, out);
}

// ---------------------------------------------------------------------------
// Guarded allocations
// ---------------------------------------------------------------------------
namespace {

constexpr std::size_t kCanaryBytes = 16;

struct GuardedLayout {
  std::size_t rounded = 0;     // block size rounded up to the alignment
  std::size_t data_bytes = 0;  // the accessible pages: canary slack plus the block
  std::size_t total = 0;       // guard page + data pages + guard page
  std::byte* base = nullptr;   // leading guard page
  std::byte* data = nullptr;   // first data page
  std::byte* block = nullptr;  // the caller's block, ending at the trailing guard page
  std::byte* end = nullptr;    // trailing guard page
};

// The sizes only; no pointer yet. Returns false when `size` is too large to lay out.
bool SizesFor(std::size_t size, GuardedLayout* layout) noexcept {
  const std::size_t page = page_size();
  const std::size_t wanted = size == 0 ? 1 : size;
  if (wanted > (std::size_t{1} << 48)) return false;
  layout->rounded = RoundUp(wanted, SecurePool::kAlignment);
  layout->data_bytes = RoundUp(layout->rounded + kCanaryBytes, page);
  layout->total = layout->data_bytes + 2 * page;
  return true;
}

GuardedLayout LayoutFor(std::byte* block, std::size_t size) noexcept {
  GuardedLayout layout;
  MEMSAFE_CHECK(SizesFor(size, &layout), "guarded_deallocate: impossible size");
  layout.block = block;
  layout.end = block + layout.rounded;
  layout.data = layout.end - layout.data_bytes;
  layout.base = layout.data - page_size();
  return layout;
}

// The canary: random per process, so an attacker cannot write it back unnoticed.
const unsigned char* Canary() noexcept {
  static const auto* canary = [] {
    static unsigned char bytes[kCanaryBytes];
    if (!internal::FillRandom(bytes, sizeof bytes).ok()) {
      // Without a CSPRNG the canary still detects accidents, just not attacks.
      for (std::size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<unsigned char>(0xA5 ^ i);
    }
    return bytes;
  }();
  return canary;
}

void FillCanary(std::byte* from, std::byte* to) noexcept {
  const unsigned char* canary = Canary();
  for (std::byte* p = from; p < to; ++p) {
    *p = std::byte{canary[static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(p) % kCanaryBytes)]};
  }
}

bool CanaryIntact(const std::byte* from, const std::byte* to) noexcept {
  const unsigned char* canary = Canary();
  unsigned char diff = 0;
  for (const std::byte* p = from; p < to; ++p) {
    diff |= static_cast<unsigned char>(*p) ^
            canary[static_cast<std::size_t>(reinterpret_cast<std::uintptr_t>(p) % kCanaryBytes)];
  }
  return diff == 0;
}

}  // namespace

void* guarded_allocate(std::size_t size) {
  const std::size_t page = page_size();
  GuardedLayout sizes;
  if (!SizesFor(size, &sizes)) throw std::bad_alloc();
  void* base = mmap(nullptr, sizes.total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  std::byte* block = static_cast<std::byte*>(base) + page + sizes.data_bytes - sizes.rounded;
  const GuardedLayout layout = LayoutFor(block, size);
  if (mprotect(layout.base, page, PROT_NONE) != 0 || mprotect(layout.end, page, PROT_NONE) != 0) {
    (void)munmap(base, sizes.total);  // (void): already failing with bad_alloc
    throw std::bad_alloc();
  }
  if (internal::SysMlock(layout.data, layout.data_bytes) != 0) {
    Log(LogLevel::kWarning, "guarded_allocate: could not lock the block in RAM");
  }
  // (void): see MapLocked; a dump exclusion failure does not make the block unusable.
  (void)madvise(layout.data, layout.data_bytes, MADV_DONTDUMP);
  FillCanary(layout.data, layout.block);
  FillCanary(layout.block + size, layout.end);
  return block;
}

void guarded_deallocate(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  GuardedLayout layout = LayoutFor(static_cast<std::byte*>(block), size);
  MEMSAFE_CHECK(CanaryIntact(layout.data, layout.block) && CanaryIntact(layout.block + size, layout.end),
                "guarded_deallocate: canary overwritten: the block was written out of bounds");
  secure_zero(block, size);
  // (void): the block is zeroed; unlocking and unmapping can only fail for a range we
  // did not map, which the canary check above has already ruled out.
  (void)internal::SysMunlock(layout.data, layout.data_bytes);
  (void)munmap(layout.base, layout.total);
}

}  // namespace memsafe
