#include "memsafe/secure_buffer.h"

#include <cstring>
#include <ostream>
#include <utility>

namespace memsafe {

SecureBuffer::SecureBuffer(std::size_t size, SecurePool& pool, Uninitialized) : size_(size), pool_(&pool) {
  if (size_ > 0) data_ = static_cast<std::byte*>(pool_->allocate(size_));
}

SecureBuffer::SecureBuffer(std::size_t size, SecurePool& pool) : SecureBuffer(size, pool, Uninitialized{}) {
  if (size_ > 0) std::memset(data_, 0, size_);
}

SecureBuffer SecureBuffer::CopyOf(std::span<const std::byte> bytes, SecurePool& pool) {
  // Every byte is written below: zero-filling first would write the block twice.
  SecureBuffer buffer(bytes.size(), pool, Uninitialized{});
  if (!bytes.empty()) std::memcpy(buffer.data_, bytes.data(), bytes.size());
  return buffer;
}

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      pool_(other.pool_),
      wiped_(std::exchange(other.wiped_, true)) {}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    zero();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    pool_ = other.pool_;
    wiped_ = std::exchange(other.wiped_, true);
  }
  return *this;
}

SecureBuffer::~SecureBuffer() { zero(); }

SecureBuffer SecureBuffer::clone() const {
  RequireReadable();
  return CopyOf(bytes(), pool_ != nullptr ? *pool_ : SecurePool::Default());
}

void SecureBuffer::RequireReadable() const {
  MEMSAFE_CHECK(!wiped_, "read of a wiped SecureBuffer/SecureString (after zero() or a move)");
}

std::byte* SecureBuffer::data() {
  RequireReadable();
  return data_;
}

const std::byte* SecureBuffer::data() const {
  RequireReadable();
  return data_;
}

void SecureBuffer::zero() noexcept {
  if (data_ != nullptr) {
    // SecurePool::deallocate zeroes the block (small and large alike) before anything
    // else can reuse it; zeroing here as well would only do the work twice.
    pool_->deallocate(data_, size_);
    data_ = nullptr;
  }
  size_ = 0;
  wiped_ = true;
}

bool SecureBuffer::equals(const SecureBuffer& other) const noexcept {
  if (wiped_ || other.wiped_) return wiped_ == other.wiped_;
  if (size_ != other.size_) return false;
  // Accumulate every difference, so the time does not depend on where the first one is.
  unsigned char difference = 0;
  for (std::size_t i = 0; i < size_; ++i) {
    difference |= static_cast<unsigned char>(data_[i] ^ other.data_[i]);
  }
  // The barrier keeps the compiler from turning the loop into an early-exit compare.
  __asm__ __volatile__("" : "+r"(difference));
  return difference == 0;
}

Result<SecureString> SecureString::FromUtf8(std::string_view utf8, SecurePool& pool) {
  if (!IsValidUtf8(utf8)) {
    return Status(StatusCode::kInvalidArgument, "SecureString: the text is not valid UTF-8");
  }
  SecureBuffer bytes(utf8.size() + 1, pool, SecureBuffer::Uninitialized{});
  if (!utf8.empty()) std::memcpy(bytes.data_, utf8.data(), utf8.size());
  bytes.data_[utf8.size()] = std::byte{0};
  return SecureString(std::move(bytes));
}

SecureString SecureString::clone() const { return SecureString(bytes_.clone()); }

std::string_view SecureString::view() const {
  if (bytes_.empty()) {
    (void)bytes_.data();  // still aborts when wiped; an empty string has no storage
    return {};
  }
  return {reinterpret_cast<const char*>(bytes_.data()), size()};
}

const char* SecureString::c_str() const {
  if (bytes_.empty()) {
    (void)bytes_.data();  // aborts when wiped
    return "";
  }
  return reinterpret_cast<const char*>(bytes_.data());
}

std::ostream& operator<<(std::ostream& out, const SecureBuffer&) { return out << "[REDACTED]"; }
std::ostream& operator<<(std::ostream& out, const SecureString&) { return out << "[REDACTED]"; }

bool IsValidUtf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char lead = *p;
    if (lead < 0x80) {
      ++p;
      continue;
    }
    std::size_t length;
    char32_t code;
    if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code = lead & 0x07;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) < length) return false;
    for (std::size_t i = 1; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    p += length;
  }
  return true;
}

}  // namespace memsafe
