/* Reads a record after it was freed. */
#include <stdio.h>
#include <stdlib.h>

struct record {
  int id;
  int balance;
};

int main(void) {
  struct record* r = malloc(sizeof *r);
  r->id = 7;
  r->balance = 100;
  free(r);
  printf("%d\n", r->balance); /* BUG */
  return 0;
}
