// What memsafe's own code needs from the log hook beyond the public API.
#ifndef MEMSAFE_SRC_COMMON_LOG_INTERNAL_H_
#define MEMSAFE_SRC_COMMON_LOG_INTERNAL_H_

#include <atomic>
#include <cstdint>

namespace memsafe::internal {

// Changes every time SetLogHook installs a hook. A "tell once" event (a degraded
// zeroing layer) is told once per installed hook: a hook installed after the first
// zeroing, or a second one, still learns about it. Inline: secure_zero reads it on
// every call when it runs on a layer below libsodium.
extern std::atomic<std::uint32_t> g_log_hook_generation;
inline std::uint32_t LogHookGeneration() noexcept { return g_log_hook_generation.load(std::memory_order_acquire); }

}  // namespace memsafe::internal

#endif  // MEMSAFE_SRC_COMMON_LOG_INTERNAL_H_
