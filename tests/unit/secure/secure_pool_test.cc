#include "memsafe/secure_pool.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "memsafe/locked_memory.h"
#include "memsafe/secure_allocator.h"
#include "memsafe/secure_buffer.h"
#include "test_support.h"

#if defined(__SANITIZE_ADDRESS__)
#define MEMSAFE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEMSAFE_TEST_ASAN 1
#endif
#endif
#ifndef MEMSAFE_TEST_ASAN
#define MEMSAFE_TEST_ASAN 0
#endif

namespace memsafe {
namespace {

bool AllZero(const unsigned char* bytes, std::size_t size) {
  return std::all_of(bytes, bytes + size, [](unsigned char b) { return b == 0; });
}

// The mapping holding `block` is locked in RAM ("lo") and left out of core dumps ("dd").
::testing::AssertionResult LockedAndUndumpable(const void* block) {
  const testing::Mapping mapping = testing::FindMapping(block);
  if (!mapping.found) return ::testing::AssertionFailure() << "no mapping holds the block";
  if (!mapping.HasFlag("lo") || !mapping.HasFlag("dd")) {
    return ::testing::AssertionFailure() << "VmFlags: " << mapping.vm_flags;
  }
  return ::testing::AssertionSuccess();
}

TEST(SecurePoolTest, SmallBlocksComeFromLockedUndumpableChunks) {
  SecurePool pool;
  void* block = pool.allocate(32);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % SecurePool::kAlignment, 0u);
  SecurePoolStats stats = pool.stats();
  EXPECT_EQ(stats.used_bytes, 32u);
  EXPECT_EQ(stats.large_bytes, 0u);
  EXPECT_EQ(stats.chunks, 1u);
  EXPECT_GT(stats.free_bytes, 0u);
  EXPECT_FALSE(stats.degraded);
  EXPECT_EQ(stats.locked_bytes, 64u * 1024);
  EXPECT_TRUE(LockedAndUndumpable(block));
  pool.deallocate(block, 32);
  EXPECT_EQ(pool.stats().used_bytes, 0u);
}

TEST(SecurePoolTest, SizesUpTo64KiBComeFromLockedUndumpableChunks) {
  SecurePool pool;
  for (std::size_t size : {std::size_t{2049}, std::size_t{4096}, std::size_t{10000}, SecurePool::kMaxSmall}) {
    void* block = pool.allocate(size);
    std::memset(block, 0x22, size);
    EXPECT_EQ(pool.stats().large_blocks, 0u) << size;
    EXPECT_TRUE(LockedAndUndumpable(block)) << size << " bytes";
    pool.deallocate(block, size);
  }
  EXPECT_EQ(pool.stats().used_bytes, 0u);
}

TEST(SecurePoolTest, SizesMapToClasses) {
  SecurePool pool;
  for (std::size_t size : {0u, 1u, 16u, 17u, 100u, 1000u, 2048u}) {
    void* block = pool.allocate(size);
    std::memset(block, 0xEE, size);
    pool.deallocate(block, size);
  }
  EXPECT_EQ(pool.stats().used_bytes, 0u);
  EXPECT_EQ(pool.stats().chunks, 5u);  // classes 16 (for 0, 1 and 16), 32, 128, 1024, 2048
}

TEST(SecurePoolTest, LargeRequestsGetLockedUndumpableMappingsOfTheirOwn) {
  SecurePool pool;
  for (std::size_t size : {SecurePool::kMaxSmall + 1, std::size_t{100000}, std::size_t{1024 * 1024}}) {
    void* block = pool.allocate(size);
    std::memset(block, 0x11, size);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % SecurePool::kAlignment, 0u);
    const SecurePoolStats stats = pool.stats();
    EXPECT_EQ(stats.large_bytes, size);
    EXPECT_EQ(stats.large_blocks, 1u);
    EXPECT_EQ(stats.used_bytes, size);
    EXPECT_EQ(stats.locked_bytes % page_size(), 0u);
    EXPECT_GE(stats.locked_bytes, size);
    EXPECT_TRUE(LockedAndUndumpable(block)) << size << " bytes";
    pool.deallocate(block, size);
    EXPECT_EQ(pool.stats().large_bytes, 0u);
    EXPECT_EQ(pool.stats().large_blocks, 0u);
    EXPECT_EQ(pool.stats().locked_bytes, 0u);
    // The address may be mapped again at once (the sanitizer runtimes map pages of their
    // own from other threads), so what is checked is that no locked mapping stays there.
    const testing::Mapping after = testing::FindMapping(block);
    EXPECT_FALSE(after.found && after.HasFlag("lo")) << "a released large block stays locked: " << after.vm_flags;
  }
}

