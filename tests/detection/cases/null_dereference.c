/* Dereferences the result of a lookup that found nothing. */
#include <stdio.h>

struct entry {
  const char* name;
  int value;
};

static struct entry* find(const char* name) {
  (void)name;
  return 0;
}

int main(void) {
  struct entry* e = find("missing");
  printf("%d\n", e->value); /* BUG */
  return 0;
}
