#include "random.h"

#include <sys/random.h>

#include <cerrno>

#include "memsafe/secure_zero.h"

#if MEMSAFE_HAVE_SODIUM
#include <sodium.h>
#endif

namespace memsafe::internal {

Status FillRandom(void* data, std::size_t size) noexcept {
  if (size == 0) return Status::Ok();
  MEMSAFE_CHECK(data != nullptr, "FillRandom: null pointer with a non-zero size");
#if MEMSAFE_HAVE_SODIUM
  // sodium_init is idempotent and thread-safe; it fails only without any entropy source.
  if (sodium_init() >= 0) {
    randombytes_buf(data, size);
    return Status::Ok();
  }
#endif
  auto* bytes = static_cast<unsigned char*>(data);
  std::size_t filled = 0;
  while (filled < size) {
    const ssize_t got = getrandom(bytes + filled, size - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      try {
        return Status::FromErrno(errno, "getrandom");
      } catch (...) {
        return Status(StatusCode::kIoError, std::string());
      }
    }
    filled += static_cast<std::size_t>(got);
  }
  return Status::Ok();
}

NoiseStream::~NoiseStream() { secure_zero(key_, sizeof key_); }

Status NoiseStream::Init() noexcept {
#if MEMSAFE_HAVE_SODIUM
  if (sodium_init() >= 0) {
    Status status = FillRandom(key_, sizeof key_);
    keyed_ = status.ok();
    return status;
  }
#endif
  return Status::Ok();  // no stream cipher: Fill draws from the CSPRNG directly
}

Status NoiseStream::Fill(void* data, std::size_t size) noexcept {
#if MEMSAFE_HAVE_SODIUM
  if (keyed_) {
    static_assert(crypto_stream_chacha20_ietf_NONCEBYTES == 12, "a 96-bit nonce holds the block counter");
    unsigned char nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {};
    // A fresh nonce per call under one key: the keystreams never overlap.
    const unsigned long long counter = counter_++;
    for (std::size_t i = 0; i < sizeof counter; ++i) nonce[i] = static_cast<unsigned char>(counter >> (8 * i));
    // (void): fails only for a length beyond crypto_stream_chacha20_ietf_MESSAGEBYTES_MAX
    // (256 GiB), far above any block a caller passes.
    (void)crypto_stream_chacha20_ietf(static_cast<unsigned char*>(data), size, nonce, key_);
    return Status::Ok();
  }
#endif
  return FillRandom(data, size);
}

Result<std::string> RandomHex(std::size_t bytes) {
  MEMSAFE_CHECK(bytes <= 32, "RandomHex: at most 32 bytes");
  unsigned char random[32];
  Status status = FillRandom(random, bytes);
  if (!status.ok()) return status;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < bytes; ++i) {
    text += kHex[random[i] >> 4];
    text += kHex[random[i] & 0xF];
  }
  return text;
}

}  // namespace memsafe::internal
