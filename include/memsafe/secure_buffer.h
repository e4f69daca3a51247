// memsafe/secure_buffer.h: owning containers for secret bytes (SecureBuffer) and
// secret UTF-8 text (SecureString).
//
// Both keep their content in SecurePool memory (locked, out of core dumps, zeroed on
// release) and never in a std::string, whose small-string buffer would copy a short
// secret into the object itself, where no allocator can zero it. They are built to
// make accidental disclosure hard:
//   - copying is explicit: clone(); there is no copy constructor;
//   - a move leaves the source wiped and empty;
//   - zero() wipes the content and releases the storage; it is idempotent;
//   - printing with operator<< shows "[REDACTED]", never the content or its length;
//   - equals() takes the same time whatever the content (it does reveal whether the
//     sizes differ);
//   - the destructor zeroes, never throws.
//
// Reading a wiped object (after zero() or after it was moved from) is misuse: data(),
// bytes(), view() and c_str() abort with a message, in every build type. size() and
// wiped() may always be called.
//
// Example:
//
//   memsafe::Result<memsafe::SecureString> password =
//       memsafe::SecureString::FromUtf8(ReadPasswordFromTerminal());
//   if (!password.ok()) return password.status();        // not valid UTF-8
//   std::cout << "using " << *password << '\n';           // "using [REDACTED]"
//   Authenticate(password->view());
//   password->zero();                                     // or let it go out of scope
//
// Thread-safety: like a std::string: const members may be called concurrently;
// anything that changes an object needs exclusive access to it.
//
// Failure: construction throws std::bad_alloc when memory runs out; FromUtf8 returns
// kInvalidArgument for text that is not UTF-8 (the message never quotes the text).
#ifndef MEMSAFE_SECURE_BUFFER_H_
#define MEMSAFE_SECURE_BUFFER_H_

#include <cstddef>
#include <iosfwd>
#include <span>
#include <string_view>

#include "memsafe/secure_pool.h"
#include "memsafe/status.h"

namespace memsafe {

class SecureBuffer {
 public:
  // An empty buffer (not wiped: reading it gives an empty span).
  SecureBuffer() noexcept = default;
  // `size` zero bytes, from `pool`.
  explicit SecureBuffer(std::size_t size, SecurePool& pool = SecurePool::Default());
  // A copy of `bytes`.
  static SecureBuffer CopyOf(std::span<const std::byte> bytes, SecurePool& pool = SecurePool::Default());

  SecureBuffer(SecureBuffer&& other) noexcept;
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;
  ~SecureBuffer();

  // An independent copy, from the same pool. Cloning a wiped buffer aborts.
  SecureBuffer clone() const;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  bool wiped() const noexcept { return wiped_; }

  std::byte* data();
  const std::byte* data() const;
  std::span<std::byte> bytes() { return {data(), size_}; }
  std::span<const std::byte> bytes() const { return {data(), size_}; }

  // Zeroes the content, releases the storage and marks the buffer wiped.
  void zero() noexcept;

  // Same size and same bytes, compared in time independent of the content.
  bool equals(const SecureBuffer& other) const noexcept;

 private:
  friend class SecureString;
  struct Uninitialized {};
  // Storage for `size` bytes that the caller writes in full before anyone reads them.
  SecureBuffer(std::size_t size, SecurePool& pool, Uninitialized);
  void RequireReadable() const;

  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  SecurePool* pool_ = nullptr;
  bool wiped_ = false;
};

class SecureString {
 public:
  // An empty string (not wiped).
  SecureString() noexcept = default;
  // A copy of `utf8`, or kInvalidArgument if it is not well-formed UTF-8.
  static Result<SecureString> FromUtf8(std::string_view utf8, SecurePool& pool = SecurePool::Default());

  SecureString(SecureString&& other) noexcept = default;
  SecureString& operator=(SecureString&& other) noexcept = default;
  SecureString(const SecureString&) = delete;
  SecureString& operator=(const SecureString&) = delete;
  ~SecureString() = default;

  SecureString clone() const;

  // Bytes, not characters.
  std::size_t size() const noexcept { return bytes_.empty() ? 0 : bytes_.size() - 1; }
  bool empty() const noexcept { return size() == 0; }
  bool wiped() const noexcept { return bytes_.wiped(); }

  // The text. Valid until the string is zeroed, moved from or destroyed; do not copy
  // it into ordinary memory.
  std::string_view view() const;
  // NUL-terminated, for C APIs.
  const char* c_str() const;

  void zero() noexcept { bytes_.zero(); }
  bool equals(const SecureString& other) const noexcept { return bytes_.equals(other.bytes_); }

 private:
  explicit SecureString(SecureBuffer bytes) noexcept : bytes_(std::move(bytes)) {}

  SecureBuffer bytes_;  // the text plus a NUL, or empty
};

// Both print "[REDACTED]".
std::ostream& operator<<(std::ostream& out, const SecureBuffer& buffer);
std::ostream& operator<<(std::ostream& out, const SecureString& text);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or values above
// U+10FFFF).
bool IsValidUtf8(std::string_view text) noexcept;

}  // namespace memsafe

#endif  // MEMSAFE_SECURE_BUFFER_H_
