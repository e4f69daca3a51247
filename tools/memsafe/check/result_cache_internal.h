// What result_cache.cc (the cache file, stamps and fingerprints) and cache_keys.cc (the
// key of each test) share.
#ifndef MEMSAFE_TOOLS_CHECK_RESULT_CACHE_INTERNAL_H_
#define MEMSAFE_TOOLS_CHECK_RESULT_CACHE_INTERNAL_H_

#include <string>

namespace memsafe::tools {

// Whether the file starts with the ELF magic: a program or library the loader maps.
bool IsElf(const std::string& path);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_CHECK_RESULT_CACHE_INTERNAL_H_
