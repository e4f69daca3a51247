#include "memsafe/secure_zero.h"

#include <atomic>
#include <cstdint>
#include <cstring>

#include "../common/log_internal.h"
#include "memsafe/log.h"
#include "memsafe/status.h"

#if MEMSAFE_HAVE_SODIUM
#include <sodium.h>
#endif
#if defined(_WIN32)
#include <windows.h>
#endif

namespace memsafe {
namespace {

constexpr int kNoForcedLayer = -1;
std::atomic<int> g_forced_layer{kNoForcedLayer};

// Whether the automatic layer is memset plus a barrier with nothing to log (see
// internal::secure_zero_inline): libsodium's sodium_memzero on glibc is explicit_bzero
// (glibc has no memset_s, which libsodium would prefer), and glibc's explicit_bzero is
// memset followed by a compiler barrier.
constexpr bool kAutomaticLayerIsInline =
#if MEMSAFE_HAVE_SODIUM && MEMSAFE_HAVE_EXPLICIT_BZERO && defined(__GLIBC__) && \
    (defined(__GNUC__) || defined(__clang__))
    true;
#else
    false;
#endif
// The log hook generation (high 32 bits) and one bit per layer (low bits) that was
// reported to the hook of that generation.
std::atomic<std::uint64_t> g_layers_reported{0};

// The fallback chain, strongest first. The first layer this build can use wins.
ZeroLayer StrongestAvailableLayer() noexcept {
#if MEMSAFE_HAVE_SODIUM
  return ZeroLayer::kSodium;
#elif MEMSAFE_HAVE_EXPLICIT_BZERO || MEMSAFE_HAVE_MEMSET_S || defined(_WIN32)
  return ZeroLayer::kPlatform;
#elif defined(__GNUC__) || defined(__clang__)
  return ZeroLayer::kBarrier;
#else
  return ZeroLayer::kVolatile;
#endif
}

// Tells the installed log hook, once per hook, that a layer weaker than libsodium is in
// use: a hook installed after the first zeroing still hears about it.
void ReportLayerOnce(ZeroLayer layer) noexcept {
  if (layer == ZeroLayer::kSodium) return;
  const std::uint64_t bit = std::uint64_t{1} << static_cast<unsigned>(layer);
  const std::uint64_t generation = internal::LogHookGeneration();
  // After the first report this runs on every call: the loop returns on the plain
  // load, since a read-modify-write there would cost more than zeroing a small block.
  std::uint64_t seen = g_layers_reported.load(std::memory_order_relaxed);
  std::uint64_t next;
  do {
    const std::uint64_t bits = (seen >> 32) == generation ? seen & 0xffffffffu : 0;
    if (bits & bit) return;
    next = (generation << 32) | bits | bit;
  } while (!g_layers_reported.compare_exchange_weak(seen, next, std::memory_order_relaxed));
  const bool weak = layer == ZeroLayer::kBarrier || layer == ZeroLayer::kVolatile;
  // Built without allocating, so it is safe during static destruction.
  char message[160] = "secure_zero: using the ";
  std::strncat(message, ZeroLayerName(layer).data(), 40);
  std::strncat(
      message,
      weak ? " layer; neither libsodium nor a platform primitive is available" : " layer; libsodium is not available",
      sizeof message - std::strlen(message) - 1);
  Log(weak ? LogLevel::kWarning : LogLevel::kInfo, message);
}

void ZeroWith(ZeroLayer layer, void* data, std::size_t size) noexcept {
  switch (layer) {
    case ZeroLayer::kSodium:
#if MEMSAFE_HAVE_SODIUM
      sodium_memzero(data, size);
      return;
#else
      break;
#endif
    case ZeroLayer::kPlatform:
#if MEMSAFE_HAVE_EXPLICIT_BZERO
      explicit_bzero(data, size);
      return;
#elif MEMSAFE_HAVE_MEMSET_S
      // (void): memset_s fails only for a null pointer (checked by the callers) or a
      // size above RSIZE_MAX, which no object reaches.
      (void)memset_s(data, size, 0, size);
      return;
#elif defined(_WIN32)
      SecureZeroMemory(data, size);
      return;
#else
      break;
#endif
    case ZeroLayer::kBarrier:
#if defined(__GNUC__) || defined(__clang__)
      std::memset(data, 0, size);
      // The asm takes the pointer and clobbers memory: the compiler must assume the
      // zeroes are read, so it cannot drop the memset as a dead store.
      __asm__ __volatile__("" : : "r"(data) : "memory");
      return;
#else
      break;
#endif
    case ZeroLayer::kVolatile: {
      volatile unsigned char* bytes = static_cast<volatile unsigned char*>(data);
      for (std::size_t i = 0; i < size; ++i) bytes[i] = 0;
      return;
    }
  }
  internal::CheckFailed(__FILE__, __LINE__, "secure_zero: layer not available in this build");
}

}  // namespace

std::string_view ZeroLayerName(ZeroLayer layer) noexcept {
  switch (layer) {
    case ZeroLayer::kSodium:
      return "libsodium";
    case ZeroLayer::kPlatform:
#if MEMSAFE_HAVE_EXPLICIT_BZERO
      return "explicit_bzero";
#elif MEMSAFE_HAVE_MEMSET_S
      return "memset_s";
#elif defined(_WIN32)
      return "SecureZeroMemory";
#else
      return "platform";
#endif
    case ZeroLayer::kBarrier:
      return "memset+barrier";
    case ZeroLayer::kVolatile:
      return "volatile-loop";
  }
  return "unknown";
}

bool secure_zero_layer_available(ZeroLayer layer) noexcept {
  switch (layer) {
    case ZeroLayer::kSodium:
      return MEMSAFE_HAVE_SODIUM != 0;
    case ZeroLayer::kPlatform:
#if MEMSAFE_HAVE_EXPLICIT_BZERO || MEMSAFE_HAVE_MEMSET_S || defined(_WIN32)
      return true;
#else
      return false;
#endif
    case ZeroLayer::kBarrier:
#if defined(__GNUC__) || defined(__clang__)
      return true;
#else
      return false;
#endif
    case ZeroLayer::kVolatile:
      return true;
  }
  return false;
}

ZeroLayer secure_zero_layer() noexcept {
  const int forced = g_forced_layer.load(std::memory_order_relaxed);
  return forced == kNoForcedLayer ? StrongestAvailableLayer() : static_cast<ZeroLayer>(forced);
}

namespace internal {

constinit std::atomic<bool> secure_zero_inline{kAutomaticLayerIsInline};

void SecureZeroOutOfLine(void* data, std::size_t size) noexcept {
  if (size == 0) return;
  MEMSAFE_CHECK(data != nullptr, "secure_zero: null pointer with a non-zero size");
  const ZeroLayer layer = secure_zero_layer();
  ReportLayerOnce(layer);
  ZeroWith(layer, data, size);
}

}  // namespace internal

void secure_zero_with(ZeroLayer layer, void* data, std::size_t size) noexcept {
  MEMSAFE_CHECK(secure_zero_layer_available(layer), "secure_zero_with: that layer is not available in this build");
  if (size == 0) return;
  MEMSAFE_CHECK(data != nullptr, "secure_zero_with: null pointer with a non-zero size");
  ZeroWith(layer, data, size);
}

void secure_zero_force_layer(std::optional<ZeroLayer> layer) noexcept {
  if (layer) {
    MEMSAFE_CHECK(secure_zero_layer_available(*layer),
                  "secure_zero_force_layer: that layer is not available in this build");
  }
  g_forced_layer.store(layer ? static_cast<int>(*layer) : kNoForcedLayer, std::memory_order_relaxed);
  internal::secure_zero_inline.store(!layer && kAutomaticLayerIsInline, std::memory_order_relaxed);
}

}  // namespace memsafe
