// The global that init_order_user.cc reads before it is constructed.
#include <string>

std::string g_prefix = "memsafe-initialization-order-prefix";
