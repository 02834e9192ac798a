/* req.h -- one request as the worker sees it: FastCGI params, the body
 * (read up to the limit), the route match and the authenticated caller. */
#ifndef MCOLL_REQ_H
#define MCOLL_REQ_H
#include <stdbool.h>
#include <stddef.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "conf.h"
#include "db.h"
#include "etag.h"
#include "ids.h"
#include "jsonw.h"
#include "router.h"

struct scoreboard;

struct req {
	FCGX_Request *fcgi;
	const struct conf *conf;
	struct db *db;
	const char *method;
	char *path;          /* REQUEST_URI up to '?' */
	const char *query;   /* QUERY_STRING, never NULL */
	char trace_id[80];
	struct route_match route;
	char user_id[ID_MAX];  /* set by auth */
	int status;            /* answered status, for the log */
	char etag[ETAG_MAX];   /* the answer's ETag header; empty: none */
	double started;        /* db_now() when the worker took it */
	double queued;         /* seconds it waited for a worker before that */
	double deadline;       /* db_now() by which it must be answered */
	const struct scoreboard *sb; /* the pool's, for GET /status */
	char *body;            /* the body req_json_body read (for fingerprints) */
	size_t body_len;
	struct jw out;         /* the answer, as FCGI_STDOUT records */
};

/* Fills r from the FastCGI request (no body read yet). */
void req_init(struct req *r, FCGX_Request *fcgi, const struct conf *conf, struct db *db);
void req_free(struct req *r);
/* A request that waited for a worker until past its deadline is answered
 * 503 without running: returns true when it was. */
bool req_late_or_reply(struct req *r);
const char *req_param(const struct req *r, const char *name);

/* Reads and strictly parses the JSON object body.  On any failure (413,
 * 415, 422) it has already answered and returns NULL; else the caller owns
 * the object. */
struct json_object *req_json_body(struct req *r);

#endif
