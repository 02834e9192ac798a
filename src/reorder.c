/* reorder.c -- the contract's reorder rule, as a pure function. */
#include "reorder.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"

struct slot {
	const char *id;
	size_t index;
};

static int slot_cmp(const void *a, const void *b)
{
	return strcmp(((const struct slot *)a)->id, ((const struct slot *)b)->id);
}

const char **reorder_plan(const char *const *members, size_t n, const char *const *listed, size_t k)
{
	const char **plan = xcalloc(n, sizeof(*plan));
	struct slot *byid = xcalloc(n, sizeof(*byid));
	unsigned char *placed = xcalloc(n, 1);
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		byid[i].id = members[i];
		byid[i].index = i;
	}
	qsort(byid, n, sizeof(*byid), slot_cmp);
	for (size_t i = 0; i < k; i++) {
		struct slot key = {listed[i], 0}, *hit;
		hit = bsearch(&key, byid, n, sizeof(*byid), slot_cmp);
		if (hit && !placed[hit->index]) {
			placed[hit->index] = 1;
			plan[out++] = members[hit->index];
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!placed[i])
			plan[out++] = members[i];
	free(byid);
	free(placed);
	return plan;
}
