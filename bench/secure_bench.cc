// Benchmarks of the secure-memory library, each beside its baseline from the same run:
//   secure_zero per layer      vs memset, both as the compiler inlines it for a known
//                              small size and as a call into the C library; plus each
//                              layer's primitive called directly (no memsafe code),
//                              which bounds what the layer can reach
//   SecurePool alloc+free      vs malloc/free and malloc/explicit_bzero/free, 32 B to
//                              64 KiB; with two threads at once; with a million (or
//                              100,000) blocks live vs one; and against the other
//                              secure allocators found at configure: sodium_malloc,
//                              Botan 2's allocate_memory (its locking allocator),
//                              OpenSSL's secure heap
//   SecureString               vs std::string
//   wipe_file                  vs writing the same bytes and fdatasync
//
// Run: build/release/bench/memsafe_secure_bench   (after cmake --workflow --preset release)
// The file figures depend on the disk more than on this code: compare them with
// --benchmark_repetitions=12 --benchmark_enable_random_interleaving=true, so the
// baseline and wipe_file share the disk's good and bad moments.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "memsafe/secure_buffer.h"
#include "memsafe/secure_file.h"
#include "memsafe/secure_pool.h"
#include "memsafe/secure_zero.h"
#include "ratio_reporter.h"

#if MEMSAFE_BENCH_HAVE_SODIUM
#include <sodium.h>
#endif
#if MEMSAFE_BENCH_HAVE_BOTAN
#include <botan/mem_ops.h>
#endif
#if MEMSAFE_BENCH_HAVE_OPENSSL
#include <openssl/crypto.h>
#endif

