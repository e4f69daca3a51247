// Clean look-alike of init_order_user.cc: the other file's value is a function-local
// static, constructed on first use.
#include <cstdio>
#include <string>

const std::string& Prefix();  // clean_function_static_provider.cc

struct Banner {
  Banner() : width(Prefix().size()) {}
  std::size_t width;
};

Banner g_banner;

int main() {
  std::printf("%zu\n", g_banner.width);
  return 0;
}
