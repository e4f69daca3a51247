// The libFuzzer target for one of memsafe's parsers of untrusted input: the build
// compiles this file once per target, naming it in MEMSAFE_FUZZ_TARGET (see
// fuzz/CMakeLists.txt for the list and tools/memsafe/fuzz_targets.h for what each
// target covers). Built by the fuzz preset; run by ./check.sh --fuzz SECONDS.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "fuzz_targets.h"

namespace {

memsafe::tools::FuzzEntry Entry() {
  static const memsafe::tools::FuzzEntry entry = memsafe::tools::FuzzEntryFor(MEMSAFE_FUZZ_TARGET);
  return entry;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (Entry() == nullptr) {
    std::fprintf(stderr, "fuzzer: unknown target '%s'\n", MEMSAFE_FUZZ_TARGET);
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return Entry()(data, size); }
