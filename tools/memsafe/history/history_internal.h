// What the history's files share: reading a JSON report's fields.
#ifndef MEMSAFE_TOOLS_HISTORY_HISTORY_INTERNAL_H_
#define MEMSAFE_TOOLS_HISTORY_HISTORY_INTERNAL_H_

#include <nlohmann/json.hpp>
#include <string>

namespace memsafe::tools {

// The string at `key`, or "" when it is missing or not a string.
inline std::string StringOf(const nlohmann::json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace memsafe::tools

#endif  // MEMSAFE_TOOLS_HISTORY_HISTORY_INTERNAL_H_
