// Hooks linked into every test and canary binary by MemorySafety.cmake.
#ifndef MEMSAFE_CMAKE_RUNTIME_HOOKS_H_
#define MEMSAFE_CMAKE_RUNTIME_HOOKS_H_

// The tools this build tree was configured with, comma-separated
// ("address,undefined,leak", "thread", "valgrind" or "").
const char* memsafe_configured_tools();

// Compares what the binary really contains (sanitizer runtimes, compile-time
// instrumentation, running under Valgrind) with MEMSAFE_EXPECT, the tools the test
// preset expects. On a mismatch it prints what is missing and exits with status 3,
// so a preset that lost its flags fails every test instead of passing uninstrumented.
// Without MEMSAFE_EXPECT in the environment it checks nothing.
void memsafe_verify_instrumentation();

#endif  // MEMSAFE_CMAKE_RUNTIME_HOOKS_H_
