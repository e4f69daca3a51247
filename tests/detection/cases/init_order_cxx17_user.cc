// detection: c++17
// initialization_order_user.cc built as C++17: std::string's members are not constexpr
// there, so size() is the out-of-line copy in libstdc++.so, which AddressSanitizer did
// not instrument, and the read of the not-yet-constructed string goes unseen at -O0
// (measured with Clang 14 and GCC 12; as C++20, both report it). At -O1, where Clang's
// asan preset builds, the call is inlined into this constructor and reported.
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
