/* db_track.c -- transactions on a collection's ordered tracks: add, remove,
 * reorder (the pages are read in db_read.c).  Every mutation first locks the collection row, which
 * serialises all changes to one collection, and checks its If-Match
 * against the version read there; the one statement that writes the row
 * moves the version.  The order lives in sort keys
 * and a block index (orderkeys.h, sql/002_order_keys.sql): a change writes
 * the entries it adds, removes or moves and a block row or two, never the
 * entries after them; track_count stays the number of entries, and the
 * blocks add up to it. */
#include "db_entities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "jsonw.h"
#include "log.h"
#include "orderkeys.h"
#include "reorder.h"

/* ------------------------------------------------------------ block index */

static enum dbrc blocks_load(struct db *db, const char *coll, struct oblock **out, size_t *n)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_BLOCK_ALL, ARGS(DV_CSTR(coll)), &r);

	*out = NULL;
	*n = 0;
	if (rc == DB_OK && r.nrows) {
		*out = xcalloc(r.nrows, sizeof(**out));
		for (size_t i = 0; i < r.nrows; i++) {
			(*out)[i].first_key = dbres_int(&r, i, 0);
			(*out)[i].entries = (long)dbres_int(&r, i, 1);
		}
		*n = r.nrows;
	}
	dbres_free(&r);
	return rc;
}

static enum dbrc blocks_rebuild(struct db *db, const char *coll)
{
	enum dbrc rc = db_exec(db, STMT_BLOCK_CLEAR, ARGS(DV_CSTR(coll)), NULL);

	if (rc == DB_OK)
		rc = db_exec(db, STMT_BLOCK_REBUILD, ARGS(DV_CSTR(coll), DV_CSTR(coll)), NULL);
	return rc;
}

/* Rebuilds coll's index when it does not add up to its count entries (rows
 * put in by other means) or has grown too many blocks. */
static enum dbrc blocks_check(struct db *db, const char *coll, long count)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_BLOCK_SUMMARY, ARGS(DV_CSTR(coll)), &r);
	bool rebuild = rc == DB_OK && r.nrows == 1 &&
		       order_needs_rebuild((size_t)dbres_int(&r, 0, 0), (long)dbres_int(&r, 0, 1), count);

	dbres_free(&r);
	if (!rebuild)
		return rc;
	log_debug("rebuilding the order index of %s", coll);
	return blocks_rebuild(db, coll);
}

/* The block holding key: *found, its first key and its entry count. */
static enum dbrc block_at(struct db *db, const char *coll, long long key, bool *found,
			  struct oblock *b)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_BLOCK_AT, ARGS(DV_CSTR(coll), DV_INT(key)), &r);

	*found = rc == DB_OK && r.nrows == 1;
	if (*found) {
		b->first_key = dbres_int(&r, 0, 0);
		b->entries = (long)dbres_int(&r, 0, 1);
	}
	dbres_free(&r);
	return rc;
}

/* The pair [a, b] appended to a JSON array being written in w (the
 * *_MANY statements take arrays of pairs). */
static void write_pair(struct jw *w, long long a, long long b)
{
	if (w->len > 1)
		jw_lit(w, ",");
	jw_lit(w, "[");
	jw_int(w, a);
	jw_lit(w, ",");
	jw_int(w, b);
	jw_lit(w, "]");
}

/* New blocks of ORDER_BLOCK entries (the last one the rest) for the k
 * entries with keys base .. base + k - 1. */
static enum dbrc blocks_insert_run(struct db *db, const char *coll, long long base, size_t k)
{
	struct jw w;
	enum dbrc rc;

	jw_init(&w, 64 + k / ORDER_BLOCK * 32);
	jw_lit(&w, "[");
	for (size_t at = 0; at < k; at += ORDER_BLOCK)
		write_pair(&w, base + (long long)at, (long long)(k - at < ORDER_BLOCK ? k - at : ORDER_BLOCK));
	jw_lit(&w, "]");
	rc = db_exec(db, STMT_BLOCK_INSERT_MANY, ARGS(DV_CSTR(coll), DV_STR(w.buf, w.len)), NULL);
	jw_free(&w);
	return rc;
}

/* Every entry of coll now has a key base .. base + k - 1: the index is
 * made anew for them, without reading it. */
static enum dbrc blocks_fresh(struct db *db, const char *coll, long long base, size_t k)
{
	enum dbrc rc = db_exec(db, STMT_BLOCK_CLEAR, ARGS(DV_CSTR(coll)), NULL);

	return rc == DB_OK ? blocks_insert_run(db, coll, base, k) : rc;
}

