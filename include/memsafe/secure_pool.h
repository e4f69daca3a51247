// memsafe/secure_pool.h: memory for secrets, from locked pages that never reach swap
// or a core dump, zeroed on every release.
//
// SecurePool serves requests up to SecurePool::kMaxSmall bytes (64 KiB) from size
// classes of 16, 32, ... 65536 bytes, carved out of chunks it maps itself, locks in RAM
// and excludes from core dumps. Larger requests get a mapping of their own, locked and
// excluded from core dumps the same way; every block is zeroed on release. Under AddressSanitizer and Valgrind the
// pool's blocks are announced to the tool, so a use after release or an overflow into a free block is reported just as
// for malloc.
//
// guarded_allocate() is the paranoid path for a single secret: the block sits against
// an inaccessible guard page (an overflow faults at once), and the bytes around it hold
// a random canary that is checked on release (an underflow or a small overflow aborts
// with a message there).
//
// Example:
//
//   memsafe::SecurePool& pool = memsafe::SecurePool::Default();
//   void* key = pool.allocate(32);          // throws std::bad_alloc, never null
//   ...
//   pool.deallocate(key, 32);               // zeroes, then returns the block
//
//   std::vector<char, memsafe::SecureAllocator<char>> text;   // see secure_allocator.h
//
// Thread-safety: a SecurePool may be used from many threads at once. It is split into
// shards, each with its own lock, chunks and free blocks; a thread allocates from its
// own shard (threads are spread over the shards as they first allocate), so threads
// rarely wait for each other. A block may be released by any thread: it goes back to
// the shard that owns its chunk, found in constant time from the block's address. Blocks
// are zeroed outside any lock. A chunk whose blocks are all free is unmapped once its
// shard already keeps one free chunk of that size class. guarded_allocate and
// guarded_deallocate are thread-safe.
//
// The process-wide pool (Default()) also keeps, in each thread, a small cache of free
// blocks of the sizes up to 1 KiB: an allocation and a release there take no lock and no
// atomic read-modify-write. A cached block is zeroed and, to the memory tools, released;
// releasing it again aborts like any double free. The cache is filled and emptied half
// at a time through the shards, and returned to them when its thread exits. Pools a
// program creates itself have no thread caches, so destroying one needs nothing from
// other threads.
//
// Failure: allocation failure throws std::bad_alloc. If the system refuses to lock a
// chunk the pool keeps working with unlocked memory and says so in stats().degraded
// and through the log hook. Releasing a pointer the pool did not hand out, with the
// wrong size, or twice, is misuse and aborts before any memory is touched; so does
// destroying a pool whose blocks are still in use, and a guarded block whose canary was
// overwritten.
#ifndef MEMSAFE_SECURE_POOL_H_
#define MEMSAFE_SECURE_POOL_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace memsafe {

struct SecurePoolStats {
  std::size_t used_bytes = 0;    // handed out: size-class bytes plus large requests
  std::size_t free_bytes = 0;    // ready to hand out, in the pool's chunks
  std::size_t locked_bytes = 0;  // of the pool's chunks and large mappings, locked in RAM
  std::size_t large_bytes = 0;   // of used_bytes, large requests (each its own mapping)
  std::size_t large_blocks = 0;  // large requests live
  std::size_t chunks = 0;        // chunks mapped
  bool degraded = false;         // a chunk or large mapping could not be locked
};

class SecurePool {
 public:
  static constexpr std::size_t kMinBlock = 16;
  static constexpr std::size_t kMaxSmall = 64 * 1024;
  static constexpr std::size_t kAlignment = 16;

  // chunk_bytes: how much each size class maps (and locks) at a time, rounded up to a
  // power of two of whole pages, and at least one block of the class.
  explicit SecurePool(std::size_t chunk_bytes = 64 * 1024);
  ~SecurePool();
  SecurePool(const SecurePool&) = delete;
  SecurePool& operator=(const SecurePool&) = delete;

  // A block of at least `size` bytes (size 0 gives a minimal unique block), aligned
  // to kAlignment. Throws std::bad_alloc; never returns null.
  void* allocate(std::size_t size);

  // Zeroes the block and takes it back. `size` must be the size passed to allocate().
  void deallocate(void* block, std::size_t size) noexcept;

  SecurePoolStats stats() const;

  // The process-wide pool. It is never destroyed, so it stays usable in static
  // destructors.
  static SecurePool& Default();

  // Copies the bytes of a released block, which the memory tools treat as off-limits,
  // so a test can check that no byte of a secret remains. For tests only.
  static void PeekReleasedForTesting(const void* block, std::size_t size, void* out) noexcept;

 private:
  static constexpr std::size_t kClasses = 13;  // 16 ... 65536

  // The pool's critical sections are short (a free-stack pop or push, a bit flip), so
  // its lock is one atomic exchange to take and one store to release, where std::mutex
  // costs two locked instructions and two library calls (perf put the mutex calls at
  // about a fifth of a 32-byte allocate + deallocate in bench/secure_bench.cc). A waiter
  // spins briefly, then yields, so a preempted holder (or one mapping a new chunk) does
  // not make it burn its time slice.
  class SpinLock {
   public:
    void lock() noexcept {
      if (!held_.exchange(true, std::memory_order_acquire)) return;
      LockContended();
    }
    void unlock() noexcept { held_.store(false, std::memory_order_release); }

