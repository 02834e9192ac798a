/* h_track.c -- the endpoints on a collection's tracks: list, add, remove,
 * reorder. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "etag.h"
#include "handlers.h"
#include "idem.h"
#include "render.h"
#include "resp.h"

void h_track_list(struct req *r)
{
	struct tx_read_entries t = {.auth.org = r->route.param[P_ORG]};
	unsigned char hash[KEYHASH_LEN];
	char etag[ETAG_MAX];
	struct jw w;
	enum dbrc rc;

	if (!auth_key_or_reply(r, hash) || !page_or_auth_reply(r, hash, 200, 500, &t.page))
		return;
	t.auth.key_hash = hash;
	t.ref.org = r->route.param[P_ORG];
	t.ref.id = r->route.param[P_COLL];
	rc = db_txn(r->db, TXN_NONE, tx_read_entries, &t);
	if (failure_replied(r, rc, TXO_OK, NULL, 0) || !auth_outcome_or_reply(r, &t.auth) ||
	    !coll_ref_or_reply(r, &t.ref) || failure_replied(r, DB_OK, t.outcome, NULL, 0) ||
	    not_modified_replied(r, etag_page(t.version, t.page.limit, t.page.offset, etag)))
		goto out;
	jw_init(&w, 128 + t.n * 96);
	render_entry_page(&w, t.ref.id, t.items, t.n, t.page.limit, t.page.offset);
	resp_jw(r, 200, &w, NULL);
out:
	free(t.items);
}

/* For a track id that cannot name a track: the collection must still be
 * the caller's (its 404 comes first), then its If-Match must hold (412)
 * unless absent_outcome is a failure; then the outcome is absent_outcome.
 * Nothing changes: m->version is the current one. */
static enum dbrc ownership_only(struct req *r, struct tx_member *m, enum tx_outcome absent_outcome)
{
	struct tx_coll t = {.ref = m->ref};
	enum dbrc rc = db_txn(r->db, TXN_NONE, tx_collection_get, &t);

	m->outcome = t.outcome == TXO_OK ? absent_outcome : t.outcome;
	if (m->outcome == TXO_NOOP && !precondition_holds(m->if_match, t.out.version))
		m->outcome = TXO_PRECONDITION;
	m->version = t.out.version;
	collection_free(&t.out);
	return rc;
}

/* The ack of an add: for {"track_id"} the track's, for {"track_ids"} the
 * collection's with the number appended. */
struct add_ctx {
	struct tx_members t; /* first: the context of tx_track_add_many too */
	bool bulk;
};

static bool answer_added(void *ctx, struct idem_answer *a)
{
	struct add_ctx *c = ctx;

	if (c->t.outcome != TXO_OK && c->t.outcome != TXO_NOOP)
		return false;
	a->status = 200;
	/* the ETag goes with the stored answer, so a replay carries it too */
	a->headers = etag_header(c->t.version);
	jw_init(&a->body, 160);
	if (c->bulk)
		render_added(&a->body, c->t.ref.id, c->t.added, "Tracks added to collection.");
	else
		render_ack(&a->body, c->t.ids[0], "Track added to collection.");
	return true;
}

void h_track_add(struct req *r)
{
	struct add_ctx c = {0};
	struct json_object *body = req_json_body(r);
	const char **ids = NULL;
	size_t *lens = NULL;
	struct idem k;
	struct verr e;
	enum dbrc rc;

	if (!body)
		return;
	if (valid_track_refs(body, &ids, &lens, &c.t.n, &c.bulk, &e) != 0) {
		resp_invalid(r, &e);
		goto out;
	}
	if (!coll_ref_or_reply(r, &c.t.ref))
		goto out;
	c.t.ids = ids;
	c.t.if_match = req_param(r, "HTTP_IF_MATCH");
	/* An id that cannot name a track is not looked up: it is missing. */
	while (c.t.nwell < c.t.n && id_valid_track(ids[c.t.nwell], lens[c.t.nwell]))
		c.t.nwell++;
	if (!idem_claim_or_reply(r, &k))
		goto out;
	if (!idem_run(r, &k, tx_track_add_many, &c.t, answer_added, &rc)) {
		etag_after_write(r, rc, c.t.outcome, c.t.version); /* a 412's current_etag */
		failure_replied(r, rc, c.t.outcome, c.t.outcome == TXO_TRACK_NOT_FOUND ? ids[c.t.missing] : NULL,
				c.t.outcome == TXO_TRACK_NOT_FOUND ? lens[c.t.missing] : 0);
	}
out:
	free(ids);
	free(lens);
	json_object_put(body);
}

void h_track_remove(struct req *r)
{
	struct tx_member t = {0};
	const char *id = r->route.param[P_TRACK];
	enum dbrc rc;

	if (!coll_ref_or_reply(r, &t.ref))
		return;
	t.track_id = id;
	t.if_match = req_param(r, "HTTP_IF_MATCH");
	if (id_valid_track(id, strlen(id)))
		rc = db_txn(r->db, TXN_WRITE, tx_track_remove, &t);
	else
		rc = ownership_only(r, &t, TXO_NOOP);
	etag_after_write(r, rc, t.outcome, t.version);
	if (!failure_replied(r, rc, t.outcome, id, strlen(id)))
		resp_ack(r, id, "Track removed from collection.");
}

void h_collection_reorder(struct req *r)
{
	struct tx_order t = {0};
	struct json_object *body = req_json_body(r);
	const char **ids = NULL, **wellformed = NULL;
	size_t *lens = NULL, n = 0, k = 0;
	struct verr e;
	enum dbrc rc;

	if (!body)
		return;
	if (valid_order(body, &ids, &lens, &n, &e) != 0) {
		resp_invalid(r, &e);
		goto out;
	}
	if (!coll_ref_or_reply(r, &t.ref))
		goto out;
	/* Ids that cannot name a track cannot be members: ignored. */
	wellformed = xcalloc(n, sizeof(*wellformed));
	for (size_t i = 0; i < n; i++)
		if (id_valid_track(ids[i], lens[i]))
			wellformed[k++] = ids[i];
	t.ids = wellformed;
	t.n = k;
	t.if_match = req_param(r, "HTTP_IF_MATCH");
	rc = db_txn(r->db, TXN_WRITE, tx_reorder, &t);
	etag_after_write(r, rc, t.outcome, t.version);
	if (!failure_replied(r, rc, t.outcome, NULL, 0))
		resp_ack(r, t.ref.id, "Collection reordered.");
out:
	free(wellformed);
	free(ids);
	free(lens);
	json_object_put(body);
}
