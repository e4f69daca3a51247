// A command-line program of the consumer project, not a test: it links the
// instrumented library without being instrumented itself, as many projects' tools and
// examples do. With Clang such a program links only because the library passes the
// sanitizer's link options on (memsafe_instrument), so building it is the check.
#include <iostream>

#include "inventory.h"

int main(int argc, char** argv) {
  long total = 0;
  for (int i = 1; i < argc; ++i) total += inventory::TotalCount(inventory::ParseItems(argv[i]));
  std::cout << total << "\n";
  return 0;
}
