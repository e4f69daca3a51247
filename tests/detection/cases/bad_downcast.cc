// Casts a base reference to the wrong derived type and calls through it.
#include <cstdio>

struct Shape {
  virtual ~Shape() = default;
  virtual int Sides() const { return 0; }
};
struct Square : Shape {
  int Sides() const override { return 4; }
  int Area() const { return 16; }
};
struct Circle : Shape {
  int Sides() const override { return 1; }
};

int Describe(const Shape& shape) {
  return static_cast<const Square&>(shape).Area();  // BUG
}

int main() {
  Circle circle;
  std::printf("%d\n", Describe(circle));
  return 0;
}
