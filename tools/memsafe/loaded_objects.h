// What the processes of one test run ran and mapped, as recorded during the run: by the
// loader's audit module (loaded_objects_audit.c, the sanitizer presets) or by Valgrind's
// own log (the valgrind preset). The result cache keys a test on these files as well as
// on its command line, so a plugin it dlopen()s, a library LD_LIBRARY_PATH swaps in or a
// helper it starts count; the verdict checks the child programs of the build tree for
// the preset's instrumentation.
//
// Example:
//   LoadedObjects loaded = ReadLoadedObjects("build/asan/memcheck/vec.Grows.asan");
//   if (!loaded.complete) std::cout << "not cached: " << loaded.why << "\n";
//   for (const std::string& program : loaded.programs) ...
//
// Thread-safety: pure functions, but for ReadLoadedObjects, which reads files.
// Failure: a record that is missing, empty, truncated or malformed is incomplete, with
// the reason: a test with an incomplete record is never left out by the cache.
#ifndef MEMSAFE_TOOLS_LOADED_OBJECTS_H_
#define MEMSAFE_TOOLS_LOADED_OBJECTS_H_

#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

struct LoadedObjects {
  // Every recorded line was understood and at least one program was recorded.
  bool complete = false;
  std::string why;                    // when not complete
  std::vector<std::string> programs;  // the programs processes ran (exec), sorted, unique
  // Programs, shared objects mapped, and the files processes were given as arguments
  // (a script an interpreter runs), sorted, unique: what the cache fingerprints.
  std::vector<std::string> objects;
  // The regular files processes were given as arguments, sorted, unique (also in
  // `objects`): a program of the build tree among them was started, or meant to be.
  std::vector<std::string> arguments;
  // The shared objects processes mapped ("obj" lines of the audit record), sorted, unique
  // (also in `objects`).
  std::vector<std::string> libraries;
  // The audit record says a process mapped or ran something whose path it could not
  // hold (a library dlopen()ed by a relative path, a program Valgrind failed to start).
  bool unrecorded = false;
};

// Adds the audit module's record ("exe PATH", "obj PATH", "file PATH", "incomplete").
void AddAuditRecord(std::string_view text, LoadedObjects* loaded);
// Adds one process's Valgrind log written with -v: its "Reading syms from PATH" lines,
// the first of which is the program Valgrind ran.
void AddValgrindLog(std::string_view text, LoadedObjects* loaded);
// Adds the arguments of one process from the start of its Valgrind XML log
// (<args><argv><arg>): the absolute paths that name files ("--x=/p" and "x=/p" too). A
// directory makes the record incomplete; a relative path cannot be resolved (the XML
// gives no working directory) and is left out.
void AddValgrindArguments(std::string_view xml, LoadedObjects* loaded);

// Of loaded.libraries, those inside one of `dirs` (the build tree, the source root: an
// extension module built in place), each resolved through symbolic links (reads the file
// system; a path that does not resolve is compared as written).
// Under the valgrind preset a script runs natively and a program of the build tree it
// starts begins again under Valgrind before its libraries are mapped
// (loaded_objects_audit.c): a library of the project in that run's record was mapped by
// a process Valgrind did not run, an interpreter that loaded the project's code (ctypes,
// an extension module), and the launcher runs the test again under Valgrind.
std::vector<std::string> ProjectLibraries(const LoadedObjects& loaded, const std::vector<std::string>& dirs);

// The record a launcher run left beside its logs: <prefix>.loaded for the sanitizer
// presets, <prefix>.<pid>.vglog for Valgrind's (the prefix ends in ".valgrind").
LoadedObjects ReadLoadedObjects(const std::string& prefix);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_LOADED_OBJECTS_H_
