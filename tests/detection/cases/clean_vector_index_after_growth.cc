// Clean look-alike of vector_reference_invalidated.cc: reads by index after the growth.
#include <cstdio>
#include <vector>

int main() {
  std::vector<int> values = {1, 2, 3};
  values.shrink_to_fit();
  values.push_back(4);
  std::printf("%d\n", values[0]);
  return 0;
}
