#include "memsafe/secure_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sys/wait.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"

namespace memsafe {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Entries(const std::string& directory) {
  std::vector<std::string> names;
  DIR* dir = opendir(directory.c_str());
  if (dir == nullptr) return names;
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(dir);
  return names;
}

bool Exists(const std::string& path) {
  struct stat info;
  return lstat(path.c_str(), &info) == 0;
}

const std::string kSecret(10000, 'S');

TEST(WipeFileTest, RemovesTheFileAndLeavesNoTrace) {
  TempDir dir;
  WriteFile(dir / "secret.txt", kSecret);
  ASSERT_TRUE(wipe_file(dir / "secret.txt").ok());
  EXPECT_FALSE(Exists(dir / "secret.txt"));
  EXPECT_TRUE(Entries(dir.path()).empty()) << "a renamed copy stayed behind";
}

TEST(WipeFileTest, OverwritesTheContentBeforeUnlinking) {
  TempDir dir;
  const std::string path = dir / "secret.txt";
  WriteFile(path, kSecret);
  // A descriptor kept open keeps the inode alive: what it reads after the wipe is
  // what the wipe left on it.
  const int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(wipe_file(path).ok());
  std::string after(kSecret.size(), '\0');
  ASSERT_EQ(pread(fd, after.data(), after.size(), 0), static_cast<ssize_t>(after.size()));
  close(fd);
  EXPECT_NE(after, kSecret);
  std::size_t unchanged = 0;
  for (char c : after) unchanged += c == 'S';
  // Random bytes hit 'S' about once in 256.
  EXPECT_LT(unchanged, after.size() / 64);
}

TEST(WipeFileTest, EmptyFileIsWiped) {
  TempDir dir;
  WriteFile(dir / "empty", "");
  EXPECT_TRUE(wipe_file(dir / "empty").ok());
  EXPECT_FALSE(Exists(dir / "empty"));
}

TEST(WipeFileTest, RefusesASymlinkAndLeavesBothAlone) {
  TempDir dir;
  WriteFile(dir / "target", kSecret);
  ASSERT_EQ(symlink((dir / "target").c_str(), (dir / "link").c_str()), 0);
  Status status = wipe_file(dir / "link");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(Exists(dir / "link"));
  EXPECT_EQ(ReadFile(dir / "target"), kSecret);
}

TEST(WipeFileTest, RefusesAHardLinkedFile) {
  TempDir dir;
  WriteFile(dir / "a", kSecret);
  ASSERT_EQ(link((dir / "a").c_str(), (dir / "b").c_str()), 0);
  Status status = wipe_file(dir / "a");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status;
  EXPECT_NE(status.message().find("hard links"), std::string::npos);
  EXPECT_EQ(ReadFile(dir / "a"), kSecret);
  EXPECT_EQ(ReadFile(dir / "b"), kSecret);
}

TEST(WipeFileTest, RefusesADirectory) {
  TempDir dir;
  ASSERT_EQ(mkdir((dir / "sub").c_str(), 0700), 0);
  WriteFile(dir / "sub/inner", kSecret);
  EXPECT_EQ(wipe_file(dir / "sub").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadFile(dir / "sub/inner"), kSecret);
}

TEST(WipeFileTest, MissingFileIsNotFound) {
  TempDir dir;
  EXPECT_EQ(wipe_file(dir / "nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(wipe_file("").code(), StatusCode::kInvalidArgument);
}

TEST(WipeFileTest, RefusesAReadOnlyFileUntouched) {
  TempDir dir;
  WriteFile(dir / "ro", kSecret);
  WriteFile(dir / "neighbour", "keep me");
  ASSERT_EQ(chmod((dir / "ro").c_str(), 0400), 0);
  Status status = wipe_file(dir / "ro");
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status;
  EXPECT_EQ(ReadFile(dir / "ro"), kSecret);
  EXPECT_EQ(ReadFile(dir / "neighbour"), "keep me");
}

TEST(WipeFileTest, ALinkInTheDirectoryPartSwappedMidWipeNeverSplitsTheSteps) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir / "a").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((dir / "b").c_str(), 0700), 0);
  ASSERT_EQ(::symlink("a", (dir / "link").c_str()), 0);
  const std::string secret(4096, 'S');
  std::atomic<bool> stop{false};
  // Flips link between a and b, atomically (a new link renamed over the old one).
  std::thread flipper([&] {
    for (int i = 0; !stop.load(); ++i) {
      const std::string next = dir / "link.next";
      (void)::unlink(next.c_str());  // (void): absent on the first round
      if (::symlink(i % 2 == 0 ? "b" : "a", next.c_str()) != 0) continue;
      (void)::rename(next.c_str(), (dir / "link").c_str());  // (void): a failed flip only means fewer flips
    }
  });
  int split = 0, rounds = 0;
  const int total = testing::UnderMemoryTool() ? 100 : 400;
  for (; rounds < total; ++rounds) {
    WriteFile(dir / "a/f", secret);
    WriteFile(dir / "b/f", secret);
    WipeReport report;
    (void)wipe_file(dir / "link/f", &report);  // (void): refusals are fine; the files tell what happened
    const bool a_exists = ::access((dir / "a/f").c_str(), F_OK) == 0;
    const bool b_exists = ::access((dir / "b/f").c_str(), F_OK) == 0;
    const bool a_intact = a_exists && ReadFile(dir / "a/f") == secret;
    const bool b_intact = b_exists && ReadFile(dir / "b/f") == secret;
    // Allowed: one file wiped and gone with the other intact, or both intact (refused).
    const bool consistent = (!a_exists && b_intact) || (!b_exists && a_intact) || (a_intact && b_intact);
    if (!consistent) ++split;
  }
  stop = true;
  flipper.join();
  EXPECT_EQ(split, 0) << split << " of " << rounds
                      << " wipes overwrote one file and removed (or left) another while the link flipped";
}

