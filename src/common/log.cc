#include "memsafe/log.h"

#include <atomic>

#include "log_internal.h"

namespace memsafe {
namespace {
// A plain function pointer in an atomic: installing and reading the hook never locks,
// so Log() is safe in destructors and during static destruction.
std::atomic<LogHook> g_log_hook{nullptr};
}  // namespace

std::atomic<std::uint32_t> internal::g_log_hook_generation{0};

LogHook SetLogHook(LogHook hook) noexcept {
  const LogHook previous = g_log_hook.exchange(hook, std::memory_order_acq_rel);
  internal::g_log_hook_generation.fetch_add(1, std::memory_order_acq_rel);
  return previous;
}

void Log(LogLevel level, std::string_view message) noexcept {
  if (LogHook hook = g_log_hook.load(std::memory_order_acquire)) hook(level, message);
}

}  // namespace memsafe
