#include <gtest/gtest.h>

#include <cstring>

TEST(TwoBugsTest, OverflowFirst) {
  char* block = new char[8];
  std::memset(block, 1, 9);  // planted bug: heap-buffer-overflow, stops the program
  delete[] block;
}

TEST(TwoBugsTest, UseAfterFreeSecond) {
  long* value = new long(7);
  delete value;
  EXPECT_EQ(*value, 7);  // planted bug: heap-use-after-free, in the case after
}
