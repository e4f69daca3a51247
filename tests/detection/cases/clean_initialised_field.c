/* Clean look-alike of uninitialised_branch.c: calloc zeroes every field. */
#include <stdio.h>
#include <stdlib.h>

struct options {
  int verbose;
  int level;
};

int main(void) {
  struct options* o = calloc(1, sizeof *o);
  o->verbose = 1;
  if (o->level > 2) printf("high\n");
  free(o);
  return 0;
}
