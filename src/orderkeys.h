/* orderkeys.h -- the arithmetic of a collection's order: entries carry
 * sort keys, and a block index (first key, entry count per block, in key
 * order) turns an offset into a key to start from.  Pure functions; the
 * statements that keep the index live in db_track.c. */
#ifndef MCOLL_ORDERKEYS_H
#define MCOLL_ORDERKEYS_H
#include <stdbool.h>
#include <stddef.h>

/* Entries per block when blocks are built; 128 keeps both the block rows
 * read to find an offset (n/128) and the entries skipped inside the block
 * found (< 128) small for the 10,000 entries a collection may hold. */
#define ORDER_BLOCK 128
#define ORDER_BLOCK_SQL "128"
/* A key below every key in use: "from the start". */
#define ORDER_KEY_MIN (-9223372036854775807LL - 1)
#define ORDER_KEY_MAX 9223372036854775807LL

struct oblock {
	long long first_key;
	long entries;
};

/* Finds the entry of rank offset (0-based, offset < total): *start gets
 * the first key of the block holding it and *skip the number of that
 * block's entries before it.  Returns false when the blocks do not add up
 * to total (the caller then counts from the start). */
bool order_locate(const struct oblock *b, size_t n, long total, long offset, long long *start,
		  long *skip);

/* Index of the block holding key (the last block whose first key is <=
 * key), or -1 when key comes before the first block. */
long order_block_of(const struct oblock *b, size_t n, long long key);

/* Adds 1 to dec[i] for each key, i being the block holding it; keys before
 * the first block are counted in *stray.  dec has n zeroed slots. */
void order_count_by_block(const struct oblock *b, size_t n, const long long *keys, size_t k,
			  long *dec, long *stray);

/* True when the index must be rebuilt: it does not add up to total, or it
 * has grown to more than twice the blocks a fresh build would make (plus
 * slack), so paging stays cheap and rebuilds stay rare. */
bool order_needs_rebuild(size_t nblocks, long sum, long total);

/* The key that goes count keys before first (first - count), or false if
 * that would leave the key range (the caller rebuilds the keys then). */
bool order_key_below(long long first, long count, long long *out);

/* Marks in first[i] whether keys[i] is the first occurrence of its value
 * (a track listed twice moves once, to its first place).  Returns how
 * many are first occurrences. */
size_t order_first_occurrences(const long long *keys, size_t k, bool *first);

#endif
