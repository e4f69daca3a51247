#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "shelf.h"

TEST_CASE("adding to an existing name adds to its count", "[shelf]") {
  shelf* s = shelf_new();
  REQUIRE(shelf_add(s, "fig", 1) == 0);
  REQUIRE(shelf_add(s, "fig", 2) == 0);
  CHECK(shelf_count(s, "fig") == 3);
  CHECK(shelf_size(s) == 1);
  shelf_free(s);
}

#ifdef PLANT_USE_AFTER_FREE
TEST_CASE("planted use after free in Catch2", "[planted]") {
  long* planted = new long(7);
  delete planted;
  CHECK(*planted == 7);  // planted bug: heap-use-after-free
}
#endif
