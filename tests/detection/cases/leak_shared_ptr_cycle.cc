// A node that owns itself through a shared_ptr: its count never drops to zero, so it is
// never destroyed (the smallest reference cycle).
#include <cstdio>
#include <memory>

struct Node {
  std::shared_ptr<Node> self;
  int value = 0;
};

void Link() {
  auto node = std::make_shared<Node>();  // BUG
  node->self = node;
}

int main() {
  Link();
  std::printf("linked\n");
  return 0;
}
