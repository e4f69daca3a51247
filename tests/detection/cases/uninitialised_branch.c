/* Branches on a field that no path initialised. */
#include <stdio.h>
#include <stdlib.h>

struct options {
  int verbose;
  int level;
};

int main(void) {
  struct options* o = malloc(sizeof *o);
  o->verbose = 1;
  if (o->level > 2) { /* BUG */
    printf("high\n");
  }
  free(o);
  return 0;
}
