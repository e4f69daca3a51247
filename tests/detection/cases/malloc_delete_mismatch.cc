// Releases memory from malloc with delete.
#include <cstdio>
#include <cstdlib>

struct Point {
  int x, y;
};

int main() {
  auto* p = static_cast<Point*>(std::malloc(sizeof(Point)));
  p->x = 1;
  p->y = 2;
  std::printf("%d\n", p->x + p->y);
  delete p;  // BUG
  return 0;
}
