// Planted bug: reads the element just past a vector's size, inside its capacity. The
// bytes belong to the vector's own allocation, so plain ASan sees nothing; libstdc++'s
// annotations (-D_GLIBCXX_SANITIZE_VECTOR, which MemorySafety.cmake sets with ASan)
// mark the spare capacity off-limits, and ASan reports a container-overflow.
#include <vector>

int main() {
  std::vector<int> numbers;
  numbers.reserve(8);
  numbers.push_back(1);
  volatile int past_the_end = numbers.data()[numbers.size()];  // planted: container-overflow
  (void)past_the_end;
  return 0;
}
