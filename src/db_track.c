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
#include "log.h"
#include "orderkeys.h"

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

/* Pairs [a, b] as a JSON array for the *_MANY statements. */
static struct json_object *pair(long long a, long long b)
{
	struct json_object *p = json_object_new_array_ext(2);

	json_object_array_add(p, json_object_new_int64(a));
	json_object_array_add(p, json_object_new_int64(b));
	return p;
}

static enum dbrc exec_json(struct db *db, enum stmt s, struct json_object *arr, const char *coll)
{
	size_t len;
	const char *json = json_object_to_json_string_length(arr, JSON_C_TO_STRING_PLAIN, &len);

	if (s == STMT_BLOCK_INSERT_MANY)
		return db_exec(db, s, ARGS(DV_CSTR(coll), DV_STR(json, len)), NULL);
	return db_exec(db, s, ARGS(DV_STR(json, len), DV_CSTR(coll)), NULL);
}

/* New blocks of ORDER_BLOCK entries (the last one the rest) for the k
 * entries with keys base .. base + k - 1. */
static enum dbrc blocks_insert_run(struct db *db, const char *coll, long long base, size_t k)
{
	struct json_object *arr = json_object_new_array();
	enum dbrc rc;

	for (size_t at = 0; at < k; at += ORDER_BLOCK)
		json_object_array_add(arr, pair(base + (long long)at,
						(long long)(k - at < ORDER_BLOCK ? k - at : ORDER_BLOCK)));
	rc = exec_json(db, STMT_BLOCK_INSERT_MANY, arr, coll);
	json_object_put(arr);
	return rc;
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
	struct json_object *arr = NULL;
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
	arr = json_object_new_array();
	for (size_t i = 0; i < nb; i++)
		if (dec[i])
			json_object_array_add(arr, pair(b[i].first_key, dec[i]));
	rc = exec_json(db, STMT_BLOCK_SUB_MANY, arr, coll);
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
	json_object_put(arr);
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

/* ids[0..n) as a JSON array of strings (free with json_object_put). */
static struct json_object *id_array(const char *const *ids, size_t n)
{
	struct json_object *a = json_object_new_array_ext((int)n);

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(ids[i]));
	return a;
}

/* The first of ids[0..n) (in list order) that is no track of org: *missing
 * is its index, or n when every one is; the tracks found stay share-locked
 * until the commit. */
static enum dbrc first_missing(struct db *db, const char *org, const char *const *ids, size_t n,
			       size_t *missing)
{
	struct json_object *arr = id_array(ids, n);
	struct dbres r;
	size_t len, row = 0;
	const char *json = json_object_to_json_string_length(arr, JSON_C_TO_STRING_PLAIN, &len);
	enum dbrc rc = db_exec(db, STMT_TRACK_CHECK_MANY, ARGS(DV_STR(json, len), DV_CSTR(org)), &r);

	/* the rows found are a subsequence of the list, in its order */
	for (*missing = 0; rc == DB_OK && *missing < n; (*missing)++, row++)
		if (row >= r.nrows || strcmp(dbres_cell(&r, row, 0)->s, ids[*missing]) != 0)
			break;
	dbres_free(&r);
	json_object_put(arr);
	return rc;
}

enum dbrc tx_track_add_many(struct db *db, void *ctx)
{
	struct tx_members *t = ctx;
	struct json_object *listed = NULL, *adding = NULL;
	struct dbres r = {0};
	long long min, max;
	const char *json;
	size_t len, k = 0;
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
	listed = id_array(t->ids, t->n);
	json = json_object_to_json_string_length(listed, JSON_C_TO_STRING_PLAIN, &len);
	rc = db_exec(db, STMT_ENTRY_LISTED, ARGS(DV_STR(json, len), DV_CSTR(t->ref.id)), &r);
	if (rc != DB_OK)
		goto out;
	present = xcalloc(t->n, sizeof(*present));
	for (size_t i = 0; i < r.nrows; i++)
		present[dbres_int(&r, i, 0) - 1] = true;
	adding = json_object_new_array_ext((int)t->n);
	for (size_t i = 0; i < t->n; i++) {
		if (present[i])
			continue;
		json_object_array_add(adding, json_object_new_string(t->ids[i]));
		k++;
	}
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
	json = json_object_to_json_string_length(adding, JSON_C_TO_STRING_PLAIN, &len);
	rc = db_exec(db, STMT_ENTRY_INSERT_MANY, ARGS(DV_CSTR(t->ref.id), DV_INT(min), DV_STR(json, len)), NULL);
	if (rc == DB_OK)
		rc = blocks_append(db, t->ref.id, min, k);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_COLL_SET_COUNT, ARGS(DV_INT(count + (long)k), DV_CSTR(t->ref.id)), NULL);
	if (rc == DB_OK) {
		t->added = k;
		t->version++; /* STMT_COLL_SET_COUNT moved it */
	}
