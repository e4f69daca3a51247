#include "memsafe/secure_buffer.h"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace memsafe {
namespace {

std::span<const std::byte> AsBytes(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

bool AllZero(const unsigned char* bytes, std::size_t size) {
  return std::all_of(bytes, bytes + size, [](unsigned char b) { return b == 0; });
}

TEST(SecureBufferTest, StartsZeroFilled) {
  SecureBuffer buffer(48);
  EXPECT_EQ(buffer.size(), 48u);
  EXPECT_FALSE(buffer.wiped());
  for (std::byte b : buffer.bytes()) EXPECT_EQ(b, std::byte{0});
}

TEST(SecureBufferTest, DefaultIsEmptyAndReadable) {
  SecureBuffer buffer;
  EXPECT_TRUE(buffer.empty());
  EXPECT_FALSE(buffer.wiped());
  EXPECT_TRUE(buffer.bytes().empty());
}

TEST(SecureBufferTest, CopyOfCopiesTheBytes) {
  SecureBuffer buffer = SecureBuffer::CopyOf(AsBytes("key material"));
  ASSERT_EQ(buffer.size(), 12u);
  EXPECT_EQ(std::memcmp(buffer.data(), "key material", 12), 0);
}

TEST(SecureBufferTest, MoveLeavesTheSourceWipedAndEmpty) {
  SecureBuffer source = SecureBuffer::CopyOf(AsBytes("secret"));
  SecureBuffer target = std::move(source);
  EXPECT_TRUE(source.wiped());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(source.size(), 0u);
  EXPECT_EQ(target.size(), 6u);

  SecureBuffer other = SecureBuffer::CopyOf(AsBytes("other"));
  other = std::move(target);
  EXPECT_TRUE(target.wiped());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(std::memcmp(other.data(), "secret", 6), 0);
}

TEST(SecureBufferTest, CloneIsAnIndependentCopy) {
  SecureBuffer original = SecureBuffer::CopyOf(AsBytes("abc"));
  SecureBuffer copy = original.clone();
  copy.data()[0] = std::byte{'x'};
  EXPECT_EQ(static_cast<char>(original.data()[0]), 'a');
  EXPECT_NE(original.data(), copy.data());
}

TEST(SecureBufferTest, ZeroIsIdempotent) {
  SecureBuffer buffer = SecureBuffer::CopyOf(AsBytes("secret"));
  buffer.zero();
  EXPECT_TRUE(buffer.wiped());
  EXPECT_EQ(buffer.size(), 0u);
  buffer.zero();
  EXPECT_TRUE(buffer.wiped());
}

TEST(SecureBufferTest, ZeroesItsMemoryOnDestruction) {
  SecurePool pool;
  const unsigned char* where;
  {
    SecureBuffer buffer = SecureBuffer::CopyOf(AsBytes("0123456789abcdef0123456789abcdef"), pool);
    where = reinterpret_cast<const unsigned char*>(buffer.data());
  }
  unsigned char after[32];
  SecurePool::PeekReleasedForTesting(where, sizeof after, after);
  EXPECT_TRUE(AllZero(after, sizeof after));
  EXPECT_EQ(pool.stats().used_bytes, 0u);
}

TEST(SecureBufferTest, EqualsComparesContentAndSize) {
  SecureBuffer a = SecureBuffer::CopyOf(AsBytes("same bytes"));
  SecureBuffer b = SecureBuffer::CopyOf(AsBytes("same bytes"));
  SecureBuffer c = SecureBuffer::CopyOf(AsBytes("same bytez"));
  SecureBuffer d = SecureBuffer::CopyOf(AsBytes("same"));
  EXPECT_TRUE(a.equals(b));
  EXPECT_FALSE(a.equals(c));
  EXPECT_FALSE(a.equals(d));
  b.zero();
  EXPECT_FALSE(a.equals(b));
  c.zero();
  EXPECT_TRUE(b.equals(c));  // two wiped buffers hold the same nothing
}

TEST(SecureBufferTest, PrintsRedacted) {
  SecureBuffer buffer = SecureBuffer::CopyOf(AsBytes("hunter2"));
  std::ostringstream out;
  out << buffer;
  EXPECT_EQ(out.str(), "[REDACTED]");
}

TEST(SecureBufferDeathTest, ReadAfterZeroAborts) {
  SecureBuffer buffer(8);
  buffer.zero();
  EXPECT_DEATH((void)buffer.data(), "read of a wiped SecureBuffer");
}

TEST(SecureBufferDeathTest, ReadAfterMoveAborts) {
  SecureBuffer buffer(8);
  SecureBuffer taken = std::move(buffer);
  EXPECT_DEATH((void)buffer.bytes(), "read of a wiped SecureBuffer");  // NOLINT(bugprone-use-after-move)
}

TEST(SecureStringTest, HoldsValidUtf8) {
  Result<SecureString> text = SecureString::FromUtf8("pässwörd ✓ 🔑");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->view(), "pässwörd ✓ 🔑");
  EXPECT_STREQ(text->c_str(), "pässwörd ✓ 🔑");
  EXPECT_EQ(text->size(), std::string_view("pässwörd ✓ 🔑").size());
}

TEST(SecureStringTest, EmptyTextIsFine) {
  Result<SecureString> text = SecureString::FromUtf8("");
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(text->empty());
  EXPECT_EQ(text->view(), "");
  EXPECT_STREQ(text->c_str(), "");
}

TEST(SecureStringTest, RejectsMalformedUtf8WithoutQuotingIt) {
  for (std::string_view bad : {std::string_view("\xC0\xAF"),          // overlong '/'
                               std::string_view("\xED\xA0\x80"),      // surrogate
                               std::string_view("abc\xE2\x82"),       // cut short
                               std::string_view("\xF4\x90\x80\x80"),  // above U+10FFFF
                               std::string_view("\xFF")}) {
    Result<SecureString> text = SecureString::FromUtf8(bad);
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(text.status().message().find(bad), std::string::npos);
  }
}

TEST(SecureStringTest, PrintsRedactedNotContentOrLength) {
  SecureString text = std::move(SecureString::FromUtf8("correct horse battery staple")).value();
  std::ostringstream out;
  out << "password=" << text;
  EXPECT_EQ(out.str(), "password=[REDACTED]");
}

TEST(SecureStringTest, MoveCloneZeroEquals) {
  SecureString text = std::move(SecureString::FromUtf8("s3cr3t")).value();
  SecureString copy = text.clone();
  EXPECT_TRUE(copy.equals(text));
  SecureString moved = std::move(text);
  EXPECT_TRUE(text.wiped());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(moved.equals(copy));
  moved.zero();
  moved.zero();
  EXPECT_TRUE(moved.wiped());
  EXPECT_FALSE(moved.equals(copy));
}

TEST(SecureStringTest, MillionLifecyclesLeaveNothingBehind) {
  SecurePool pool;
  for (int i = 0; i < 1000000; ++i) {
    Result<SecureString> text = SecureString::FromUtf8("session-token-0123456789", pool);
    ASSERT_TRUE(text.ok());
  }
  EXPECT_EQ(pool.stats().used_bytes, 0u);
  EXPECT_EQ(pool.stats().chunks, 1u);  // reused, not grown
}

TEST(SecureStringDeathTest, ViewAfterZeroAborts) {
  SecureString text = std::move(SecureString::FromUtf8("abc")).value();
  text.zero();
  EXPECT_DEATH((void)text.view(), "read of a wiped");
  EXPECT_DEATH((void)text.c_str(), "read of a wiped");
}

TEST(Utf8Test, ValidatesBoundaries) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("\x7F"));
  EXPECT_TRUE(IsValidUtf8("\xC2\x80"));
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBF"));
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));
}

}  // namespace
}  // namespace memsafe
