// Clean look-alike of leak_shared_ptr_cycle.cc: the back link is a weak_ptr.
#include <cstdio>
#include <memory>

struct Node {
  std::shared_ptr<Node> next;
  std::weak_ptr<Node> back;
};

int main() {
  auto a = std::make_shared<Node>();
  auto b = std::make_shared<Node>();
  a->next = b;
  b->back = a;
  std::printf("%ld\n", b->back.use_count());
  return 0;
}
