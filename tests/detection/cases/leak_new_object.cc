// Creates a session object that nothing deletes.
#include <cstdio>
#include <string>

struct Session {
  int id = 0;
  std::string user;
};

int Open(int id) {
  auto* session = new Session;  // BUG
  session->id = id;
  return session->id;
}

int main() {
  std::printf("%d\n", Open(3));
  return 0;
}