// A secret of every size, in a process that dumps core: the dump holds a marker kept in
// ordinary heap memory (proof the dump is whole) and no byte run of any secret.
TEST(SecurePoolTest, NoSecretOfAnySizeReachesACoreDump) {
  if (testing::UnderMemoryTool()) {
    GTEST_SKIP() << "the sanitizers and Valgrind change how (and whether) a process dumps core";
  }
  std::string pattern;
  if (!testing::ReadFileText("/proc/sys/kernel/core_pattern", &pattern) || pattern.rfind("core", 0) != 0) {
    GTEST_SKIP() << "core dumps go to '" << pattern << "', not to a file in the working directory";
  }
  testing::TempDir dir;
  const std::vector<std::size_t> sizes = {32, 2048, 4096, 10000, 64 * 1024, 1024 * 1024};
  // The byte at position i of the repeating 24-byte marker `tag`. The child writes
  // markers byte by byte, so no copy of one sits anywhere but where it is meant to.
  const auto marker_byte = [](unsigned char tag, std::size_t i) {
    return static_cast<unsigned char>(tag * 31 + (i % 24) * 7 + 1);
  };
  const auto marker = [&](unsigned char tag) {
    std::vector<unsigned char> bytes(24);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = marker_byte(tag, i);
    return bytes;
  };
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    struct rlimit unlimited {
      RLIM_INFINITY, RLIM_INFINITY
    };
    if (chdir(dir.path().c_str()) != 0 || setrlimit(RLIMIT_CORE, &unlimited) != 0) _exit(3);
    std::vector<unsigned char> control(4096);
    for (std::size_t i = 0; i < control.size(); ++i) control[i] = marker_byte(200, i);
    SecurePool pool;
    std::vector<SecureBuffer> secrets;
    secrets.reserve(sizes.size());
    for (std::size_t k = 0; k < sizes.size(); ++k) {
      SecureBuffer& buffer = secrets.emplace_back(sizes[k], pool);
      auto* bytes = reinterpret_cast<unsigned char*>(buffer.data());
      for (std::size_t i = 0; i < buffer.size(); ++i) bytes[i] = marker_byte(static_cast<unsigned char>(k + 1), i);
    }
    std::vector<unsigned char, SecureAllocator<unsigned char>> grown;
    for (std::size_t i = 0; i < 9600; ++i) grown.push_back(marker_byte(99, i));  // grows past 2048 bytes
    std::abort();
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child did not abort (status " << status << ")";
  ASSERT_TRUE(WCOREDUMP(status)) << "no core dump was written";
  std::string core;
  ASSERT_TRUE(testing::ReadFileText(dir / "core", &core) ||
              testing::ReadFileText(dir / ("core." + std::to_string(child)), &core));
  const auto contains = [&](const std::vector<unsigned char>& bytes) {
    return core.find(std::string(bytes.begin(), bytes.end())) != std::string::npos;
  };
  ASSERT_TRUE(contains(marker(200))) << "the heap marker is missing: the dump is not whole";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    EXPECT_FALSE(contains(marker(static_cast<unsigned char>(i + 1))))
        << "a " << sizes[i] << "-byte secret is in the core dump";
  }
  EXPECT_FALSE(contains(marker(99))) << "a SecureAllocator vector grown past 2048 bytes is in the core dump";
}

TEST(SecurePoolTest, ReleasedBlockHoldsNoByteOfTheSecret) {
  SecurePool pool;
  auto* block = static_cast<unsigned char*>(pool.allocate(64));
  std::memset(block, 0xC3, 64);
  pool.deallocate(block, 64);
  unsigned char after[64];
  SecurePool::PeekReleasedForTesting(block, sizeof after, after);
  EXPECT_TRUE(AllZero(after, sizeof after));
}

TEST(SecurePoolTest, ZeroSizedBlocksAreDistinct) {
  SecurePool pool;
  void* a = pool.allocate(0);
  void* b = pool.allocate(0);
  EXPECT_NE(a, b);
  pool.deallocate(a, 0);
  pool.deallocate(b, 0);
}

TEST(SecurePoolTest, GrowsBeyondOneChunk) {
  SecurePool pool(4096);
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back(pool.allocate(64));
  EXPECT_GE(pool.stats().chunks, 1000u * 64 / 4096);
  std::set<void*> distinct(blocks.begin(), blocks.end());
  EXPECT_EQ(distinct.size(), blocks.size());
  for (void* block : blocks) pool.deallocate(block, 64);
  EXPECT_EQ(pool.stats().used_bytes, 0u);
}

