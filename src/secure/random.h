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

// `bytes` random bytes (at most 32) as lower-case hex, for unguessable file names.
Result<std::string> RandomHex(std::size_t bytes);

}  // namespace memsafe::internal

#endif  // MEMSAFE_SRC_SECURE_RANDOM_H_
