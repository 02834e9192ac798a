/* resp.c -- status line, headers, JSON body, error envelope, log line.
 * The answer goes into the request's output buffer as FastCGI records
 * (fcgirec.c); the worker writes it with the end of the request. */
#include "resp.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysqld_error.h>

#include "alloc.h"
#include "fcgirec.h"
#include "log.h"
#include "render.h"

void resp_body(struct req *r, int status, const char *body, size_t len, const char *extra_headers)
{
	char head[512], etag[ETAG_MAX + 16] = "";
	int n;

	if (r->etag[0])
		snprintf(etag, sizeof(etag), "ETag: %s\r\n", r->etag);
	/* libfcgi's own printf lacks %zu and friends: format here. */
	n = snprintf(head, sizeof(head),
		     "Status: %d %s\r\n"
		     "Content-Type: application/json; charset=utf-8\r\n"
		     "Content-Length: %zu\r\n"
		     "Cache-Control: no-store\r\n"
		     "%s%s\r\n",
		     status, http_reason(status), len, etag, extra_headers ? extra_headers : "");
	r->status = status;
	if (n > 0 && (size_t)n < sizeof(head)) {
		fcgirec_stdout(&r->out, (unsigned)r->fcgi->requestId, head, (size_t)n, body, len);
	} else {
		char *big = xasprintf("Status: %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
				      "Content-Length: %zu\r\nCache-Control: no-store\r\n%s%s\r\n",
				      status, http_reason(status), len, etag, extra_headers ? extra_headers : "");
		fcgirec_stdout(&r->out, (unsigned)r->fcgi->requestId, big, strlen(big), body, len);
		free(big);
	}
}

void resp_not_modified(struct req *r)
{
	char head[128 + ETAG_MAX];
	int n = snprintf(head, sizeof(head), "Status: 304 %s\r\nETag: %s\r\nCache-Control: no-store\r\n\r\n",
			 http_reason(304), r->etag);

	r->status = 304;
	fcgirec_stdout(&r->out, (unsigned)r->fcgi->requestId, head, (size_t)n, NULL, 0);
}

void resp_json(struct req *r, int status, struct json_object *obj, const char *extra_headers)
{
	size_t len;
	const char *body = render_text(obj, &len);

	resp_body(r, status, body, len, extra_headers);
	json_object_put(obj);
}

void resp_jw(struct req *r, int status, struct jw *w, const char *extra_headers)
{
	resp_body(r, status, w->buf, w->len, extra_headers);
	jw_free(w);
}

void resp_ack(struct req *r, const char *id, const char *detail)
{
	struct jw w;

	jw_init(&w, 128);
	render_ack(&w, id, detail);
	resp_jw(r, 200, &w, NULL);
}

void resp_error(struct req *r, enum api_err e, const char *system_message, struct json_object *details)
{
	const struct api_err_info *info = api_err_info(e);
	char extra[96] = "";

	/* RFC 9110: a 405 lists the allowed methods, a 401 names the scheme. */
	if (e == API_METHOD_NOT_ALLOWED && r->route.allow[0])
		snprintf(extra, sizeof(extra), "Allow: %s\r\n", r->route.allow);
	else if (e == API_UNAUTHENTICATED)
		snprintf(extra, sizeof(extra), "WWW-Authenticate: Bearer realm=\"mcoll\"\r\n");
	else if (e == API_UNAVAILABLE)
		snprintf(extra, sizeof(extra), "Retry-After: 1\r\n");
	resp_json(r, info->status, render_error(e, system_message, details, r->trace_id, time(NULL)),
		  extra);
}

void resp_precondition_failed(struct req *r)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "current_etag", json_object_new_string(r->etag));
	resp_error(r, API_PRECONDITION_FAILED, "If-Match does not match the current ETag of the collection", d);
}

void resp_invalid(struct req *r, const struct verr *e)
{
	resp_error(r, API_INVALID, e->msg, render_field_details(e->field));
}

void resp_collection_not_found(struct req *r)
{
	struct json_object *d = json_object_new_object();
	const char *id = r->route.param[P_COLL];

	json_object_object_add(d, "collection_id", json_object_new_string(id ? id : ""));
	resp_error(r, API_NOT_FOUND, "Music collection not found or not owned by caller", d);
}

void resp_db_error(struct req *r, enum dbrc rc)
{
	if (rc == DB_TIMEOUT) {
		bool lock = r->db->err == ER_LOCK_WAIT_TIMEOUT;
		resp_error(r, API_UNAVAILABLE,
			   lock ? "Timed out waiting for a database lock" : "Request timed out", NULL);
		log_warn("%s: %s after %.0f ms (%.0f ms queued), rolled back: %s", r->trace_id,
			 lock ? "lock wait timeout" : "request_timeout", (db_now() - r->started) * 1000.0,
			 r->queued * 1000.0, r->db->errmsg);
		return;
	}
	if (rc == DB_GONE)
		resp_error(r, API_UNAVAILABLE, "Database unavailable", NULL);
	else
		resp_error(r, API_INTERNAL, "Internal error", NULL);
	/* A lost database is already logged (rate-limited) where it was
	 * found, in db.c; the request's own entry says 503. */
	if (rc != DB_GONE)
		log_msg_trace(LOG_LVL_ERROR, r->trace_id, "database error %u: %s", r->db->err, r->db->errmsg);
}

void resp_log(const struct req *r)
{
	struct timespec ts;
	char *path = utf8_sanitize(r->path, strlen(r->path));
	struct log_request q = {
		.trace_id = r->trace_id,
		.method = r->method,
		.route = r->route.pattern,
		.path = path,
		.status = r->status,
		.user_id = r->user_id,
	};

	for (char *p = path; *p; p++) /* one line: no control characters */
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	clock_gettime(CLOCK_MONOTONIC, &ts);
	q.duration_us = (long long)(((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - r->started) * 1e6);
	log_request(&q);
	free(path);
}
