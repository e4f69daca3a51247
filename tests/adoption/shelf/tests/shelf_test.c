/* A plain C test program: exit status 0 is a pass. */
#include <stdio.h>
#include <stdlib.h>

#include "shelf.h"

#define EXPECT(cond)                                               \
  do {                                                             \
    if (!(cond)) {                                                 \
      fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                  \
    }                                                              \
  } while (0)

int main(void) {
  int failures = 0;
  struct shelf* shelf = shelf_new();
  for (int i = 0; i < 10; ++i) EXPECT(shelf_add(shelf, i % 2 ? "odd" : "even", i) == 0);
  EXPECT(shelf_count(shelf, "odd") == 25);
  EXPECT(shelf_count(shelf, "even") == 20);
  EXPECT(shelf_size(shelf) == 2);
#ifdef PLANT_USE_AFTER_FREE
  int* planted = (int*)malloc(sizeof(int));
  *planted = 1;
  free(planted);
  EXPECT(*planted == 1); /* planted bug: heap-use-after-free */
#endif
  shelf_free(shelf);
  return failures == 0 ? 0 : 1;
}