/* k new entries with keys base .. base + k - 1, above every other: counted
 * in the last block as far as it has room, the rest in new blocks. */
static enum dbrc blocks_append(struct db *db, const char *coll, long long base, size_t k)
{
	struct oblock last;
	size_t room = 0;
	bool found;
	enum dbrc rc = block_at(db, coll, ORDER_KEY_MAX, &found, &last);

	if (rc != DB_OK)
		return rc;
	if (found && last.entries < ORDER_BLOCK)
		room = (size_t)(ORDER_BLOCK - last.entries);
	if (room > k)
		room = k;
	if (room)
		rc = db_exec(db, STMT_BLOCK_ADD, ARGS(DV_INT((long long)room), DV_CSTR(coll), DV_INT(last.first_key)),
			     NULL);
	if (rc == DB_OK && room < k)
		rc = blocks_insert_run(db, coll, base + (long long)room, k - room);
	return rc;
}

/* An entry with key is gone: one less in its block (dropped when empty). */
static enum dbrc blocks_remove(struct db *db, const char *coll, long long key)
{
	struct oblock b;
	bool found;
	enum dbrc rc = block_at(db, coll, key, &found, &b);

	if (rc != DB_OK)
		return rc;
	if (!found) /* the index does not cover the key: make it anew */
		return blocks_rebuild(db, coll);
	rc = db_exec(db, STMT_BLOCK_ADD, ARGS(DV_INT(-1), DV_CSTR(coll), DV_INT(b.first_key)), NULL);
	if (rc == DB_OK && b.entries <= 1)
		rc = db_exec(db, STMT_BLOCK_DELETE_EMPTY, ARGS(DV_CSTR(coll)), NULL);
	return rc;
}

/* k entries, whose keys were old[], now hold keys base .. base + k - 1,
 * before every other entry: take them out of their blocks and count them
 * at the front (in the first block when it has room, else in new ones). */
static enum dbrc blocks_moved_front(struct db *db, const char *coll, const long long *old, size_t k,
				    long long base)
{
	struct oblock *b = NULL;
	struct jw w = {0};
	long *dec = NULL, stray;
	size_t nb, first;
	enum dbrc rc = blocks_load(db, coll, &b, &nb);

	if (rc != DB_OK)
		goto out;
	dec = xcalloc(nb ? nb : 1, sizeof(*dec));
	order_count_by_block(b, nb, old, k, dec, &stray);
	if (stray) {
		rc = blocks_rebuild(db, coll);
		goto out;
	}
	jw_init(&w, 64 + nb * 32);
	jw_lit(&w, "[");
	for (size_t i = 0; i < nb; i++)
		if (dec[i])
			write_pair(&w, b[i].first_key, dec[i]);
	jw_lit(&w, "]");
	rc = db_exec(db, STMT_BLOCK_SUB_MANY, ARGS(DV_STR(w.buf, w.len), DV_CSTR(coll)), NULL);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_BLOCK_DELETE_EMPTY, ARGS(DV_CSTR(coll)), NULL);
	if (rc != DB_OK)
		goto out;
	for (first = 0; first < nb && b[first].entries - dec[first] <= 0; first++)
		;
	if (first < nb && b[first].entries - dec[first] + (long)k <= ORDER_BLOCK) {
		rc = db_exec(db, STMT_BLOCK_MOVE,
			     ARGS(DV_INT(base), DV_INT((long long)k), DV_CSTR(coll), DV_INT(b[first].first_key)),
			     NULL);
		goto out;
	}
	rc = blocks_insert_run(db, coll, base, k);
out:
	jw_free(&w);
	free(dec);
	free(b);
	return rc;
}

/* ------------------------------------------------------------ entries */

/* Smallest and largest key in use; *empty when there are none. */
static enum dbrc key_range(struct db *db, const char *coll, bool *empty, long long *min, long long *max)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_ENTRY_KEY_RANGE, ARGS(DV_CSTR(coll)), &r);

	*empty = rc != DB_OK || r.nrows != 1 || !dbres_cell(&r, 0, 0)->s;
	if (!*empty) {
		*min = dbres_int(&r, 0, 0);
		*max = dbres_int(&r, 0, 1);
	}
	dbres_free(&r);
	return rc;
}

/* The track's key in the collection; *member false when it is not in it. */
static enum dbrc entry_key(struct db *db, const char *coll, const char *track, bool *member,
			   long long *key)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_ENTRY_FIND, ARGS(DV_CSTR(coll), DV_CSTR(track)), &r);

	*member = rc == DB_OK && r.nrows == 1;
	*key = *member ? dbres_int(&r, 0, 0) : 0;
	dbres_free(&r);
	return rc;
}

