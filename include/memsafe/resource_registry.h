// memsafe/resource_registry.h: a thread-safe record of the resources a process holds
// open (files, connections, anything with a close), with metrics.
//
// Every Resource<T> (memsafe/resource.h) registers itself on construction and
// unregisters when closed, so the registry always knows what is live, since when,
// and how many were opened, closed, or failed to close. close_all() closes whatever is
// still open, newest first, at shutdown or at the end of a test.
//
// A process-wide registry exists (Default()), but every API that registers takes a
// registry explicitly, so tests can each use their own and share no state.
//
// Example:
//
//   memsafe::ResourceRegistry registry;
//   {
//     auto file = memsafe::File::Open("out.txt", memsafe::FileMode::kWrite, {}, registry);
//     ...
//   }
//   memsafe::RegistryMetrics m = registry.snapshot();
//   assert(m.active() == 0 && m.opened == m.closed);
//
// Thread-safety: every member may be called from any thread concurrently. close_all()
// must not race with the owners closing or destroying the same resources (it is for
// shutdown, when they are idle); resources opened while it runs are left open.
//
// Failure: close_all() runs every cleanup even when some fail and returns their errors
// joined into one Status. Destroying a registry that still has live resources closes
// them first (failures go to the log hook). Closing an id twice, or one the registry
// never issued, is misuse and aborts.
#ifndef MEMSAFE_RESOURCE_REGISTRY_H_
#define MEMSAFE_RESOURCE_REGISTRY_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "memsafe/status.h"

namespace memsafe {

struct RegistryMetrics {
  std::uint64_t opened = 0;          // registered, ever
  std::uint64_t closed = 0;          // unregistered, ever (cleanly or not)
  std::uint64_t cleanup_failed = 0;  // of `closed`, those whose cleanup reported an error
  std::uint64_t peak = 0;            // the highest number live at once
  std::uint64_t active() const noexcept { return opened - closed; }
};

struct ResourceInfo {
  std::uint64_t id = 0;
  std::string kind;   // e.g. "file", "sqlite"
  std::string label;  // e.g. the path, truncated to 47 bytes
  // On the steady_clock timeline, with the coarse monotonic clock's resolution (a few
  // milliseconds): precise enough to find what has been open for too long.
  std::chrono::steady_clock::time_point opened_at;
};

class ResourceRegistry {
 public:
  // Closes one resource for close_all(); `context` is what was given to Register.
  using CloseFn = Status (*)(void* context) noexcept;

  ResourceRegistry() = default;
  ~ResourceRegistry();
  ResourceRegistry(const ResourceRegistry&) = delete;
  ResourceRegistry& operator=(const ResourceRegistry&) = delete;

  // Records a live resource and returns its id (never 0). `kind` must be a string with
  // static storage (a literal); `label` is copied (truncated). Throws std::bad_alloc.
  std::uint64_t Register(const char* kind, std::string_view label, CloseFn close_fn, void* context);
  // Points the entry at a new context (the owner moved). Aborts on an unknown id.
  void Rebind(std::uint64_t id, void* context) noexcept;
  // Records that the owner closed the resource; `cleanup_ok` false counts a failure.
  void Unregister(std::uint64_t id, bool cleanup_ok) noexcept;

  RegistryMetrics snapshot() const noexcept;
  std::vector<ResourceInfo> live() const;

  // Closes every live resource, newest first; runs every cleanup even when one fails.
  Status close_all() noexcept;

  // The process-wide registry; never destroyed.
  static ResourceRegistry& Default();
  // Makes the process run Default().close_all() at exit (once, however often called).
  static void CloseDefaultAtExit();

 private:
  static constexpr std::size_t kLabelBytes = 48;
  struct Entry {
    std::uint32_t generation = 0;
    bool live = false;
    const char* kind = nullptr;
    std::array<char, kLabelBytes> label{};
    std::chrono::steady_clock::time_point opened_at;
    std::uint64_t sequence = 0;  // open order, for LIFO close_all
    CloseFn close_fn = nullptr;
    void* context = nullptr;
  };
  Entry& Find(std::uint64_t id) noexcept;  // with mutex_ held; aborts on a bad id

  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_sequence_ = 0;
  RegistryMetrics metrics_;
};

}  // namespace memsafe

#endif  // MEMSAFE_RESOURCE_REGISTRY_H_
