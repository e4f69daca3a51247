// The instrumentation check: is this binary really built and run the way the preset
// says? Compiled with the build's own flags, so __has_feature and __SANITIZE_*__ tell
// what the compiler did, and weak references tell which runtime got linked.
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "memsafe_runtime_hooks.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define MEMSAFE_HAVE_VALGRIND_H 1
#endif
#endif

#if defined(__has_feature)
#define MEMSAFE_HAS_FEATURE(x) __has_feature(x)
#else
#define MEMSAFE_HAS_FEATURE(x) 0
#endif

extern "C" {
// Weak: null unless the runtime is linked in.
void __asan_init() __attribute__((weak));
void __tsan_init() __attribute__((weak));
void __lsan_do_leak_check() __attribute__((weak));
}

namespace {

bool CompiledWithAddress() {
#if defined(__SANITIZE_ADDRESS__) || MEMSAFE_HAS_FEATURE(address_sanitizer)
  return true;
#else
  return false;
#endif
}

bool CompiledWithThread() {
#if defined(__SANITIZE_THREAD__) || MEMSAFE_HAS_FEATURE(thread_sanitizer)
  return true;
#else
  return false;
#endif
}

bool CompiledWithUndefined() {
#if defined(__clang__)
  return MEMSAFE_HAS_FEATURE(undefined_behavior_sanitizer);
#else
  // GCC has no macro for UBSan; its runtime is a separate library, so its presence
  // in the process is the evidence.
  return dlsym(RTLD_DEFAULT, "__ubsan_handle_add_overflow_abort") != nullptr ||
         dlsym(RTLD_DEFAULT, "__ubsan_handle_add_overflow") != nullptr;
#endif
}

bool RunningOnValgrind() {
#if defined(MEMSAFE_HAVE_VALGRIND_H)
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

// Returns an empty string when `tool` is present, otherwise what is missing.
std::string Missing(const std::string& tool) {
  if (tool == "address") {
    if (!CompiledWithAddress()) return "code not compiled with -fsanitize=address";
    if (&__asan_init == nullptr) return "AddressSanitizer runtime not linked";
  } else if (tool == "thread") {
    if (!CompiledWithThread()) return "code not compiled with -fsanitize=thread";
    if (&__tsan_init == nullptr) return "ThreadSanitizer runtime not linked";
  } else if (tool == "undefined") {
    if (!CompiledWithUndefined()) return "code not compiled with -fsanitize=undefined";
  } else if (tool == "leak") {
    if (&__lsan_do_leak_check == nullptr) return "LeakSanitizer runtime not linked";
  } else if (tool == "valgrind") {
    if (!RunningOnValgrind()) return "the test is not running under Valgrind";
  } else if (!tool.empty()) {
    return "unknown tool name '" + tool + "' in MEMSAFE_EXPECT";
  }
  return {};
}

}  // namespace

void memsafe_verify_instrumentation() {
  const char* expect = std::getenv("MEMSAFE_EXPECT");
  if (expect == nullptr || *expect == '\0') return;
  std::string list(expect);
  bool failed = false;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    const std::string tool = list.substr(start, comma - start);
    const std::string missing = Missing(tool);
    if (!missing.empty()) {
      std::fprintf(stderr,
                   "memsafe: instrumentation check failed: the preset expects '%s' but "
                   "%s (this build was configured with tools [%s]). Did the preset "
                   "lose its flags?\n",
                   tool.c_str(), missing.c_str(), memsafe_configured_tools());
      failed = true;
    }
    start = comma + 1;
  }
  if (failed) std::_Exit(3);
}
