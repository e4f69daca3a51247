/* Canary: uses a pointer into a stack frame that has returned. AddressSanitizer
   reports stack-use-after-return only with detect_stack_use_after_return=1, so this
   canary also proves that the options list reaches the runtime. */
__attribute__((noinline)) static int* DanglingPointer(void) {
  int local[4] = {1, 2, 3, 4};
  int* volatile escape = local; /* hides the escape from the compiler's warning */
  return escape;
}

int main(void) {
  int* dangling = DanglingPointer();
  return dangling[1];
}
