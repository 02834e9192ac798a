/* idem.c -- the Idempotency-Key gate and the work's transaction with its
 * stored answer (the table and statements: db_idem.c). */
#include "idem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "log.h"
#include "render.h"
#include "resp.h"

#define HEADER "Idempotency-Key"

static struct json_object *header_details(void)
{
	return render_field_details(HEADER);
}

bool idem_claim_or_reply(struct req *r, struct idem *k)
{
	const char *v = req_param(r, "HTTP_IDEMPOTENCY_KEY");
	struct tx_idem *t = &k->tx;
	enum dbrc rc;
	char *extra;

	memset(k, 0, sizeof(*k));
	if (!v)
		return true;
	if (!valid_idempotency_key(v, strlen(v))) {
		resp_error(r, API_INVALID, HEADER " must be 1 to 255 printable ASCII characters",
			   header_details());
		return false;
	}
	t->user = r->user_id;
	t->org = r->route.param[P_ORG];
	t->key = v;
	t->keylen = strlen(v);
	/* The longest a request can run (README, Timeouts): a claim older
	 * than that belongs to a request that is over. */
	t->stale_after = r->conf->request_timeout + r->conf->lock_wait_timeout + 5;
	if (request_fingerprint(r->method, r->path, r->body, r->body_len, t->fingerprint) != 0) {
		resp_db_error(r, DB_FAIL);
		return false;
	}
	rc = db_txn(r->db, TXN_NONE, tx_idem_claim, t);
	if (rc != DB_OK) {
		resp_db_error(r, rc);
	} else if (t->outcome == IDEM_CLAIMED) {
		k->on = true;
		return true;
	} else if (t->outcome == IDEM_IN_USE) {
		resp_error(r, API_IDEM_IN_USE, "A request with this " HEADER " is still being processed",
			   header_details());
	} else if (t->outcome == IDEM_REUSED) {
		resp_error(r, API_IDEM_REUSED, HEADER " was already used with a different request",
			   header_details());
	} else {
		extra = xasprintf("%.*sIdempotent-Replayed: true\r\n", (int)t->headers.len,
				  t->headers.s ? t->headers.s : "");
		resp_body(r, t->status, t->body.s ? t->body.s : "", t->body.len, extra);
		free(extra);
	}
	tx_idem_free(t);
	return false;
}

struct run {
	struct idem *k;
	db_txn_fn fn;
	void *ctx;
	idem_answer_fn answer;
	struct idem_answer a;
	bool ok, lost;
};

static void answer_reset(struct idem_answer *a)
{
	jw_free(&a->body);
	free(a->headers);
	memset(a, 0, sizeof(*a));
}

/* The work, then its answer stored with the key (or the key released when
 * the work changed nothing), all in the work's transaction. */
static enum dbrc tx_run(struct db *db, void *ctx)
{
	struct run *u = ctx;
	enum dbrc rc;

	answer_reset(&u->a);
	u->ok = u->lost = false;
	if ((rc = u->fn(db, u->ctx)) != DB_OK)
		return rc;
	u->ok = u->answer(u->ctx, &u->a);
	if (!u->k->on)
		return DB_OK;
	if (!u->ok)
		return tx_idem_release(db, &u->k->tx);
	rc = idem_store(db, &u->k->tx, u->a.status, u->a.headers, u->a.body.buf, u->a.body.len, &u->lost);
	return rc == DB_OK && u->lost ? DB_FAIL : rc;
}

bool idem_run(struct req *r, struct idem *k, db_txn_fn fn, void *ctx, idem_answer_fn answer, enum dbrc *rc)
{
	struct run u = {.k = k, .fn = fn, .ctx = ctx, .answer = answer};
	bool answered = true;

	*rc = db_txn(r->db, TXN_WRITE, tx_run, &u);
	if (*rc == DB_OK && u.ok) {
		resp_jw(r, u.a.status, &u.a.body, u.a.headers);
	} else if (u.lost) {
		/* a request that took the key over as stale runs it now */
		resp_error(r, API_IDEM_IN_USE, "A request with this " HEADER " is still being processed",
			   header_details());
	} else {
		if (*rc != DB_OK && k->on && db_txn(r->db, TXN_NONE, tx_idem_release, &k->tx) != DB_OK)
			log_warn("%s: idempotency key left claimed: taken over after %lld s", r->trace_id,
				 k->tx.stale_after);
		answered = false;
	}
	answer_reset(&u.a);
	tx_idem_free(&k->tx);
	return answered;
}
