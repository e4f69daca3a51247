/* Reads past the end of a local array with an index computed at run time. */
static volatile int sink;

static void last(volatile int count) {
  int values[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  sink = values[count]; /* BUG */
}

int main(void) {
  last(8);
  return 0;
}
