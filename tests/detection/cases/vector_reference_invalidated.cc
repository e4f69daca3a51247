// Keeps a reference to a vector element across a push_back that reallocates.
#include <cstdio>
#include <vector>

int main() {
  std::vector<int> values = {1, 2, 3};
  values.shrink_to_fit();
  const int& first = values[0];
  values.push_back(4);
  std::printf("%d\n", first);  // BUG
  return 0;
}
