/* reorder.c -- matching a reorder's listed ids against a collection's
 * entries through one open-addressing hash table. */
#include "reorder.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* A slot holds an entry's index + 1 (0: empty), TAKEN once listed. */
#define TAKEN 0x80000000u

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

size_t reorder_match(const struct text *entries, size_t m, const char *const *ids, size_t n,
		     size_t *moved, bool *same)
{
	size_t cap = 16, mask, k = 0;
	uint32_t *slot;

	*same = true;
	if (m == 0 || n == 0 || m >= TAKEN)
		return 0;
	while (cap < 2 * m)
		cap *= 2;
	mask = cap - 1;
	slot = xcalloc(cap, sizeof(*slot));
	for (size_t e = 0; e < m; e++) {
		size_t at = (size_t)fnv1a(entries[e].s, entries[e].len) & mask;
		while (slot[at])
			at = (at + 1) & mask;
		slot[at] = (uint32_t)(e + 1);
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(ids[i]), at = (size_t)fnv1a(ids[i], len) & mask;
		for (; slot[at]; at = (at + 1) & mask) {
			const struct text *t = &entries[(slot[at] & ~TAKEN) - 1];
			if (t->len != len || memcmp(t->s, ids[i], len) != 0)
				continue;
			if (!(slot[at] & TAKEN)) {
				moved[k] = (slot[at] & ~TAKEN) - 1;
				*same = *same && moved[k] == k;
				k++;
				slot[at] |= TAKEN;
			}
			break;
		}
	}
	free(slot);
	return k;
}
