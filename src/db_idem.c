/* db_idem.c -- idempotency keys in the database (sql/004_idempotency_keys.sql):
 * claiming a key in its own short autocommit statements, storing the
 * answer inside the work's transaction, releasing a claim whose request
 * changed nothing, and the expiry that mcollctl purge runs. */
#include "db_entities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* Gives the row now holding old_token to t (a new token, t's fingerprint,
 * running, timestamps now); *won false when another request changed it
 * first. */
static enum dbrc take_over(struct db *db, struct tx_idem *t, const char *old_token, bool *won)
{
	struct dbres r;
	char token[ID_MAX];
	enum dbrc rc;

	*won = false;
	if (id_new("", token) != 0)
		return DB_FAIL;
	rc = db_exec(db, STMT_IDEM_TAKEOVER,
		     ARGS(DV_BLOB(t->fingerprint, KEYHASH_LEN), DV_CSTR(token), DV_CSTR(t->user), DV_CSTR(t->org),
			  DV_STR(t->key, t->keylen), DV_CSTR(old_token)),
		     &r);
	if (rc == DB_OK && r.affected == 1) {
		*won = true;
		memcpy(t->token, token, sizeof(token));
	}
	dbres_free(&r);
	return rc;
}

#define CLAIM_TRIES 4

enum dbrc tx_idem_claim(struct db *db, void *ctx)
{
	struct tx_idem *t = ctx;
	enum dbrc rc = DB_OK;

	free(t->headers.s);
	free(t->body.s);
	t->headers = t->body = (struct text){0};
	t->outcome = IDEM_IN_USE;
	for (int tries = 0; tries < CLAIM_TRIES; tries++) {
		struct dbres r = {0};
		const struct text *fp;
		char old[ID_MAX];
		bool won = false, tried = false;

		if (id_new("", t->token) != 0)
			return DB_FAIL;
		rc = db_exec(db, STMT_IDEM_CLAIM,
			     ARGS(DV_CSTR(t->user), DV_CSTR(t->org), DV_STR(t->key, t->keylen),
				  DV_BLOB(t->fingerprint, KEYHASH_LEN), DV_CSTR(t->token)),
			     NULL);
		if (rc == DB_OK) {
			t->outcome = IDEM_CLAIMED;
			return DB_OK;
		}
		if (rc != DB_DUP)
			return rc;
		rc = db_exec(db, STMT_IDEM_GET,
			     ARGS(DV_INT(t->stale_after), DV_CSTR(t->user), DV_CSTR(t->org), DV_STR(t->key, t->keylen)),
			     &r);
		if (rc != DB_OK || r.nrows != 1) { /* released meanwhile: claim again */
			dbres_free(&r);
			if (rc != DB_OK)
				return rc;
			continue;
		}
		fp = dbres_cell(&r, 0, 0);
		snprintf(old, sizeof(old), "%s", dbres_cell(&r, 0, 2)->s);
		if (dbres_int(&r, 0, 6)) { /* expired: the key is free again */
			tried = true;
		} else if (fp->len != KEYHASH_LEN || memcmp(fp->s, t->fingerprint, KEYHASH_LEN) != 0) {
			t->outcome = IDEM_REUSED;
		} else if (strcmp(dbres_cell(&r, 0, 1)->s, "done") == 0) {
			t->outcome = IDEM_REPLAY;
			t->status = (int)dbres_int(&r, 0, 3);
			t->headers = cell_copy(&r, 0, 4);
			t->body = cell_copy(&r, 0, 5);
		} else if (dbres_int(&r, 0, 7)) { /* running but stale: its request is over */
			tried = true;
		} else {
			t->outcome = IDEM_IN_USE;
		}
		dbres_free(&r);
		if (!tried)
			return DB_OK;
		if ((rc = take_over(db, t, old, &won)) != DB_OK)
			return rc;
		if (won) {
			t->outcome = IDEM_CLAIMED;
			return DB_OK;
		}
		/* another request changed the row first: look again */
	}
	return rc;
}

enum dbrc idem_store(struct db *db, const struct tx_idem *t, int status, const char *headers,
		     const char *body, size_t body_len, bool *lost)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_IDEM_STORE,
			       ARGS(DV_INT(status), DV_CSTR(headers ? headers : ""), DV_BLOB(body, body_len),
				    DV_CSTR(t->user), DV_CSTR(t->org), DV_STR(t->key, t->keylen), DV_CSTR(t->token)),
			       &r);

	*lost = rc == DB_OK && r.affected != 1;
	dbres_free(&r);
	return rc;
}

enum dbrc tx_idem_release(struct db *db, void *ctx)
{
	const struct tx_idem *t = ctx;

	return db_exec(db, STMT_IDEM_RELEASE,
		       ARGS(DV_CSTR(t->user), DV_CSTR(t->org), DV_STR(t->key, t->keylen), DV_CSTR(t->token)), NULL);
}

void tx_idem_free(struct tx_idem *t)
{
	free(t->headers.s);
	free(t->body.s);
	t->headers = t->body = (struct text){0};
}

/* Expired keys go in transactions of at most PURGE_IDEM_ROWS rows (for
 * Galera's write sets), oldest first. */
#define PURGE_IDEM_ROWS 1000

enum dbrc adm_purge_idempotency_keys(struct db *db, unsigned long long *purged)
{
	enum dbrc rc;

	*purged = 0;
	for (;;) {
		struct dbres r;

		rc = db_exec(db, STMT_ADM_PURGE_IDEM, ARGS(DV_INT(PURGE_IDEM_ROWS)), &r);
		dbres_free(&r);
		if (rc != DB_OK)
			return rc;
		*purged += r.affected;
		if (r.affected < PURGE_IDEM_ROWS)
			return DB_OK;
	}
}
