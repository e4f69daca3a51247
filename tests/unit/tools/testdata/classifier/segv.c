#include <stdlib.h>
int main(int argc, char** argv) {
  volatile int* p = argc > 5 ? (int*)argv : NULL;
  return *p;
}
