// SecurePool::deallocate is noexcept: it must never need memory, or a failed allocation
// there would terminate the program. This binary replaces the global operator new to
// count calls, which is why it is a test executable of its own: the other pool tests
// keep the memory tools' own operator new and its checks.
#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include <gtest/gtest.h>

#include "memsafe/secure_pool.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* block = std::malloc(size == 0 ? 1 : size)) return block;
  throw std::bad_alloc();
}
void operator delete(void* block) noexcept { std::free(block); }
void operator delete(void* block, std::size_t) noexcept { std::free(block); }

namespace memsafe {
namespace {

TEST(SecurePoolDeallocateTest, ReleasingBlocksAndDrainingChunksAllocatesNothing) {
  SecurePool pool;
  std::vector<void*> blocks;
  blocks.reserve(3 * 2048 + 64);
  // Three chunks of 32-byte blocks, a few of every other small class, one large block.
  for (int i = 0; i < 3 * 2048; ++i) blocks.push_back(pool.allocate(32));
  std::vector<std::size_t> sizes(blocks.size(), 32);
  for (std::size_t size = 16; size <= SecurePool::kMaxSmall; size *= 2) {
    blocks.push_back(pool.allocate(size));
    sizes.push_back(size);
  }
  blocks.push_back(pool.allocate(SecurePool::kMaxSmall + 1));
  sizes.push_back(SecurePool::kMaxSmall + 1);

  counting = true;
  for (std::size_t i = 0; i < blocks.size(); ++i) pool.deallocate(blocks[i], sizes[i]);
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_EQ(pool.stats().used_bytes, 0u);
  EXPECT_LT(pool.stats().chunks, 3u + 13u) << "drained chunks were returned";

  // The count works: a new chunk's bookkeeping is allocated (on allocate, which may throw).
  SecurePool fresh;
  counting = true;
  void* block = fresh.allocate(32);
  counting = false;
  EXPECT_GT(allocations.load(), 0);
  fresh.deallocate(block, 32);
}

}  // namespace
}  // namespace memsafe
