// Reads the element after the last one, inside the vector's spare capacity.
#include <cstdio>
#include <vector>

int main() {
  std::vector<int> values;
  values.reserve(16);
  for (int i = 0; i < 4; ++i) values.push_back(i);
  const int* data = values.data();
  volatile std::size_t index = values.size();
  std::printf("%d\n", data[index]);  // BUG
  return 0;
}
