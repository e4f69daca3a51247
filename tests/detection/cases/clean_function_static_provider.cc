// The value clean_function_static.cc reads, constructed on first use.
#include <string>

const std::string& Prefix() {
  static const std::string prefix = "memsafe-initialization-order-prefix";
  return prefix;
}
