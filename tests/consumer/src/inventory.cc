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

int LargestCount(const std::vector<Item>& items) {
  int* counts = new int[items.size()];
  for (size_t i = 0; i < items.size(); ++i) counts[i] = items[i].count;
  int largest = 0;
  // A bug every caller hits: the loop reads one element past the copy.
  for (size_t i = 0; i <= items.size(); ++i) largest = counts[i] > largest ? counts[i] : largest;  // planted
  delete[] counts;
  return largest;
}

}  // namespace inventory
