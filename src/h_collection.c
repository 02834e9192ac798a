/* h_collection.c -- the collection endpoints: list, create, get, update,
 * delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "etag.h"
#include "handlers.h"
#include "idem.h"
#include "render.h"
#include "resp.h"

static void collection_jw(struct jw *w, const struct collection *c)
{
	jw_init(w, 512 + c->name.len + c->description.len + c->cover_image_url.len);
	render_collection(w, c);
}

/* Answers status with the collection c. */
static void resp_collection(struct req *r, int status, const struct collection *c, const char *headers)
{
	struct jw w;

	collection_jw(&w, c);
	resp_jw(r, status, &w, headers);
}

/* The created collection: 201 with its Location. */
static bool answer_created(void *ctx, struct idem_answer *a)
{
	struct tx_coll *t = ctx;

	if (t->outcome != TXO_OK)
		return false;
	a->status = 201;
	{
		char tag[ETAG_MAX];
		a->headers = xasprintf("Location: /v1/music/%s/collections/%s\r\nETag: %s\r\n", t->ref.org,
				       t->out.id, etag_collection(t->out.version, tag));
	}
	collection_jw(&a->body, &t->out);
	return true;
}

void h_collection_list(struct req *r)
{
	struct tx_read_list t = {.auth.org = r->route.param[P_ORG]};
	unsigned char hash[KEYHASH_LEN];
	struct jw w;
	enum dbrc rc;

	if (!auth_key_or_reply(r, hash) || !page_or_auth_reply(r, hash, 50, 100, &t.page))
		return;
	t.auth.key_hash = hash;
	rc = db_txn(r->db, TXN_NONE, tx_read_list, &t);
	if (failure_replied(r, rc, TXO_OK, NULL, 0) || !auth_outcome_or_reply(r, &t.auth))
		goto out;
	jw_init(&w, 256 + t.n * 512);
	render_collection_page(&w, t.items, t.n, t.page.limit, t.page.offset);
	resp_jw(r, 200, &w, NULL);
out:
	tx_read_list_free(&t);
}

void h_collection_create(struct req *r)
{
	struct tx_coll t = {.ref = {r->route.param[P_ORG], r->user_id, NULL}};
	struct json_object *body = req_json_body(r);
	struct coll_input in;
	struct idem k;
	struct verr e;
	enum dbrc rc;

	if (!body)
		return;
	if (valid_collection(body, true, &in, &e) != 0) {
		resp_invalid(r, &e);
		goto out;
	}
	if (!idem_claim_or_reply(r, &k))
		goto out;
	t.in = &in;
	if (!idem_run(r, &k, tx_collection_create, &t, answer_created, &rc))
		failure_replied(r, rc, t.outcome, NULL, 0);
out:
	collection_free(&t.out);
	json_object_put(body);
}

void h_collection_get(struct req *r)
{
	struct tx_read_coll t = {.auth.org = r->route.param[P_ORG]};
	unsigned char hash[KEYHASH_LEN];
	char etag[ETAG_MAX];
	enum dbrc rc;

	if (!auth_key_or_reply(r, hash))
		return;
	t.auth.key_hash = hash;
	t.ref.org = r->route.param[P_ORG];
	t.ref.id = r->route.param[P_COLL];
	rc = db_txn(r->db, TXN_NONE, tx_read_collection, &t);
	if (!failure_replied(r, rc, TXO_OK, NULL, 0) && auth_outcome_or_reply(r, &t.auth) &&
	    coll_ref_or_reply(r, &t.ref) && !failure_replied(r, DB_OK, t.outcome, NULL, 0) &&
	    !not_modified_replied(r, etag_collection(t.out.version, etag)))
		resp_collection(r, 200, &t.out, NULL);
	collection_free(&t.out);
}

void h_collection_update(struct req *r)
{
	struct tx_coll t = {0};
	struct json_object *body = req_json_body(r);
	struct coll_input in;
	struct verr e;
	enum dbrc rc;

	if (!body)
		return;
	if (valid_collection(body, false, &in, &e) != 0) {
		resp_invalid(r, &e);
		goto out;
	}
	if (!coll_ref_or_reply(r, &t.ref))
		goto out;
	t.in = &in;
	t.if_match = req_param(r, "HTTP_IF_MATCH");
	rc = db_txn(r->db, TXN_WRITE, tx_collection_update, &t);
	etag_after_write(r, rc, t.outcome, t.out.version);
	if (!failure_replied(r, rc, t.outcome, NULL, 0))
		resp_collection(r, 200, &t.out, NULL);
out:
	collection_free(&t.out);
	json_object_put(body);
}

void h_collection_delete(struct req *r)
{
	struct tx_coll t = {0};
	enum dbrc rc;

	if (!coll_ref_or_reply(r, &t.ref))
		return;
	t.if_match = req_param(r, "HTTP_IF_MATCH");
	rc = db_txn(r->db, TXN_WRITE, tx_collection_delete, &t);
	etag_after_write(r, rc, t.outcome, t.out.version);
	if (!failure_replied(r, rc, t.outcome, NULL, 0))
		resp_ack(r, t.ref.id, "Collection deleted.");
	collection_free(&t.out);
}
