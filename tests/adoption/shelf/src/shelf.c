#include "shelf.h"

#include <stdlib.h>
#include <string.h>

struct item {
  char* name;
  int count;
};

struct shelf {
  struct item* items;
  int size;
  int capacity;
};

struct shelf* shelf_new(void) { return (struct shelf*)calloc(1, sizeof(struct shelf)); }

void shelf_free(struct shelf* shelf) {
  if (shelf == NULL) return;
  for (int i = 0; i < shelf->size; ++i) free(shelf->items[i].name);
  free(shelf->items);
  free(shelf);
}

static struct item* find(const struct shelf* shelf, const char* name) {
  for (int i = 0; i < shelf->size; ++i) {
    if (strcmp(shelf->items[i].name, name) == 0) return &shelf->items[i];
  }
  return NULL;
}

int shelf_add(struct shelf* shelf, const char* name, int count) {
  struct item* found = find(shelf, name);
  if (found != NULL) {
    found->count += count;
    return 0;
  }
  if (shelf->size == shelf->capacity) {
    const int capacity = shelf->capacity == 0 ? 4 : shelf->capacity * 2;
    struct item* items = (struct item*)realloc(shelf->items, (size_t)capacity * sizeof(struct item));
    if (items == NULL) return -1;
    shelf->items = items;
    shelf->capacity = capacity;
  }
  const size_t length = strlen(name) + 1;
  char* copy = (char*)malloc(length);
  if (copy == NULL) return -1;
  memcpy(copy, name, length);
  shelf->items[shelf->size].name = copy;
  shelf->items[shelf->size].count = count;
  ++shelf->size;
  return 0;
}

int shelf_count(const struct shelf* shelf, const char* name) {
  const struct item* found = find(shelf, name);
  return found == NULL ? 0 : found->count;
}

int shelf_size(const struct shelf* shelf) { return shelf->size; }