enum dbrc entry_remove(struct db *db, const char *coll, const char *track, long count, bool *removed)
{
	long long key;
	enum dbrc rc = entry_key(db, coll, track, removed, &key);

	if (rc != DB_OK || !*removed)
		return rc;
	rc = blocks_check(db, coll, count);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_ENTRY_DELETE, ARGS(DV_CSTR(coll), DV_CSTR(track)), NULL);
	if (rc == DB_OK)
		rc = blocks_remove(db, coll, key);
	return rc;
}

/* Locks the caller's collection: *count gets its track_count, *version
 * its version.  Sets *outcome to TXO_NOT_FOUND when the collection is not
 * the caller's. */
static enum dbrc lock_collection(struct db *db, const struct coll_ref *ref, enum tx_outcome *outcome,
				 long *count, long long *version)
{
	struct collection c = {0};
	bool found;
	enum dbrc rc = collection_fetch(db, ref, true, &c, &found);

	*outcome = found ? TXO_OK : TXO_NOT_FOUND;
	*count = c.track_count;
	*version = c.version;
	collection_free(&c);
	return rc;
}

/* After the lock: TXO_PRECONDITION when the write's If-Match does not
 * hold; true when the write may go on. */
static bool precondition_or_outcome(const char *if_match, long long version, enum tx_outcome *outcome)
{
	if (precondition_holds(if_match, version))
		return true;
	*outcome = TXO_PRECONDITION;
	return false;
}

/* ids[0..n) as a JSON array of strings, written into w (jw_free it). */
static void id_json(struct jw *w, const char *const *ids, size_t n)
{
	jw_init(w, 2 + n * 24);
	jw_lit(w, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			jw_lit(w, ",");
		jw_cstr(w, ids[i]);
	}
	jw_lit(w, "]");
}

/* The first of ids[0..n) (in list order) that is no track of org: *missing
 * is its index, or n when every one is; the tracks found stay share-locked
 * until the commit. */
static enum dbrc first_missing(struct db *db, const char *org, const char *const *ids, size_t n,
			       size_t *missing)
{
	struct jw listed;
	struct dbres r;
	size_t row = 0;
	enum dbrc rc;

	id_json(&listed, ids, n);
	rc = db_exec(db, STMT_TRACK_CHECK_MANY, ARGS(DV_STR(listed.buf, listed.len), DV_CSTR(org)), &r);

	/* the rows found are a subsequence of the list, in its order */
	for (*missing = 0; rc == DB_OK && *missing < n; (*missing)++, row++)
		if (row >= r.nrows || strcmp(dbres_cell(&r, row, 0)->s, ids[*missing]) != 0)
			break;
	dbres_free(&r);
	jw_free(&listed);
	return rc;
}

enum dbrc tx_track_add_many(struct db *db, void *ctx)
{
	struct tx_members *t = ctx;
	struct jw listed = {0}, json = {0};
	struct dbres r = {0};
	long long min, max;
	const char **adding = NULL;
	size_t k = 0;
	bool *present = NULL, empty;
	long count;
	enum dbrc rc = lock_collection(db, &t->ref, &t->outcome, &count, &t->version);

