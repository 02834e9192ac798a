/* orderkeys.c -- sort keys and the block index, as pure arithmetic. */
#include "orderkeys.h"

#include <stdlib.h>

#include "alloc.h"

bool order_locate(const struct oblock *b, size_t n, long total, long offset, long long *start,
		  long *skip)
{
	long before = 0, sum = 0;
	size_t i, hit = n;

	for (i = 0; i < n; i++) {
		if (b[i].entries < 0)
			return false;
		if (hit == n && offset < sum + b[i].entries) {
			hit = i;
			before = sum;
		}
		sum += b[i].entries;
	}
	if (sum != total || hit == n)
		return false;
	*start = b[hit].first_key;
	*skip = offset - before;
	return true;
}

long order_block_of(const struct oblock *b, size_t n, long long key)
{
	size_t lo = 0, hi = n;

	/* the first block whose first key is > key, minus one */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b[mid].first_key <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

void order_count_by_block(const struct oblock *b, size_t n, const long long *keys, size_t k,
			  long *dec, long *stray)
{
	*stray = 0;
	for (size_t i = 0; i < k; i++) {
		long at = order_block_of(b, n, keys[i]);
		if (at < 0)
			(*stray)++;
		else
			dec[at]++;
	}
}

bool order_needs_rebuild(size_t nblocks, long sum, long total)
{
	long fresh = (total + ORDER_BLOCK - 1) / ORDER_BLOCK;

	return sum != total || (long)nblocks > 2 * fresh + 4;
}

bool order_key_below(long long first, long count, long long *out)
{
	if (count < 0 || first < ORDER_KEY_MIN + count)
		return false;
	*out = first - count;
	return true;
}

struct keyat {
	long long key;
	size_t at;
};

static int keyat_cmp(const void *a, const void *b)
{
	const struct keyat *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

size_t order_first_occurrences(const long long *keys, size_t k, bool *first)
{
	struct keyat *v = xcalloc(k ? k : 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < k; i++)
		v[i] = (struct keyat){keys[i], i};
	qsort(v, k, sizeof(*v), keyat_cmp);
	for (size_t i = 0; i < k; i++) {
		first[v[i].at] = i == 0 || v[i].key != v[i - 1].key;
		n += first[v[i].at];
	}
	free(v);
	return n;
}
