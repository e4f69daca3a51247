/* Canary: overflows a signed int. UndefinedBehaviorSanitizer must report
   signed-integer-overflow. */
#include <limits.h>

int main(int argc, char** argv) {
  (void)argv; /* argc only: a value the optimizer cannot know */
  volatile int value = INT_MAX;
  int sum = value + argc; /* INT_MAX + 1 */
  return sum == 0 ? 1 : 0;
}