TEST(SecurePoolTest, DrainedChunksAreReturnedToTheSystem) {
  SecurePool pool;
  std::vector<void*> blocks;
  // 40 chunks' worth of 32-byte blocks, then all released: one free chunk stays for the
  // next allocation, the others are unlocked and unmapped.
  for (int i = 0; i < 40 * 2048; ++i) blocks.push_back(pool.allocate(32));
  EXPECT_EQ(pool.stats().chunks, 40u);
  for (void* block : blocks) pool.deallocate(block, 32);
  const SecurePoolStats stats = pool.stats();
  EXPECT_EQ(stats.used_bytes, 0u);
  EXPECT_EQ(stats.chunks, 1u);
  EXPECT_EQ(stats.locked_bytes, 64u * 1024);
  // The chunk kept serves the next block without a new mapping.
  void* again = pool.allocate(32);
  EXPECT_EQ(pool.stats().chunks, 1u);
  pool.deallocate(again, 32);
}

TEST(SecurePoolTest, BlocksReleasedOnAnotherThreadGoBackToTheirChunk) {
  SecurePool pool;
  std::vector<void*> blocks;
  std::thread producer([&] {
    for (int i = 0; i < 5000; ++i) blocks.push_back(pool.allocate(48));
  });
  producer.join();
  const std::size_t chunks = pool.stats().chunks;
  for (void* block : blocks) pool.deallocate(block, 48);  // released by this thread
  EXPECT_EQ(pool.stats().used_bytes, 0u);
  EXPECT_LE(pool.stats().chunks, chunks);
  std::thread again([&] {
    for (int i = 0; i < 5000; ++i) blocks[static_cast<std::size_t>(i)] = pool.allocate(48);
    for (void* block : blocks) pool.deallocate(block, 48);
  });
  again.join();
  EXPECT_EQ(pool.stats().used_bytes, 0u);
}

