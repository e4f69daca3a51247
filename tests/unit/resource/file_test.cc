#include "memsafe/file.h"

#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "test_support.h"

namespace memsafe {
namespace {

using testing::TempDir;

TEST(FileTest, WritesAndReadsAsynchronouslyCreatingParents) {
  TempDir dir;
  ResourceRegistry registry;
  const std::string path = dir / "reports/2026/summary.txt";
  const std::string text(100000, 'r');
  TaskScope scope(2);
  {
    Result<File> out = File::Open(path, FileMode::kWrite, {.create_parents = true}, registry);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(registry.live().at(0).kind, "file");
    std::future<Status> written = out->write_all_async(scope, text);
    ASSERT_TRUE(written.get().ok());
    ASSERT_TRUE(out->sync().ok());
    ASSERT_TRUE(out->close().ok());
  }
  {
    Result<File> in = File::Open(path, FileMode::kRead, {}, registry);
    ASSERT_TRUE(in.ok()) << in.status();
    std::future<Result<std::string>> read = in->read_all_async(scope);
    Result<std::string> content = read.get();
    ASSERT_TRUE(content.ok());
    EXPECT_EQ(*content, text);
  }
  scope.join();
  EXPECT_EQ(registry.snapshot().active(), 0u);
  EXPECT_EQ(registry.snapshot().opened, 2u);
}

TEST(FileTest, AppendKeepsWhatWasThere) {
  TempDir dir;
  ResourceRegistry registry;
  const std::string path = dir / "log.txt";
  for (const char* line : {"one\n", "two\n"}) {
    Result<File> out = File::Open(path, FileMode::kAppend, {}, registry);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(out->write_all(line).ok());
  }
  EXPECT_EQ(testing::ReadFile(path), "one\ntwo\n");
}

TEST(FileTest, ClosedWhenAnExceptionLeavesTheScope) {
  TempDir dir;
  ResourceRegistry registry;
  try {
    Result<File> out = File::Open(dir / "x", FileMode::kWrite, {}, registry);
    ASSERT_TRUE(out.ok());
    throw std::runtime_error("render failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(registry.snapshot().active(), 0u);
}

TEST(FileTest, MissingFileIsNotFound) {
  TempDir dir;
  ResourceRegistry registry;
  Result<File> in = File::Open(dir / "missing", FileMode::kRead, {}, registry);
  EXPECT_EQ(in.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(registry.snapshot().opened, 0u);
}

TEST(FileTest, ParentThatIsAFileIsAnError) {
  TempDir dir;
  testing::WriteFile(dir / "plain", "x");
  Result<File> out = File::Open(dir / "plain/child.txt", FileMode::kWrite, {.create_parents = true});
  EXPECT_FALSE(out.ok());
  EXPECT_TRUE(CreateDirectories(dir / "a/b/c").ok());
  EXPECT_TRUE(CreateDirectories(dir / "a/b/c").ok());  // already there
}

}  // namespace
}  // namespace memsafe
