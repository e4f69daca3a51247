#include "memsafe/secure_zero.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"

namespace memsafe {
namespace {

constexpr ZeroLayer kAllLayers[] = {ZeroLayer::kSodium, ZeroLayer::kPlatform, ZeroLayer::kBarrier,
                                    ZeroLayer::kVolatile};

bool AllZero(const std::vector<unsigned char>& bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; });
}

TEST(SecureZeroTest, AvailabilityMatchesTheBuild) {
  EXPECT_EQ(secure_zero_layer_available(ZeroLayer::kSodium), MEMSAFE_TEST_HAVE_SODIUM != 0);
  EXPECT_EQ(secure_zero_layer_available(ZeroLayer::kPlatform), MEMSAFE_TEST_HAVE_EXPLICIT_BZERO != 0);
  EXPECT_TRUE(secure_zero_layer_available(ZeroLayer::kBarrier));
  EXPECT_TRUE(secure_zero_layer_available(ZeroLayer::kVolatile));
}

TEST(SecureZeroTest, DefaultIsTheStrongestAvailableLayer) {
  const ZeroLayer expected = MEMSAFE_TEST_HAVE_SODIUM ? ZeroLayer::kSodium : ZeroLayer::kPlatform;
  EXPECT_EQ(secure_zero_layer(), expected);
}

TEST(SecureZeroTest, EveryAvailableLayerZeroesEverySize) {
  for (ZeroLayer layer : kAllLayers) {
    if (!secure_zero_layer_available(layer)) continue;
    // 4 KiB already takes glibc memset's bulk path (rep stosb from 2 KiB); 64 KiB spans
    // many pages. A 1 MiB size added nothing but seconds under Valgrind.
    for (std::size_t size :
         {std::size_t{1}, std::size_t{7}, std::size_t{33}, std::size_t{4096}, std::size_t{64} << 10}) {
      // Zero the middle only: the bytes around it must keep their value.
      std::vector<unsigned char> bytes(size + 2, 0xAB);
      secure_zero_with(layer, bytes.data() + 1, size);
      EXPECT_EQ(bytes.front(), 0xAB) << ZeroLayerName(layer);
      EXPECT_EQ(bytes.back(), 0xAB) << ZeroLayerName(layer);
      bytes.front() = bytes.back() = 0;
      EXPECT_TRUE(AllZero(bytes)) << ZeroLayerName(layer) << " size " << size;
    }
  }
}

TEST(SecureZeroTest, ForcedLayerIsUsed) {
  for (ZeroLayer layer : kAllLayers) {
    if (!secure_zero_layer_available(layer)) continue;
    secure_zero_force_layer(layer);
    EXPECT_EQ(secure_zero_layer(), layer);
    std::vector<unsigned char> bytes(64, 0x5C);
    secure_zero(bytes.data(), bytes.size());
    EXPECT_TRUE(AllZero(bytes)) << ZeroLayerName(layer);
  }
  secure_zero_force_layer(std::nullopt);
  EXPECT_EQ(secure_zero_layer(), MEMSAFE_TEST_HAVE_SODIUM ? ZeroLayer::kSodium : ZeroLayer::kPlatform);
}

TEST(SecureZeroTest, DegradedLayerIsReportedOnceAsWarning) {
  testing::LogCapture log;
  secure_zero_force_layer(ZeroLayer::kVolatile);
  std::array<unsigned char, 16> bytes{};
  bytes.fill(1);
  secure_zero(bytes.data(), bytes.size());
  secure_zero(bytes.data(), bytes.size());
  secure_zero_force_layer(std::nullopt);
  EXPECT_EQ(log.CountContaining("volatile-loop"), 1);
  ASSERT_FALSE(log.entries().empty());
  EXPECT_EQ(log.entries().front().first, LogLevel::kWarning);
}

TEST(SecureZeroTest, EachInstalledHookHearsOfTheDegradedLayer) {
  std::array<unsigned char, 16> bytes{};
  secure_zero_force_layer(ZeroLayer::kVolatile);
  {
    testing::LogCapture first;
    secure_zero(bytes.data(), bytes.size());
    EXPECT_EQ(first.CountContaining("volatile-loop"), 1);
  }
  // A hook installed after the first report (for example once logging is set up,
  // after static initialisation already zeroed something) is told too.
  testing::LogCapture second;
  secure_zero(bytes.data(), bytes.size());
  secure_zero(bytes.data(), bytes.size());
  secure_zero_force_layer(std::nullopt);
  EXPECT_EQ(second.CountContaining("volatile-loop"), 1);
}

TEST(SecureZeroTest, BarrierLayerIsReportedAsWarning) {
  testing::LogCapture log;
  secure_zero_force_layer(ZeroLayer::kBarrier);
  std::array<unsigned char, 16> bytes{};
  secure_zero(bytes.data(), bytes.size());
  secure_zero_force_layer(std::nullopt);
  EXPECT_EQ(log.CountContaining("memset+barrier"), 1);
}

TEST(SecureZeroTest, SodiumLayerIsNotReported) {
  if (!secure_zero_layer_available(ZeroLayer::kSodium)) GTEST_SKIP() << "built without libsodium";
  testing::LogCapture log;
  std::array<unsigned char, 16> bytes{};
  secure_zero(bytes.data(), bytes.size());
  EXPECT_EQ(log.CountContaining("secure_zero"), 0);
}

TEST(SecureZeroTest, NullWithZeroSizeDoesNothing) {
  secure_zero(nullptr, 0);
  for (ZeroLayer layer : kAllLayers) {
    if (secure_zero_layer_available(layer)) secure_zero_with(layer, nullptr, 0);
  }
}

TEST(SecureZeroDeathTest, NullWithSizeAborts) {
  EXPECT_DEATH(secure_zero(nullptr, 1), "secure_zero: null pointer with a non-zero size");
}

TEST(SecureZeroDeathTest, UnavailableLayerAborts) {
  if (secure_zero_layer_available(ZeroLayer::kSodium)) GTEST_SKIP() << "every layer is available";
  EXPECT_DEATH(secure_zero_force_layer(ZeroLayer::kSodium), "not available in this build");
}

}  // namespace
}  // namespace memsafe
