/* handlers.h -- one handler per endpoint, h_<resource>_<action>, and the
 * helpers they share.  A handler runs after the route and auth gates; it
 * validates, runs one transaction and renders, answering exactly once. */
#ifndef MCOLL_HANDLERS_H
#define MCOLL_HANDLERS_H
#include <stdbool.h>

#include "auth.h"
#include "db_entities.h"
#include "req.h"

typedef void (*handler_fn)(struct req *r);

void h_collection_list(struct req *r);
void h_collection_create(struct req *r);
void h_collection_get(struct req *r);
void h_collection_update(struct req *r);
void h_collection_delete(struct req *r);
void h_track_list(struct req *r);
void h_track_add(struct req *r);
void h_track_remove(struct req *r);
void h_collection_reorder(struct req *r);
/* h_ops.c: operations endpoints, no API key */
void h_healthz(struct req *r);
void h_status(struct req *r);

/* handler_common.c */
/* The reads authenticate inside their own statement: dispatch leaves the
 * auth gate to them. */
bool handler_authenticates(enum route_id id);
/* Operations endpoints answer without an API key. */
bool handler_public(enum route_id id);
/* For a read: when limit/offset are out of rules, passes the auth gate
 * first (its statement) and then answers 422; returns false in both
 * cases.  True when the page is fine (pg filled). */
bool page_or_auth_reply(struct req *r, const unsigned char *hash, long def_limit, long max_limit,
			struct page *pg);
/* Reads limit/offset; answers 422 and returns false when out of rules. */
bool page_or_reply(struct req *r, long def_limit, long max_limit, struct page *pg);
/* Fills ref from the path and the caller; answers the collection 404 and
 * returns false when the id cannot name a collection. */
bool coll_ref_or_reply(struct req *r, struct coll_ref *ref);
/* Answers a transaction that did not succeed (database error or a domain
 * outcome other than TXO_OK/TXO_NOOP) and returns true; false when the
 * handler should render its success. */
bool failure_replied(struct req *r, enum dbrc rc, enum tx_outcome outcome, const char *track_id,
		     size_t track_len);
/* "ETag: <the collection's tag>\r\n", for an answer's stored headers
 * (the caller frees it). */
char *etag_header(long long version);
/* After a write's transaction: the answer carries the collection's ETag
 * at version when the write succeeded, changed nothing, or failed its
 * precondition (the 412 names it too). */
void etag_after_write(struct req *r, enum dbrc rc, enum tx_outcome outcome, long long version);
/* For a read that would answer 200: its ETag is etag; answers 304 and
 * returns true when If-None-Match lists it (or is "*"). */
bool not_modified_replied(struct req *r, const char *etag);

#endif