namespace memsafe::bench {
namespace {

constexpr std::size_t kSizes[] = {32, 256, 4096, std::size_t{1} << 20, std::size_t{64} << 20};
constexpr ZeroLayer kLayers[] = {ZeroLayer::kSodium, ZeroLayer::kPlatform, ZeroLayer::kBarrier, ZeroLayer::kVolatile};

std::string SizeName(std::size_t size) {
  if (size >= (std::size_t{1} << 20)) return std::to_string(size >> 20) + "MiB";
  if (size >= 1024) return std::to_string(size >> 10) + "KiB";
  return std::to_string(size) + "B";
}

void ZeroWithMemset(benchmark::State& state, std::size_t size) {
  std::vector<unsigned char> buffer(size, 1);
  for (auto _ : state) {
    std::memset(buffer.data(), 0, size);
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

// memset as a call into the C library, as every secure layer must be: through a
// volatile function pointer, so the compiler cannot inline it into a few stores.
void* (*volatile g_library_memset)(void*, int, std::size_t) = &std::memset;

void ZeroWithLibraryMemset(benchmark::State& state, std::size_t size) {
  std::vector<unsigned char> buffer(size, 1);
  for (auto _ : state) {
    g_library_memset(buffer.data(), 0, size);
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

// secure_zero as a caller uses it: the automatic layer choice.
void ZeroDefault(benchmark::State& state, std::size_t size) {
  std::vector<unsigned char> buffer(size, 1);
  for (auto _ : state) {
    secure_zero(buffer.data(), size);
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

void ZeroWithLayer(benchmark::State& state, ZeroLayer layer, std::size_t size) {
  std::vector<unsigned char> buffer(size, 1);
  for (auto _ : state) {
    secure_zero_with(layer, buffer.data(), size);
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

// The primitives under the layers, called directly from the loop: what is left of a
// layer's cost once memsafe's own dispatch is taken away.
void ZeroWithPrimitive(benchmark::State& state, void (*zero)(void*, std::size_t), std::size_t size) {
  std::vector<unsigned char> buffer(size, 1);
  for (auto _ : state) {
    zero(buffer.data(), size);
    benchmark::DoNotOptimize(buffer.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

// memset and the barrier written inline in the caller: the fastest a layer-3 zeroing
// can be, which needs the compiler to see it at the call site.
void ZeroWithInlineBarrier(benchmark::State& state, std::size_t size) {
  std::vector<unsigned char> buffer(size, 1);
  for (auto _ : state) {
    std::memset(buffer.data(), 0, size);
    __asm__ __volatile__("" : : "r"(buffer.data()) : "memory");
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

void AllocMalloc(benchmark::State& state, std::size_t size) {
  for (auto _ : state) {
    void* p = std::malloc(size);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
}

// The unsafe baseline of a secret's lifetime: heap memory zeroed before it is freed.
void AllocMallocZeroFree(benchmark::State& state, std::size_t size) {
  for (auto _ : state) {
    void* p = std::malloc(size);
    benchmark::DoNotOptimize(p);
    explicit_bzero(p, size);
    std::free(p);
  }
}

void AllocSecurePool(benchmark::State& state, std::size_t size) {
  SecurePool& pool = SecurePool::Default();
  for (auto _ : state) {
    void* p = pool.allocate(size);
    benchmark::DoNotOptimize(p);
    pool.deallocate(p, size);
  }
}

// One block allocated and released while `live` others of the same size stay allocated
// (in the same pool, its own, so they do not linger into the next run): a pool whose
// bookkeeping grows with the blocks in use (a search for a block's chunk) shows it here.
void AllocSecurePoolWithLive(benchmark::State& state, std::size_t size, std::size_t live) {
  SecurePool pool;
  std::vector<void*> held;
  held.reserve(live);
  for (std::size_t i = 0; i < live; ++i) held.push_back(pool.allocate(size));
  for (auto _ : state) {
    void* p = pool.allocate(size);
    benchmark::DoNotOptimize(p);
    pool.deallocate(p, size);
  }
  for (void* block : held) pool.deallocate(block, size);
}

void AllocMallocWithLive(benchmark::State& state, std::size_t size, std::size_t live) {
  std::vector<void*> held;
  held.reserve(live);
  for (std::size_t i = 0; i < live; ++i) held.push_back(std::malloc(size));
  for (auto _ : state) {
    void* p = std::malloc(size);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
  for (void* block : held) std::free(block);
}

#if MEMSAFE_BENCH_HAVE_BOTAN
// Botan 2's secure allocation: its mlock'ed pool when the locking allocator is built in,
// zeroed on release.
void AllocBotan(benchmark::State& state, std::size_t size) {
  for (auto _ : state) {
    void* p = Botan::allocate_memory(1, size);
    benchmark::DoNotOptimize(p);
    Botan::deallocate_memory(p, 1, size);
  }
}

#endif

#if MEMSAFE_BENCH_HAVE_OPENSSL
// OpenSSL's secure heap (CRYPTO_secure_malloc_init in main): one global lock.
void AllocOpenssl(benchmark::State& state, std::size_t size) {
  for (auto _ : state) {
    void* p = OPENSSL_secure_malloc(size);
    benchmark::DoNotOptimize(p);
    OPENSSL_secure_clear_free(p, size);
  }
}

#endif

#if MEMSAFE_BENCH_HAVE_SODIUM
void AllocSodium(benchmark::State& state, std::size_t size) {
  for (auto _ : state) {
    void* p = sodium_malloc(size);
    benchmark::DoNotOptimize(p);
    sodium_free(p);
  }
}
#endif

const char kText[] = "correct horse battery staple, twice: correct horse battery staple";

void StringStd(benchmark::State& state, std::size_t length) {
  for (auto _ : state) {
    std::string text(kText, length);
    benchmark::DoNotOptimize(text.data());
  }
}

void StringSecure(benchmark::State& state, std::size_t length) {
  for (auto _ : state) {
    Result<SecureString> text = SecureString::FromUtf8(std::string_view(kText, length));
    benchmark::DoNotOptimize(&text);
  }
}

std::string BenchFile() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/memsafe-bench-" + std::to_string(getpid());
}

void WriteAll(const std::string& path, const std::vector<unsigned char>& bytes, bool sync) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
      (sync && fdatasync(fd) != 0)) {
    std::abort();
  }
  close(fd);
}

void FileWriteSync(benchmark::State& state, std::size_t size) {
  const std::string path = BenchFile();
  std::vector<unsigned char> bytes(size, 'x');
  for (auto _ : state) WriteAll(path, bytes, /*sync=*/true);
  unlink(path.c_str());
}

void FileWipe(benchmark::State& state, std::size_t size) {
  const std::string path = BenchFile();
  std::vector<unsigned char> bytes(size, 'x');
  for (auto _ : state) {
    state.PauseTiming();
    // Synced, as the baseline's file is when it writes over it again, and as a secret
    // file is that lived long enough to be wiped: otherwise the timed fdatasync would
    // also commit this file's creation and first allocation (measured: its fdatasync
    // 5.8 ms instead of 3.4 ms for 4 MiB).
    WriteAll(path, bytes, /*sync=*/true);
    state.ResumeTiming();
    if (!wipe_file(path).ok()) state.SkipWithError("wipe_file failed");
  }
}

}  // namespace
}  // namespace memsafe::bench

int main(int argc, char** argv) {
  using namespace memsafe;
  using namespace memsafe::bench;
  std::vector<Comparison> comparisons;
  for (std::size_t size : kSizes) {
    const std::string base = "zero/memset/" + SizeName(size);
    const std::string call = "zero/memset-call/" + SizeName(size);
    benchmark::RegisterBenchmark(base.c_str(), ZeroWithMemset, size);
    benchmark::RegisterBenchmark(call.c_str(), ZeroWithLibraryMemset, size);
    const std::string automatic = "zero/secure_zero/" + SizeName(size);
    benchmark::RegisterBenchmark(automatic.c_str(), ZeroDefault, size);
    comparisons.push_back({automatic, call, true});
    for (ZeroLayer layer : kLayers) {
      if (!secure_zero_layer_available(layer)) continue;
      const std::string name = "zero/" + std::string(ZeroLayerName(layer)) + "/" + SizeName(size);
      benchmark::RegisterBenchmark(name.c_str(), ZeroWithLayer, layer, size);
      comparisons.push_back({name, base, true});
      comparisons.push_back({name, call, true});
    }
    std::vector<std::pair<std::string, void (*)(void*, std::size_t)>> primitives;
#if MEMSAFE_BENCH_HAVE_SODIUM
    primitives.emplace_back("sodium_memzero", &sodium_memzero);
#endif
#if MEMSAFE_BENCH_HAVE_EXPLICIT_BZERO
    primitives.emplace_back("explicit_bzero", &explicit_bzero);
#endif
    for (const auto& [label, zero] : primitives) {
      const std::string name = "zero/direct-" + label + "/" + SizeName(size);
      benchmark::RegisterBenchmark(name.c_str(), ZeroWithPrimitive, zero, size);
      comparisons.push_back({name, call, true});
    }
    const std::string inline_name = "zero/inline-memset+barrier/" + SizeName(size);
    benchmark::RegisterBenchmark(inline_name.c_str(), ZeroWithInlineBarrier, size);
    comparisons.push_back({inline_name, call, true});
  }
  for (std::size_t size : {std::size_t{32}, std::size_t{4096}, std::size_t{64 * 1024}}) {
    const std::string malloc_name = "alloc/malloc+free/" + SizeName(size);
    const std::string zeroed_name = "alloc/malloc+explicit_bzero+free/" + SizeName(size);
    const std::string pool_name = "alloc/SecurePool/" + SizeName(size);
    benchmark::RegisterBenchmark(malloc_name.c_str(), AllocMalloc, size);
    benchmark::RegisterBenchmark(zeroed_name.c_str(), AllocMallocZeroFree, size);
    benchmark::RegisterBenchmark(pool_name.c_str(), AllocSecurePool, size);
    comparisons.push_back({pool_name, malloc_name, false});
    comparisons.push_back({pool_name, zeroed_name, false});
  }
  // Two threads allocating and releasing at once (per-operation times are wall time over
  // both threads' operations).
  benchmark::RegisterBenchmark("alloc/malloc+free/32B", AllocMalloc, 32)->Threads(2);
  benchmark::RegisterBenchmark("alloc/SecurePool/32B", AllocSecurePool, 32)->Threads(2);
  comparisons.push_back({"alloc/SecurePool/32B/threads:2", "alloc/malloc+free/32B/threads:2", false});
  comparisons.push_back({"alloc/SecurePool/32B/threads:2", "alloc/SecurePool/32B", false});
  // The cost with many blocks live, against the same pool with one live block.
  using SizeAndLive = std::pair<std::size_t, std::size_t>;
  for (const auto& [size, live] : {SizeAndLive{32, 1000000}, SizeAndLive{2048, 100000}}) {
    const std::string one = "alloc/SecurePool-1-live/" + SizeName(size);
    const std::string many = "alloc/SecurePool-" + std::to_string(live) + "-live/" + SizeName(size);
    const std::string malloc_many = "alloc/malloc-" + std::to_string(live) + "-live/" + SizeName(size);
    benchmark::RegisterBenchmark(one.c_str(), AllocSecurePoolWithLive, size, std::size_t{1});
    benchmark::RegisterBenchmark(many.c_str(), AllocSecurePoolWithLive, size, live);
    benchmark::RegisterBenchmark(malloc_many.c_str(), AllocMallocWithLive, size, live);
    comparisons.push_back({many, one, false});
    comparisons.push_back({many, malloc_many, false});
  }
  // Other secure allocators and scrubbers, when configure found them.
#if MEMSAFE_BENCH_HAVE_SODIUM
  if (sodium_init() >= 0) {
    benchmark::RegisterBenchmark("alloc/sodium_malloc+free/32B", AllocSodium, 32);
    comparisons.push_back({"alloc/SecurePool/32B", "alloc/sodium_malloc+free/32B", false});
  }
#else
  std::printf("baseline libsodium: absent (install libsodium-dev and reconfigure)\n");
#endif
#if MEMSAFE_BENCH_HAVE_BOTAN
  for (std::size_t size : {std::size_t{32}, std::size_t{4096}}) {
    const std::string name = "alloc/Botan-allocate_memory/" + SizeName(size);
    benchmark::RegisterBenchmark(name.c_str(), AllocBotan, size);
    comparisons.push_back({"alloc/SecurePool/" + SizeName(size), name, false});
  }
  benchmark::RegisterBenchmark("alloc/Botan-allocate_memory/32B", AllocBotan, 32)->Threads(2);
  comparisons.push_back({"alloc/SecurePool/32B/threads:2", "alloc/Botan-allocate_memory/32B/threads:2", false});
  for (std::size_t size : {std::size_t{32}, std::size_t{256}, std::size_t{4096}}) {
    const std::string name = "zero/Botan-secure_scrub_memory/" + SizeName(size);
    benchmark::RegisterBenchmark(name.c_str(), ZeroWithPrimitive, &Botan::secure_scrub_memory, size);
    comparisons.push_back({"zero/secure_zero/" + SizeName(size), name, true});
  }
#else
  std::printf("baseline Botan 2: absent (install libbotan-2-dev and reconfigure)\n");
#endif
#if MEMSAFE_BENCH_HAVE_OPENSSL
  if (CRYPTO_secure_malloc_init(std::size_t{1} << 24, 16) == 1) {
    for (std::size_t size : {std::size_t{32}, std::size_t{4096}}) {
      const std::string name = "alloc/OpenSSL-secure_malloc/" + SizeName(size);
      benchmark::RegisterBenchmark(name.c_str(), AllocOpenssl, size);
      comparisons.push_back({"alloc/SecurePool/" + SizeName(size), name, false});
    }
  } else {
    std::printf("baseline OpenSSL secure heap: CRYPTO_secure_malloc_init failed (RLIMIT_MEMLOCK?)\n");
  }
  for (std::size_t size : {std::size_t{32}, std::size_t{256}}) {
    const std::string name = "zero/OPENSSL_cleanse/" + SizeName(size);
    benchmark::RegisterBenchmark(name.c_str(), ZeroWithPrimitive, &OPENSSL_cleanse, size);
    comparisons.push_back({"zero/secure_zero/" + SizeName(size), name, true});
  }
#else
  std::printf("baseline OpenSSL: absent (install libssl-dev and reconfigure)\n");
#endif
  for (std::size_t length : {std::size_t{24}, std::size_t{64}}) {
    const std::string base = "string/std::string/" + std::to_string(length) + "B";
    const std::string name = "string/SecureString/" + std::to_string(length) + "B";
    benchmark::RegisterBenchmark(base.c_str(), StringStd, length);
    benchmark::RegisterBenchmark(name.c_str(), StringSecure, length);
    comparisons.push_back({name, base, false});
  }
  for (std::size_t size : {std::size_t{64} << 10, std::size_t{4} << 20}) {
    const std::string base = "file/write+fdatasync/" + SizeName(size);
    const std::string name = "file/wipe_file/" + SizeName(size);
    benchmark::RegisterBenchmark(base.c_str(), FileWriteSync, size)->UseRealTime();
    benchmark::RegisterBenchmark(name.c_str(), FileWipe, size)->UseRealTime();
    // UseRealTime() adds this suffix to the reported names.
    comparisons.push_back({name + "/real_time", base + "/real_time", false});
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  RatioReporter reporter(std::move(comparisons));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
