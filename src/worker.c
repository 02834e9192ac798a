/* worker.c -- connects to MariaDB after the fork, prepares statements once,
 * then accepts FastCGI requests one at a time: the three gates (special
 * errors from nginx, route, auth) and then the endpoint's handler.
 * SIGTERM is blocked while a request runs, so it always completes. */
#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "alloc.h"
#include "auth.h"
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "req.h"
#include "resp.h"

static const handler_fn handlers[ROUTE__MAX] = {
	[R_COLL_LIST] = h_collection_list,
	[R_COLL_CREATE] = h_collection_create,
	[R_COLL_GET] = h_collection_get,
	[R_COLL_UPDATE] = h_collection_update,
	[R_COLL_DELETE] = h_collection_delete,
	[R_TRACKS_LIST] = h_track_list,
	[R_TRACK_ADD] = h_track_add,
	[R_TRACK_REMOVE] = h_track_remove,
	[R_COLL_REORDER] = h_collection_reorder,
};

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static void dispatch(struct req *r)
{
	const char *forced = req_param(r, "MCOLL_ERROR");
	struct json_object *d;
	char msg[96];

	if (req_late_or_reply(r))
		return;
	/* nginx refused the body itself and asks for the envelope. */
	if (forced && strcmp(forced, "413") == 0) {
		snprintf(msg, sizeof(msg), "Request body exceeds %ld bytes", r->conf->body_limit);
		resp_error(r, API_TOO_LARGE, msg, NULL);
		return;
	}
	switch (router_match(r->method, r->path, &r->route)) {
	case ROUTE_NOT_FOUND:
		resp_error(r, API_NOT_FOUND, "No such endpoint", NULL);
		return;
	case ROUTE_BAD_METHOD:
		d = json_object_new_object();
		{
			struct json_object *allowed = json_object_new_array();
			char *copy = xstrdup(r->route.allow), *save = NULL;
			for (char *m = strtok_r(copy, ", ", &save); m; m = strtok_r(NULL, ", ", &save))
				json_object_array_add(allowed, json_object_new_string(m));
			free(copy);
			json_object_object_add(d, "allowed", allowed);
		}
		snprintf(msg, sizeof(msg), "Method %.16s is not allowed here", r->method);
		resp_error(r, API_METHOD_NOT_ALLOWED, msg, d);
		return;
	case ROUTE_OK:
		break;
	}
	if (!handler_authenticates(r->route.id) && !auth_request(r))
		return;
	handlers[r->route.id](r);
}

int worker_run(const struct conf *conf, int listen_fd, int index)
{
	struct sigaction sa;
	sigset_t term;
	FCGX_Request fcgi;
	struct db db;
	char tag[32];

	snprintf(tag, sizeof(tag), "mcolld worker %d", index);
	log_set_tag(tag);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term; /* no SA_RESTART: accept() must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigprocmask(SIG_BLOCK, &term, NULL);

	db_init(&db, conf);
	db_connect(&db); /* failure is fine: requests answer 503 and retry */
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgi, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error("FastCGI init failed");
		return 1;
	}
	while (!stopping) {
		struct req r;
		int rc;

		sigprocmask(SIG_UNBLOCK, &term, NULL); /* a pending TERM lands here */
		rc = stopping ? -1 : FCGX_Accept_r(&fcgi);
		sigprocmask(SIG_BLOCK, &term, NULL);
		if (rc < 0) {
			if (stopping)
				break;
			if (errno == EINTR)
				continue;
			log_error("accept failed: %d", rc);
			break;
		}
		req_init(&r, &fcgi, conf, &db);
		dispatch(&r);
		resp_log(&r);
		req_free(&r);
		FCGX_Finish_r(&fcgi);
	}
	FCGX_Free(&fcgi, 0);
	db_close(&db);
	log_debug("stopped");
	return 0;
}