out:
	json_object_put(listed);
	json_object_put(adding);
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

/* The listed tracks that are members come first, in the listed order; the
 * others keep their order after them.  So the members listed get keys
 * below every key in use, and nothing else is written. */
enum dbrc tx_reorder(struct db *db, void *ctx)
{
	struct tx_order *t = ctx;
	struct json_object *listed = id_array(t->ids, t->n), *moving = NULL;
	struct dbres r = {0}, placed = {0};
	const char **moved = NULL;
	long long *old = NULL, min, max, base;
	bool *first = NULL;
	size_t k = 0, len;
	const char *json;
	long count;
	bool same, empty;
	enum dbrc rc = lock_collection(db, &t->ref, &t->outcome, &count, &t->version);

	if (rc != DB_OK || t->outcome == TXO_NOT_FOUND ||
	    !precondition_or_outcome(t->if_match, t->version, &t->outcome))
		goto out;
	json = json_object_to_json_string_length(listed, JSON_C_TO_STRING_PLAIN, &len);
	rc = db_exec(db, STMT_ENTRY_LISTED, ARGS(DV_STR(json, len), DV_CSTR(t->ref.id)), &r);
	if (rc != DB_OK)
		goto out;
	moved = xcalloc(r.nrows + 1, sizeof(*moved));
	old = xcalloc(r.nrows + 1, sizeof(*old));
	first = xcalloc(r.nrows + 1, sizeof(*first));
	for (size_t i = 0; i < r.nrows; i++)
		old[i] = dbres_int(&r, i, 1);
	order_first_occurrences(old, r.nrows, first);
	moving = json_object_new_array_ext((int)r.nrows);
	for (size_t i = 0; i < r.nrows; i++) {
		if (!first[i])
			continue;
		moved[k] = t->ids[dbres_int(&r, i, 0) - 1];
		old[k++] = old[i];
		json_object_array_add(moving, json_object_new_string(moved[k - 1]));
	}
	if (k == 0 || (rc = already_first(db, t->ref.id, moved, k, &same)) != DB_OK || same)
		goto touch;
	rc = blocks_check(db, t->ref.id, count);
	if (rc == DB_OK)
		rc = key_range(db, t->ref.id, &empty, &min, &max);
	if (rc != DB_OK)
		goto out;
	if (empty || !order_key_below(min, (long)k, &base)) {
		log_error("collection %s: sort keys exhausted at the front", t->ref.id);
		rc = DB_FAIL;
		goto out;
	}
	json = json_object_to_json_string_length(moving, JSON_C_TO_STRING_PLAIN, &len);
	rc = db_exec(db, STMT_ENTRY_MOVE_FRONT, ARGS(DV_STR(json, len), DV_INT(base), DV_CSTR(t->ref.id)),
		     &placed);
	if (rc == DB_OK && placed.affected != k) {
		log_error("reorder of %s moved %llu of %zu tracks", t->ref.id, placed.affected, k);
		rc = DB_FAIL;
	}
	if (rc == DB_OK)
		rc = blocks_moved_front(db, t->ref.id, old, k, base);
touch:
	if (rc == DB_OK)
		rc = db_exec(db, STMT_COLL_TOUCH, ARGS(DV_CSTR(t->ref.id)), NULL);
	t->version++; /* STMT_COLL_TOUCH moved it */
out:
	json_object_put(listed);
	json_object_put(moving);
	dbres_free(&placed);
	dbres_free(&r);
	free(moved);
	free(old);
	free(first);
	return rc;
}
