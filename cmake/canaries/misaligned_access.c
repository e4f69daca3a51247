/* Canary: reads an int through a misaligned pointer. UndefinedBehaviorSanitizer must
   report a misaligned address. */
#include <string.h>

int main(int argc, char** argv) {
  (void)argv; /* argc only: an offset the optimizer cannot know */
  unsigned char bytes[16] __attribute__((aligned(8)));
  memset(bytes, 1, sizeof bytes);
  const int* misaligned = (const int*)(bytes + argc); /* bytes + 1 */
  return *misaligned == 0 ? 1 : 0;
}
