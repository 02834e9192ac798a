/* db_track.c -- transactions on a collection's ordered tracks: list, add,
 * remove, reorder.  Every mutation first locks the collection row, which
 * serialises all changes to one collection; positions stay 0..n-1 and
 * track_count stays the number of rows. */
#include "db_entities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "log.h"

enum dbrc tx_entries_list(struct db *db, void *ctx)
{
	struct tx_entries *t = ctx;
	struct collection c = {0};
	struct dbres r = {0};
	bool found;
	enum dbrc rc;

	free(t->items);
	t->items = NULL;
	t->n = 0;
	rc = collection_fetch(db, &t->ref, false, &c, &found);
	t->outcome = found ? TXO_OK : TXO_NOT_FOUND;
	if (rc != DB_OK || !found)
		goto out;
	/* Positions are contiguous, so the offset is a position: the range
	 * scan starts there instead of skipping rows. */
	rc = db_exec(db, STMT_ENTRY_PAGE,
		     ARGS(DV_CSTR(t->ref.id), DV_INT(t->page.offset), DV_INT(t->page.limit)), &r);
	if (rc != DB_OK || r.nrows == 0)
		goto out;
	t->items = xcalloc(r.nrows, sizeof(*t->items));
	for (size_t i = 0; i < r.nrows; i++) {
		const struct text *added = dbres_cell(&r, i, 2);
		snprintf(t->items[i].track_id, sizeof(t->items[i].track_id), "%s", dbres_cell(&r, i, 0)->s);
		t->items[i].position = dbres_int(&r, i, 1);
		if (timefmt_from_db(added->s, added->len, t->items[i].added_at) != 0)
			t->items[i].added_at[0] = '\0';
	}
	t->n = r.nrows;
out:
	dbres_free(&r);
	collection_free(&c);
	return rc;
}

/* Position of track in the collection, or -1 when absent. */
static enum dbrc entry_position(struct db *db, const char *coll, const char *track, long *pos)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_ENTRY_FIND, ARGS(DV_CSTR(coll), DV_CSTR(track)), &r);

	*pos = (rc == DB_OK && r.nrows == 1) ? (long)dbres_int(&r, 0, 0) : -1;
	dbres_free(&r);
	return rc;
}

/* Locks the caller's collection and finds the track in it: *count gets the
 * collection's track_count and *pos the track's position, or -1.  Sets
 * t->outcome to TXO_NOT_FOUND when the collection is not the caller's. */
static enum dbrc lock_member(struct db *db, struct tx_member *t, long *count, long *pos)
{
	struct collection c = {0};
	bool found;
	enum dbrc rc = collection_fetch(db, &t->ref, true, &c, &found);

	t->outcome = found ? TXO_OK : TXO_NOT_FOUND;
	*count = c.track_count;
	*pos = -1;
	collection_free(&c);
	if (rc == DB_OK && found)
		rc = entry_position(db, t->ref.id, t->track_id, pos);
	return rc;
}

enum dbrc tx_track_add(struct db *db, void *ctx)
{
	struct tx_member *t = ctx;
	struct dbres r = {0};
	long count, pos;
	enum dbrc rc = lock_member(db, t, &count, &pos);

	if (rc != DB_OK || t->outcome == TXO_NOT_FOUND)
		return rc;
	if (pos >= 0) {
		t->outcome = TXO_NOOP;
		return DB_OK;
	}
	rc = db_exec(db, STMT_TRACK_CHECK, ARGS(DV_CSTR(t->track_id), DV_CSTR(t->ref.org)), &r);
	if (rc == DB_OK && r.nrows != 1)
		t->outcome = TXO_TRACK_NOT_FOUND;
	dbres_free(&r);
	if (rc != DB_OK || t->outcome != TXO_OK)
		return rc;
	if (count >= COLLECTION_MAX_TRACKS) {
		t->outcome = TXO_FULL;
		return DB_OK;
	}
	rc = db_exec(db, STMT_ENTRY_INSERT, ARGS(DV_CSTR(t->ref.id), DV_CSTR(t->track_id), DV_INT(count)),
		     NULL);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_COLL_SET_COUNT, ARGS(DV_INT(count + 1), DV_CSTR(t->ref.id)), NULL);
	return rc;
}

enum dbrc tx_track_remove(struct db *db, void *ctx)
{
	struct tx_member *t = ctx;
	long count, pos;
	enum dbrc rc = lock_member(db, t, &count, &pos);

	if (rc != DB_OK || t->outcome == TXO_NOT_FOUND)
		return rc;
	if (pos < 0) {
		t->outcome = TXO_NOOP;
		return DB_OK;
	}
	rc = db_exec(db, STMT_ENTRY_DELETE, ARGS(DV_CSTR(t->ref.id), DV_CSTR(t->track_id)), NULL);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_ENTRY_CLOSE_GAP, ARGS(DV_CSTR(t->ref.id), DV_INT(pos)), NULL);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_COLL_SET_COUNT, ARGS(DV_INT(count - 1), DV_CSTR(t->ref.id)), NULL);
	return rc;
}

enum dbrc tx_reorder(struct db *db, void *ctx)
{
	struct tx_order *t = ctx;
	struct collection c = {0};
	struct dbres r = {0}, placed = {0};
	const char **members = NULL, **plan = NULL;
	struct json_object *arr = NULL;
	bool found, changed = false;
	enum dbrc rc;

	rc = collection_fetch(db, &t->ref, true, &c, &found);
	t->outcome = found ? TXO_OK : TXO_NOT_FOUND;
	if (rc != DB_OK || !found)
		goto out;
	if ((rc = db_exec(db, STMT_ENTRY_ALL, ARGS(DV_CSTR(t->ref.id)), &r)) != DB_OK)
		goto out;
	members = xcalloc(r.nrows, sizeof(*members));
	for (size_t i = 0; i < r.nrows; i++)
		members[i] = dbres_cell(&r, i, 0)->s;
	plan = reorder_plan(members, r.nrows, t->ids, t->n);
	arr = json_object_new_array_ext((int)r.nrows);
	for (size_t i = 0; i < r.nrows; i++) {
		changed |= plan[i] != members[i];
		json_object_array_add(arr, json_object_new_string(plan[i]));
	}
	if (changed) {
		size_t len;
		const char *json = json_object_to_json_string_length(arr, JSON_C_TO_STRING_PLAIN, &len);
		rc = db_exec(db, STMT_ENTRY_PARK, ARGS(DV_CSTR(t->ref.id)), NULL);
		if (rc == DB_OK)
			rc = db_exec(db, STMT_ENTRY_PLACE, ARGS(DV_STR(json, len), DV_CSTR(t->ref.id)), &placed);
		if (rc == DB_OK && placed.affected != r.nrows) {
			log_error("reorder of %s placed %llu of %zu tracks", t->ref.id, placed.affected, r.nrows);
			rc = DB_FAIL;
		}
	}
	if (rc == DB_OK)
		rc = db_exec(db, STMT_COLL_TOUCH, ARGS(DV_CSTR(t->ref.id)), NULL);
out:
	json_object_put(arr);
	dbres_free(&placed);
	free(plan);
	free(members);
	dbres_free(&r);
	collection_free(&c);
	return rc;
}
