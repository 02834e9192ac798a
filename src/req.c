/* req.c -- request parameters and body. */
#include "req.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alloc.h"
#include "deadline.h"
#include "ids.h"
#include "log.h"
#include "resp.h"
#include "valid.h"

const char *req_param(const struct req *r, const char *name)
{
	return FCGX_GetParam(name, r->fcgi->envp);
}

/* nginx's $request_id is 32 hex digits; anything else odd gets replaced. */
static void set_trace_id(struct req *r)
{
	const char *rid = req_param(r, "REQUEST_ID");
	size_t n = rid ? strlen(rid) : 0;
	char fresh[ID_MAX];

	for (size_t i = 0; i < n && n <= 64; i++)
		if (!isalnum((unsigned char)rid[i]) && rid[i] != '-')
			n = 0;
	if (n == 0 || n > 64) {
		/* "req_" + 12 hex from id_new, widened with a second draw */
		char more[ID_MAX];
		if (id_new("", fresh) != 0 || id_new("", more) != 0)
			snprintf(fresh, sizeof(fresh), "%lx", (unsigned long)time(NULL));
		else
			strncat(fresh, more, sizeof(fresh) - strlen(fresh) - 1);
		rid = fresh;
	}
	snprintf(r->trace_id, sizeof(r->trace_id), "req_%s", rid);
}

/* Seconds between nginx handing the request over (REQUEST_START, nginx's
 * $msec) and now.  This needs nginx and mcolld to read one clock (one host,
 * or hosts kept in step by NTP); a start that cannot be a wait on one clock
 * is logged and counts as none. */
static double queue_wait(const struct req *r)
{
	const char *v = req_param(r, "REQUEST_START");
	struct timespec ts;
	double wait;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (deadline_queue_wait(v, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, &wait) == QW_SKEW)
		log_warn("%s: REQUEST_START %s and this clock disagree: ignored", r->trace_id, v);
	return wait;
}

void req_init(struct req *r, FCGX_Request *fcgi, const struct conf *conf, struct db *db)
{
	const char *uri, *q;

	memset(r, 0, sizeof(*r));
	r->fcgi = fcgi;
	r->conf = conf;
	r->db = db;
	jw_init(&r->out, 2048);
	r->started = db_now();
	r->method = req_param(r, "REQUEST_METHOD");
	if (!r->method)
		r->method = "GET";
	uri = req_param(r, "REQUEST_URI");
	if (!uri)
		uri = req_param(r, "DOCUMENT_URI");
	if (!uri)
		uri = "/";
	q = strchr(uri, '?');
	r->path = q ? xstrndup(uri, (size_t)(q - uri)) : xstrdup(uri);
	r->query = req_param(r, "QUERY_STRING");
	if (!r->query)
		r->query = q ? q + 1 : "";
	set_trace_id(r);
	r->queued = queue_wait(r);
	r->deadline = r->started - r->queued + conf->request_timeout;
	db_set_deadline(db, r->deadline);
}

bool req_late_or_reply(struct req *r)
{
	if (db_now() < r->deadline)
		return false;
	log_warn("%s: waited %.3f s for a worker, past request_timeout (%d s): not run", r->trace_id,
		 r->queued, r->conf->request_timeout);
	resp_error(r, API_UNAVAILABLE, "Request waited too long for a worker", NULL);
	return true;
}

void req_free(struct req *r)
{
	free(r->path);
	r->path = NULL;
	free(r->body);
	r->body = NULL;
	route_match_free(&r->route);
	jw_free(&r->out);
}

/* application/json, optionally with parameters, case-insensitive. */
static bool is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, "application/json", n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* Reads at most limit + 1 bytes of the body into a heap buffer. */
static char *read_body(struct req *r, long limit, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *buf = xmalloc(cap);
	int got;

	for (;;) {
		if (n == cap) {
			if (cap > (size_t)limit)
				break;
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		got = FCGX_GetStr(buf + n, (int)(cap - n), r->fcgi->in);
		if (got <= 0)
			break;
		n += (size_t)got;
		if (n > (size_t)limit)
			break;
	}
	*len = n;
	return buf;
}

struct json_object *req_json_body(struct req *r)
{
	const char *ct = req_param(r, "CONTENT_TYPE");
	const char *cl = req_param(r, "CONTENT_LENGTH");
	long limit = r->conf->body_limit;
	struct json_object *obj = NULL;
	struct verr e;
	char *body = NULL, msg[96];
	size_t len = 0;

	snprintf(msg, sizeof(msg), "Request body exceeds %ld bytes", limit);
	if (cl && *cl) {
		errno = 0;
		char *end;
		long long declared = strtoll(cl, &end, 10);
		if (errno == 0 && *end == '\0' && declared > limit) {
			resp_error(r, API_TOO_LARGE, msg, NULL);
			return NULL;
		}
	}
	body = read_body(r, limit, &len);
	if (len > (size_t)limit) {
		resp_error(r, API_TOO_LARGE, msg, NULL);
		goto out;
	}
	if ((ct && *ct && !is_json_type(ct)) || ((!ct || !*ct) && len > 0)) {
		resp_error(r, API_UNSUPPORTED_MEDIA, "Content-Type must be application/json", NULL);
		goto out;
	}
	obj = valid_json_object(body, len, &e);
	if (!obj) {
		resp_invalid(r, &e);
		goto out;
	}
	free(r->body);
	r->body = body;
	r->body_len = len;
	return obj;
out:
	free(body);
	return obj;
}
