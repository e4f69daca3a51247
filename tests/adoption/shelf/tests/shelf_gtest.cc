#include <gtest/gtest.h>

#include <string>

#include "shelf.h"

TEST(ShelfTest, CountsAddUp) {
  shelf* s = shelf_new();
  ASSERT_EQ(shelf_add(s, "apple", 2), 0);
  ASSERT_EQ(shelf_add(s, "apple", 3), 0);
  EXPECT_EQ(shelf_count(s, "apple"), 5);
  EXPECT_EQ(shelf_count(s, "pear"), 0);
  shelf_free(s);
}

TEST(ShelfTest, GrowsPastItsFirstCapacity) {
  shelf* s = shelf_new();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(shelf_add(s, std::to_string(i).c_str(), i), 0);
  EXPECT_EQ(shelf_size(s), 100);
  shelf_free(s);
}

#ifdef PLANT_USE_AFTER_FREE
TEST(ShelfTest, PlantedUseAfterFree) {
  int* planted = new int(1);
  delete planted;
  EXPECT_EQ(*planted, 1);  // planted bug: heap-use-after-free
}
#endif