	t->added = 0;
	if (rc != DB_OK || t->outcome == TXO_NOT_FOUND)
		return rc;
	/* Every id must name a track of the organization, else nothing is
	 * added; ids[nwell] (if any) is the first that cannot name one. */
	if ((rc = first_missing(db, t->ref.org, t->ids, t->nwell, &t->missing)) != DB_OK)
		return rc;
	if (t->missing < t->n) {
		t->outcome = TXO_TRACK_NOT_FOUND;
		return DB_OK;
	}
	/* The tracks are checked before If-Match (they are part of the
	 * request), membership and the limit after (the collection's state). */
	if (!precondition_or_outcome(t->if_match, t->version, &t->outcome))
		return DB_OK;
	id_json(&listed, t->ids, t->n);
	rc = db_exec(db, STMT_ENTRY_LISTED, ARGS(DV_STR(listed.buf, listed.len), DV_CSTR(t->ref.id)), &r);
	if (rc != DB_OK)
		goto out;
	present = xcalloc(t->n, sizeof(*present));
	adding = xcalloc(t->n, sizeof(*adding));
	for (size_t i = 0; i < r.nrows; i++)
		present[dbres_int(&r, i, 0) - 1] = true;
	for (size_t i = 0; i < t->n; i++)
		if (!present[i])
			adding[k++] = t->ids[i];
	if (k == 0) {
		t->outcome = TXO_NOOP;
		goto out;
	}
	if ((long)k > COLLECTION_MAX_TRACKS - count) {
		t->outcome = TXO_FULL;
		goto out;
	}
	rc = blocks_check(db, t->ref.id, count);
	if (rc == DB_OK)
		rc = key_range(db, t->ref.id, &empty, &min, &max);
	if (rc != DB_OK)
		goto out;
	if (!empty && max > ORDER_KEY_MAX - (long long)k) {
		log_error("collection %s: sort keys exhausted at the end", t->ref.id);
		rc = DB_FAIL;
		goto out;
	}
	min = empty ? 0 : max + 1; /* the first new key */
	id_json(&json, adding, k);
	rc = db_exec(db, STMT_ENTRY_INSERT_MANY, ARGS(DV_CSTR(t->ref.id), DV_INT(min), DV_STR(json.buf, json.len)),
		     NULL);
	if (rc == DB_OK)
		rc = blocks_append(db, t->ref.id, min, k);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_COLL_SET_COUNT, ARGS(DV_INT(count + (long)k), DV_CSTR(t->ref.id)), NULL);
	if (rc == DB_OK) {
		t->added = k;
		t->version++; /* STMT_COLL_SET_COUNT moved it */
	}
out:
	jw_free(&listed);
	jw_free(&json);
	free(adding);
	free(present);
	dbres_free(&r);
	return rc;
}

enum dbrc tx_track_remove(struct db *db, void *ctx)
{
	struct tx_member *t = ctx;
	long count;
	bool removed;
	enum dbrc rc = lock_collection(db, &t->ref, &t->outcome, &count, &t->version);

	if (rc != DB_OK || t->outcome == TXO_NOT_FOUND ||
	    !precondition_or_outcome(t->if_match, t->version, &t->outcome))
		return rc;
	rc = entry_remove(db, t->ref.id, t->track_id, count, &removed);
	if (rc != DB_OK)
		return rc;
	if (!removed) {
		t->outcome = TXO_NOOP;
		return DB_OK;
	}
	t->version++; /* STMT_COLL_SET_COUNT moves it */
	return db_exec(db, STMT_COLL_SET_COUNT, ARGS(DV_INT(count - 1), DV_CSTR(t->ref.id)), NULL);
}

/* The order is unchanged when the first k entries are already moved[] in
 * that order. */
static enum dbrc already_first(struct db *db, const char *coll, const char *const *moved, size_t k,
			       bool *same)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_ENTRY_FIRST, ARGS(DV_CSTR(coll), DV_INT((long long)k)), &r);

	*same = rc == DB_OK && r.nrows == k;
	for (size_t i = 0; *same && i < k; i++)
		*same = strcmp(dbres_cell(&r, i, 0)->s, moved[i]) == 0;
	dbres_free(&r);
	return rc;
}

/* What a reorder moves: the members it lists, in list order, with their
 * keys before. */
struct moves {
	const char **ids;  /* k of them: the request's, or cells of rows */
	long long *old;
	size_t k;
	bool same;         /* they come first already, in that order */
	bool all;          /* they are every entry */
	bool empty;        /* the collection has no entries */
	long long min;     /* else its smallest key */
	struct dbres rows; /* what ids may point into */
};

static void moves_free(struct moves *mv)
{
	free(mv->ids);
	free(mv->old);
	dbres_free(&mv->rows);
}

/* The moves of a reorder listing a few of the collection's tracks: each
 * listed id looked up by key, O(n) rows. */
static enum dbrc moves_looked_up(struct db *db, const struct tx_order *t, struct moves *mv)
{
	struct jw listed;
	struct dbres *r = &mv->rows;
	bool *first = NULL;
	long long max;
	enum dbrc rc;

	id_json(&listed, t->ids, t->n);
	rc = db_exec(db, STMT_ENTRY_LISTED, ARGS(DV_STR(listed.buf, listed.len), DV_CSTR(t->ref.id)), r);
	jw_free(&listed);
	if (rc != DB_OK)
		return rc;
	mv->ids = xcalloc(r->nrows + 1, sizeof(*mv->ids));
	mv->old = xcalloc(r->nrows + 1, sizeof(*mv->old));
	first = xcalloc(r->nrows + 1, sizeof(*first));
	for (size_t i = 0; i < r->nrows; i++)
		mv->old[i] = dbres_int(r, i, 1);
	order_first_occurrences(mv->old, r->nrows, first);
	for (size_t i = 0; i < r->nrows; i++) {
		if (!first[i])
			continue;
		mv->ids[mv->k] = t->ids[dbres_int(r, i, 0) - 1];
		mv->old[mv->k++] = mv->old[i];
	}
	free(first);
	if (mv->k == 0)
		return DB_OK;
	rc = already_first(db, t->ref.id, mv->ids, mv->k, &mv->same);
	if (rc == DB_OK && !mv->same)
		rc = key_range(db, t->ref.id, &mv->empty, &mv->min, &max);
	return rc;
}

