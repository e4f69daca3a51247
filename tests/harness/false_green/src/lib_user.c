/* Calls the project's shared library. */
int hp_shared_check(void);

int main(void) { return hp_shared_check(); }
