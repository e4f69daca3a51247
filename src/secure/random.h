// Cryptographically secure random bytes for memsafe's own use (canaries, wipe
// patterns, file names).
#ifndef MEMSAFE_SRC_SECURE_RANDOM_H_
#define MEMSAFE_SRC_SECURE_RANDOM_H_

#include <cstddef>
#include <string>

#include "memsafe/status.h"

namespace memsafe::internal {

// Fills [data, data + size) from the system CSPRNG (getrandom, or libsodium's
// randombytes_buf when memsafe is built with libsodium). Retries on EINTR.
Status FillRandom(void* data, std::size_t size) noexcept;

// Random bytes in bulk, for overwriting files: keyed once from the system CSPRNG, then
// ChaCha20 (libsodium's IETF variant, each 64 KiB block under its own nonce) at memory
// speed instead of one CSPRNG call per block. Without libsodium every Fill is
// FillRandom. The key is zeroed when the stream goes.
//
// Thread-safety: one stream per thread. Failure: Init or Fill returns the CSPRNG's error.
class NoiseStream {
 public:
  NoiseStream() = default;
  NoiseStream(const NoiseStream&) = delete;
  NoiseStream& operator=(const NoiseStream&) = delete;
  ~NoiseStream();

  [[nodiscard]] Status Init() noexcept;
  [[nodiscard]] Status Fill(void* data, std::size_t size) noexcept;

 private:
  unsigned char key_[32] = {};
  unsigned long long counter_ = 0;
  bool keyed_ = false;
};

// `bytes` random bytes (at most 32) as lower-case hex, for unguessable file names.
Result<std::string> RandomHex(std::size_t bytes);

}  // namespace memsafe::internal

#endif  // MEMSAFE_SRC_SECURE_RANDOM_H_
