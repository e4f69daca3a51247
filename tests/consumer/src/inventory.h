// A small stock-keeping library: the consumer project's own code.
#ifndef INVENTORY_INVENTORY_H_
#define INVENTORY_INVENTORY_H_

#include <string>
#include <vector>

namespace inventory {

struct Item {
  std::string name;
  int count = 0;
};

// Parses "name=count,name=count". Unknown or malformed parts are skipped.
std::vector<Item> ParseItems(const std::string& text);

// Sum of all counts.
long TotalCount(const std::vector<Item>& items);

// The largest count, or 0 for no items.
int LargestCount(const std::vector<Item>& items);

}  // namespace inventory

#endif  // INVENTORY_INVENTORY_H_
