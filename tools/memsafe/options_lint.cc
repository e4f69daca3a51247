#include "options_lint.h"

#include <algorithm>
#include <cctype>
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

const std::set<std::string, std::less<>>& ToolOptions(std::string_view tool) {
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
  static const std::set<std::string, std::less<>> none;
  if (tool == "asan") return asan;
  if (tool == "lsan") return lsan;
  if (tool == "ubsan") return ubsan;
  if (tool == "tsan") return tsan;
  return none;
}

// Options whose value switches a check off or hides what a tool found, with what they
// hide: one list for options.txt and for option strings in scripts and presets.
struct Blinding {
  const char* tool;    // "sanitizer" for every sanitizer, or asan/lsan/ubsan/tsan/valgrind
  const char* option;  // name=value, or --flag=value
  const char* hides;
};
constexpr Blinding kBlinding[] = {
    {"sanitizer", "exitcode=0", "a finding no longer changes the exit status"},
    {"sanitizer", "print_summary=0", "the SUMMARY line that names the place of a finding"},
    {"asan", "detect_leaks=0", "every leak"},
    {"asan", "halt_on_error=0", "errors after the first (and with recovery, the failure itself)"},
    {"asan", "alloc_dealloc_mismatch=0", "malloc/delete and new/free mismatches"},
    {"asan", "new_delete_type_mismatch=0", "deletes with the wrong size or type"},
    {"asan", "detect_odr_violation=0", "one-definition-rule violations"},
    {"asan", "detect_stack_use_after_return=0", "uses of dead stack frames"},
    {"asan", "detect_container_overflow=0", "container overflows"},
    {"asan", "check_initialization_order=0", "initialisation-order bugs"},
    {"asan", "poison_heap=0", "heap overflows and uses after free"},
    {"asan", "report_globals=0", "global buffer overflows"},
    {"lsan", "detect_leaks=0", "every leak"},
    {"ubsan", "halt_on_error=0", "the failure of a check that fires (with recovery)"},
    {"tsan", "report_bugs=0", "every race and every other TSan report"},
    {"tsan", "report_thread_leaks=0", "threads never joined"},
    {"tsan", "report_mutex_bugs=0", "mutex misuse"},
    {"tsan", "report_signal_unsafe=0", "async-signal-unsafe calls in signal handlers"},
    {"tsan", "report_destroy_locked=0", "destruction of a locked mutex"},
    {"valgrind", "--error-exitcode=0", "an error no longer changes the exit status"},
    {"valgrind", "--leak-check=no", "every leak"},
    {"valgrind", "--leak-check=summary", "the stack of every leak (no leak is an error)"},
    {"valgrind", "--undef-value-errors=no", "every use of an uninitialised value"},
    {"valgrind", "--errors-for-leak-kinds=none", "leaks as errors"},
    {"valgrind", "--show-leak-kinds=none", "every leak"},
};

}  // namespace

std::optional<std::string> BlindingOption(std::string_view tool, std::string_view option) {
  const std::string_view base = tool == "valgrind-slow" ? std::string_view("valgrind") : tool;
  for (const Blinding& entry : kBlinding) {
    const std::string_view entry_tool = entry.tool;
    const bool tool_matches = entry_tool == base || (entry_tool == "sanitizer" && base != "valgrind");
    if (tool_matches && option == entry.option) return std::string(entry.hides);
  }
  return std::nullopt;
}

bool IsKnownSanitizerOption(std::string_view tool, std::string_view name) {
  if (CommonOptions().count(name) != 0) return true;
  // ASan also accepts LSan's options when LSan runs inside it.
  if (tool == "asan" && ToolOptions("lsan").count(name) != 0) return true;
  return ToolOptions(tool).count(name) != 0;
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
    if (tool != "asan" && tool != "lsan" && tool != "ubsan" && tool != "tsan" && !valgrind) {
      problem("unknown tool '" + tool + "' (asan, lsan, ubsan, tsan, valgrind, valgrind-slow)");
    } else if (option.empty()) {
      problem("no option after the tool name");
    } else if (option.find_first_of(" \t") != std::string_view::npos) {
      problem("stray space inside '" + std::string(option) + "': one option per line, no spaces");
    } else if (valgrind) {
      if (option.rfind("--", 0) != 0) problem("a Valgrind option starts with --: '" + std::string(option) + "'");
    } else if (option.find(',') != std::string_view::npos || option.find(':') != std::string_view::npos) {
      problem("'" + std::string(option) + "' joins options with ',' or ':'; write one option per line");
    } else {
      const auto equals = option.find('=');
      const std::string_view name = option.substr(0, equals);
      if (equals == std::string_view::npos || equals + 1 == option.size()) {
        problem("expected name=value, got '" + std::string(option) + "'");
      } else if (!IsKnownSanitizerOption(tool, name)) {
        problem("unknown " + tool + " option '" + std::string(name) + "' (the runtime would ignore it)");
      }
    }
    if (const std::optional<std::string> hides = BlindingOption(tool, option);
        hides && reason.substr(0, kAcceptedBlindSpot.size()) != kAcceptedBlindSpot) {
      problem("'" + std::string(option) + "' switches part of the tool off (it hides " + *hides +
              "); if that is intended, start the reason with '" + std::string(kAcceptedBlindSpot) + "'");
    }
  }
  return problems;
}

std::vector<Problem> LintOptionStrings(std::string_view content) {
  std::vector<Problem> problems;
  const std::vector<std::string_view> lines = SplitLines(content);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int number = static_cast<int>(i) + 1;
    const std::string_view line = lines[i];
    for (const char* tool : {"asan", "lsan", "ubsan", "tsan"}) {
      std::string variable;
      for (const char* c = tool; *c != '\0'; ++c) variable += static_cast<char>(*c - 'a' + 'A');
      variable += "_OPTIONS";
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
          } else if (!IsKnownSanitizerOption(tool, part.substr(0, equals))) {
            problem("unknown " + std::string(tool) + " option '" + std::string(part.substr(0, equals)) +
                    "' (the runtime would ignore it)");
          } else if (const std::optional<std::string> hides = BlindingOption(tool, part)) {
            // A string has no place for a reason: such a setting belongs in options.txt.
            problem("'" + std::string(part) + "' switches part of the tool off (it hides " + *hides +
                    "); set it in options.txt with a reason if it is intended");
          }
        }
      }
    }
  }
  return problems;
}

}  // namespace memsafe::tools
