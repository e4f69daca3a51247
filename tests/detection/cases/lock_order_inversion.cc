// Two threads take the same two mutexes in opposite orders (they did not deadlock
// this time).
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex accounts;
std::mutex audit;

int main() {
  std::thread first([] {
    std::lock_guard<std::mutex> a(accounts);
    std::lock_guard<std::mutex> b(audit);  // BUG: audit after accounts
  });
  first.join();
  std::thread second([] {
    std::lock_guard<std::mutex> b(audit);
    std::lock_guard<std::mutex> a(accounts);  // BUG: accounts after audit
  });
  second.join();
  std::printf("done\n");
  return 0;
}
