/* h_collection.c -- the collection endpoints: list, create, get, update,
 * delete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "handlers.h"
#include "render.h"
#include "resp.h"

void h_collection_list(struct req *r)
{
	struct tx_list t = {.org = r->route.param[P_ORG], .user = r->user_id};
	struct json_object *page, *items;
	enum dbrc rc;

	if (!page_or_reply(r, 50, 100, &t.page))
		return;
	rc = db_txn(r->db, TXN_NONE, tx_collection_list, &t);
	if (failure_replied(r, rc, TXO_OK, NULL, 0))
		goto out;
	page = json_object_new_object();
	items = json_object_new_array_ext((int)t.n);
	for (size_t i = 0; i < t.n; i++)
		json_object_array_add(items, render_collection(&t.items[i]));
	json_object_object_add(page, "items", items);
	json_object_object_add(page, "limit", json_object_new_int64(t.page.limit));
	json_object_object_add(page, "offset", json_object_new_int64(t.page.offset));
	resp_json(r, 200, page, NULL);
out:
	tx_list_free(&t);
}

void h_collection_create(struct req *r)
{
	struct tx_coll t = {.ref = {r->route.param[P_ORG], r->user_id, NULL}};
	struct json_object *body = req_json_body(r);
	struct coll_input in;
	struct verr e;
	enum dbrc rc;
	char *location;

	if (!body)
		return;
	if (valid_collection(body, true, &in, &e) != 0) {
		resp_invalid(r, &e);
		goto out;
	}
	t.in = &in;
	rc = db_txn(r->db, TXN_WRITE, tx_collection_create, &t);
	if (failure_replied(r, rc, t.outcome, NULL, 0))
		goto out;
	location = xasprintf("Location: /v1/music/%s/collections/%s\r\n", t.ref.org, t.out.id);
	resp_json(r, 201, render_collection(&t.out), location);
	free(location);
out:
	collection_free(&t.out);
	json_object_put(body);
}

void h_collection_get(struct req *r)
{
	struct tx_coll t = {0};
	enum dbrc rc;

	if (!coll_ref_or_reply(r, &t.ref))
		return;
	rc = db_txn(r->db, TXN_NONE, tx_collection_get, &t);
	if (!failure_replied(r, rc, t.outcome, NULL, 0))
		resp_json(r, 200, render_collection(&t.out), NULL);
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
	rc = db_txn(r->db, TXN_WRITE, tx_collection_update, &t);
	if (!failure_replied(r, rc, t.outcome, NULL, 0))
		resp_json(r, 200, render_collection(&t.out), NULL);
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
	rc = db_txn(r->db, TXN_WRITE, tx_collection_delete, &t);
	if (!failure_replied(r, rc, t.outcome, NULL, 0))
		resp_json(r, 200, render_ack(t.ref.id, "Collection deleted."), NULL);
	collection_free(&t.out);
}
