// Helpers shared by memsafe's unit tests.
#ifndef MEMSAFE_TESTS_UNIT_TEST_SUPPORT_H_
#define MEMSAFE_TESTS_UNIT_TEST_SUPPORT_H_

#include <ftw.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memsafe/log.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define MEMSAFE_TEST_HAVE_VALGRIND_H 1
#endif
#endif

extern "C" void __sanitizer_set_report_path(const char* path) __attribute__((weak));

namespace memsafe::testing {

// In a death-test child that is expected to crash (a guard page), sends sanitizer
// reports to the child's stderr, which the death test checks, instead of the test's
// log file, where the launcher would count them as a finding of the parent test.
inline void SendSanitizerReportsToStderr() {
  if (&__sanitizer_set_report_path != nullptr) __sanitizer_set_report_path("stderr");
}

// Records what memsafe sends to the log hook while it is alive.
class LogCapture {
 public:
  LogCapture() {
    previous_ = SetLogHook(&Record);
    Entries().clear();
  }
  ~LogCapture() { (void)SetLogHook(previous_); }  // (void): restoring, the old hook is ours
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::pair<LogLevel, std::string>> entries() const {
    std::lock_guard<std::mutex> guard(Mutex());
    return Entries();
  }
  int CountContaining(std::string_view text) const {
    int count = 0;
    for (const auto& entry : entries()) count += entry.second.find(text) != std::string::npos;
    return count;
  }

 private:
  static std::mutex& Mutex() {
    static std::mutex mutex;
    return mutex;
  }
  static std::vector<std::pair<LogLevel, std::string>>& Entries() {
    static std::vector<std::pair<LogLevel, std::string>> entries;
    return entries;
  }
  static void Record(LogLevel level, std::string_view message) noexcept {
    try {
      std::lock_guard<std::mutex> guard(Mutex());
      Entries().emplace_back(level, std::string(message));
    } catch (...) {
      std::abort();  // a test helper: failing loudly beats losing an entry
    }
  }
  LogHook previous_ = nullptr;
};

// What /proc/self/smaps says about the mapping that contains `address`.
struct Mapping {
  bool found = false;
  std::uint64_t locked_kb = 0;
  std::string vm_flags;  // e.g. "rd wr mr mw me lo dd ac sd"
  bool HasFlag(std::string_view flag) const {
    std::istringstream in(vm_flags);
    std::string word;
    while (in >> word)
      if (word == flag) return true;
    return false;
  }
};

inline Mapping FindMapping(const void* address) {
  const auto target = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  Mapping mapping;
  bool inside = false;
  while (std::getline(smaps, line)) {
    unsigned long long start = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> start >> dash >> end && dash == '-' && line.find(':') > line.find(' ')) {
      if (inside) break;
      inside = target >= start && target < end;
      mapping.found = inside;
      continue;
    }
    if (!inside) continue;
    if (line.rfind("Locked:", 0) == 0) {
      std::istringstream(line.substr(7)) >> mapping.locked_kb;
    } else if (line.rfind("VmFlags:", 0) == 0) {
      mapping.vm_flags = line.substr(8);
    }
  }
  return mapping;
}

// In a child process: takes away the right to lock memory, as on a machine with
// RLIMIT_MEMLOCK 0 and no CAP_IPC_LOCK (which root has and which ignores the limit).
inline bool DropMemoryLockRights() {
  const rlimit none{0, 0};
  if (setrlimit(RLIMIT_MEMLOCK, &none) != 0) return false;
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  const unsigned bit = 1u << (CAP_IPC_LOCK % 32);
  data[CAP_IPC_LOCK / 32].effective &= ~bit;
  data[CAP_IPC_LOCK / 32].permitted &= ~bit;
  data[CAP_IPC_LOCK / 32].inheritable &= ~bit;
  return syscall(SYS_capset, &header, data) == 0;
}

// A fresh directory, removed with everything in it at the end of the scope.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/memsafe-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) std::abort();
    path_ = buffer.data();
  }
  ~TempDir() {
    // (void): best-effort cleanup of a test directory.
    (void)nftw(
        path_.c_str(), [](const char* p, const struct stat*, int, FTW*) { return ::remove(p); }, 16,
        FTW_DEPTH | FTW_PHYS);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// Whether this test runs under AddressSanitizer, ThreadSanitizer or Valgrind, which
// change how a process dumps core, maps memory and reports its own footprint.
inline bool UnderMemoryTool() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return true;
#endif
#endif
#if defined(MEMSAFE_TEST_HAVE_VALGRIND_H)
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

// The whole text of a file; false when it cannot be read.
inline bool ReadFileText(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream out;
  out << in.rdbuf();
  *text = out.str();
  return true;
}

inline void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace memsafe::testing

#endif  // MEMSAFE_TESTS_UNIT_TEST_SUPPORT_H_
