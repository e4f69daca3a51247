// Canary: overflows a signed int. UndefinedBehaviorSanitizer must report
// signed-integer-overflow.
#include <climits>

int main(int argc, char**) {
  volatile int value = INT_MAX;
  int sum = value + argc;  // INT_MAX + 1
  return sum == 0 ? 1 : 0;
}
