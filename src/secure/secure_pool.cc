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

namespace {

// Which chunk a block belongs to, by the chunk's first page: two levels over the 47-bit
// user address space, filled in as chunks are mapped. A lookup takes no lock (the
// entries are atomic; a chunk's bookkeeping does not change once published), so a
// block is traced to its chunk, and so to its shard, in constant time however many
// chunks there are. Both levels are mapped on demand, so untouched parts cost only
// address space.
class ChunkMap {
 public:
  constexpr ChunkMap() noexcept = default;

  void* Find(const void* base) const noexcept {
    std::size_t root = 0;
    std::size_t leaf = 0;
    if (!Split(base, &root, &leaf)) return nullptr;
    const std::atomic<Leaf*>* roots = root_.load(std::memory_order_acquire);
    if (roots == nullptr) return nullptr;
    const Leaf* entries = roots[root].load(std::memory_order_acquire);
    return entries == nullptr ? nullptr : (*entries)[leaf].load(std::memory_order_acquire);
  }

  // False when the address is outside the map or a level cannot be mapped.
  bool Insert(const void* base, void* chunk) noexcept {
    std::size_t root = 0;
    std::size_t leaf = 0;
    if (!Split(base, &root, &leaf)) return false;
    auto* roots = static_cast<std::atomic<Leaf*>*>(MapOnce(root_, sizeof(Root)));
    if (roots == nullptr) return false;
    Leaf* entries = static_cast<Leaf*>(MapOnce(roots[root], sizeof(Leaf)));
    if (entries == nullptr) return false;
    (*entries)[leaf].store(chunk, std::memory_order_release);
    return true;
  }

  void Erase(const void* base) noexcept {
    std::size_t root = 0;
    std::size_t leaf = 0;
    if (!Split(base, &root, &leaf)) return;
    std::atomic<Leaf*>* roots = root_.load(std::memory_order_acquire);
    if (roots == nullptr) return;
    if (Leaf* entries = roots[root].load(std::memory_order_acquire)) {
      (*entries)[leaf].store(nullptr, std::memory_order_release);
    }
  }

 private:
  static constexpr int kPageShift = 12;
  static constexpr int kLeafBits = 18;  // a leaf covers 1 GiB
  static constexpr int kRootBits = 47 - kPageShift - kLeafBits;
  using Leaf = std::atomic<void*>[std::size_t{1} << kLeafBits];
  using Root = std::atomic<Leaf*>[std::size_t{1} << kRootBits];

  static bool Split(const void* base, std::size_t* root, std::size_t* leaf) noexcept {
    const auto page = reinterpret_cast<std::uintptr_t>(base) >> kPageShift;
    if (page >> (kRootBits + kLeafBits) != 0) return false;
    *root = page >> kLeafBits;
    *leaf = page & ((std::uintptr_t{1} << kLeafBits) - 1);
    return true;
  }

  // The level `slot` points to, mapped by the first thread that needs it (zero pages:
  // every entry null); null when the system refuses the mapping.
  template <typename T>
  static void* MapOnce(std::atomic<T*>& slot, std::size_t bytes) noexcept {
    T* level = slot.load(std::memory_order_acquire);
    if (level != nullptr) return level;
    void* mapped = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return nullptr;
    if (slot.compare_exchange_strong(level, static_cast<T*>(mapped), std::memory_order_acq_rel)) return mapped;
    (void)munmap(mapped, bytes);  // (void): another thread's level won; ours was never used
    return level;
  }

  // Both levels are mapped on demand, so their untouched pages cost only address space.
  // Never unmapped: pools outlive static destruction (SecurePool::Default).
  std::atomic<std::atomic<Leaf*>*> root_{nullptr};
};

// Constant-initialized: no guard on the allocation path, usable in static constructors.
constinit ChunkMap g_chunk_map;

}  // namespace

SecurePool::SecurePool(std::size_t chunk_bytes) {
  chunk_bytes_ = RoundUp(chunk_bytes == 0 ? 1 : chunk_bytes, page_size());
  // Twice the hardware threads, so two threads rarely share a shard, at most 16.
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  shard_count_ = std::min<std::size_t>(16, std::bit_ceil(std::size_t{2} * threads));
  shards_ = std::make_unique<Shard[]>(shard_count_);
  for (std::size_t s = 0; s < shard_count_; ++s) {
    for (std::size_t i = 0; i < kClasses; ++i) shards_[s].classes[i].block = kMinBlock << i;
  }
}

