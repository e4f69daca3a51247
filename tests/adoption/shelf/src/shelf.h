/* A shelf of named items with counts. */
#ifndef SHELF_H_
#define SHELF_H_

#ifdef __cplusplus
extern "C" {
#endif

struct shelf;

struct shelf* shelf_new(void);
void shelf_free(struct shelf* shelf);
/* Adds `count` of `name`; returns 0, or -1 when out of memory. */
int shelf_add(struct shelf* shelf, const char* name, int count);
/* The count of `name`, 0 when absent. */
int shelf_count(const struct shelf* shelf, const char* name);
int shelf_size(const struct shelf* shelf);

#ifdef __cplusplus
}
#endif

#endif /* SHELF_H_ */
