#include "loaded_objects.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/tool_test_support.h"

namespace memsafe::tools {
namespace {

using Paths = std::vector<std::string>;

TEST(LoadedObjectsTest, TheAuditRecordListsProgramsAndObjectsOfEveryProcess) {
  LoadedObjects loaded;
  AddAuditRecord("exe /usr/bin/setarch\nobj /lib/libc.so.6\nexe /build/t\nobj /build/plugin.so\nobj /lib/libc.so.6\n",
                 &loaded);
  EXPECT_EQ(loaded.programs, (Paths{"/usr/bin/setarch", "/build/t"}));
  EXPECT_EQ(loaded.objects,
            (Paths{"/usr/bin/setarch", "/lib/libc.so.6", "/build/t", "/build/plugin.so", "/lib/libc.so.6"}))
      << "a program is an object too; ReadLoadedObjects sorts and removes duplicates";
  EXPECT_EQ(loaded.why, "");
}

TEST(LoadedObjectsTest, AnythingTheRecordCannotSayMakesItIncomplete) {
  for (const char* text : {"exe /t\nincomplete\n", "exe /t\nobj /lib/libc.so", "exe /t\nobj relative.so\n",
                           "exe /t\ngarbage\n", "obj /lib/libc.so.6\n", "", "exe /t\ndir /data\n"}) {
    testing::ScratchDir dir;
    dir.Write("t.asan.loaded", text);
    const LoadedObjects loaded = ReadLoadedObjects((dir.path() / "t.asan").string());
    EXPECT_FALSE(loaded.complete) << text;
    EXPECT_NE(loaded.why, "") << text;
  }
  const LoadedObjects missing = ReadLoadedObjects("/nonexistent/t.asan");
  EXPECT_FALSE(missing.complete);
  EXPECT_NE(missing.why.find("no record"), std::string::npos) << missing.why;
}

TEST(LoadedObjectsTest, ARecordIsReadSortedAndWithoutDuplicates) {
  testing::ScratchDir dir;
  dir.Write(
      "t.tsan.loaded",
      "exe /b/t\nobj /lib/z.so\nexe /usr/bin/dash\nfile /s/gen.sh\nexe /b/helper\nobj /lib/a.so\nobj /lib/z.so\n");
  dir.Write("t.tsan.other", "exe /not/read\n");
  const LoadedObjects loaded = ReadLoadedObjects((dir.path() / "t.tsan").string());
  EXPECT_TRUE(loaded.complete) << loaded.why;
  EXPECT_EQ(loaded.programs, (Paths{"/b/helper", "/b/t", "/usr/bin/dash"}));
  EXPECT_EQ(loaded.objects, (Paths{"/b/helper", "/b/t", "/lib/a.so", "/lib/z.so", "/s/gen.sh", "/usr/bin/dash"}))
      << "the script an interpreter ran counts like a program";
  EXPECT_EQ(loaded.arguments, (Paths{"/s/gen.sh"}));
}

// Under the valgrind preset, a library of the build tree in a script's record was mapped
// by a process Valgrind did not run (an interpreter's ctypes): the launcher reruns the
// test. Libraries elsewhere, the build tree's programs, a sibling directory whose name
// starts like the tree's, and a path that reaches the tree through a symbolic link are
// told apart.
TEST(LoadedObjectsTest, ProjectLibrariesAreThoseMappedFromInsideItsTrees) {
  testing::ScratchDir dir;
  const std::string tree = (dir.path() / "build").string();
  dir.Write("build/lib/libproject.so", "");
  dir.Write("build-other/libsibling.so", "");
  std::filesystem::create_directory_symlink(dir.path() / "build" / "lib", dir.path() / "linked");
  LoadedObjects loaded;
  const std::string sibling = (dir.path() / "build-other/libsibling.so").string();
  const std::string linked = (dir.path() / "linked/libproject.so").string();
  AddAuditRecord("exe /usr/bin/python3.11\nobj /lib/libc.so.6\nexe " + tree + "/prog\nobj " + tree +
                     "/lib/libproject.so\nobj " + sibling + "\nobj " + linked + "\nobj " + tree + "/gone/libgone.so\n",
                 &loaded);
  EXPECT_EQ(ProjectLibraries(loaded, {tree}), (Paths{tree + "/lib/libproject.so", linked, tree + "/gone/libgone.so"}));
  EXPECT_EQ(ProjectLibraries(loaded, {(dir.path() / "elsewhere").string()}), Paths{});
  EXPECT_EQ(ProjectLibraries(loaded, {(dir.path() / "elsewhere").string(), (dir.path() / "build-other").string()}),
            Paths{sibling})
      << "every directory given counts (an extension module built in the source tree)";
  EXPECT_FALSE(loaded.unrecorded);
  AddAuditRecord("exe /usr/bin/python3.11\nincomplete\n", &loaded);
  EXPECT_TRUE(loaded.unrecorded) << "a library dlopen()ed by a relative path may be the project's";
}

// Valgrind's own log (-v) of each process it followed: the first object it reads is the
// program; every process's log counts, another test's does not.
TEST(LoadedObjectsTest, ValgrindLogsOfEveryFollowedProcessAreRead) {
  testing::ScratchDir dir;
  dir.Write("t.valgrind.100.vglog",
            "==100== Memcheck, a memory error detector\n"
            "--100-- Reading syms from /b/t\n"
            "--100-- Reading syms from /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
            "--100-- Reading syms from /b/plugin.so\n");
  dir.Write("t.valgrind.101.vglog", "--101-- Reading syms from /b/helper\n--101-- Reading syms from /lib/libc.so.6\n");
  dir.Write("t2.valgrind.102.vglog", "--102-- Reading syms from /b/other\n");
  for (const char* pid : {"100", "101"}) {
    dir.Write(std::string("t.valgrind.") + pid + ".xml", "<valgrindoutput><args><argv><exe>/b/t</exe></argv></args>");
  }
  const LoadedObjects loaded = ReadLoadedObjects((dir.path() / "t.valgrind").string());
  EXPECT_TRUE(loaded.complete) << loaded.why;
  EXPECT_EQ(loaded.programs, (Paths{"/b/helper", "/b/t"}));
  EXPECT_EQ(loaded.objects, (Paths{"/b/helper", "/b/plugin.so", "/b/t", "/lib/libc.so.6",
                                   "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"}));

  // Each process's arguments come from its XML log: absolute paths of files, "x=/p" too;
  // a relative one cannot be resolved, a directory makes the record incomplete.
  const std::string input = dir.Write("in/input.txt", "data");
  const std::string xml_args =
      "<args><vargv><exe>/usr/bin/valgrind</exe></vargv><argv><exe>/b/t</exe><arg>--input=" + input +
      "</arg><arg>relative.txt</arg><arg>/not/there</arg></argv></args>";
  dir.Write("t.valgrind.100.xml", "<?xml version=\"1.0\"?>\n<valgrindoutput>\n" + xml_args + "\n");
  dir.Write("t.valgrind.101.xml",
            "<?xml version=\"1.0\"?>\n<valgrindoutput>\n<args><argv><exe>/b/helper</exe></argv></args>\n");
  const LoadedObjects with_args = ReadLoadedObjects((dir.path() / "t.valgrind").string());
  EXPECT_TRUE(with_args.complete) << with_args.why;
  EXPECT_EQ(with_args.arguments, (Paths{input}));
  dir.Write("t.valgrind.101.xml",
            "<valgrindoutput><args><argv><exe>/b/helper</exe><arg>" + dir.path().string() + "/in</arg></argv></args>");
  const LoadedObjects with_dir = ReadLoadedObjects((dir.path() / "t.valgrind").string());
  EXPECT_FALSE(with_dir.complete);
  EXPECT_NE(with_dir.why.find("directory"), std::string::npos) << with_dir.why;

  dir.Write("t.valgrind.103.vglog", "==103== a log that names nothing\n");
  EXPECT_FALSE(ReadLoadedObjects((dir.path() / "t.valgrind").string()).complete);
  testing::ScratchDir empty;
  EXPECT_FALSE(ReadLoadedObjects((empty.path() / "t.valgrind").string()).complete) << "no log at all";
}

}  // namespace
}  // namespace memsafe::tools
