/* reorder.h -- the new order of a collection after a reorder request. */
#ifndef MCOLL_REORDER_H
#define MCOLL_REORDER_H
#include <stddef.h>

/* Computes a reorder: members (current order) with the listed ones first in
 * the given order, the rest after them in their current order; listed ids
 * that are not members are ignored.  Returns a heap array of n borrowed
 * pointers into members; the caller frees the array. */
const char **reorder_plan(const char *const *members, size_t n, const char *const *listed, size_t k);

#endif
