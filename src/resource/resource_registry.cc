#include "memsafe/resource_registry.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

#include "memsafe/log.h"

namespace memsafe {
namespace {

// An id is the slot index plus one in the low 32 bits and the slot's generation in
// the high 32 bits, so an id from a closed resource never names its slot's next user.
std::uint64_t MakeId(std::uint32_t slot, std::uint32_t generation) noexcept {
  return (std::uint64_t{generation} << 32) | (std::uint64_t{slot} + 1);
}

// steady_clock reads CLOCK_MONOTONIC; its coarse variant has the same epoch, a few
// milliseconds of resolution (plenty for "opened at") and costs a fraction of it,
// which matters on a path that runs for every file and connection.
std::chrono::steady_clock::time_point CoarseNow() noexcept {
  timespec now{};
  if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) != 0) return std::chrono::steady_clock::now();
  return std::chrono::steady_clock::time_point(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec)));
}

}  // namespace

ResourceRegistry::~ResourceRegistry() {
  Status status = close_all();
  if (!status.ok()) Log(LogLevel::kError, status.message());
}

ResourceRegistry& ResourceRegistry::Default() {
  static ResourceRegistry* registry = new ResourceRegistry;
  return *registry;
}

void ResourceRegistry::CloseDefaultAtExit() {
  static const bool registered = [] {
    // (void): atexit fails only when its table is full; then there is no close at exit,
    // which the caller could not fix either.
    (void)std::atexit([] {
      Status status = Default().close_all();
      if (!status.ok()) Log(LogLevel::kError, status.message());
    });
    return true;
  }();
  (void)registered;
}

std::uint64_t ResourceRegistry::Register(const char* kind, std::string_view label, CloseFn close_fn, void* context) {
  MEMSAFE_CHECK(kind != nullptr, "ResourceRegistry::Register: kind is null");
  const auto now = CoarseNow();
  std::lock_guard<std::mutex> guard(mutex_);
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    MEMSAFE_CHECK(entries_.size() < 0xFFFFFFFFu, "ResourceRegistry: too many live resources");
    entries_.emplace_back();                   // may throw before anything changed
    free_slots_.reserve(entries_.capacity());  // so Unregister never allocates
    slot = static_cast<std::uint32_t>(entries_.size() - 1);
  }
  Entry& entry = entries_[slot];
  entry.live = true;
  entry.kind = kind;
  const std::size_t length = std::min(label.size(), kLabelBytes - 1);
  std::memcpy(entry.label.data(), label.data(), length);
  entry.label[length] = '\0';
  entry.opened_at = now;
  entry.sequence = next_sequence_++;
  entry.close_fn = close_fn;
  entry.context = context;
  ++metrics_.opened;
  metrics_.peak = std::max(metrics_.peak, metrics_.active());
  return MakeId(slot, entry.generation);
}

ResourceRegistry::Entry& ResourceRegistry::Find(std::uint64_t id) noexcept {
  const std::uint64_t slot = (id & 0xFFFFFFFFu) - 1;
  MEMSAFE_CHECK((id & 0xFFFFFFFFu) != 0 && slot < entries_.size(), "ResourceRegistry: unknown resource id");
  Entry& entry = entries_[slot];
  MEMSAFE_CHECK(entry.live && entry.generation == static_cast<std::uint32_t>(id >> 32),
                "ResourceRegistry: resource closed twice, or id from another registry");
  return entry;
}

void ResourceRegistry::Rebind(std::uint64_t id, void* context) noexcept {
  std::lock_guard<std::mutex> guard(mutex_);
  Find(id).context = context;
}

void ResourceRegistry::Unregister(std::uint64_t id, bool cleanup_ok) noexcept {
  std::lock_guard<std::mutex> guard(mutex_);
  Entry& entry = Find(id);
  entry.live = false;
  ++entry.generation;
  free_slots_.push_back(static_cast<std::uint32_t>(id & 0xFFFFFFFFu) - 1);
  ++metrics_.closed;
  if (!cleanup_ok) ++metrics_.cleanup_failed;
}

RegistryMetrics ResourceRegistry::snapshot() const noexcept {
  std::lock_guard<std::mutex> guard(mutex_);
  return metrics_;
}

std::vector<ResourceInfo> ResourceRegistry::live() const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::vector<ResourceInfo> result;
  for (std::size_t slot = 0; slot < entries_.size(); ++slot) {
    const Entry& entry = entries_[slot];
    if (!entry.live) continue;
    result.push_back(
        {MakeId(static_cast<std::uint32_t>(slot), entry.generation), entry.kind, entry.label.data(), entry.opened_at});
  }
  return result;
}

Status ResourceRegistry::close_all() noexcept {
  struct Pending {
    std::uint64_t sequence;
    std::uint64_t id;
    CloseFn close_fn;
    void* context;
  };
  std::vector<Pending> pending;
  try {
    std::lock_guard<std::mutex> guard(mutex_);
    for (std::size_t slot = 0; slot < entries_.size(); ++slot) {
      const Entry& entry = entries_[slot];
      if (entry.live) {
        pending.push_back({entry.sequence, MakeId(static_cast<std::uint32_t>(slot), entry.generation), entry.close_fn,
                           entry.context});
      }
    }
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kResourceExhausted, "close_all: out of memory");
  }
  // Newest first: later resources may depend on earlier ones (a statement on a
  // connection, a file in a directory someone else cleans up).
  std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) { return a.sequence > b.sequence; });
  std::size_t failures = 0;
  std::string errors;
  for (const Pending& item : pending) {
    // The close function unregisters the entry itself (through its owner).
    Status status = item.close_fn(item.context);
    if (status.ok()) continue;
    ++failures;
    try {
      if (!errors.empty()) errors += "; ";
      errors += status.ToString();
    } catch (const std::bad_alloc&) {
      // The count below still says how many failed.
    }
  }
  if (failures == 0) return Status::Ok();
  try {
    return Status(StatusCode::kIoError, "close_all: " + std::to_string(failures) + " of " +
                                            std::to_string(pending.size()) + " cleanups failed: " + errors);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kIoError, std::string());
  }
}

}  // namespace memsafe
