/* db_auth.c -- API key -> user -> membership -> capability, in one query
 * (alone for the writes, inside the reads' own statements). */
#include "db_entities.h"

#include <stdio.h>

void auth_from_row(struct tx_auth *t, const struct dbres *r, size_t row, size_t col0)
{
	t->outcome = AUTH_UNKNOWN_KEY;
	t->user_id[0] = '\0';
	if (row >= r->nrows || !dbres_cell(r, row, col0)->s)
		return;
	snprintf(t->user_id, sizeof(t->user_id), "%s", dbres_cell(r, row, col0)->s);
	if (!dbres_int(r, row, col0 + 1))
		t->outcome = AUTH_NOT_MEMBER;
	else if (!dbres_int(r, row, col0 + 2))
		t->outcome = AUTH_NO_CAPABILITY;
	else
		t->outcome = AUTH_OK;
}

enum dbrc tx_auth(struct db *db, void *ctx)
{
	struct tx_auth *t = ctx;
	struct dbres r;
	enum dbrc rc;

	rc = db_exec(db, STMT_AUTH,
		     ARGS(DV_CSTR(t->org), DV_CSTR(t->org), DV_BLOB(t->key_hash, KEYHASH_LEN)), &r);
	auth_from_row(t, &r, 0, 0);
	dbres_free(&r);
	return rc;
}
