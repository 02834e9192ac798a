/* blockhint.h -- hints of where a deep page of tracks starts: a worker
 * keeps the order index (orderkeys.h) it last read of a few collections,
 * so a page past the first block can be read in one statement instead of
 * reading the index first.  A hint is never trusted: the statement that
 * reads the page from it checks, in its own snapshot, that the index
 * still says the same of the entries before the block and that the block
 * starts there (STMT_READ_PAGE_AT); a hint found wrong is dropped and the
 * index read again.  Pure: no I/O, no allocation. */
#ifndef MCOLL_BLOCKHINT_H
#define MCOLL_BLOCKHINT_H
#include <stdbool.h>
#include <stddef.h>

#include "orderkeys.h"

/* Collections hinted per worker, least recently used out. */
#define BLOCKHINT_SLOTS 16
/* A collection of at most 10,000 tracks has about 80 blocks, and at most
 * twice the blocks a fresh build makes before it is rebuilt; an index
 * larger than this is not hinted. */
#define BLOCKHINT_MAX_BLOCKS 256

struct blockhint {
	char coll[24]; /* "" : free */
	unsigned long used;
	size_t n;
	long total; /* the entries of b */
	struct oblock b[BLOCKHINT_MAX_BLOCKS];
};

struct blockhints {
	unsigned long tick;
	struct blockhint slot[BLOCKHINT_SLOTS];
};

/* Remembers the blocks of coll (in key order, as read), replacing its
 * earlier hint or the least recently used one.  An id too long, an
 * index too large or one with a negative count is not remembered (and any earlier hint of it goes). */
void blockhint_put(struct blockhints *h, const char *coll, const struct oblock *b, size_t n);

/* From coll's hint: the first key of the block holding the entry of rank
 * offset (*start), that block's entries before it (*skip) and the
 * entries before the block (*before).  False when coll has no hint or the
 * hint holds fewer than offset + 1 entries. */
bool blockhint_locate(struct blockhints *h, const char *coll, long offset, long long *start,
		      long *skip, long *before);

/* Forgets coll's hint, if any. */
void blockhint_drop(struct blockhints *h, const char *coll);

#endif