TEST(WipeFileTest, ASparseFileHasOnlyItsDataOverwrittenAndItsSecretTailDestroyed) {
  TempDir dir;
  const std::string path = dir / "sparse";
  const std::string secret(4096, 'T');
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    const off_t tail = off_t{1} << 30;  // 1 GiB of hole, then the secret
    ASSERT_EQ(::pwrite(fd, secret.data(), secret.size(), tail), static_cast<ssize_t>(secret.size()));
    ::close(fd);
  }
  // A descriptor opened before keeps the inode readable after the wipe unlinks it.
  const int reader = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(reader, 0);
  WipeReport report;
  Status status = wipe_file(path, &report);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(report.content_destroyed && report.name_removed);
  EXPECT_LE(report.bytes_allocated, 64u * 1024) << "the holes were filled (" << report.bytes_allocated << " bytes)";
  EXPECT_EQ(report.bytes_overwritten, report.bytes_allocated);
  std::string tail(secret.size(), '\0');
  ASSERT_EQ(::pread(reader, tail.data(), tail.size(), off_t{1} << 30), static_cast<ssize_t>(tail.size()));
  ::close(reader);
  EXPECT_EQ(tail.find(std::string(64, 'T')), std::string::npos) << "the secret tail survived";
}

TEST(WipeFileTest, ANameThatCannotBeRemovedIsToldApartFromNothingTouched) {
  TempDir dir;
  // Run as a user without rights over the directory; root ignores directory modes, so a
  // root run drops to nobody in a child first.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string locked = dir / "locked";
    if (::geteuid() == 0 &&
        (::chown(dir.path().c_str(), 65534, 65534) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)) {
      _exit(10);
    }
    if (::mkdir(locked.c_str(), 0700) != 0) _exit(11);
    WriteFile(locked + "/f", "secret");
    if (::chmod(locked.c_str(), 0500) != 0) _exit(12);
    WipeReport report;
    const Status status = wipe_file(locked + "/f", &report);
    // Content destroyed, name remains: not the status of a refusal that touched nothing.
    if (status.ok() || !report.touched || !report.content_destroyed || report.name_removed) _exit(13);
    if (status.message().find("content destroyed, name remains") == std::string::npos) _exit(14);
    if (ReadFile(locked + "/f") == "secret") _exit(15);
    // A refusal: nothing touched.
    WipeReport refused;
    if (wipe_file(locked + "/missing", &refused).ok() || refused.touched) _exit(16);
    (void)::chmod(locked.c_str(), 0700);  // (void): lets TempDir clean up; the verdict is already known
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "step " << WEXITSTATUS(status) << " failed (see the test)";
}

