/* db_admin.c -- administration transactions that span several tables. */
#include "db_entities.h"

#include <stdlib.h>

struct tx_track_delete {
	const char *track_id;
	bool found;
};

/* Removes the track from every collection holding it (and from its order
 * index, updating each count), clears it as a cover, then deletes it.  The track
 * row is locked first so no collection can take it in meanwhile. */
static enum dbrc tx_track_delete(struct db *db, void *ctx)
{
	struct tx_track_delete *t = ctx;
	struct dbres track = {0}, holders = {0};
	enum dbrc rc;

	rc = db_exec(db, STMT_ADM_TRACK_LOCK, ARGS(DV_CSTR(t->track_id)), &track);
	t->found = rc == DB_OK && track.nrows == 1;
	if (!t->found)
		goto out;
	rc = db_exec(db, STMT_ADM_TRACK_HOLDERS, ARGS(DV_CSTR(t->track_id)), &holders);
	for (size_t i = 0; rc == DB_OK && i < holders.nrows; i++) {
		const char *coll = dbres_cell(&holders, i, 0)->s;
		struct dbres locked = {0};
		bool removed = false;

		rc = db_exec(db, STMT_ADM_COLL_LOCK_ID, ARGS(DV_CSTR(coll)), &locked);
		if (rc == DB_OK && locked.nrows == 1)
			rc = entry_remove(db, coll, t->track_id, (long)dbres_int(&locked, 0, 0), &removed);
		if (rc == DB_OK && removed)
			rc = db_exec(db, STMT_ADM_COLL_DECREMENT, ARGS(DV_CSTR(coll)), NULL);
		dbres_free(&locked);
	}
	if (rc == DB_OK)
		rc = db_exec(db, STMT_ADM_COVER_CLEAR, ARGS(DV_CSTR(t->track_id)), NULL);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_ADM_TRACK_DELETE, ARGS(DV_CSTR(t->track_id)), NULL);
out:
	dbres_free(&track);
	dbres_free(&holders);
	return rc;
}

enum dbrc adm_track_delete(struct db *db, const char *track_id, bool *found)
{
	struct tx_track_delete t = {track_id, false};
	enum dbrc rc = db_txn(db, TXN_WRITE, tx_track_delete, &t);

	*found = t.found;
	return rc;
}