/* The moves of a reorder listing a large share of the collection: every
 * entry read once in key order (one range scan, O(count) rows) and the
 * list matched against them in memory. */
static enum dbrc moves_scanned(struct db *db, const struct tx_order *t, struct moves *mv)
{
	struct dbres *r = &mv->rows;
	struct text *entries = NULL;
	size_t *at = NULL;
	enum dbrc rc = db_exec(db, STMT_ENTRY_ALL, ARGS(DV_CSTR(t->ref.id)), r);

	if (rc != DB_OK)
		return rc;
	entries = xcalloc(r->nrows + 1, sizeof(*entries));
	at = xcalloc(t->n + 1, sizeof(*at));
	for (size_t i = 0; i < r->nrows; i++)
		entries[i] = *dbres_cell(r, i, 0);
	mv->k = reorder_match(entries, r->nrows, t->ids, t->n, at, &mv->same);
	mv->ids = xcalloc(mv->k + 1, sizeof(*mv->ids));
	mv->old = xcalloc(mv->k + 1, sizeof(*mv->old));
	for (size_t i = 0; i < mv->k; i++) {
		mv->ids[i] = entries[at[i]].s;
		mv->old[i] = dbres_int(r, at[i], 1);
	}
	mv->all = mv->k == r->nrows;
	mv->empty = r->nrows == 0;
	mv->min = mv->empty ? 0 : dbres_int(r, 0, 1);
	free(entries);
	free(at);
	return DB_OK;
}

/* The listed tracks that are members come first, in the listed order; the
 * others keep their order after them.  So the members listed get keys
 * below every key in use, and nothing else is written.  Listing a large
 * share of the collection (reorder_reads_all) reads every entry; moving a
 * large share writes the keys in one scan of them; else each listed id,
 * then each member moved, is looked up. */
enum dbrc tx_reorder(struct db *db, void *ctx)
{
	struct tx_order *t = ctx;
	struct moves mv = {0};
	struct jw moving = {0};
	struct dbres placed = {0};
	long long base;
	long count;
	enum dbrc rc = lock_collection(db, &t->ref, &t->outcome, &count, &t->version);

	if (rc != DB_OK || t->outcome == TXO_NOT_FOUND ||
	    !precondition_or_outcome(t->if_match, t->version, &t->outcome))
		return rc;
	rc = reorder_reads_all(t->n, count) ? moves_scanned(db, t, &mv) : moves_looked_up(db, t, &mv);
	if (rc != DB_OK || mv.k == 0 || mv.same)
		goto touch;
	/* Moving every entry makes the index anew: no need to check it. */
	if (!mv.all && (rc = blocks_check(db, t->ref.id, count)) != DB_OK)
		goto out;
	if (mv.empty || !order_key_below(mv.min, (long)mv.k, &base)) {
		log_error("collection %s: sort keys exhausted at the front", t->ref.id);
		rc = DB_FAIL;
		goto out;
	}
	id_json(&moving, mv.ids, mv.k);
	rc = db_exec(db, reorder_reads_all(mv.k, count) ? STMT_ENTRY_MOVE_FRONT_SCAN : STMT_ENTRY_MOVE_FRONT,
		     ARGS(DV_STR(moving.buf, moving.len), DV_INT(base), DV_CSTR(t->ref.id)), &placed);
	if (rc == DB_OK && placed.affected != mv.k) {
		log_error("reorder of %s moved %llu of %zu tracks", t->ref.id, placed.affected, mv.k);
		rc = DB_FAIL;
	}
	if (rc == DB_OK)
		rc = mv.all ? blocks_fresh(db, t->ref.id, base, mv.k)
			    : blocks_moved_front(db, t->ref.id, mv.old, mv.k, base);
touch:
	if (rc == DB_OK)
		rc = db_exec(db, STMT_COLL_TOUCH, ARGS(DV_CSTR(t->ref.id)), NULL);
	t->version++; /* STMT_COLL_TOUCH moved it */
out:
	jw_free(&moving);
	dbres_free(&placed);
	moves_free(&mv);
	return rc;
}