SecurePool::~SecurePool() {
  std::size_t used = large_bytes_;
  for (std::size_t s = 0; s < shard_count_; ++s) used += shards_[s].used_bytes;
  MEMSAFE_CHECK(used == 0, "SecurePool destroyed while blocks are still in use (dangling pointers)");
  for (std::size_t s = 0; s < shard_count_; ++s) {
    for (Chunk* chunk : shards_[s].all) ReleaseChunk(chunk);
  }
}

SecurePool& SecurePool::Default() {
  static SecurePool* pool = [] {
    auto* created = new SecurePool;
    created->thread_cached_ = true;
    return created;
  }();
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

std::size_t SecurePool::ChunkBytes(std::size_t class_index) const noexcept {
  // A power of two, so a chunk can be aligned to its size; at least one block.
  return std::bit_ceil(std::max(chunk_bytes_, kMinBlock << class_index));
}

SecurePool::Shard& SecurePool::ThisThreadsShard() noexcept {
  // Threads take tickets in the order they first allocate: two threads land on
  // different shards until there are more threads than shards.
  // Constant-initialized thread_local: no initialization guard on every call.
  static std::atomic<std::size_t> next_ticket{0};
  constinit thread_local std::size_t ticket = SIZE_MAX;
  if (ticket == SIZE_MAX) [[unlikely]]
    ticket = next_ticket.fetch_add(1, std::memory_order_relaxed);
  return shards_[ticket & (shard_count_ - 1)];
}

SecurePool::Chunk* SecurePool::AddChunk(Shard& shard, std::size_t class_index) {
  SizeClass& size_class = shard.classes[class_index];
  const std::size_t bytes = ChunkBytes(class_index);
  const std::size_t blocks = bytes / size_class.block;
  if (blocks > UINT32_MAX || bytes > (std::size_t{1} << 62)) throw std::bad_alloc();
  // Bookkeeping first (it may throw), then the mapping: aligned to its size by mapping
  // twice as much and returning the ends.
  auto chunk = std::make_unique<Chunk>();
  chunk->free_stack = std::make_unique<std::uint32_t[]>(blocks);
  chunk->state = std::make_unique<std::atomic<std::uint8_t>[]>(blocks);  // all kFree
  if (shard.all.size() == shard.all.capacity()) shard.all.reserve(2 * shard.all.capacity() + 8);
  const std::size_t span = bytes == page_size() ? bytes : 2 * bytes;
  void* mapped = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) throw std::bad_alloc();
  auto* start = static_cast<std::byte*>(mapped);
  auto* base = reinterpret_cast<std::byte*>(RoundUp(reinterpret_cast<std::uintptr_t>(start), bytes));
  // (void): returning the unused ends cannot fail for ranges we just mapped; if it did,
  // they would only stay mapped, unused.
  if (base > start) (void)munmap(start, static_cast<std::size_t>(base - start));
  if (start + span > base + bytes) (void)munmap(base + bytes, static_cast<std::size_t>(start + span - (base + bytes)));
  chunk->locked = internal::SysMlock(base, bytes) == 0;
  // (void): a failed MADV_DONTDUMP only leaves the pages in core dumps; the lock result
  // already decides whether the pool reports itself degraded.
  (void)madvise(base, bytes, MADV_DONTDUMP);
  internal::MarkNoAccess(base, bytes);
  chunk->pool = this;
  chunk->shard = &shard;
  chunk->base = base;
  chunk->bytes = bytes;
  chunk->class_index = class_index;
  chunk->blocks = static_cast<std::uint32_t>(blocks);
  // Hand out low addresses first: the stack pops from its end.
  for (std::size_t i = 0; i < blocks; ++i) chunk->free_stack[i] = static_cast<std::uint32_t>(blocks - 1 - i);
  chunk->free_count = chunk->blocks;
  // Published last: a lookup that finds the chunk sees all of the above.
  if (!g_chunk_map.Insert(base, chunk.get())) {
    Unmap(base, bytes, chunk->locked);
    throw std::bad_alloc();
  }
  if (chunk->locked) {
    shard.locked_bytes += bytes;
  } else {
    NoteLockFailure();
  }
  Chunk* added = chunk.release();
  added->all_index = shard.all.size();
  shard.all.push_back(added);  // cannot throw: reserved above
  ++size_class.chunks;
  ++size_class.empty_chunks;
  List(size_class, added);
  return added;
}

