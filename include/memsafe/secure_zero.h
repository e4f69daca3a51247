// memsafe/secure_zero.h: zeroing memory that held a secret, in a way no optimizer
// removes, on every machine.
//
// A plain memset before free() is dead code to the compiler, which may delete it.
// secure_zero() uses the strongest zeroing layer this build and machine offer, tried
// in this order:
//
//   1. libsodium's sodium_memzero   (when libsodium was found at configure time)
//   2. the platform's primitive     (explicit_bzero, memset_s or SecureZeroMemory)
//   3. memset plus a compiler barrier that takes the pointer as an operand
//   4. a byte loop through a volatile pointer (slow, but always available)
//
// It never throws and never fails silently: secure_zero_layer() names the layer in
// use, and the log hook (memsafe/log.h) is told once per installed hook and layer
// when secure_zero runs on anything but libsodium (kInfo for the platform primitive,
// kWarning for layers 3 and 4, which rely on compiler behaviour). A hook installed
// after the first zeroing still hears about it.
//
// Example:
//
//   unsigned char key[32];
//   DeriveKey(password, key);
//   UseKey(key);
//   memsafe::secure_zero(key, sizeof key);
//
// Thread-safety: all functions may be called from any thread at any time, including
// from destructors during static destruction.
//
// Failure: secure_zero(nullptr, n) with n > 0 is misuse and aborts with a message;
// secure_zero(nullptr, 0) does nothing.
#ifndef MEMSAFE_SECURE_ZERO_H_
#define MEMSAFE_SECURE_ZERO_H_

#include <atomic>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string_view>

namespace memsafe {

// The zeroing layers, strongest first.
enum class ZeroLayer {
  kSodium = 0,    // sodium_memzero
  kPlatform = 1,  // explicit_bzero / memset_s / SecureZeroMemory
  kBarrier = 2,   // memset + compiler barrier
  kVolatile = 3,  // volatile byte loop
};

// "libsodium", "explicit_bzero" (or the platform's function), "memset+barrier",
// "volatile-loop".
std::string_view ZeroLayerName(ZeroLayer layer) noexcept;

namespace internal {
// True while the layer in use is memset followed by a compiler barrier and has nothing
// to log: libsodium on glibc, whose sodium_memzero forwards to explicit_bzero, which is
// exactly that. Constant-initialized, so it is valid during static initialization and
// destruction; cleared while a test forces a layer.
extern std::atomic<bool> secure_zero_inline;
void SecureZeroOutOfLine(void* data, std::size_t size) noexcept;
}  // namespace internal

// Zeroes [data, data + size) with the layer secure_zero_layer() names.
//
// Inline, so that where the layer is memset plus a barrier the caller pays for memset
// alone (and the compiler turns a small constant size into a few stores): the asm takes
// the pointer and clobbers memory, so the zeroes must reach memory before it and no
// optimizer, with link-time optimization too, may drop them as dead stores.
inline void secure_zero(void* data, std::size_t size) noexcept {
#if defined(__GNUC__) || defined(__clang__)
  if (data != nullptr && internal::secure_zero_inline.load(std::memory_order_relaxed)) [[likely]] {
    std::memset(data, 0, size);
    __asm__ __volatile__("" : : "r"(data) : "memory");
    return;
  }
#endif
  internal::SecureZeroOutOfLine(data, size);
}

// The layer secure_zero() uses now: the strongest available one, unless a test forced
// another with secure_zero_force_layer().
ZeroLayer secure_zero_layer() noexcept;

// Whether this build and machine can use `layer`. Layers 3 and 4 are always available.
bool secure_zero_layer_available(ZeroLayer layer) noexcept;

// Zeroes with exactly `layer` (for tests and benchmarks of each layer). Using a layer
// that is not available is misuse and aborts.
void secure_zero_with(ZeroLayer layer, void* data, std::size_t size) noexcept;

// Makes secure_zero() use `layer` until called again; std::nullopt restores the
// automatic choice. For tests of the fallback paths. Aborts if `layer` is unavailable.
void secure_zero_force_layer(std::optional<ZeroLayer> layer) noexcept;

}  // namespace memsafe

#endif  // MEMSAFE_SECURE_ZERO_H_
