/* blockhint.c -- a worker's hints of where a deep page starts (see
 * blockhint.h): a small table of order indexes, least recently used out. */
#include "blockhint.h"

#include <string.h>

static struct blockhint *find(struct blockhints *h, const char *coll)
{
	for (size_t i = 0; i < BLOCKHINT_SLOTS; i++)
		if (h->slot[i].coll[0] && strcmp(h->slot[i].coll, coll) == 0)
			return &h->slot[i];
	return NULL;
}

void blockhint_drop(struct blockhints *h, const char *coll)
{
	struct blockhint *s = find(h, coll);

	if (s)
		s->coll[0] = '\0';
}

void blockhint_put(struct blockhints *h, const char *coll, const struct oblock *b, size_t n)
{
	struct blockhint *s = find(h, coll);
	long total = 0;

	for (size_t i = 0; i < n && total >= 0; i++)
		total = b[i].entries < 0 ? -1 : total + b[i].entries;
	if (strlen(coll) >= sizeof(h->slot[0].coll) || n > BLOCKHINT_MAX_BLOCKS || total < 0) {
		blockhint_drop(h, coll);
		return;
	}
	if (!s) {
		s = &h->slot[0];
		for (size_t i = 1; i < BLOCKHINT_SLOTS && s->coll[0]; i++)
			if (!h->slot[i].coll[0] || h->slot[i].used < s->used)
				s = &h->slot[i];
	}
	strcpy(s->coll, coll);
	memcpy(s->b, b, n * sizeof(*b));
	s->n = n;
	s->total = total;
	s->used = ++h->tick;
}

bool blockhint_locate(struct blockhints *h, const char *coll, long offset, long long *start,
		      long *skip, long *before)
{
	struct blockhint *s = find(h, coll);

	if (!s || offset < 0 || !order_locate(s->b, s->n, s->total, offset, start, skip))
		return false;
	*before = offset - *skip;
	s->used = ++h->tick;
	return true;
}
