#include "suppressions/options_lint.h"
#include "common/memory_tools.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>

namespace memsafe::tools {
namespace {

const std::set<std::string, std::less<>>& CommonOptions() {
  static const std::set<std::string, std::less<>> names = {"abort_on_error",
                                                           "allocator_may_return_null",
                                                           "allow_user_segv_handler",
                                                           "color",
                                                           "coverage",
                                                           "coverage_dir",
                                                           "dedup_token_length",
                                                           "detect_deadlocks",
                                                           "detect_leaks",
                                                           "disable_coredump",
                                                           "exitcode",
                                                           "external_symbolizer_path",
                                                           "fast_unwind_on_fatal",
                                                           "fast_unwind_on_malloc",
                                                           "handle_abort",
                                                           "handle_segv",
                                                           "handle_sigbus",
                                                           "handle_sigfpe",
                                                           "handle_sigill",
                                                           "help",
                                                           "include",
                                                           "include_if_exists",
                                                           "intercept_memcmp",
                                                           "intercept_memmem",
                                                           "intercept_send",
                                                           "intercept_strchr",
                                                           "intercept_strlen",
                                                           "intercept_strndup",
                                                           "intercept_strpbrk",
                                                           "intercept_strspn",
                                                           "intercept_strstr",
                                                           "leak_check_at_exit",
                                                           "log_exe_name",
                                                           "log_path",
                                                           "log_to_syslog",
                                                           "malloc_context_size",
                                                           "print_cmdline",
                                                           "print_module_map",
                                                           "print_summary",
                                                           "print_suppressions",
                                                           "strict_memcmp",
                                                           "strip_path_prefix",
                                                           "suppressions",
                                                           "symbolize",
                                                           "symbolize_inline_frames",
                                                           "use_sigaltstack",
                                                           "verbosity",
                                                           "halt_on_error",
                                                           "demangle",
                                                           "detect_write_exec",
                                                           "check_printf"};
  return names;
}

}  // namespace

const std::set<std::string, std::less<>>* SanitizerOwnOptions(std::string_view tool) {
  static const std::set<std::string, std::less<>> asan = {"alloc_dealloc_mismatch",
                                                          "atexit",
                                                          "check_initialization_order",
                                                          "check_malloc_usable_size",
                                                          "debug",
                                                          "detect_container_overflow",
                                                          "detect_invalid_pointer_pairs",
                                                          "detect_odr_violation",
                                                          "detect_stack_use_after_return",
                                                          "malloc_fill_byte",
                                                          "max_malloc_fill_size",
                                                          "max_redzone",
                                                          "max_uar_stack_size_log",
                                                          "min_uar_stack_size_log",
                                                          "new_delete_type_mismatch",
                                                          "poison_array_cookie",
                                                          "poison_heap",
                                                          "poison_partial",
                                                          "print_full_thread_history",
                                                          "print_legend",
                                                          "print_stats",
                                                          "protect_shadow_gap",
                                                          "quarantine_size_mb",
                                                          "redzone",
                                                          "replace_intrin",
                                                          "replace_str",
                                                          "report_globals",
                                                          "sleep_before_dying",
                                                          "strict_init_order",
                                                          "strict_string_checks",
                                                          "thread_local_quarantine_size_kb",
                                                          "uar_noreserve",
                                                          "unmap_shadow_on_exit",
                                                          "use_odr_indicator",
                                                          "windows_hook_rtl_allocators"};
  static const std::set<std::string, std::less<>> lsan = {
      "report_objects",   "use_unaligned",      "use_globals", "use_stacks",   "use_registers", "use_tls",
      "use_root_regions", "use_ld_allocations", "max_leaks",   "log_pointers", "log_threads",   "use_poisoned"};
  static const std::set<std::string, std::less<>> ubsan = {"print_stacktrace", "report_error_type",
                                                           "silence_unsigned_overflow"};
  static const std::set<std::string, std::less<>> tsan = {"atexit_sleep_ms",
                                                          "die_after_fork",
                                                          "enable_annotations",
                                                          "flush_memory_ms",
                                                          "flush_symbolizer_ms",
                                                          "force_seq_cst_atomics",
                                                          "history_size",
                                                          "ignore_interceptors_accesses",
                                                          "ignore_noninstrumented_modules",
                                                          "io_sync",
                                                          "memory_limit_mb",
                                                          "print_benign",
                                                          "profile_memory",
                                                          "report_atomic_races",
                                                          "report_bugs",
                                                          "report_destroy_locked",
                                                          "report_mutex_bugs",
                                                          "report_signal_unsafe",
                                                          "report_thread_leaks",
                                                          "running_on_valgrind",
                                                          "second_deadlock_stack",
                                                          "shared_ptr_interceptor",
                                                          "stop_on_start",
                                                          "suppress_equal_addresses",
                                                          "suppress_equal_stacks"};
  if (tool == "asan") return &asan;
  if (tool == "lsan") return &lsan;
  if (tool == "ubsan") return &ubsan;
  if (tool == "tsan") return &tsan;
  return nullptr;
}

namespace {

// The tools options.txt names: the table's, and valgrind-slow (Valgrind's options for
// the thorough run only).
std::string OptionsFileToolNames() {
  std::vector<std::string> names;
  for (const MemoryTool& tool : MemoryTools()) names.emplace_back(tool.name);
  names.emplace_back("valgrind-slow");
  return Join(names, ", ");
}

// Options an options.txt line may not set at all: they name a file or an output that
// memsafe passes itself or never reads (cmake/memsafe_settings.cmake refuses the same;
// the agreement test feeds both the same lines).
bool SetByMemsafe(bool valgrind, std::string_view name) {
  static const std::set<std::string, std::less<>> sanitizer = {"suppressions", "include", "include_if_exists",
                                                               "log_exe_name"};
  static const std::set<std::string, std::less<>> valgrind_options = {"--suppressions", "--xml",        "--xml-file",
                                                                      "--xml-fd",       "--xml-socket", "--tool"};
  return (valgrind ? valgrind_options : sanitizer).count(name) != 0;
}

// Valgrind's option names: two dashes, then lower-case letters, digits and dashes.
bool IsValgrindOptionName(std::string_view name) {
  return name.size() > 2 && name.starts_with("--") &&
         name.substr(2).find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

// The options that weaken a tool: each switches a check off, hides what a tool found, or
// sends its report where memsafe does not read it. One table for options.txt, for option
// strings in scripts and presets, and for the environment of `memsafe check`; each row
// names the runtime source that defines the option (LLVM 14 compiler-rt, GCC 12's copy of
// it, Valgrind 3.19), so a reader can check what it does.
//   weak: the value that weakens, after ReadFlagValue ("0", "1", "no", "yes", "summary");
//         "*" any value (an option that names a file); "!memcheck" any value but that one;
//         "!a,b" a list of kinds without a or b ("all" has them); "<N" a number below N.
struct Weakening {
  const char* tool;  // "sanitizer" for every sanitizer, or asan/lsan/ubsan/tsan/valgrind
  const char* name;  // the option's name (Valgrind's with its dashes)
  const char* weak;
  const char* hides;
  const char* source;
};
constexpr Weakening kWeakening[] = {
    // sanitizer_common/sanitizer_flags.inc: read by every sanitizer runtime.
    {"sanitizer", "exitcode", "0", "a finding no longer changes the exit status", "sanitizer_flags.inc"},
    {"sanitizer", "print_summary", "0", "the SUMMARY line that names the place of a finding", "sanitizer_flags.inc"},
    {"sanitizer", "detect_leaks", "0", "every leak", "sanitizer_flags.inc"},
    {"sanitizer", "leak_check_at_exit", "0", "every leak (the check at exit does not run)", "sanitizer_flags.inc"},
    {"sanitizer", "handle_segv", "0", "the report of a crash on a bad address (SEGV)", "sanitizer_flags.inc"},
    {"sanitizer", "log_exe_name", "1", "every report (the log is renamed where memsafe does not look)",
     "sanitizer_flags.inc"},
    {"sanitizer", "suppressions", "*",
     "whatever that file suppresses, unlinted; memsafe passes sanitizers/<tool>.supp itself", "sanitizer_flags.inc"},
    {"sanitizer", "include", "*", "the options of an unlinted file (suppressions, detect_leaks=0, ...)",
     "sanitizer_flag_parser.cpp"},
    {"sanitizer", "include_if_exists", "*", "the options of an unlinted file (suppressions, detect_leaks=0, ...)",
     "sanitizer_flag_parser.cpp"},
    {"sanitizer", "intercept_strlen", "0", "overflows inside strlen and strnlen", "sanitizer_flags.inc"},
    {"sanitizer", "intercept_strchr", "0", "overflows inside strchr and strrchr", "sanitizer_flags.inc"},
    {"sanitizer", "intercept_strndup", "0", "overflows inside strndup", "sanitizer_flags.inc"},
    {"sanitizer", "intercept_strpbrk", "0", "overflows inside strpbrk", "sanitizer_flags.inc"},
    {"sanitizer", "intercept_strspn", "0", "overflows inside strspn and strcspn", "sanitizer_flags.inc"},
    {"sanitizer", "intercept_strstr", "0", "overflows inside strstr and strcasestr", "sanitizer_flags.inc"},
    {"sanitizer", "intercept_memcmp", "0", "overflows inside memcmp and bcmp", "sanitizer_flags.inc"},
    {"sanitizer", "intercept_memmem", "0", "overflows inside memmem", "sanitizer_flags.inc"},
    {"sanitizer", "intercept_send", "0", "overflows in the buffers given to send and sendmsg", "sanitizer_flags.inc"},
    // asan/asan_flags.inc
    {"asan", "halt_on_error", "0", "errors after the first (and with recovery, the failure itself)", "asan_flags.inc"},
    {"asan", "alloc_dealloc_mismatch", "0", "malloc/delete and new/free mismatches", "asan_flags.inc"},
    {"asan", "new_delete_type_mismatch", "0", "deletes with the wrong size or type", "asan_flags.inc"},
    {"asan", "detect_odr_violation", "0", "one-definition-rule violations", "asan_flags.inc"},
    {"asan", "detect_stack_use_after_return", "0", "uses of dead stack frames", "asan_flags.inc"},
    {"asan", "detect_container_overflow", "0", "container overflows", "asan_flags.inc"},
    {"asan", "check_initialization_order", "0", "initialisation-order bugs", "asan_flags.inc"},
    {"asan", "poison_heap", "0", "heap overflows and uses after free", "asan_flags.inc"},
    {"asan", "poison_partial", "0", "overflows into the partly used last word of a block", "asan_flags.inc"},
    {"asan", "report_globals", "0", "global buffer overflows", "asan_flags.inc"},
    {"asan", "quarantine_size_mb", "0", "uses after free (freed memory is reused at once)", "asan_flags.inc"},
    {"asan", "replace_intrin", "0", "overflows inside memcpy, memmove and memset", "asan_flags.inc"},
    {"asan", "replace_str", "0", "overflows inside the string functions", "asan_flags.inc"},
    // ubsan/ubsan_flags.inc
    {"ubsan", "halt_on_error", "0", "the failure of a check that fires (with recovery)", "ubsan_flags.inc"},
    // tsan/rtl/tsan_flags.inc
    {"tsan", "report_bugs", "0", "every race and every other TSan report", "tsan_flags.inc"},
    {"tsan", "report_thread_leaks", "0", "threads never joined", "tsan_flags.inc"},
    {"tsan", "report_mutex_bugs", "0", "mutex misuse", "tsan_flags.inc"},
    {"tsan", "report_signal_unsafe", "0", "async-signal-unsafe calls in signal handlers", "tsan_flags.inc"},
    {"tsan", "report_destroy_locked", "0", "destruction of a locked mutex", "tsan_flags.inc"},
    {"tsan", "report_atomic_races", "0", "races between an atomic and a plain access", "tsan_flags.inc"},
    {"tsan", "ignore_noninstrumented_modules", "1", "races in code of libraries built without TSan", "tsan_flags.inc"},
    {"tsan", "ignore_interceptors_accesses", "1", "races on memory that libc functions read or write",
     "tsan_flags.inc"},
    // Valgrind: coregrind/m_main.c (core options), memcheck/mc_main.c (memcheck's).
    {"valgrind", "--tool", "!memcheck", "every memcheck error (another tool runs, or none)", "coregrind/m_main.c"},
    {"valgrind", "--error-exitcode", "0", "an error no longer changes the exit status", "coregrind/m_main.c"},
    {"valgrind", "--suppressions", "*",
     "whatever that file suppresses, unlinted; memsafe passes sanitizers/valgrind.supp itself", "coregrind/m_main.c"},
    {"valgrind", "--xml", "no", "every error (memsafe reads the XML)", "coregrind/m_main.c"},
    {"valgrind", "--xml-file", "*", "every error (written where memsafe does not look)", "coregrind/m_main.c"},
    {"valgrind", "--xml-fd", "*", "every error (written where memsafe does not look)", "coregrind/m_main.c"},
    {"valgrind", "--xml-socket", "*", "every error (written where memsafe does not look)", "coregrind/m_main.c"},
    {"valgrind", "--leak-check", "no", "every leak", "memcheck/mc_main.c"},
    {"valgrind", "--leak-check", "summary", "the stack of every leak (no leak is an error)", "memcheck/mc_main.c"},
    {"valgrind", "--undef-value-errors", "no", "every use of an uninitialised value", "memcheck/mc_main.c"},
    {"valgrind", "--errors-for-leak-kinds", "!definite,indirect", "definite or indirect leaks as errors",
     "memcheck/mc_main.c"},
    {"valgrind", "--show-leak-kinds", "!definite,indirect", "the stacks of definite or indirect leaks",
     "memcheck/mc_main.c"},
    {"valgrind", "--ignore-ranges", "*", "every error in the address ranges it names", "memcheck/mc_main.c"},
    {"valgrind", "--ignore-range-below-sp", "*", "accesses below the stack pointer", "memcheck/mc_main.c"},
    {"valgrind", "--redzone-size", "<16", "overflows past a smaller red zone than the default 16 bytes",
     "coregrind/m_main.c"},
    {"valgrind", "--trace-children", "no", "the programs of the project a test starts", "coregrind/m_main.c"},
    {"valgrind", "--trace-children-skip", "!system",
     "the programs of the project a test starts, when a pattern is "
     "not a system directory's",
     "coregrind/m_main.c"},
    {"valgrind", "--trace-children-skip-by-arg", "!death-test",
     "the programs of the project a test starts, when "
     "a pattern is not GoogleTest's death-test argument",
     "coregrind/m_main.c"},
    {"valgrind", "--command-line-only", "no", "nothing itself, but lets VALGRIND_OPTS and .valgrindrc in",
     "coregrind/m_main.c"},
    {"valgrind", "--partial-loads-ok", "yes", "reads that start inside a block and run past its end",
     "memcheck/mc_main.c"},
    {"valgrind", "--expensive-definedness-checks", "no", "uninitialised values the cheap checks miss",
     "memcheck/mc_main.c"},
    {"valgrind", "--freelist-vol", "0", "uses after free (freed memory is reused at once)", "memcheck/mc_main.c"},
    {"valgrind", "--show-mismatched-frees", "no", "malloc/delete and new/free mismatches", "memcheck/mc_main.c"},
};

// A flag's value as the runtimes read it: the sanitizers take false/no/off for 0 and
// true/yes/on for 1 (sanitizer_flag_parser.h, FlagHandler<bool>); Valgrind's yes/no stay.
std::string ReadFlagValue(std::string_view tool, std::string_view value) {
  std::string lower;
  for (char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (tool == "valgrind") return lower;
  if (lower == "false" || lower == "no" || lower == "off") return "0";
  if (lower == "true" || lower == "yes" || lower == "on") return "1";
  // A number as strtoll and strtod read it: a sign, leading zeros, a fraction or hex
  // digits do not hide a zero ("+0", "00", "0.0", "0x0").
  std::string_view number = lower;
  if (!number.empty() && (number[0] == '+' || number[0] == '-')) number.remove_prefix(1);
  if (number.starts_with("0x")) number.remove_prefix(2);
  if (!number.empty() && number.find_first_not_of("0.") == std::string::npos) return "0";
  if (!number.empty() && number.find_first_not_of("0123456789") == std::string::npos) {
    const size_t first = number.find_first_not_of('0');
    return std::string(first == std::string_view::npos ? "0" : number.substr(first));
  }
  return lower;
}

}  // namespace

std::optional<std::string> BlindingOption(std::string_view tool, std::string_view option) {
  const std::string_view base = tool == "valgrind-slow" ? std::string_view("valgrind") : tool;
  const auto equals = option.find('=');
  const std::string_view name = option.substr(0, equals);
  const std::string value =
      ReadFlagValue(base, equals == std::string_view::npos ? std::string_view() : option.substr(equals + 1));
  for (const Weakening& row : kWeakening) {
    const std::string_view row_tool = row.tool;
    const bool tool_matches = row_tool == base || (row_tool == "sanitizer" && base != "valgrind");
    if (!tool_matches || name != row.name) continue;
    const std::string_view weak = row.weak;
    bool weakens = weak == "*" || value == weak;
    if (weak == "!memcheck") weakens = value != "memcheck";
    if (weak.starts_with("!") && weak.find(',') != std::string_view::npos) {
      // A list of kinds: every kind the row names must be in it.
      const std::string list = "," + value + ",";
      weakens = value != "all";
      if (weakens) {
        weakens = false;
        for (std::string_view kinds = weak.substr(1); !kinds.empty();) {
          const std::string_view kind = kinds.substr(0, kinds.find(','));
          if (list.find("," + std::string(kind) + ",") == std::string::npos) weakens = true;
          kinds.remove_prefix(std::min(kinds.size(), kind.size() + 1));
        }
      }
    }
    if (weak == "!system" || weak == "!death-test") {
      // Every comma-separated pattern must skip only system programs (or only the
      // children GoogleTest's death tests start); any other could match the build tree.
      weakens = value.empty();
      for (std::string_view patterns = value; !patterns.empty();) {
        const std::string_view pattern = patterns.substr(0, patterns.find(','));
        bool allowed = false;
        if (weak == "!system") {
          for (const std::string_view dir : {"/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/etc/", "/opt/"}) {
            allowed = allowed || (pattern.starts_with(dir) && pattern.size() > dir.size());
          }
        } else {
          allowed = pattern == "*--gtest_internal_run_death_test*";
        }
        weakens = weakens || !allowed;
        patterns.remove_prefix(std::min(patterns.size(), pattern.size() + 1));
      }
    }
    if (weak.starts_with("<")) {
      char* end = nullptr;
      const long long number = std::strtoll(value.c_str(), &end, 10);
      weakens = end == value.c_str() || *end != '\0' || number < std::atoll(std::string(weak.substr(1)).c_str());
    }
    if (weakens) return std::string(row.hides) + "; see " + row.source;
  }
  return std::nullopt;
}

bool IsKnownSanitizerOption(std::string_view tool, std::string_view name) {
  if (CommonOptions().count(name) != 0) return true;
  // ASan also accepts LSan's options when LSan runs inside it.
  if (tool == "asan" && SanitizerOwnOptions("lsan")->count(name) != 0) return true;
  const std::set<std::string, std::less<>>* own = SanitizerOwnOptions(tool);
  return own != nullptr && own->count(name) != 0;
}

std::vector<Problem> LintOptions(std::string_view content) {
  std::vector<Problem> problems;
  const std::vector<std::string_view> lines = SplitLines(content);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    const std::string_view line = Trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    const auto hash = line.find('#');
    const std::string_view body = Trim(line.substr(0, hash));
    const std::string_view reason = hash == std::string_view::npos ? "" : Trim(line.substr(hash + 1));
    const auto space = body.find_first_of(" \t");
    const std::string tool(body.substr(0, space));
    const std::string_view option = space == std::string_view::npos ? "" : Trim(body.substr(space));
    const auto problem = [&](std::string message) { problems.push_back({number, std::move(message)}); };
    if (reason.empty()) problem("option without a reason ('# <why>' at the end of the line)");
    const bool valgrind = tool == "valgrind" || tool == "valgrind-slow";
    const std::optional<std::string> hides = BlindingOption(tool, option);
    if (FindMemoryTool(tool) == nullptr && !valgrind) {
      problem("unknown tool '" + tool + "' (" + OptionsFileToolNames() + ")");
    } else if (option.empty()) {
      problem("no option after the tool name");
    } else if (option.find_first_of(" \t") != std::string_view::npos) {
      problem("stray space inside '" + std::string(option) + "': one option per line, no spaces");
    } else if (option.find_first_of(";[]\\") != std::string_view::npos) {
      // CMake reads the options into lists, where these split or join elements: the line
      // would pass as other options than the one written.
      problem("'" + std::string(option) +
              "' holds one of ; [ ] \\, which no runtime option needs and CMake's "
              "lists read as separators");
    } else if (valgrind) {
      const std::string_view name = option.substr(0, option.find('='));
      if (!IsValgrindOptionName(name) || name.size() + 1 == option.size()) {
        problem("a Valgrind option looks like --name=value, not '" + std::string(option) + "'");
      } else if (!hides && SetByMemsafe(true, name)) {
        problem("'" + std::string(option) + "' names a file or output memsafe passes itself or does not read");
      }
    } else if (option.find(',') != std::string_view::npos || option.find(':') != std::string_view::npos) {
      problem("'" + std::string(option) + "' joins options with ',' or ':'; write one option per line");
    } else {
      const auto equals = option.find('=');
      const std::string_view name = option.substr(0, equals);
      if (equals == std::string_view::npos || equals + 1 == option.size()) {
        problem("expected name=value, got '" + std::string(option) + "'");
      } else if (!IsKnownSanitizerOption(tool, name)) {
        problem("unknown " + tool + " option '" + std::string(name) + "' (the runtime would ignore it)");
      } else if (!hides && SetByMemsafe(false, name)) {
        problem("'" + std::string(option) + "' names a file or output memsafe passes itself or does not read");
      }
    }
    if (hides) {
      // No reason makes such a line acceptable: a run with it can end green over a real bug.
      problem("'" + std::string(option) + "' weakens the tool (it hides " + *hides +
              "): memsafe refuses it; fix the code, or suppress the one finding in sanitizers/");
    }
  }
  return problems;
}

std::vector<std::string> WeakeningInEnvironmentValue(std::string_view variable, std::string_view value) {
  std::string tool;
  for (const MemoryTool& row : MemoryTools()) {
    if (!row.options_variable.empty() && variable == row.options_variable) tool = row.name;
  }
  std::vector<std::string> found;
  if (tool.empty()) return found;
  // As the runtimes read it (sanitizer_flag_parser.cpp): options separated by any of
  // ' ', ',', ':', tab, newline and carriage return; a value may be quoted with ' or ",
  // and '$' is an ordinary character.
  size_t at = 0;
  while (at < value.size()) {
    while (at < value.size() && std::string_view(" ,:\t\n\r").find(value[at]) != std::string_view::npos) ++at;
    const size_t name_start = at;
    while (at < value.size() && value[at] != '=' &&
           std::string_view(" ,:\t\n\r").find(value[at]) == std::string_view::npos) {
      ++at;
    }
    const std::string name(value.substr(name_start, at - name_start));
    std::string option_value;
    if (at < value.size() && value[at] == '=') {
      ++at;
      if (at < value.size() && (value[at] == '\'' || value[at] == '"')) {
        const char quote = value[at++];
        const size_t end = std::min(value.find(quote, at), value.size());
        option_value = value.substr(at, end - at);
        at = end + 1;
      } else {
        const size_t start = at;
        while (at < value.size() && std::string_view(" ,:\t\n\r").find(value[at]) == std::string_view::npos) ++at;
        option_value = value.substr(start, at - start);
      }
    }
    if (name.empty()) continue;
    const std::string option = name + "=" + option_value;
    if (const std::optional<std::string> hides = BlindingOption(tool, option)) {
      found.push_back(std::string(variable) + ": '" + option + "' weakens the tool (it hides " + *hides + ")");
    }
  }
  return found;
}

std::vector<std::string> ProjectCMakeFiles(const std::string& source) {
  namespace fs = std::filesystem;
  std::vector<std::string> found;
  std::error_code error;
  fs::recursive_directory_iterator it(source, fs::directory_options::skip_permission_denied, error), end;
  for (; !error && it != end; it.increment(error)) {
    std::error_code ignored;
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    if (it->is_directory(ignored) && !it->is_symlink(ignored)) {
      if (name.starts_with(".") || fs::exists(path / "CMakeCache.txt", ignored)) it.disable_recursion_pending();
      continue;
    }
    if ((name == "CMakeLists.txt" || name.ends_with(".cmake")) && it->is_regular_file(ignored)) {
      found.push_back(path.string());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::vector<Problem> LintOptionStrings(std::string_view content, bool memsafe_module, bool cmake_file) {
  std::vector<Problem> problems;
  const std::vector<std::string_view> lines = SplitLines(content);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    const std::string_view line = lines[i];
    // Files that suppress or ignore findings, named outside sanitizers/: never linted.
    for (const std::string_view flag :
         {"-fsanitize-ignorelist=", "-fsanitize-blacklist=", "-fsanitize-system-ignorelist=", "--suppressions="}) {
      for (auto at = line.find(flag); at != std::string_view::npos; at = line.find(flag, at + 1)) {
        std::size_t end = at + flag.size();
        while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '"' && line[end] != '\'')
          ++end;
        const std::string_view value = line.substr(at + flag.size(), end - at - flag.size());
        // memsafe's own wiring (MemorySafety.cmake, memsafe_settings.cmake) names its files,
        // all under the linted sanitizers directory, through these variables; any other
        // value, with macros or not, names a file no lint reads.
        if (memsafe_module && (value == "${_ignorelist}" || value == "${_supp}" || value == "${_arg_UBSAN_IGNORELIST}"))
          continue;
        if (cmake_file && flag == "--suppressions=") {
          problems.push_back({number,
                              "'" + std::string(line.substr(at, end - at)) +
                                  "' is for the project's own valgrind runs: memsafe's Valgrind runs read only "
                                  "sanitizers/valgrind.supp, and a test script's `valgrind` is memsafe's stand-in",
                              /*note=*/true});
          continue;
        }
        problems.push_back({number, "'" + std::string(line.substr(at, end - at)) +
                                        "' names a file of suppressions outside the lint: memsafe passes "
                                        "sanitizers/ (ubsan_ignorelist.txt, valgrind.supp) itself"});
      }
    }
    for (const MemoryTool& tool : MemoryTools()) {
      if (tool.options_variable.empty()) continue;
      const std::string variable(tool.options_variable);
      for (auto at = line.find(variable); at != std::string_view::npos; at = line.find(variable, at + 1)) {
        // The variable's own name, not a longer one that ends with it (MY_ASAN_OPTIONS).
        if (at > 0 && (std::isalnum(static_cast<unsigned char>(line[at - 1])) || line[at - 1] == '_')) continue;
        // Shell writes NAME=value, YAML NAME: value, JSON "NAME": "value".
        std::size_t start = at + variable.size();
        if (start < line.size() && line[start] == '"') ++start;
        while (start < line.size() && line[start] == ' ') ++start;
        if (start >= line.size() || (line[start] != '=' && line[start] != ':')) continue;
        ++start;
        while (start < line.size() && line[start] == ' ') ++start;
        char quote = 0;
        if (start < line.size() && (line[start] == '"' || line[start] == '\'')) quote = line[start++];
        std::size_t end = start;
        while (end < line.size() && (quote ? line[end] != quote : (line[end] != ' ' && line[end] != '\t'))) ++end;
        const std::string_view value = line.substr(start, end - start);
        const auto problem = [&](std::string message) {
          problems.push_back({number, variable + ": " + std::move(message)});
        };
        if (value.empty()) continue;
        std::size_t part_start = 0;
        while (part_start <= value.size()) {
          const std::size_t colon = std::min(value.find(':', part_start), value.size());
          const std::string_view part = value.substr(part_start, colon - part_start);
          part_start = colon + 1;
          if (part.empty() || part.find('$') != std::string_view::npos) continue;
          const auto equals = part.find('=');
          if (part.find_first_of(" \t") != std::string_view::npos) {
            problem("stray space in '" + std::string(part) + "'");
          } else if (equals == std::string_view::npos || equals == 0) {
            problem("expected name=value, got '" + std::string(part) + "'");
          } else if (part.find(',') != std::string_view::npos && part.find('=', equals + 1) != std::string_view::npos) {
            problem("'" + std::string(part) + "' joins options with ','; the runtime separates them with ':'");
          } else if (!IsKnownSanitizerOption(tool.name, part.substr(0, equals))) {
            problem("unknown " + std::string(tool.name) + " option '" + std::string(part.substr(0, equals)) +
                    "' (the runtime would ignore it)");
          } else if (const std::optional<std::string> hides = BlindingOption(tool.name, part)) {
            // A string has no place for a reason: such a setting belongs in options.txt.
            problem("'" + std::string(part) + "' weakens the tool (it hides " + *hides + "): memsafe refuses it");
          }
        }
      }
    }
  }
  return problems;
}

}  // namespace memsafe::tools
