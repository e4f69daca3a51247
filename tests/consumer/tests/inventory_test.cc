// The consumer's tests. InventoryTest.* are clean. PlantedBugTest.* each hide one
// memory bug in an otherwise ordinary test, the way a real bug would arrive; memsafe's
// consumer check expects each to be caught by its tool, named with the test.
#include <climits>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "inventory.h"

namespace {

TEST(InventoryTest, ParsesItems) {
  const auto items = inventory::ParseItems("apples=3,pears=4,bad,=1,plums=x");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].name, "apples");
  EXPECT_EQ(inventory::TotalCount(items), 7);
}

TEST(InventoryTest, EmptyInput) {
  EXPECT_TRUE(inventory::ParseItems("").empty());
}

TEST(PlantedBugTest, HeapUseAfterFree) {
  auto* items = new std::vector<inventory::Item>(inventory::ParseItems("a=1"));
  delete items;
  EXPECT_EQ(items->size(), 1u);  // planted: reads the deleted vector
}

TEST(PlantedBugTest, Leak) {
  auto* items = new std::vector<inventory::Item>(inventory::ParseItems("a=1,b=2"));  // planted: never deleted
  EXPECT_EQ(items->size(), 2u);
}

// A finding followed by GTEST_SKIP(): the leak is reported at exit, after GoogleTest
// printed "[  SKIPPED ]". The test must fail, not pass as skipped. (Allocated in a
// function of its own, so the report tells it from PlantedBugTest.Leak.)
std::vector<inventory::Item>* ItemsNeverFreed() {
  return new std::vector<inventory::Item>(inventory::ParseItems("c=3"));  // planted: leaked, then skipped
}

TEST(PlantedBugTest, LeakThenSkip) {
  ASSERT_EQ(ItemsNeverFreed()->size(), 1u);
  GTEST_SKIP() << "skipping after the leak";
}

TEST(PlantedBugTest, SignedOverflow) {
  volatile int big = INT_MAX;
  const auto items = inventory::ParseItems("a=1");
  EXPECT_NE(big + items[0].count, 0);  // planted: INT_MAX + 1
}

TEST(PlantedBugTest, DataRace) {
  long total = 0;
  const auto items = inventory::ParseItems("a=1,b=2");
  std::thread other([&] { total += inventory::TotalCount(items); });  // planted: unsynchronized
  total += inventory::TotalCount(items);
  other.join();
  EXPECT_EQ(total, 6);
}

TEST(PlantedBugTest, UninitialisedRead) {
  int* count = static_cast<int*>(std::malloc(sizeof(int)));
  const auto items = inventory::ParseItems("a=1");
  if (*count > items[0].count) {  // planted: *count was never written
    SUCCEED();
  }
  std::free(count);
}

// Two tests that reach the same library bug: memsafe report shows it once.
TEST(PlantedBugTest, LibraryOverflowFromOneItem) {
  EXPECT_GE(inventory::LargestCount(inventory::ParseItems("a=1")), 1);
}

TEST(PlantedBugTest, LibraryOverflowFromTwoItems) {
  EXPECT_GE(inventory::LargestCount(inventory::ParseItems("a=1,b=5")), 5);
}

}  // namespace
