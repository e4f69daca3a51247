#include <stdio.h>
#include <stdlib.h>
int main(void) {
  void* p = malloc((size_t)1 << 45);
  printf("%s\n", p == NULL ? "null, as asked" : "allocated");
  free(p);
  return 0;
}
