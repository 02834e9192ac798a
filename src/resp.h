/* resp.h -- writing answers: JSON bodies, the error envelope and the
 * request's log line. */
#ifndef MCOLL_RESP_H
#define MCOLL_RESP_H

#include <json-c/json.h>

#include "apierr.h"
#include "db.h"
#include "jsonw.h"
#include "req.h"
#include "valid.h"

/* Answers status with body, and r->etag as ETag when set.  extra_headers,
 * if not NULL, is zero or more complete "Name: value\r\n" lines. */
void resp_body(struct req *r, int status, const char *body, size_t len, const char *extra_headers);
/* 304 with r->etag and no body (no Content-Type, no Content-Length). */
void resp_not_modified(struct req *r);
/* 412 PRECONDITION_FAILED with details.current_etag r->etag (also sent
 * as the ETag header). */
void resp_precondition_failed(struct req *r);
/* The same with obj's text (obj is taken over). */
void resp_json(struct req *r, int status, struct json_object *obj, const char *extra_headers);
/* The same with w's text (w is freed). */
void resp_jw(struct req *r, int status, struct jw *w, const char *extra_headers);
/* 200 with the ack {"success":true,"id":id,"detail":detail}. */
void resp_ack(struct req *r, const char *id, const char *detail);
/* Answers the error envelope; details is taken over (NULL means {}). */
void resp_error(struct req *r, enum api_err e, const char *system_message, struct json_object *details);
/* 422 naming e->field. */
void resp_invalid(struct req *r, const struct verr *e);
/* The one 404 for every collection the caller cannot see. */
void resp_collection_not_found(struct req *r);
/* 503 when the database is unreachable or a bounded wait ran out (the
 * transaction is rolled back), 500 otherwise.  Every 503 has Retry-After. */
void resp_db_error(struct req *r, enum dbrc rc);
/* Writes the request's log line. */
void resp_log(const struct req *r);

#endif