void SecurePool::ReleaseChunk(Chunk* chunk) noexcept {
  g_chunk_map.Erase(chunk->base);
  Unmap(chunk->base, chunk->bytes, chunk->locked);
  delete chunk;
}

void SecurePool::List(SizeClass& size_class, Chunk* chunk) noexcept {
  chunk->prev = nullptr;
  chunk->next = size_class.with_free;
  if (chunk->next != nullptr) chunk->next->prev = chunk;
  size_class.with_free = chunk;
  chunk->listed = true;
}

void SecurePool::Unlist(SizeClass& size_class, Chunk* chunk) noexcept {
  if (chunk->prev != nullptr) {
    chunk->prev->next = chunk->next;
  } else {
    size_class.with_free = chunk->next;
  }
  if (chunk->next != nullptr) chunk->next->prev = chunk->prev;
  chunk->prev = chunk->next = nullptr;
  chunk->listed = false;
}

void SecurePool::NoteLockFailure() noexcept {
  if (!degraded_.exchange(true, std::memory_order_relaxed)) {
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
    std::lock_guard<SpinLock> guard(large_lock_);
    large_.emplace(base, large);
    if (large.locked) large_locked_bytes_ += large.mapped;
    large_bytes_ += size;
  } catch (...) {
    Unmap(base, large.mapped, large.locked);
    throw;
  }
  if (!large.locked) NoteLockFailure();
  // The tail of the last page is off-limits, as a heap block's redzone would be.
  internal::MarkNoAccess(base, large.mapped);
  internal::MarkAllocated(base, size);
  return base;
}

void SecurePool::DeallocateLarge(void* block, std::size_t size) noexcept {
  Large large;
  {
    std::lock_guard<SpinLock> guard(large_lock_);
    const auto it = large_.find(block);
    // Checked before anything is touched: a wrong size would zero a neighbour.
    MEMSAFE_CHECK(it != large_.end(), "SecurePool::deallocate: pointer not from this pool, or wrong size");
    MEMSAFE_CHECK(it->second.size == size, "SecurePool::deallocate: size does not match allocate");
    large = it->second;
    large_.erase(it);
    large_bytes_ -= size;
    if (large.locked) large_locked_bytes_ -= large.mapped;
  }
  secure_zero(block, size);
  internal::MarkFreed(block, size);
  Unmap(static_cast<std::byte*>(block), large.mapped, large.locked);
}

// ---------------------------------------------------------------------------
// Thread caches of the process-wide pool
// ---------------------------------------------------------------------------

// A thread's free blocks of Default(), one magazine (a stack) per cached size class.
// Trivially destructible and constant-initialized: valid on every path of its thread,
// including thread_local destructors that run after the cache was retired.
struct SecurePool::ThreadCache {
  static constexpr std::uint32_t kMaxBlocks = 32;
  // At most 32 blocks and 8 KiB per class: 32 blocks up to 256 bytes, then 16 and 8,
  // so an idle thread holds at most 38 KiB of the pool.
  static constexpr std::uint32_t Capacity(std::size_t class_index) noexcept {
    return std::min<std::uint32_t>(kMaxBlocks, static_cast<std::uint32_t>(8192 / (kMinBlock << class_index)));
  }
  struct Entry {
    std::byte* block;
    Chunk* chunk;
  };
  struct Magazine {
    std::uint32_t count;
    Entry entries[kMaxBlocks];
  };
  enum Phase : std::uint8_t { kUnused, kActive, kRetired };

  Phase phase = kUnused;
  // Bytes in the magazines: written only by the owning thread (a load and a store, no
  // read-modify-write), read by stats() on any thread.
  std::atomic<std::size_t> bytes{0};
  ThreadCache* prev = nullptr;  // in the pool's list of active caches
  ThreadCache* next = nullptr;
  std::array<Magazine, kCachedClasses> magazines{};
};

