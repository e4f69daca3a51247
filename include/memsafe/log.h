// memsafe/log.h: the process-wide log hook.
//
// memsafe never writes to stdout or stderr on its own (a library should not), but
// some events must not pass silently: a zeroing layer that had to fall back to a
// weaker one, memory that could not be locked, a destructor whose cleanup failed
// and could not throw. Those events go to the log hook. It is silent by default;
// install one to route the events into your own logging.
//
// Example:
//
//   void ToSyslog(memsafe::LogLevel level, std::string_view message) noexcept {
//     syslog(level == memsafe::LogLevel::kError ? LOG_ERR : LOG_WARNING, "%.*s",
//            static_cast<int>(message.size()), message.data());
//   }
//   memsafe::SetLogHook(&ToSyslog);
//
// Thread-safety: SetLogHook and the hook calls may happen on any thread. The hook
// itself must be thread-safe and must not throw (it is noexcept: a throw terminates).
// It may be called from destructors during unwinding, so it should not block for long.
#ifndef MEMSAFE_LOG_H_
#define MEMSAFE_LOG_H_

#include <string_view>

namespace memsafe {

enum class LogLevel { kInfo, kWarning, kError };

using LogHook = void (*)(LogLevel level, std::string_view message) noexcept;

// Installs `hook` (nullptr: silent) and returns the previous one.
LogHook SetLogHook(LogHook hook) noexcept;

// Sends a message to the installed hook, if any. For memsafe's own use and for code
// built on it that wants the same routing.
void Log(LogLevel level, std::string_view message) noexcept;

}  // namespace memsafe

#endif  // MEMSAFE_LOG_H_