TEST(ScopedSecretFileTest, AHardLinkMadeDuringTheScopeHoldsNoPlaintext) {
  TempDir dir;
  std::string other = dir / "copy";
  std::string path;
  Status status;
  {
    Result<ScopedSecretFile> file = ScopedSecretFile::Create(dir.path());
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_EQ(::write(file->fd(), "plaintext!", 10), 10);
    path = file->path();
    ASSERT_EQ(::link(path.c_str(), other.c_str()), 0);
    status = file->wipe();
  }
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("another hard link to it remains"), std::string::npos) << status;
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "its own name is removed";
  EXPECT_EQ(ReadFile(other).find("plaintext"), std::string::npos) << "the other name still holds the plaintext";
}

TEST(ScopedSecretFileTest, CreatesAPrivateFileAndWipesItAtScopeEnd) {
  TempDir dir;
  std::string path;
  {
    Result<ScopedSecretFile> file = ScopedSecretFile::Create(dir.path());
    ASSERT_TRUE(file.ok()) << file.status();
    path = file->path();
    struct stat info;
    ASSERT_EQ(stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0600u);
    ASSERT_EQ(write(file->fd(), "plaintext", 9), 9);
  }
  EXPECT_FALSE(Exists(path));
  EXPECT_TRUE(Entries(dir.path()).empty());
}

TEST(ScopedSecretFileTest, ModeIsPrivateWhateverTheUmask) {
  TempDir dir;
  const mode_t previous = umask(0277);
  Result<ScopedSecretFile> file = ScopedSecretFile::Create(dir.path());
  umask(previous);
  ASSERT_TRUE(file.ok());
  struct stat info;
  ASSERT_EQ(fstat(file->fd(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
}

TEST(ScopedSecretFileTest, WipedWhenAnExceptionLeavesTheScope) {
  TempDir dir;
  std::string path;
  try {
    Result<ScopedSecretFile> file = ScopedSecretFile::Create(dir.path());
    ASSERT_TRUE(file.ok());
    path = file->path();
    throw std::runtime_error("import failed");
  } catch (const std::runtime_error&) {
  }
  ASSERT_FALSE(path.empty());
  EXPECT_FALSE(Exists(path));
}

TEST(ScopedSecretFileTest, ExplicitWipeIsIdempotent) {
  TempDir dir;
  Result<ScopedSecretFile> file = ScopedSecretFile::Create(dir.path());
  ASSERT_TRUE(file.ok());
  const std::string path = file->path();
  EXPECT_TRUE(file->wipe().ok());
  EXPECT_FALSE(Exists(path));
  EXPECT_EQ(file->fd(), -1);
  EXPECT_TRUE(file->path().empty());
  EXPECT_TRUE(file->wipe().ok());
}

TEST(ScopedSecretFileTest, MoveTransfersTheDutyToWipe) {
  TempDir dir;
  Result<ScopedSecretFile> file = ScopedSecretFile::Create(dir.path());
  ASSERT_TRUE(file.ok());
  const std::string path = file->path();
  ScopedSecretFile owner = std::move(file).value();
  EXPECT_TRUE(Exists(path));
  ScopedSecretFile second = std::move(owner);
  EXPECT_TRUE(owner.path().empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(second.wipe().ok());
  EXPECT_FALSE(Exists(path));
}

TEST(ScopedSecretFileTest, FailureInTheDestructorIsCountedAndLoggedNotThrown) {
  TempDir dir;
  testing::LogCapture log;
  const std::uint64_t before = ScopedSecretFile::wipe_failures();
  {
    Result<ScopedSecretFile> file = ScopedSecretFile::Create(dir.path());
    ASSERT_TRUE(file.ok());
    ASSERT_EQ(unlink(file->path().c_str()), 0);  // someone removed it behind our back
  }
  EXPECT_EQ(ScopedSecretFile::wipe_failures(), before + 1);
  EXPECT_EQ(log.CountContaining("wipe in destructor failed"), 1);
}

TEST(ScopedSecretFileTest, MissingDirectoryIsAnError) {
  TempDir dir;
  Result<ScopedSecretFile> file = ScopedSecretFile::Create(dir / "missing");
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace memsafe
