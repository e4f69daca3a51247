// memsafe/secure_file.h: plaintext temporary files are toxic waste. wipe_file()
// destroys one; ScopedSecretFile makes sure one never outlives its scope.
//
// wipe_file(path):
//   1. open the directory part of the path once; every later step works relative to
//      that descriptor, so a link in the directory part swapped meanwhile cannot send
//      one step to one directory and the next to another;
//   2. lstat the name there; refuse anything but a regular file, a file with more than
//      one hard link (the data would survive under the other name) and a read-only file;
//   3. open it with O_NOFOLLOW and check that the opened file is the one lstat saw
//      (same device and inode), so nobody can swap in a symlink in between;
//   4. overwrite its allocated extents with bytes from the system CSPRNG (holes of a
//      sparse file stay holes: filling them would only fill the file system), fdatasync;
//   5. rename it to a random name in the same directory (the old name leaves the
//      directory listing), unlink that, fsync the directory.
// It refuses before touching anything: when it returns an error from steps 1 to 3,
// the target and everything else are unchanged. WipeReport says how far it got, so a
// caller can tell "nothing touched" from "content destroyed, name remains".
//
// Honest limits: this is best effort. On SSDs (wear levelling and over-provisioning
// keep old blocks), journaling file systems with data journaling, and copy-on-write
// file systems (btrfs, ZFS, APFS) or snapshots, the old data may survive elsewhere on
// the device. Overwriting defeats casual recovery from the live file system; it is not
// a substitute for full-disk encryption or for keeping secrets off disk.
//
// Example:
//
//   {
//     memsafe::Result<memsafe::ScopedSecretFile> tmp = memsafe::ScopedSecretFile::Create();
//     if (!tmp.ok()) return tmp.status();
//     WriteDecryptedExport(tmp->fd());
//     RunImporter(tmp->path());
//   }  // wiped here, also when RunImporter throws
//
// Thread-safety: wipe_file may be called from any thread. A ScopedSecretFile object is
// not synchronized; use one from one thread at a time.
//
// Failure: environmental failures are returned as a Status. The destructor never
// throws: a failed wipe there is counted in wipe_failures() and sent to the log hook.
#ifndef MEMSAFE_SECURE_FILE_H_
#define MEMSAFE_SECURE_FILE_H_

#include <cstdint>
#include <string>

#include "memsafe/status.h"

namespace memsafe {

// How far a wipe got.
struct WipeReport {
  bool touched = false;               // the file was opened for overwriting
  bool content_destroyed = false;     // every allocated byte overwritten and synced
  bool name_removed = false;          // the name is gone from the directory
  std::uint64_t bytes_allocated = 0;  // in the file's data extents (holes excluded)
  std::uint64_t bytes_overwritten = 0;
};

Status wipe_file(const std::string& path) noexcept;
// The same, telling how far it got whatever the status.
Status wipe_file(const std::string& path, WipeReport* report) noexcept;

class ScopedSecretFile {
 public:
  // Creates an empty file with mode 0600 and O_EXCL under `directory` (default: the
  // TMPDIR environment variable, else /tmp), with a random name.
  static Result<ScopedSecretFile> Create(const std::string& directory = "");

  ScopedSecretFile(ScopedSecretFile&& other) noexcept;
  ScopedSecretFile& operator=(ScopedSecretFile&& other) noexcept;
  ScopedSecretFile(const ScopedSecretFile&) = delete;
  ScopedSecretFile& operator=(const ScopedSecretFile&) = delete;
  // Wipes the file if wipe() was not called; never throws.
  ~ScopedSecretFile();

  // The open read-write descriptor; -1 after wipe().
  int fd() const noexcept { return fd_; }
  // The file's path; empty after wipe().
  const std::string& path() const noexcept { return path_; }

  // Overwrites the content through its own descriptor (so a hard link someone made to
  // the file meanwhile holds no plaintext either), closes it, and removes its name.
  // With another name left, the content is still destroyed and the status says the
  // other name remains. Idempotent: later calls return Ok().
  Status wipe() noexcept;

  // Wipes that failed in destructors, process-wide.
  static std::uint64_t wipe_failures() noexcept;

 private:
  ScopedSecretFile(int fd, std::string path) noexcept : fd_(fd), path_(std::move(path)) {}
  // wipe(), and on failure: count it and tell the log hook.
  void WipeOrRecord(const char* where) noexcept;

  int fd_ = -1;
  std::string path_;
};

}  // namespace memsafe

#endif  // MEMSAFE_SECURE_FILE_H_
