#include "common/commands.h"

#include <chrono>
#include <fstream>
#include <iostream>

namespace memsafe::tools {

void PrintErrors(const std::vector<InputError>& errors) {
  for (const auto& error : errors) {
    std::cerr << error.file << (error.line > 0 ? ":" + std::to_string(error.line) : "") << ": error: " << error.message
              << "\n";
  }
}

int Today() {
  return static_cast<int>(
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch().count());
}

bool WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) std::cerr << "memsafe: cannot write '" << path << "'\n";
  return static_cast<bool>(out);
}

}  // namespace memsafe::tools
