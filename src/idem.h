/* idem.h -- Idempotency-Key for the creating POSTs: the header's gate
 * (after authentication and body validation) and running the work so that
 * its answer is stored with it in one transaction and replayed on a retry. */
#ifndef MCOLL_IDEM_H
#define MCOLL_IDEM_H
#include <stdbool.h>

#include "db_entities.h"
#include "jsonw.h"
#include "req.h"

struct idem {
	bool on;           /* the request has a key, claimed by it */
	struct tx_idem tx;
};

/* A success answer as the handler renders it: status, body and extra
 * header lines (or NULL). */
struct idem_answer {
	int status;
	struct jw body;
	char *headers;
};

/* Renders the success answer of the transaction in ctx into a and returns
 * true; false when its outcome is a failure (the handler answers it). */
typedef bool (*idem_answer_fn)(void *ctx, struct idem_answer *a);

/* Reads Idempotency-Key: without one, k->on is false and it returns true.
 * A key that is not 1-255 printable ASCII characters is a 422; otherwise
 * it claims the key for the caller: true when claimed, else it has
 * answered (409 in use, 422 reused, the stored answer again, or 503) and
 * returns false. */
bool idem_claim_or_reply(struct req *r, struct idem *k);

/* Runs fn(ctx) in one write transaction and renders its answer: a success
 * is stored with the key (when k->on) in that same transaction, then sent;
 * returns true.  Otherwise *rc is the transaction's outcome, the key is
 * released (when the database still answers: else it is taken over once
 * stale), and it returns false: the handler answers the failure. */
bool idem_run(struct req *r, struct idem *k, db_txn_fn fn, void *ctx, idem_answer_fn answer, enum dbrc *rc);

#endif
