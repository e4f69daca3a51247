// What the commands of cli/ share.
#include <string>

#include "cli/cli.h"

namespace memsafe::cli {

const CLI::Validator& NotAnOption() {
  static const CLI::Validator validator(
      [](std::string& value) {
        return !value.empty() && value[0] == '-' ? "'" + value + "' looks like an option, not this option's value"
                                                 : std::string();
      },
      "", "not an option");
  return validator;
}

}  // namespace memsafe::cli
