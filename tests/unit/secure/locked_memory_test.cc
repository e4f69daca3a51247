#include "memsafe/locked_memory.h"

#include <sys/mman.h>

#include <cstring>

#include <gtest/gtest.h>

#include "test_support.h"

namespace memsafe {
namespace {

// Pages of our own, so no other object shares them.
class Pages {
 public:
  explicit Pages(std::size_t count) : size_(count * page_size()) {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    data_ = static_cast<unsigned char*>(p);
  }
  ~Pages() { (void)munmap(data_, size_); }  // (void): test cleanup
  Pages(const Pages&) = delete;
  Pages& operator=(const Pages&) = delete;
  unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  unsigned char* data_;
  std::size_t size_;
};

TEST(LockedMemoryTest, LockedRegionIsLockedAndNotDumpable) {
  Pages pages(2);
  std::memset(pages.data(), 0x42, pages.size());
  const std::size_t before = locked_page_count();
  LockResult result = lock(pages.data(), pages.size());
  ASSERT_TRUE(result.locked()) << result.status();
  EXPECT_EQ(locked_page_count(), before + 2);

  testing::Mapping mapping = testing::FindMapping(pages.data());
  ASSERT_TRUE(mapping.found);
  EXPECT_EQ(mapping.locked_kb * 1024, pages.size());
  EXPECT_TRUE(mapping.HasFlag("lo")) << mapping.vm_flags;
  EXPECT_TRUE(mapping.HasFlag("dd")) << mapping.vm_flags;

  EXPECT_TRUE(unlock(pages.data(), pages.size()).ok());
  EXPECT_EQ(locked_page_count(), before);
  mapping = testing::FindMapping(pages.data());
  EXPECT_EQ(mapping.locked_kb, 0u);
  EXPECT_FALSE(mapping.HasFlag("dd")) << mapping.vm_flags;
}

TEST(LockedMemoryTest, UnlockZeroesTheRangeOnly) {
  Pages pages(1);
  std::memset(pages.data(), 0x42, pages.size());
  unsigned char* secret = pages.data() + 100;
  ASSERT_TRUE(lock(secret, 32).locked());
  ASSERT_TRUE(unlock(secret, 32).ok());
  for (int i = 0; i < 32; ++i) EXPECT_EQ(secret[i], 0) << i;
  EXPECT_EQ(pages.data()[99], 0x42);
  EXPECT_EQ(pages.data()[132], 0x42);
}

TEST(LockedMemoryTest, NeighbourOnTheSamePageStaysLocked) {
  Pages pages(1);
  unsigned char* first = pages.data();
  unsigned char* second = pages.data() + 512;
  const std::size_t before = locked_page_count();
  ASSERT_TRUE(lock(first, 64).locked());
  ASSERT_TRUE(lock(second, 64).locked());
  EXPECT_EQ(locked_page_count(), before + 1);  // one page, two users

  ASSERT_TRUE(unlock(first, 64).ok());
  EXPECT_EQ(testing::FindMapping(second).locked_kb * 1024, page_size())
      << "unlocking one object unlocked its neighbour";
  EXPECT_EQ(locked_page_count(), before + 1);

  ASSERT_TRUE(unlock(second, 64).ok());
  EXPECT_EQ(testing::FindMapping(second).locked_kb, 0u);
  EXPECT_EQ(locked_page_count(), before);
}

TEST(LockedMemoryTest, RangeAcrossAPageBoundaryLocksBothPages) {
  Pages pages(2);
  unsigned char* straddling = pages.data() + page_size() - 8;
  const std::size_t before = locked_page_count();
  ASSERT_TRUE(lock(straddling, 16).locked());
  EXPECT_EQ(locked_page_count(), before + 2);
  ASSERT_TRUE(unlock(straddling, 16).ok());
  EXPECT_EQ(locked_page_count(), before);
}

TEST(LockedMemoryTest, ZeroSizeIsANoOp) {
  EXPECT_TRUE(lock(nullptr, 0).locked());
  EXPECT_TRUE(unlock(nullptr, 0).ok());
}

TEST(LockedMemoryTest, RefusedLockDegradesAndKeepsWorking) {
  Pages pages(1);
  EXPECT_EXIT(
      {
        if (!testing::DropMemoryLockRights()) std::_Exit(10);
        testing::LogCapture log;
        LockResult result = lock(pages.data(), 64);
        if (!result.degraded()) std::_Exit(11);
        if (!result.usable() || result.status().ok()) std::_Exit(12);
        if (log.CountContaining("memory not locked") != 1) std::_Exit(13);
        std::memset(pages.data(), 0x7F, 64);  // still usable
        if (!unlock(pages.data(), 64).ok()) std::_Exit(14);
        if (pages.data()[0] != 0) std::_Exit(15);
        if (locked_page_count() != 0) std::_Exit(16);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(LockedMemoryDeathTest, NullWithSizeAborts) {
  EXPECT_DEATH((void)lock(nullptr, 8), "null pointer with a non-zero size");
}

TEST(LockedMemoryDeathTest, UnlockOfUnlockedMemoryAborts) {
  Pages pages(1);
  EXPECT_DEATH((void)unlock(pages.data(), 8), "range was not locked");
}

}  // namespace
}  // namespace memsafe
