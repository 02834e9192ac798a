/* reorder.h -- the plan of a reorder that lists a large share of a
 * collection: which listed ids are entries, in list order, found among
 * every entry read in key order.  Pure functions; db_track.c reads the
 * entries and writes the keys. */
#ifndef MCOLL_REORDER_H
#define MCOLL_REORDER_H
#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* A reorder listing n ids of a collection of count entries reads every
 * entry once (a range scan, cheap per row) when n * REORDER_SCAN_SHARE >=
 * count, and looks each listed id up by key (dearer per row, but O(n))
 * otherwise; the same rule for the k members it moves decides whether
 * their new keys are written in a scan of the entries or by k lookups. */
#define REORDER_SCAN_SHARE 8

static inline bool reorder_reads_all(size_t n, long count)
{
	return count >= 0 && n * REORDER_SCAN_SHARE >= (size_t)count;
}

/* Finds ids[0..n) among entries[0..m), the entries' track ids in key
 * order (distinct): moved[0..k) get the index in entries of each listed id
 * that is one, in list order (an id listed twice counts at its first
 * place); returns k.  *same is true when nothing would move: the first k
 * entries are moved[0..k) in that order (moved[i] == i).  moved has room
 * for n; m is below 2^31.  O(n + m) time, one allocation (a hash table of
 * the entries). */
size_t reorder_match(const struct text *entries, size_t m, const char *const *ids, size_t n,
		     size_t *moved, bool *same);

#endif
