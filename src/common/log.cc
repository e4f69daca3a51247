#include "memsafe/log.h"

#include <atomic>

namespace memsafe {
namespace {
// A plain function pointer in an atomic: installing and reading the hook never locks,
// so Log() is safe in destructors and during static destruction.
std::atomic<LogHook> g_log_hook{nullptr};
}  // namespace

LogHook SetLogHook(LogHook hook) noexcept {
  return g_log_hook.exchange(hook, std::memory_order_acq_rel);
}

void Log(LogLevel level, std::string_view message) noexcept {
  if (LogHook hook = g_log_hook.load(std::memory_order_acquire)) hook(level, message);
}

}  // namespace memsafe
