#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "shelf.h"

TEST_CASE("an empty shelf has nothing") {
  shelf* s = shelf_new();
  CHECK(shelf_size(s) == 0);
  CHECK(shelf_count(s, "anything") == 0);
  shelf_free(s);
}

TEST_CASE("names are copied") {
  shelf* s = shelf_new();
  char name[] = "plum";
  REQUIRE(shelf_add(s, name, 1) == 0);
  name[0] = 'g';
  CHECK(shelf_count(s, "plum") == 1);
  shelf_free(s);
}

#ifdef PLANT_USE_AFTER_FREE
TEST_CASE("planted use after free") {
  char* planted = new char[8]();
  delete[] planted;
  CHECK(planted[3] == 0);  // planted bug: heap-use-after-free
}
#endif
