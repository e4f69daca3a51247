/* Allocates a node and loses the only pointer to it. */
#include <stdlib.h>

struct node {
  struct node* next;
  int value;
};

static void build(void) {
  struct node* n = malloc(sizeof *n); /* BUG */
  n->next = 0;
  n->value = 1;
}

int main(void) {
  build();
  return 0;
}