   private:
    void LockContended() noexcept;
    std::atomic<bool> held_{false};
  };

  struct Shard;
  // A mapping of one size class's blocks, aligned to its own size (a power of two), so
  // the chunk of a block is its address with the low bits cleared. Its bookkeeping lives
  // outside the locked memory, where an overflow of a block cannot reach it.
  struct Chunk {
    SecurePool* pool = nullptr;
    Shard* shard = nullptr;
    std::byte* base = nullptr;
    std::size_t bytes = 0;
    std::size_t class_index = 0;
    bool locked = false;
    std::uint32_t blocks = 0;
    std::uint32_t live = 0;
    std::uint32_t free_count = 0;                 // entries of free_stack in use
    std::unique_ptr<std::uint32_t[]> free_stack;  // block numbers, one slot per block
    // One BlockState per block. Written by the holder of the shard's lock, or by the
    // thread whose cache holds the block; read by deallocate before it touches the
    // block, to refuse a double free. Atomic (relaxed loads and stores, no
    // read-modify-write) because a buggy caller may release a block from two threads.
    std::unique_ptr<std::atomic<std::uint8_t>[]> state;
    Chunk* prev = nullptr;  // in the class's list of chunks with free blocks
    Chunk* next = nullptr;
    bool listed = false;
    std::size_t all_index = 0;  // in Shard::all
  };
  enum BlockState : std::uint8_t { kFree = 0, kInUse = 1, kCached = 2 };
  struct SizeClass {
    std::size_t block = 0;
    Chunk* with_free = nullptr;  // chunks with at least one free block
    std::size_t empty_chunks = 0;
    std::size_t chunks = 0;
  };
  // alignas: shards are written by different threads; keep them off each other's lines.
  struct alignas(64) Shard {
    SpinLock lock;
    std::array<SizeClass, kClasses> classes;
    std::size_t used_bytes = 0;    // handed out, size-class bytes
    std::size_t locked_bytes = 0;  // of this shard's chunks
    std::vector<Chunk*> all;       // every chunk, for stats() and the destructor
  };

  // A request above kMaxSmall: its own mapping, whole pages.
  struct Large {
    std::size_t size = 0;    // as requested
    std::size_t mapped = 0;  // as mapped
    bool locked = false;
  };

  // The thread caches of Default() (secure_pool.cc): classes 16 ... 1024 bytes.
  static constexpr std::size_t kCachedClasses = 7;
  struct ThreadCache;
  struct CacheFlusher;

  static std::size_t ClassIndex(std::size_t size) noexcept;
  std::size_t ChunkBytes(std::size_t class_index) const noexcept;
  Shard& ThisThreadsShard() noexcept;
  void* AllocateLarge(std::size_t size);
  void DeallocateLarge(void* block, std::size_t size) noexcept;
  void NoteLockFailure() noexcept;
  Chunk* AddChunk(Shard& shard, std::size_t class_index);  // with the shard's lock held
  // The chunk of a block handed out for `size`, or aborts: the pointer is not ours.
  Chunk* ChunkOf(void* block, std::size_t class_index) noexcept;
  static void Unlist(SizeClass& size_class, Chunk* chunk) noexcept;
  static void List(SizeClass& size_class, Chunk* chunk) noexcept;
  static void ReleaseChunk(Chunk* chunk) noexcept;  // unmaps and deletes, no lock needed
  // With the shard's lock held: one block out of the class's chunks (mapping a chunk
  // when none has a free one), marked `state`. Throws std::bad_alloc.
  std::byte* TakeBlockLocked(Shard& shard, std::size_t class_index, BlockState state, Chunk** chunk,
                             std::uint32_t* index);
  // With the shard's lock held: the block back on its chunk's free stack. Returns the
  // chunk when it drained and must be released (outside the lock), else null.
  Chunk* ReturnBlockLocked(Shard& shard, Chunk* chunk, std::uint32_t index) noexcept;
  // Fills an empty magazine of this thread's cache to half; false when the thread's
  // cache was retired (its thread is exiting). Throws std::bad_alloc.
  bool RefillCache(ThreadCache& cache, std::size_t class_index);
  // Returns the oldest blocks of a magazine to their shards until `keep` are left.
  void FlushCache(ThreadCache& cache, std::size_t class_index, std::uint32_t keep) noexcept;
  void RetireCache(ThreadCache& cache) noexcept;

  std::size_t chunk_bytes_;
  std::size_t shard_count_;
  std::unique_ptr<Shard[]> shards_;
  mutable SpinLock large_lock_;
  std::size_t large_bytes_ = 0;
  std::size_t large_locked_bytes_ = 0;
  std::map<const void*, Large> large_;
  std::atomic<bool> degraded_{false};
  bool thread_cached_ = false;  // Default() only
  mutable SpinLock caches_lock_;
  ThreadCache* caches_ = nullptr;  // the active thread caches, for stats()
  static thread_local ThreadCache thread_cache_;
};

// A block of `size` bytes between two inaccessible guard pages, ending exactly at the
// trailing one, locked when the system allows it. Throws std::bad_alloc.
void* guarded_allocate(std::size_t size);

// Checks the canary around the block (aborting with a message if it was overwritten),
// zeroes the block and unmaps it. `size` must be the size given to guarded_allocate.
void guarded_deallocate(void* block, std::size_t size) noexcept;

}  // namespace memsafe

#endif  // MEMSAFE_SECURE_POOL_H_
