// memsafe/resource.h: Resource<T>, the RAII handle for anything that must be closed.
//
// A Resource owns a value (a file descriptor, a connection pointer) and the function
// that closes it. It registers itself in a ResourceRegistry when constructed and
// unregisters when closed, so leaks show up in the registry's metrics. It closes on
// every path out of its scope: normal exit, exception, cancellation of the task that
// held it.
//
// Example:
//
//   memsafe::ResourceRegistry& registry = memsafe::ResourceRegistry::Default();
//   memsafe::Resource<int> fd(registry, "socket", "upstream:443", ::socket(...),
//                             [](int& s) { return ::close(s) == 0
//                                              ? memsafe::Status::Ok()
//                                              : memsafe::Status::FromErrno(errno, "close"); });
//   Send(fd.get(), request);
//   memsafe::Status closed = fd.close();   // or let the destructor do it
//
// Thread-safety: a Resource is not synchronized: one owner at a time (moving it to
// another thread is fine). Its registry is thread-safe.
//
// Failure: close() returns the closer's error (an exception thrown by the closer is
// turned into a kInternal status) and is idempotent: later calls return Ok(). The
// destructor never throws: it closes if needed, and a failure is counted in the
// registry's cleanup_failed metric and sent to the log hook. Using the value of a
// closed or empty Resource is misuse and aborts.
#ifndef MEMSAFE_RESOURCE_H_
#define MEMSAFE_RESOURCE_H_

#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "memsafe/log.h"
#include "memsafe/resource_registry.h"
#include "memsafe/status.h"

namespace memsafe {

template <typename T>
class Resource {
 public:
  using Closer = std::function<Status(T&)>;

  // Empty: holds nothing, closes nothing.
  Resource() noexcept = default;

  // Takes ownership of `value`. `kind` must be a string literal. If registering fails
  // (std::bad_alloc), the value is closed before the exception leaves.
  Resource(ResourceRegistry& registry, const char* kind, std::string_view label, T value, Closer closer)
      : registry_(&registry), value_(std::move(value)), closer_(std::move(closer)) {
    try {
      id_ = registry.Register(kind, label, &Resource::CloseForRegistry, this);
    } catch (...) {
      (void)RunCloser();  // (void): the exception below is the error that matters
      throw;
    }
    open_ = true;
  }

  Resource(Resource&& other) noexcept
      : registry_(other.registry_),
        value_(std::move(other.value_)),
        closer_(std::move(other.closer_)),
        id_(other.id_),
        open_(std::exchange(other.open_, false)) {
    if (open_) registry_->Rebind(id_, this);
  }

  Resource& operator=(Resource&& other) noexcept {
    if (this != &other) {
      CloseRecordingFailure();
      registry_ = other.registry_;
      value_ = std::move(other.value_);
      closer_ = std::move(other.closer_);
      id_ = other.id_;
      open_ = std::exchange(other.open_, false);
      if (open_) registry_->Rebind(id_, this);
    }
    return *this;
  }

  Resource(const Resource&) = delete;
  Resource& operator=(const Resource&) = delete;

  ~Resource() { CloseRecordingFailure(); }

  bool is_open() const noexcept { return open_; }
  std::uint64_t id() const noexcept { return id_; }

  T& get() {
    MEMSAFE_CHECK(open_, "Resource: use of a closed or empty resource");
    return value_;
  }
  const T& get() const {
    MEMSAFE_CHECK(open_, "Resource: use of a closed or empty resource");
    return value_;
  }
  T* operator->() { return &get(); }
  T& operator*() { return get(); }

  // Runs the closer once and unregisters. Idempotent.
  Status close() noexcept {
    if (!open_) return Status::Ok();
    open_ = false;
    Status status = RunCloser();
    registry_->Unregister(id_, status.ok());
    return status;
  }

 private:
  Status RunCloser() noexcept {
    try {
      return closer_ ? closer_(value_) : Status::Ok();
    } catch (const std::exception& error) {
      try {
        return Status(StatusCode::kInternal, std::string("cleanup threw: ") + error.what());
      } catch (...) {
        return Status(StatusCode::kInternal, std::string());
      }
    } catch (...) {
      return Status(StatusCode::kInternal, std::string());
    }
  }

  void CloseRecordingFailure() noexcept {
    Status status = close();  // counts the failure in the registry
    if (!status.ok()) {
      try {
        Log(LogLevel::kError, "Resource: cleanup failed in a destructor: " + status.ToString());
      } catch (...) {
        Log(LogLevel::kError, "Resource: cleanup failed in a destructor");
      }
    }
  }

  static Status CloseForRegistry(void* self) noexcept { return static_cast<Resource*>(self)->close(); }

  ResourceRegistry* registry_ = nullptr;
  T value_{};
  Closer closer_;
  std::uint64_t id_ = 0;
  bool open_ = false;
};

}  // namespace memsafe

#endif  // MEMSAFE_RESOURCE_H_
