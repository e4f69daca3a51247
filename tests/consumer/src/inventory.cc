#include "inventory.h"

#include <sstream>

namespace inventory {

std::vector<Item> ParseItems(const std::string& text) {
  std::vector<Item> items;
  std::istringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    const auto equals = part.find('=');
    if (equals == std::string::npos || equals == 0) continue;
    try {
      items.push_back(Item{part.substr(0, equals), std::stoi(part.substr(equals + 1))});
    } catch (const std::exception&) {
      // malformed count: skipped, as documented
    }
  }
  return items;
}

long TotalCount(const std::vector<Item>& items) {
  long total = 0;
  for (const Item& item : items) total += item.count;
  return total;
}

}  // namespace inventory