// Returns a thread's cache to the shards when the thread exits. Kept apart from the
// cache so that the cache itself needs no destructor (see above).
struct SecurePool::CacheFlusher {
  CacheFlusher() = default;
  CacheFlusher(const CacheFlusher&) = delete;
  CacheFlusher& operator=(const CacheFlusher&) = delete;
  ~CacheFlusher() { SecurePool::Default().RetireCache(SecurePool::thread_cache_); }
};

constinit thread_local SecurePool::ThreadCache SecurePool::thread_cache_{};

namespace {
// The block's number in its chunk. Block sizes are powers of two (16 << class): a
// shift, not a division, which perf found at a quarter of deallocate's samples.
inline std::uint32_t BlockIndex(const std::byte* base, const void* block, std::size_t class_index) noexcept {
  static_assert(SecurePool::kMinBlock == 16, "the shift assumes 16-byte smallest blocks");
  return static_cast<std::uint32_t>(static_cast<std::size_t>(static_cast<const std::byte*>(block) - base) >>
                                    (class_index + 4));
}
}  // namespace

std::byte* SecurePool::TakeBlockLocked(Shard& shard, std::size_t class_index, BlockState state, Chunk** taken,
                                       std::uint32_t* taken_index) {
  SizeClass& size_class = shard.classes[class_index];
  Chunk* chunk = size_class.with_free != nullptr ? size_class.with_free : AddChunk(shard, class_index);
  if (chunk->live == 0) --size_class.empty_chunks;
  const std::uint32_t index = chunk->free_stack[--chunk->free_count];
  chunk->state[index].store(state, std::memory_order_relaxed);
  ++chunk->live;
  if (chunk->free_count == 0) Unlist(size_class, chunk);
  shard.used_bytes += size_class.block;
  *taken = chunk;
  *taken_index = index;
  return chunk->base + std::size_t{index} * size_class.block;
}

SecurePool::Chunk* SecurePool::ReturnBlockLocked(Shard& shard, Chunk* chunk, std::uint32_t index) noexcept {
  SizeClass& size_class = shard.classes[chunk->class_index];
  chunk->state[index].store(kFree, std::memory_order_relaxed);
  chunk->free_stack[chunk->free_count++] = index;  // never grows: one slot per block
  if (!chunk->listed) List(size_class, chunk);
  shard.used_bytes -= size_class.block;
  if (--chunk->live != 0) return nullptr;
  // One free chunk per class and shard is kept for the next allocation; more are
  // returned to the system (unlocked and unmapped by the caller, outside the lock).
  if (size_class.empty_chunks == 0) {
    ++size_class.empty_chunks;
    return nullptr;
  }
  Unlist(size_class, chunk);
  --size_class.chunks;
  if (chunk->locked) shard.locked_bytes -= chunk->bytes;
  // Out of the shard's list of chunks in O(1): the last one takes its place.
  shard.all[chunk->all_index] = shard.all.back();
  shard.all[chunk->all_index]->all_index = chunk->all_index;
  shard.all.pop_back();
  return chunk;
}

bool SecurePool::RefillCache(ThreadCache& cache, std::size_t class_index) {
  if (cache.phase == ThreadCache::kRetired) return false;
  if (cache.phase == ThreadCache::kUnused) {
    // Registers the flusher with the thread's exit (this may allocate, which allocate()
    // is allowed to do; deallocate() never gets here).
    static thread_local CacheFlusher flusher;
    (void)flusher;  // constructed for its destructor only
    std::lock_guard<SpinLock> guard(caches_lock_);
    cache.next = caches_;
    if (caches_ != nullptr) caches_->prev = &cache;
    caches_ = &cache;
    cache.phase = ThreadCache::kActive;
  }
  ThreadCache::Magazine& magazine = cache.magazines[class_index];
  const std::uint32_t wanted = ThreadCache::Capacity(class_index) / 2;
  Shard& shard = ThisThreadsShard();
  {
    std::lock_guard<SpinLock> guard(shard.lock);
    try {
      while (magazine.count < wanted) {
        Chunk* chunk = nullptr;
        std::uint32_t index = 0;
        std::byte* block = TakeBlockLocked(shard, class_index, kCached, &chunk, &index);
        magazine.entries[magazine.count++] = {block, chunk};
      }
    } catch (const std::bad_alloc&) {
      if (magazine.count == 0) throw;  // otherwise serve what was taken
    }
  }
  cache.bytes.store(cache.bytes.load(std::memory_order_relaxed) + magazine.count * (kMinBlock << class_index),
                    std::memory_order_relaxed);
  return true;
}

