#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <cstring>

TEST_CASE("overflow first, then stop") {
  char* block = new char[8];
  std::memset(block, 1, 9);  // planted bug: heap-buffer-overflow, stops the program
  delete[] block;
}

TEST_CASE("use after free, [second]") {
  long* value = new long(7);
  delete value;
  CHECK(*value == 7);  // planted bug: heap-use-after-free, in the case after
}
