/* db_admin.c -- administration transactions that span several tables:
 * track delete, membership removal, collection restore and purge; and the
 * bulk track insert. */
#include "db_entities.h"

#include <stdio.h>
#include <stdlib.h>

#include "ids.h"

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

struct tx_member_remove {
	const char *org_id, *user_id;
	bool found;
};

/* Capabilities first (they hang off the membership), then the membership. */
static enum dbrc tx_member_remove(struct db *db, void *ctx)
{
	struct tx_member_remove *t = ctx;
	struct dbres r = {0};
	enum dbrc rc;

	t->found = false;
	rc = db_exec(db, STMT_ADM_CAP_DELETE_ALL, ARGS(DV_CSTR(t->org_id), DV_CSTR(t->user_id)), NULL);
	if (rc == DB_OK)
		rc = db_exec(db, STMT_ADM_MEMBER_DELETE, ARGS(DV_CSTR(t->org_id), DV_CSTR(t->user_id)), &r);
	t->found = rc == DB_OK && r.affected > 0;
	dbres_free(&r);
	return rc;
}

enum dbrc adm_member_remove(struct db *db, const char *org_id, const char *user_id, bool *found)
{
	struct tx_member_remove t = {org_id, user_id, false};
	enum dbrc rc = db_txn(db, TXN_WRITE, tx_member_remove, &t);

	*found = t.found;
	return rc;
}

struct tx_restore {
	const char *id;
	enum adm_restore outcome;
};

static enum dbrc tx_restore(struct db *db, void *ctx)
{
	struct tx_restore *t = ctx;
	struct dbres r = {0};
	enum dbrc rc;

	t->outcome = ADM_NO_SUCH_COLLECTION;
	rc = db_exec(db, STMT_ADM_COLL_STATE, ARGS(DV_CSTR(t->id)), &r);
	if (rc == DB_OK && r.nrows == 1) {
		if (!dbres_cell(&r, 0, 0)->s) {
			t->outcome = ADM_NOT_DELETED;
		} else {
			rc = db_exec(db, STMT_ADM_COLL_RESTORE, ARGS(DV_CSTR(t->id)), NULL);
			t->outcome = ADM_RESTORED;
		}
	}
	dbres_free(&r);
	return rc;
}

enum dbrc adm_collection_restore(struct db *db, const char *id, enum adm_restore *outcome)
{
	struct tx_restore t = {id, ADM_NO_SUCH_COLLECTION};
	enum dbrc rc = db_txn(db, TXN_WRITE, tx_restore, &t);

	*outcome = t.outcome;
	return rc;
}

/* Purge: collections are read in batches of PURGE_SCAN ids; each write
 * transaction then deletes at most PURGE_ROWS rows, so no transaction
 * grows with the data (Galera certifies a write set as one unit).  A
 * collection with many tracks is taken apart over several transactions,
 * from its last entry down, its track_count kept right at each commit;
 * its row (and its order index) go in the transaction that removes its
 * last entry.  A collection restored half purged heals its index on its
 * next change (db_track.c). */
#define PURGE_SCAN 100
#define PURGE_ROWS 1000

struct tx_purge {
	const char *before;
	struct dbres *ids;
	size_t next;                  /* first id of the batch not yet purged */
	unsigned long long purged;    /* collections removed by this transaction */
};

static enum dbrc tx_purge(struct db *db, void *ctx)
{
	struct tx_purge *t = ctx;
	long long budget = PURGE_ROWS;
	enum dbrc rc = DB_OK;
	size_t i = t->next;

	t->purged = 0;
	for (; rc == DB_OK && i < t->ids->nrows && budget > 0; i++) {
		const char *id = dbres_cell(t->ids, i, 0)->s;
		struct dbres lock = {0}, del = {0};

		rc = db_exec(db, STMT_ADM_PURGE_LOCK, ARGS(DV_CSTR(id), DV_CSTR(t->before)), &lock);
		if (rc != DB_OK || lock.nrows == 0) { /* restored meanwhile: skip it */
			dbres_free(&lock);
			continue;
		}
		dbres_free(&lock);
		rc = db_exec(db, STMT_ADM_PURGE_ENTRIES, ARGS(DV_CSTR(id), DV_INT(budget)), &del);
		if (rc != DB_OK)
			break;
		if ((long long)del.affected < budget) {
			/* fewer than asked: no entry is left, the row goes too */
			budget -= (long long)del.affected + 1;
			rc = db_exec(db, STMT_BLOCK_CLEAR, ARGS(DV_CSTR(id)), NULL);
			if (rc == DB_OK)
				rc = db_exec(db, STMT_ADM_PURGE_COLL, ARGS(DV_CSTR(id)), NULL);
			t->purged++;
		} else {
			/* budget spent: the collection continues in the next transaction */
			rc = db_exec(db, STMT_ADM_PURGE_COUNT, ARGS(DV_INT((long long)del.affected), DV_CSTR(id)),
				     NULL);
			break;
		}
	}
	if (rc == DB_OK)
		t->next = i;
	return rc;
}

enum dbrc adm_purge(struct db *db, const char *before, unsigned long long *purged)
{
	char after[ID_MAX] = "";
	enum dbrc rc = DB_OK;

	*purged = 0;
	for (;;) {
		struct dbres ids = {0};
		struct tx_purge t = {before, &ids, 0, 0};

		rc = db_exec(db, STMT_ADM_PURGE_SCAN, ARGS(DV_CSTR(after), DV_CSTR(before), DV_INT(PURGE_SCAN)),
			     &ids);
		if (rc != DB_OK || ids.nrows == 0) {
			dbres_free(&ids);
			break;
		}
		snprintf(after, sizeof(after), "%s", dbres_cell(&ids, ids.nrows - 1, 0)->s);
		while (rc == DB_OK && t.next < ids.nrows) {
			rc = db_txn(db, TXN_WRITE, tx_purge, &t);
			if (rc == DB_OK)
				*purged += t.purged;
		}
		dbres_free(&ids);
		if (rc != DB_OK)
			break;
	}
	return rc;
}

struct tx_track_many {
	const char *org, *user, *rows;
};

static enum dbrc tx_track_many(struct db *db, void *ctx)
{
	struct tx_track_many *t = ctx;

	return db_exec(db, STMT_ADM_TRACK_INSERT_MANY, ARGS(DV_CSTR(t->org), DV_CSTR(t->user), DV_CSTR(t->rows)),
		       NULL);
}

enum dbrc adm_track_insert_many(struct db *db, const char *org, const char *user, const char *rows)
{
	struct tx_track_many t = {org, user, rows};

	return db_txn(db, TXN_WRITE, tx_track_many, &t);
}