void SecurePool::FlushCache(ThreadCache& cache, std::size_t class_index, std::uint32_t keep) noexcept {
  ThreadCache::Magazine& magazine = cache.magazines[class_index];
  const std::uint32_t returned = magazine.count - keep;
  std::array<Chunk*, ThreadCache::kMaxBlocks> drained{};
  std::size_t drained_count = 0;
  Shard* locked = nullptr;
  for (std::uint32_t i = 0; i < returned; ++i) {
    const ThreadCache::Entry& entry = magazine.entries[i];
    // Blocks released by this thread may come from any shard: one lock per run of
    // blocks of the same shard.
    if (entry.chunk->shard != locked) {
      if (locked != nullptr) locked->lock.unlock();
      locked = entry.chunk->shard;
      locked->lock.lock();
    }
    const std::uint32_t index = BlockIndex(entry.chunk->base, entry.block, class_index);
    if (Chunk* chunk = ReturnBlockLocked(*locked, entry.chunk, index)) drained[drained_count++] = chunk;
  }
  if (locked != nullptr) locked->lock.unlock();
  // The oldest blocks went back; the most recently released stay on top.
  std::copy(magazine.entries + returned, magazine.entries + magazine.count, magazine.entries);
  magazine.count = keep;
  cache.bytes.store(cache.bytes.load(std::memory_order_relaxed) - returned * (kMinBlock << class_index),
                    std::memory_order_relaxed);
  for (std::size_t i = 0; i < drained_count; ++i) ReleaseChunk(drained[i]);
}

void SecurePool::RetireCache(ThreadCache& cache) noexcept {
  if (cache.phase != ThreadCache::kActive) return;
  for (std::size_t class_index = 0; class_index < kCachedClasses; ++class_index) FlushCache(cache, class_index, 0);
  std::lock_guard<SpinLock> guard(caches_lock_);
  if (cache.prev != nullptr) {
    cache.prev->next = cache.next;
  } else {
    caches_ = cache.next;
  }
  if (cache.next != nullptr) cache.next->prev = cache.prev;
  // Releases from destructors that run later on this thread take the shards' path.
  cache.phase = ThreadCache::kRetired;
}

// ---------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------

void* SecurePool::allocate(std::size_t size) {
  if (size > kMaxSmall) return AllocateLarge(size);
  const std::size_t class_index = ClassIndex(size);
  const std::size_t block_bytes = kMinBlock << class_index;
  if (class_index < kCachedClasses && thread_cached_) {
    ThreadCache& cache = thread_cache_;
    ThreadCache::Magazine& magazine = cache.magazines[class_index];
    if (magazine.count != 0 || RefillCache(cache, class_index)) [[likely]] {
      const ThreadCache::Entry entry = magazine.entries[--magazine.count];
      entry.chunk->state[BlockIndex(entry.chunk->base, entry.block, class_index)].store(kInUse,
                                                                                        std::memory_order_relaxed);
      cache.bytes.store(cache.bytes.load(std::memory_order_relaxed) - block_bytes, std::memory_order_relaxed);
      internal::MarkAllocated(entry.block, block_bytes);
      return entry.block;
    }
  }
  Shard& shard = ThisThreadsShard();
  std::byte* block = nullptr;
  {
    std::lock_guard<SpinLock> guard(shard.lock);
    Chunk* chunk = nullptr;
    std::uint32_t index = 0;
    block = TakeBlockLocked(shard, class_index, kInUse, &chunk, &index);
  }
  internal::MarkAllocated(block, block_bytes);
  return block;
}

