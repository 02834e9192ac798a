/* db_collection.c -- transactions on collections: create, get (for the
 * writes' ownership checks), update, soft delete. */
#include "db_entities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "etag.h"
#include "log.h"

struct text cell_copy(const struct dbres *r, size_t row, size_t col)
{
	const struct text *c = dbres_cell(r, row, col);
	struct text t = {NULL, c->len};

	if (c->s) {
		t.s = xmalloc(c->len + 1);
		memcpy(t.s, c->s, c->len + 1);
	}
	return t;
}

void collection_from_row(const struct dbres *r, size_t row, size_t col0, struct collection *c)
{
	const struct text *t;

	snprintf(c->id, sizeof(c->id), "%s", dbres_cell(r, row, col0)->s);
	c->name = cell_copy(r, row, col0 + 1);
	c->description = cell_copy(r, row, col0 + 2);
	c->cover_track_id = cell_copy(r, row, col0 + 3);
	c->cover_image_url = cell_copy(r, row, col0 + 4);
	c->track_count = dbres_int(r, row, col0 + 5);
	t = dbres_cell(r, row, col0 + 6);
	if (timefmt_from_db(t->s, t->len, c->created_at) != 0)
		c->created_at[0] = '\0';
	t = dbres_cell(r, row, col0 + 7);
	if (timefmt_from_db(t->s, t->len, c->updated_at) != 0)
		c->updated_at[0] = '\0';
	c->version = dbres_int(r, row, col0 + 8);
}

bool precondition_holds(const char *if_match, long long version)
{
	return !if_match || etag_match_version(if_match, version);
}

enum dbrc collection_fetch(struct db *db, const struct coll_ref *ref, bool lock,
			   struct collection *out, bool *found)
{
	struct dbres r;
	enum dbrc rc;

	*found = false;
	rc = db_exec(db, lock ? STMT_COLL_LOCK : STMT_COLL_GET,
		     ARGS(DV_CSTR(ref->id), DV_CSTR(ref->org), DV_CSTR(ref->user)), &r);
	if (rc == DB_OK && r.nrows == 1) {
		collection_from_row(&r, 0, 0, out);
		*found = true;
	}
	dbres_free(&r);
	return rc;
}

/* Checks that the cover track (if one is set) belongs to the organization;
 * the shared lock keeps it from being deleted before the commit. */
static enum dbrc cover_ok(struct db *db, const char *org, const struct field_str *cover, bool *ok)
{
	struct dbres r;
	enum dbrc rc;

	*ok = true;
	if (!cover->present || !cover->s)
		return DB_OK;
	rc = db_exec(db, STMT_TRACK_CHECK, ARGS(DV_STR(cover->s, cover->len), DV_CSTR(org)), &r);
	*ok = rc == DB_OK && r.nrows == 1;
	dbres_free(&r);
	return rc;
}

static struct dbval field_or(const struct field_str *f, const struct text *current)
{
	return f->present ? DV_STR(f->s, f->len) : DV_TEXT(*current);
}

enum dbrc tx_collection_create(struct db *db, void *ctx)
{
	struct tx_coll *t = ctx;
	const struct coll_input *in = t->in;
	struct coll_ref ref = t->ref;
	char id[ID_MAX];
	bool ok, found;
	enum dbrc rc;

	collection_free(&t->out);
	t->outcome = TXO_OK;
	if ((rc = cover_ok(db, t->ref.org, &in->cover_track_id, &ok)) != DB_OK)
		return rc;
	if (!ok) {
		t->outcome = TXO_BAD_COVER;
		return DB_OK;
	}
	/* A 48-bit id collides rarely; draw again when it does. */
	for (int tries = 0; tries < 5; tries++) {
		if (id_new(COLLECTION_PREFIX, id) != 0)
			return DB_FAIL;
		rc = db_exec(db, STMT_COLL_INSERT,
			     ARGS(DV_CSTR(id), DV_CSTR(t->ref.org), DV_CSTR(t->ref.user),
				  DV_STR(in->name.s, in->name.len),
				  DV_STR(in->description.s, in->description.len),
				  DV_STR(in->cover_track_id.s, in->cover_track_id.len),
				  DV_STR(in->cover_image_url.s, in->cover_image_url.len)),
			     NULL);
		if (rc != DB_DUP)
			break;
	}
	if (rc != DB_OK)
		return rc == DB_DUP ? DB_FAIL : rc;
	ref.id = id;
	rc = collection_fetch(db, &ref, false, &t->out, &found);
	if (rc == DB_OK && !found)
		return DB_FAIL;
	return rc;
}

enum dbrc tx_collection_get(struct db *db, void *ctx)
{
	struct tx_coll *t = ctx;
	bool found;
	enum dbrc rc;

	collection_free(&t->out);
	rc = collection_fetch(db, &t->ref, false, &t->out, &found);
	t->outcome = found ? TXO_OK : TXO_NOT_FOUND;
	return rc;
}

enum dbrc tx_collection_update(struct db *db, void *ctx)
{
	struct tx_coll *t = ctx;
	const struct coll_input *in = t->in;
	struct collection cur = {0};
	bool found, ok;
	enum dbrc rc;

	collection_free(&t->out);
	t->outcome = TXO_OK;
	rc = collection_fetch(db, &t->ref, true, &cur, &found);
	if (rc != DB_OK || !found) {
		t->outcome = TXO_NOT_FOUND;
		goto out;
	}
	if ((rc = cover_ok(db, t->ref.org, &in->cover_track_id, &ok)) != DB_OK)
		goto out;
	if (!ok) {
		t->outcome = TXO_BAD_COVER;
		goto out;
	}
	if (!precondition_holds(t->if_match, cur.version)) {
		t->outcome = TXO_PRECONDITION;
		t->out.version = cur.version;
		goto out;
	}
	rc = db_exec(db, STMT_COLL_UPDATE,
		     ARGS(field_or(&in->name, &cur.name), field_or(&in->description, &cur.description),
			  field_or(&in->cover_track_id, &cur.cover_track_id),
			  field_or(&in->cover_image_url, &cur.cover_image_url), DV_CSTR(t->ref.id)),
		     NULL);
	if (rc == DB_OK)
		rc = collection_fetch(db, &t->ref, false, &t->out, &found);
out:
	collection_free(&cur);
	return rc;
}

enum dbrc tx_collection_delete(struct db *db, void *ctx)
{
	struct tx_coll *t = ctx;
	bool found;
	enum dbrc rc;

	collection_free(&t->out);
	rc = collection_fetch(db, &t->ref, true, &t->out, &found);
	if (rc != DB_OK || !found) {
		t->outcome = TXO_NOT_FOUND;
		return rc;
	}
	if (!precondition_holds(t->if_match, t->out.version)) {
		t->outcome = TXO_PRECONDITION;
		return DB_OK;
	}
	t->outcome = TXO_OK;
	t->out.version++; /* STMT_COLL_DELETE moves it */
	return db_exec(db, STMT_COLL_DELETE, ARGS(DV_CSTR(t->ref.id)), NULL);
}
