#include "memsafe/status.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ostream>

namespace memsafe {

std::string_view StatusCodeName(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid-argument";
    case StatusCode::kNotFound:
      return "not-found";
    case StatusCode::kPermissionDenied:
      return "permission-denied";
    case StatusCode::kResourceExhausted:
      return "resource-exhausted";
    case StatusCode::kTimeout:
      return "timeout";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kIoError:
      return "io-error";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message, int sys_errno)
    : code_(code), message_(std::move(message)), sys_errno_(sys_errno) {
  MEMSAFE_CHECK(code != StatusCode::kOk || (message_.empty() && sys_errno == 0),
                "an ok Status carries no message or errno");
}

namespace {

StatusCode CodeForErrno(int err) noexcept {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return StatusCode::kNotFound;
    case EPERM:
    case EACCES:
    case EROFS:
      return StatusCode::kPermissionDenied;
    case ENOMEM:
    case ENOSPC:
    case EMFILE:
    case ENFILE:
    case EDQUOT:
      return StatusCode::kResourceExhausted;
    case EAGAIN:
    case EBUSY:
    case EINTR:
      return StatusCode::kUnavailable;
    case ETIMEDOUT:
      return StatusCode::kTimeout;
    case ECANCELED:
      return StatusCode::kCancelled;
    case EINVAL:
    case EISDIR:
    case ELOOP:
    case EMLINK:
    case EEXIST:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kIoError;
  }
}

}  // namespace

Status Status::FromErrno(int err, std::string_view context) {
  MEMSAFE_CHECK(err != 0, "Status::FromErrno needs a non-zero errno");
  char buffer[256];
  // The GNU strerror_r may return a static string instead of filling the buffer.
  const char* text = strerror_r(err, buffer, sizeof buffer);
  std::string message(context);
  message += ": ";
  message += text;
  return Status(CodeForErrno(err), std::move(message), err);
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string text(StatusCodeName(code_));
  text += ": ";
  text += message_;
  return text;
}

std::ostream& operator<<(std::ostream& out, const Status& status) { return out << status.ToString(); }

namespace internal {

void CheckFailed(const char* file, int line, const char* message) noexcept {
  std::fprintf(stderr, "memsafe: %s:%d: %s\n", file, line, message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace internal
}  // namespace memsafe