TEST(SecurePoolTest, SafeFromManyThreads) {
  SecurePool pool;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, t] {
      for (int i = 0; i < 5000; ++i) {
        const std::size_t size = 16u << ((i + t) % 6);
        auto* block = static_cast<unsigned char*>(pool.allocate(size));
        block[0] = static_cast<unsigned char>(i);
        pool.deallocate(block, size);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(pool.stats().used_bytes, 0u);
}

// The process-wide pool keeps a cache of free blocks per thread; these tests run each in
// a process of their own (one CTest test per case), so Default() starts empty.
TEST(SecurePoolThreadCacheTest, CachedBlocksCountAsFreeAndHoldNoSecret) {
  SecurePool& pool = SecurePool::Default();
  const SecurePoolStats before = pool.stats();
  auto* block = static_cast<unsigned char*>(pool.allocate(32));
  std::memset(block, 0xC3, 32);
  EXPECT_EQ(pool.stats().used_bytes, before.used_bytes + 32);
  pool.deallocate(block, 32);
  const SecurePoolStats after = pool.stats();
  EXPECT_EQ(after.used_bytes, before.used_bytes);
  EXPECT_GE(after.free_bytes, 32u);
  unsigned char left[32];
  SecurePool::PeekReleasedForTesting(block, sizeof left, left);
  EXPECT_TRUE(AllZero(left, sizeof left));
  // The next block of that size is the one just released, zeroed.
  auto* again = static_cast<unsigned char*>(pool.allocate(32));
  EXPECT_EQ(again, block);
  EXPECT_TRUE(AllZero(again, 32));
  pool.deallocate(again, 32);
}

TEST(SecurePoolThreadCacheTest, ThreadCacheGoesBackToTheShardsWhenItsThreadExits) {
  SecurePool& pool = SecurePool::Default();
  const SecurePoolStats before = pool.stats();
  // Three chunks' worth of 32-byte blocks, released in order: the first chunk to drain
  // is kept for the next allocation, the second is unmapped, and the blocks the thread's
  // cache still holds keep the third mapped until the thread exits.
  std::thread worker([&pool] {
    std::vector<void*> blocks;
    for (int i = 0; i < 5000; ++i) blocks.push_back(pool.allocate(32));
    for (void* block : blocks) pool.deallocate(block, 32);
  });
  worker.join();
  const SecurePoolStats after = pool.stats();
  EXPECT_EQ(after.used_bytes, before.used_bytes);
  EXPECT_EQ(after.chunks, before.chunks + 1) << "the exited thread's cached blocks still hold a chunk";
}

TEST(SecurePoolThreadCacheTest, BlocksMoveBetweenThreadCaches) {
  SecurePool& pool = SecurePool::Default();
  const std::size_t used_before = pool.stats().used_bytes;
  // Blocks allocated on one thread and released on another land in the releasing
  // thread's cache, whatever shard their chunk belongs to.
  std::vector<std::thread> threads;
  std::vector<std::vector<void*>> handed(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, &handed, t] {
      for (int i = 0; i < 3000; ++i) {
        const std::size_t size = 16u << ((i + t) % 7);
        auto* block = static_cast<unsigned char*>(pool.allocate(size));
        block[size - 1] = static_cast<unsigned char>(i);
        handed[static_cast<std::size_t>(t)].push_back(block);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  threads.clear();
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&pool, &handed, t] {
      // Each thread releases the blocks another thread allocated, then allocates more.
      const std::vector<void*>& blocks = handed[static_cast<std::size_t>((t + 1) % 4)];
      for (std::size_t i = 0; i < blocks.size(); ++i) {
        pool.deallocate(blocks[i], 16u << ((i + static_cast<std::size_t>((t + 1) % 4)) % 7));
      }
      for (int i = 0; i < 1000; ++i) pool.deallocate(pool.allocate(64), 64);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(pool.stats().used_bytes, used_before);
}

TEST(SecurePoolTest, ChunkMappingFailureThrowsBadAlloc) {
  SecurePool pool(std::size_t{1} << 60);  // no machine maps this much
  EXPECT_THROW((void)pool.allocate(32), std::bad_alloc);
  EXPECT_EQ(pool.stats().used_bytes, 0u);
}

TEST(SecurePoolTest, RefusedLockDegradesButServes) {
  EXPECT_EXIT(
      {
        if (!testing::DropMemoryLockRights()) std::_Exit(10);
        testing::LogCapture log;
        SecurePool pool;
        void* block = pool.allocate(48);
        std::memset(block, 1, 48);
        const SecurePoolStats stats = pool.stats();
        pool.deallocate(block, 48);
        if (!stats.degraded) std::_Exit(11);
        if (stats.locked_bytes != 0) std::_Exit(12);
        if (log.CountContaining("could not lock") != 1) std::_Exit(13);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(SecureAllocatorTest, WorksWithStandardContainers) {
  SecurePool pool;
  {
    std::vector<int, SecureAllocator<int>> numbers{SecureAllocator<int>(pool)};
    for (int i = 0; i < 10000; ++i) numbers.push_back(i);
    EXPECT_EQ(numbers[9999], 9999);
    using Text = std::basic_string<char, std::char_traits<char>, SecureAllocator<char>>;
    std::map<int, Text, std::less<>, SecureAllocator<std::pair<const int, Text>>> names{
        SecureAllocator<std::pair<const int, Text>>(pool)};
    names.emplace(1, Text("a secret long enough to leave the small buffer", SecureAllocator<char>(pool)));
    EXPECT_GT(pool.stats().used_bytes, 10000u * sizeof(int));
  }
  EXPECT_EQ(pool.stats().used_bytes, 0u);
}

TEST(SecureAllocatorTest, DefaultAllocatorUsesTheDefaultPool) {
  SecureAllocator<char> allocator;
  EXPECT_EQ(&allocator.pool(), &SecurePool::Default());
  SecurePool other;
  EXPECT_FALSE(allocator == SecureAllocator<char>(other));
  EXPECT_TRUE(allocator == SecureAllocator<int>());
}

TEST(SecureAllocatorTest, OverflowingCountThrowsBadAlloc) {
  SecureAllocator<std::uint64_t> allocator;
  EXPECT_THROW((void)allocator.allocate(std::numeric_limits<std::size_t>::max() / 4), std::bad_alloc);
}

TEST(GuardedAllocationTest, BlockIsUsableAndEndsAtTheGuardPage) {
  for (std::size_t size : {1u, 100u, 4096u, 10000u}) {
    auto* block = static_cast<unsigned char*>(guarded_allocate(size));
    std::memset(block, 0x5A, size);
    const auto start = reinterpret_cast<std::uintptr_t>(block);
    EXPECT_EQ(start % SecurePool::kAlignment, 0u);
    // The rounded block ends exactly where a page, the trailing guard page, begins.
    const std::size_t rounded = (size + SecurePool::kAlignment - 1) / SecurePool::kAlignment * SecurePool::kAlignment;
    EXPECT_EQ((start + rounded) % page_size(), 0u) << "size " << size;
    guarded_deallocate(block, size);
  }
}

TEST(GuardedAllocationDeathTest, OverflowHitsTheGuardPage) {
  auto* block = static_cast<volatile unsigned char*>(guarded_allocate(96));
  EXPECT_DEATH(
      {
        testing::SendSanitizerReportsToStderr();
        block[96] = 1;  // 96 is a multiple of 16: the next byte is the guard page
      },
      "");
  guarded_deallocate(const_cast<unsigned char*>(block), 96);
}

TEST(GuardedAllocationDeathTest, UnderflowIsCaughtOnRelease) {
  EXPECT_DEATH(
      {
        auto* block = static_cast<unsigned char*>(guarded_allocate(64));
        block[-1] = 0;
        block[-2] = 0xFF;
        guarded_deallocate(block, 64);
      },
      "canary overwritten");
}

TEST(GuardedAllocationDeathTest, OverflowIntoAlignmentSlackIsCaughtOnRelease) {
  EXPECT_DEATH(
      {
        auto* block = static_cast<unsigned char*>(guarded_allocate(100));
        block[100] ^= 0xFF;  // within the 112-byte rounding, before the guard page
        guarded_deallocate(block, 100);
      },
      "canary overwritten");
}

TEST(SecurePoolDeathTest, DoubleFreeAborts) {
  SecurePool pool;
  void* block = pool.allocate(32);
  pool.deallocate(block, 32);
  EXPECT_DEATH(pool.deallocate(block, 32), "released twice");
}

TEST(SecurePoolDeathTest, DoubleFreeOfACachedBlockAborts) {
  SecurePool& pool = SecurePool::Default();
  void* block = pool.allocate(32);
  pool.deallocate(block, 32);  // into this thread's cache
  EXPECT_DEATH(pool.deallocate(block, 32), "released twice");
  std::thread other([&] { EXPECT_DEATH(pool.deallocate(block, 32), "released twice"); });
  other.join();
}

TEST(SecurePoolDeathTest, UseOfACachedBlockIsReportedByAddressSanitizer) {
#if !MEMSAFE_TEST_ASAN
  GTEST_SKIP() << "needs AddressSanitizer";
#else
  SecurePool& pool = SecurePool::Default();
  auto* block = static_cast<volatile unsigned char*>(pool.allocate(32));
  pool.deallocate(const_cast<unsigned char*>(block), 32);
  EXPECT_DEATH(
      {
        testing::SendSanitizerReportsToStderr();
        block[3] = 1;
      },
      "use-after-poison");
#endif
}

TEST(SecurePoolDeathTest, ForeignPointerAborts) {
  SecurePool pool;
  void* block = pool.allocate(32);  // makes the class exist
  int not_ours = 0;
  EXPECT_DEATH(pool.deallocate(&not_ours, 32), "not from this pool");
  pool.deallocate(block, 32);
}

TEST(SecurePoolDeathTest, WrongSizeAbortsBeforeTouchingMemory) {
  SecurePool pool;
  auto* small = static_cast<unsigned char*>(pool.allocate(32));
  auto* neighbour = static_cast<unsigned char*>(pool.allocate(32));
  std::memset(neighbour, 0x5A, 32);
  EXPECT_DEATH(pool.deallocate(small, 4096), "not from this pool, or wrong size");
  EXPECT_DEATH(pool.deallocate(small, 64), "not from this pool, or wrong size");
  void* large = pool.allocate(100000);
  EXPECT_DEATH(pool.deallocate(large, 200000), "size does not match");
  EXPECT_DEATH(pool.deallocate(large, 32), "not from this pool, or wrong size");
  // The neighbour of the block released with a wrong size was not touched.
  EXPECT_TRUE(std::all_of(neighbour, neighbour + 32, [](unsigned char b) { return b == 0x5A; }));
  pool.deallocate(large, 100000);
  pool.deallocate(neighbour, 32);
  pool.deallocate(small, 32);
}

TEST(SecurePoolDeathTest, BlockOfAnotherPoolAborts) {
  SecurePool pool;
  SecurePool other;
  void* block = pool.allocate(32);
  void* others = other.allocate(32);  // the same size class exists in both
  EXPECT_DEATH(other.deallocate(block, 32), "not from this pool");
  EXPECT_DEATH(pool.deallocate(static_cast<char*>(block) + 16, 32), "not the start of a block");
  pool.deallocate(block, 32);
  other.deallocate(others, 32);
}

TEST(SecurePoolDeathTest, DestroyingAPoolWithBlocksInUseAborts) {
  EXPECT_DEATH(
      {
        SecurePool pool;
        (void)pool.allocate(32);  // never released
      },
      "still in use");
}

}  // namespace
}  // namespace memsafe
