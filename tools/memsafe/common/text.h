// Text and file helpers shared by every part of the memsafe tool: reading an input
// file safely (regular files only, with a size cap), splitting lines, dates.
//
// Example:
//   std::string content, why;
//   if (!ReadWholeFile(path, &content, &why)) std::cerr << path << ": " << why << "\n";
//   for (std::string_view line : SplitLines(content)) ...
//
// Thread-safety: pure functions (ReadWholeFile reads the file system).
// Failure: ReadWholeFile returns false with the reason; the others cannot fail, or say
// so with nullopt.
#ifndef MEMSAFE_TOOLS_TEXT_H_
#define MEMSAFE_TOOLS_TEXT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace memsafe::tools {

// The lines of `content`, without their '\n' or "\r\n" ends.
std::vector<std::string_view> SplitLines(std::string_view content);
// The items with `separator` between them.
std::string Join(const std::vector<std::string>& items, std::string_view separator);

// A command line as a POSIX shell reads it back into the same words: a word with a
// blank, a quote or another character the shell treats specially is single-quoted
// (for `memsafe check --dry-run`, whose commands a user may paste).
std::string ShellWords(const std::vector<std::string>& argv);
// The first four bytes of every ELF file: compiled code, as opposed to a script.
inline constexpr std::string_view kElfMagic = "\177ELF";
// `text` without leading and trailing white space.
std::string_view Trim(std::string_view text);
// The whole of a regular file, byte for byte, up to kMaxInputBytes; false when it
// cannot be read, with the reason in `why` ("is a directory", "is not a regular file
// (a FIFO or device)", "is larger than ...", the system's error).
inline constexpr long long kMaxInputBytes = 1LL << 30;
bool ReadWholeFile(const std::string& path, std::string* content, std::string* why = nullptr);

// FNV-1a, 64 bits, continuing from `hash` (the standard offset basis by default): the
// identity of findings and of cached test results. Not for adversarial input.
std::uint64_t Fnv1a(std::string_view data, std::uint64_t hash = 14695981039346656037ULL);
// `value` as 16 lower-case hex digits.
std::string Hex64(std::uint64_t value);

// Days since 1970-01-01 of a strict YYYY-MM-DD date, or nullopt.
std::optional<int> ParseDate(std::string_view text);
std::string FormatDate(int days);

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_TEXT_H_
