// A global whose constructor reads a global of another file, constructed later.
#include <cstdio>
#include <string>

extern std::string g_prefix;  // init_order_provider.cc

struct Banner {
  Banner() : width(g_prefix.size()) {}  // BUG
  std::size_t width;
};

Banner g_banner;

int main() {
  std::printf("%zu\n", g_banner.width);
  return 0;
}