inline SecurePool::Chunk* SecurePool::ChunkOf(void* block, std::size_t class_index) noexcept {
  const std::size_t bytes = ChunkBytes(class_index);
  const auto address = reinterpret_cast<std::uintptr_t>(block);
  auto* chunk = static_cast<Chunk*>(g_chunk_map.Find(reinterpret_cast<void*>(address & ~(bytes - 1))));
  // A chunk of another pool, or of another size class (a wrong size), is not this
  // block's: refused before the block is touched.
  MEMSAFE_CHECK(chunk != nullptr && chunk->pool == this && chunk->class_index == class_index,
                "SecurePool::deallocate: pointer not from this pool, or wrong size");
  MEMSAFE_CHECK((address & ((kMinBlock << class_index) - 1)) == 0,
                "SecurePool::deallocate: pointer is not the start of a block");
  return chunk;
}

void SecurePool::deallocate(void* block, std::size_t size) noexcept {
  if (block == nullptr) return;
  if (size > kMaxSmall) {
    DeallocateLarge(block, size);
    return;
  }
  const std::size_t class_index = ClassIndex(size);
  Chunk* chunk = ChunkOf(block, class_index);
  const std::size_t block_bytes = kMinBlock << class_index;
  const std::uint32_t index = BlockIndex(chunk->base, block, class_index);
  std::atomic<std::uint8_t>& state = chunk->state[index];
  // Free in its chunk or in a thread's cache: either way released before.
  MEMSAFE_CHECK(state.load(std::memory_order_relaxed) == kInUse,
                "SecurePool::deallocate: block released twice (double free)");
  // The caller's block until the lock below: zeroed without holding anyone up.
  secure_zero(block, block_bytes);
  internal::MarkFreed(block, block_bytes);
  if (class_index < kCachedClasses && thread_cached_) {
    ThreadCache& cache = thread_cache_;
    // A thread that never allocated has no cache (registering one may allocate, which
    // deallocate must not): its releases take the shards' path.
    if (cache.phase == ThreadCache::kActive) [[likely]] {
      ThreadCache::Magazine& magazine = cache.magazines[class_index];
      if (magazine.count == ThreadCache::Capacity(class_index)) FlushCache(cache, class_index, magazine.count / 2);
      state.store(kCached, std::memory_order_relaxed);
      magazine.entries[magazine.count++] = {static_cast<std::byte*>(block), chunk};
      cache.bytes.store(cache.bytes.load(std::memory_order_relaxed) + block_bytes, std::memory_order_relaxed);
      return;
    }
  }
  Shard& shard = *chunk->shard;
  Chunk* drained = nullptr;
  {
    std::lock_guard<SpinLock> guard(shard.lock);
    // Again under the lock: two threads releasing the same block at once.
    MEMSAFE_CHECK(state.load(std::memory_order_relaxed) == kInUse,
                  "SecurePool::deallocate: block released twice (double free)");
    drained = ReturnBlockLocked(shard, chunk, index);
  }
  if (drained != nullptr) ReleaseChunk(drained);
}

SecurePoolStats SecurePool::stats() const {
  SecurePoolStats stats;
  {
    std::lock_guard<SpinLock> guard(large_lock_);
    stats.used_bytes = large_bytes_;
    stats.large_bytes = large_bytes_;
    stats.large_blocks = large_.size();
    stats.locked_bytes = large_locked_bytes_;
  }
  for (std::size_t s = 0; s < shard_count_; ++s) {
    Shard& shard = shards_[s];
    std::lock_guard<SpinLock> guard(shard.lock);
    stats.used_bytes += shard.used_bytes;
    stats.locked_bytes += shard.locked_bytes;
    for (const Chunk* chunk : shard.all) {
      stats.free_bytes += std::size_t{chunk->free_count} * shard.classes[chunk->class_index].block;
      ++stats.chunks;
    }
  }
  if (thread_cached_) {
    // Blocks in thread caches are free, not used. The caches and the shards are read at
    // different moments, so while threads run the figures are a snapshot, and clamped.
    std::size_t cached = 0;
    {
      std::lock_guard<SpinLock> guard(caches_lock_);
      for (const ThreadCache* cache = caches_; cache != nullptr; cache = cache->next) {
        cached += cache->bytes.load(std::memory_order_relaxed);
      }
    }
    cached = std::min(cached, stats.used_bytes - stats.large_bytes);
    stats.used_bytes -= cached;
    stats.free_bytes += cached;
  }
  stats.degraded = degraded_.load(std::memory_order_relaxed);
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
