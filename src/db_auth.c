/* db_auth.c -- API key -> user -> membership -> capability, in one query. */
#include "db_entities.h"

#include <stdio.h>

enum dbrc tx_auth(struct db *db, void *ctx)
{
	struct tx_auth *t = ctx;
	struct dbres r;
	enum dbrc rc;

	t->outcome = AUTH_UNKNOWN_KEY;
	t->user_id[0] = '\0';
	rc = db_exec(db, STMT_AUTH,
		     ARGS(DV_CSTR(t->org), DV_CSTR(t->org), DV_BLOB(t->key_hash, KEYHASH_LEN)), &r);
	if (rc != DB_OK)
		return rc;
	if (r.nrows == 1) {
		snprintf(t->user_id, sizeof(t->user_id), "%s", dbres_cell(&r, 0, 0)->s);
		if (!dbres_int(&r, 0, 1))
			t->outcome = AUTH_NOT_MEMBER;
		else if (!dbres_int(&r, 0, 2))
			t->outcome = AUTH_NO_CAPABILITY;
		else
			t->outcome = AUTH_OK;
	}
	dbres_free(&r);
	return DB_OK;
}
