// memsafe/status.h: how memsafe reports failure.
//
// memsafe separates two kinds of failure:
//   - Misuse (a broken precondition: reading a wiped buffer, a null pointer with a
//     non-zero length) is a bug in the caller. It aborts the process with a message,
//     also in release builds (MEMSAFE_CHECK below), because carrying on would touch
//     secrets or freed resources.
//   - Environmental failure (mlock refused, disk full, a timeout) is returned as a
//     `Status` or a `Result<T>`. Both are [[nodiscard]]: ignoring one is a compile
//     warning; to ignore one deliberately, cast it to (void) and say why.
//
// Example:
//
//   memsafe::Result<int> ParsePort(std::string_view text);
//
//   memsafe::Result<int> port = ParsePort(argv[1]);
//   if (!port.ok()) {
//     std::cerr << port.status() << '\n';   // "invalid-argument: port: not a number"
//     return 2;
//   }
//   Listen(*port);
//
// Thread-safety: Status and Result are values; distinct objects may be used from
// different threads, one object like any std type (const use is safe).
//
// std::expected is not available with Clang 14 and libstdc++ 12, hence this type.
#ifndef MEMSAFE_STATUS_H_
#define MEMSAFE_STATUS_H_

#include <iosfwd>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace memsafe {

// What went wrong, in a form a caller can branch on.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the input is well-formed C++ but not acceptable (e.g. a directory)
  kNotFound,           // the file or entry does not exist
  kPermissionDenied,   // the operating system refused (EPERM, EACCES)
  kResourceExhausted,  // a limit was hit (RLIMIT_MEMLOCK, a pool's capacity, ENOSPC)
  kTimeout,            // a deadline passed before the operation could complete
  kCancelled,          // a stop was requested, or the owner is shutting down
  kUnavailable,        // transient; retrying may succeed (EAGAIN, EBUSY, SQLITE_BUSY)
  kIoError,            // the operating system or a library reported an I/O error
  kInternal,           // an invariant of memsafe itself failed
};

// A short, stable, lower-case name: "ok", "invalid-argument", ...
std::string_view StatusCodeName(StatusCode code) noexcept;

class [[nodiscard]] Status {
 public:
  // The success value.
  Status() noexcept = default;
  Status(StatusCode code, std::string message, int sys_errno = 0);

  static Status Ok() noexcept { return Status(); }
  // A status for a failed system call: the code follows from `err`, the message is
  // "<context>: <strerror(err)>".
  static Status FromErrno(int err, std::string_view context);

  bool ok() const noexcept { return code_ == StatusCode::kOk; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  // The errno that caused this status, or 0.
  int sys_errno() const noexcept { return sys_errno_; }

  // "ok", or "<code name>: <message>".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) noexcept {
    return a.code_ == b.code_ && a.message_ == b.message_ && a.sys_errno_ == b.sys_errno_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int sys_errno_ = 0;
};

std::ostream& operator<<(std::ostream& out, const Status& status);

namespace internal {
// Prints "memsafe: <file>:<line>: <message>" to stderr and aborts. Never returns, is
// active in every build type, and does not allocate.
[[noreturn]] void CheckFailed(const char* file, int line, const char* message) noexcept;
}  // namespace internal

}  // namespace memsafe

// Aborts with `message` when `condition` is false, in every build type. For broken
// preconditions only; environmental failures are returned as a Status.
#define MEMSAFE_CHECK(condition, message)                              \
  do {                                                                 \
    if (!(condition)) [[unlikely]] {                                   \
      ::memsafe::internal::CheckFailed(__FILE__, __LINE__, (message)); \
    }                                                                  \
  } while (false)

namespace memsafe {

// Either a T or a non-ok Status. Reading the value of a failed Result is misuse and
// aborts with the status in the message.
template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>, "use Status directly");
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported");

 public:
  // Implicit on purpose, so a function can `return value;` or `return status;`.
  Result(T value) : has_value_(true) { new (&value_) T(std::move(value)); }  // NOLINT
  Result(Status status) : status_(std::move(status)) {                       // NOLINT
    MEMSAFE_CHECK(!status_.ok(), "Result constructed from an ok Status without a value");
  }
  Result(const Result& other) : status_(other.status_), has_value_(other.has_value_) {
    if (has_value_) new (&value_) T(other.value_);
  }
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>)
      : status_(std::move(other.status_)), has_value_(other.has_value_) {
    if (has_value_) new (&value_) T(std::move(other.value_));
  }
  Result& operator=(Result other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    Reset();
    status_ = std::move(other.status_);
    if (other.has_value_) {
      new (&value_) T(std::move(other.value_));
      has_value_ = true;
    }
    return *this;
  }
  ~Result() { Reset(); }

  bool ok() const noexcept { return has_value_; }
  // Ok() when a value is held.
  const Status& status() const noexcept { return status_; }

  T& value() & {
    Require();
    return value_;
  }
  const T& value() const& {
    Require();
    return value_;
  }
  T&& value() && {
    Require();
    return std::move(value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Require() const {
    if (!has_value_) {
      std::string text = "value() of a failed Result: " + status_.ToString();
      internal::CheckFailed(__FILE__, __LINE__, text.c_str());
    }
  }
  void Reset() noexcept {
    if (has_value_) {
      value_.~T();
      has_value_ = false;
    }
  }

  Status status_;
  bool has_value_ = false;
  union {
    T value_;
  };
};

}  // namespace memsafe

#endif  // MEMSAFE_STATUS_H_
