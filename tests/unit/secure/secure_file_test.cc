#include "memsafe/secure_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
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
