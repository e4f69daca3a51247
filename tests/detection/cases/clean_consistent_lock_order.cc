// Clean look-alike of lock_order_inversion.cc: both threads lock in one order.
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex accounts;
std::mutex audit;

int main() {
  auto both = [] {
    std::lock_guard<std::mutex> a(accounts);
    std::lock_guard<std::mutex> b(audit);
  };
  std::thread first(both);
  first.join();
  std::thread second(both);
  second.join();
  std::printf("done\n");
  return 0;
}
