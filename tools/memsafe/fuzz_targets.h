// The entry points the fuzzers in fuzz/ drive, one per parser of untrusted text: a
// sanitizer log, a Valgrind XML file, a suppression file, the runtime options list.
// Each feeds the input through the parser and every output format built on it, so a
// crash anywhere on the path of `memsafe report` or `memsafe suppressions` shows.
//
// Example (fuzz/sanitizer_log_fuzzer.cc):
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     return memsafe::tools::FuzzSanitizerLog(data, size);
//   }
//
// The unit test tests/unit/tools/fuzz_targets_test.cc replays the seed corpora and
// every crash the fuzzers found (fuzz/regressions/) through the same functions in
// every preset, so a fixed crash stays fixed without libFuzzer.
//
// Thread-safety: each call is independent. Failure: none expected; any crash, sanitizer
// report or uncaught exception is a bug in the parser.
#ifndef MEMSAFE_TOOLS_FUZZ_TARGETS_H_
#define MEMSAFE_TOOLS_FUZZ_TARGETS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace memsafe::tools {

int FuzzSanitizerLog(const uint8_t* data, size_t size);
int FuzzValgrindXml(const uint8_t* data, size_t size);
int FuzzSuppressionFile(const uint8_t* data, size_t size);
int FuzzOptionsList(const uint8_t* data, size_t size);
// The file-system front: the input describes a small tree (one entry per line:
// "f NAME CONTENT", "d NAME", "l NAME TARGET", "p NAME" for a FIFO), built in a private
// temporary directory; the tool then walks it as a log directory, a memcheck layout
// and a sanitizers/ directory, and reads what it found. Link loops, FIFOs, dangling
// links and odd names must give errors, never a hang or a crash.
int FuzzLogTree(const uint8_t* data, size_t size);

// The entry point for a fuzz target's name ("sanitizer_log", "valgrind_xml",
// "suppression_file", "options_list", "log_tree"), or null.
using FuzzEntry = int (*)(const uint8_t*, size_t);
FuzzEntry FuzzEntryFor(const std::string& name);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_FUZZ_TARGETS_H_
