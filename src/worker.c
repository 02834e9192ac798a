/* worker.c -- connects to MariaDB after the fork, prepares statements once,
 * then accepts FastCGI requests one at a time: the three gates (special
 * errors from nginx, route, auth) and then the endpoint's handler.
 *
 * The accept loop: SIGTERM is blocked except inside ppoll() on the listen
 * socket (and the kept connection).  With signals blocked the worker
 * accept4()s the connection itself and hands the connected fd to libfcgi
 * (FCGX_Request.ipcFd, kept by keepConnection for FCGX_Accept_r's opening
 * FCGX_Finish_r), so no signal can land between accept and the end of the
 * parameter read, and a request once begun is always answered.  A worker
 * without a database connection reconnects before it accepts, and takes
 * connections only when no other worker of the pool is connected (then it
 * answers 503 at once).
 *
 * Keep-alive: connections nginx keeps (FCGI_KEEP_CONN) stay with the
 * worker, up to KEPT_MAX, polled beside the listen socket; requests on them
 * and the queue take turns.  Before a write the worker asks nginx to close
 * its idle kept connections (ask_to_close_kept) and passes those with a
 * request already to the pool (pass_waiting, handoff.c), so none waits
 * behind a lock wait; one it does not keep after an answer is let go with the
 * answer (the let-go record right behind END_REQUEST in the same write:
 * nginx never caches it).  Letting go never loses a request: see there.
 * The worker writes its answers itself (fcgirec.c): one write per answer
 * and its END_REQUEST; libfcgi only reads the request. */
#include "worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "alloc.h"
#include "auth.h"
#include "db.h"
#include "fcgirec.h"
#include "handlers.h"
#include "handoff.h"
#include "log.h"
#include "req.h"
#include "resp.h"
#include "scoreboard.h"

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
	[R_HEALTHZ] = h_healthz,
	[R_STATUS] = h_status,
};

/* Kept connections one worker polls at most: with 4 workers, 256, more
 * than nginx holds at c=128 (its requests in flight plus the idle ones it
 * caches, `keepalive` per nginx worker process: the site sets 32). */
#define KEPT_MAX 64
#define KEPT_SPREAD 2

static volatile sig_atomic_t stopping;
static struct sb_slot *me; /* this worker's scoreboard slot */

struct worker {
	const struct conf *conf;
	int listen_fd;
	int ho_out, ho_in;      /* the pool's handoff pair (handoff.h) */
	int index;
	struct scoreboard *sb;
	struct db db;
	FCGX_Request fcgi;      /* ipcFd: the request's connection, or -1 */
	int kept[KEPT_MAX];     /* idle kept connections (FCGI_KEEP_CONN) */
	int64_t closing[KEPT_MAX]; /* when asked to close (ms), 0: kept */
	int nkept;
	int turn;               /* wait_for_work's round robin of kept ones */
	bool kept_turn;         /* the last turn was a kept connection's */
	long served;            /* requests answered by this worker */
	bool tcp;               /* the listen socket is TCP (TCP_NODELAY) */
	bool recycle;           /* max_requests reached: exit after letting go */
};

/* What wait_for_work found. */
enum work { WORK_NONE, WORK_KEPT, WORK_QUEUE, WORK_HANDED };

/* The flag a connection is passed with: it had been asked to close. */
#define HANDED_CLOSING 1

#define LET_GO_WAIT_MS 2000 /* longest wait for nginx to close */

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
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
	SB_SET(me->route, (int32_t)r->route.id);
	if (!handler_authenticates(r->route.id) && !handler_public(r->route.id) && !auth_request(r))
		return;
	handlers[r->route.id](r);
}

static int64_t now_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The database connection's socket, or -1.  Idle, it turns readable only
 * when the connection is lost (server gone, connection killed). */
static int db_fd(const struct db *db)
{
	return db->conn ? (int)mysql_get_socket(db->conn) : -1;
}

static void check_db(struct worker *w)
{
	db_rehome(&w->db); /* several nodes: back to this slot's node once it is up */
	if (!w->db.conn)
		db_connect(&w->db); /* rate-limited inside */
	SB_SET(me->db_connected, w->db.conn != NULL);
}

static void serve(struct worker *w, bool letting_go);

static void kept_remove(struct worker *w, int i)
{
	w->nkept--;
	w->kept[i] = w->kept[w->nkept];
	w->closing[i] = w->closing[w->nkept];
	SB_SET(me->kept, w->nkept);
}

static void kept_close(struct worker *w, int i)
{
	close(w->kept[i]);
	kept_remove(w, i);
}

/* Asks nginx to give up each idle kept connection not asked yet: it closes
 * an idle kept connection on which anything arrives.  Closing at once
 * would be unsafe: nginx may be sending a request on it at this very
 * moment, and it retries no request (fastcgi_next_upstream off), never a
 * POST it has begun to send.  So the connection stays, marked closing,
 * until nginx's close (EOF, then close(): nothing unread, so no reset);
 * a request that arrives first is served and let go with its answer. */
static void ask_to_close_kept(struct worker *w)
{
	int64_t now = now_ms(CLOCK_MONOTONIC);

	for (int i = w->nkept - 1; i >= 0; i--) {
		if (w->closing[i])
			continue;
		if (write(w->kept[i], fcgirec_let_go, sizeof(fcgirec_let_go)) != (ssize_t)sizeof(fcgirec_let_go))
			kept_close(w, i); /* EPIPE: nginx has closed it already */
		else
			w->closing[i] = now;
	}
}

/* Closes what nginx still has not closed LET_GO_WAIT_MS after the ask (a
 * peer that ignores the record), unless a request is waiting on it: that
 * one is served first, however long the worker was busy meanwhile.
 * Returns the ms until the next such deadline, or -1 when no connection
 * is closing. */
static int64_t expire_closing(struct worker *w)
{
	int64_t now = now_ms(CLOCK_MONOTONIC), next = -1;

	for (int i = w->nkept - 1; i >= 0; i--) {
		struct pollfd p = {.fd = w->kept[i], .events = POLLIN};
		int64_t left;

		if (!w->closing[i])
			continue;
		left = w->closing[i] + LET_GO_WAIT_MS - now;
		if (left <= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
			char c;
			if (recv(p.fd, &c, 1, MSG_PEEK) == 1)
				left = 1; /* a request: wait_for_work takes it */
		}
		if (left <= 0) {
			log_warn("kept connection still open %d ms after asking the web server to close it: "
				 "closing it", LET_GO_WAIT_MS);
			kept_close(w, i);
		} else if (next < 0 || left < next) {
			next = left;
		}
	}
	return next;
}

/* Reads the next request's parameters from kept connection i, which
 * becomes the request's.  Returns 0 with a request in w->fcgi, -1 when
 * nginx closed the connection (libfcgi closes it and finds no listen
 * socket of its own, -1).  *closing: it had been asked to close. */
static int take_kept(struct worker *w, int i, bool *closing)
{
	*closing = w->closing[i] != 0;
	w->fcgi.ipcFd = w->kept[i];
	kept_remove(w, i);
	/* keepConnection stops FCGX_Accept_r's opening FCGX_Finish_r from
	 * closing it; the request's own FCGI_KEEP_CONN flag then replaces it. */
	w->fcgi.keepConnection = 1;
	return FCGX_Accept_r(&w->fcgi) < 0 ? -1 : 0;
}

/* Lets every kept connection go and waits until nginx has closed them all,
 * serving any request it sent first; at most LET_GO_WAIT_MS. */
static void let_go_all(struct worker *w)
{
	ask_to_close_kept(w);
	while (w->nkept > 0) {
		struct pollfd p[KEPT_MAX];
		int64_t left = expire_closing(w);
		int n = w->nkept;

		if (n <= 0 || n > KEPT_MAX || left < 0)
			break;
		for (int i = 0; i < n; i++)
			p[i] = (struct pollfd){.fd = w->kept[i], .events = POLLIN};
		if (poll(p, (nfds_t)n, (int)left) <= 0)
			continue; /* expired next round */
		for (int i = n - 1; i >= 0; i--) {
			bool closing;
			if (p[i].revents && take_kept(w, i, &closing) == 0)
				serve(w, true);
		}
	}
}

/* After an answer on a connection nginx asked to keep (FCGI_KEEP_CONN):
 * true if the worker keeps it, polled beside the listen socket. */
static bool keep_after_answer(const struct worker *w, bool letting_go)
{
	/* Requests on a worker's kept connections wait for one another, so
	 * no worker keeps many more than the others: KEPT_SPREAD above the
	 * pool's mean, and the surplus goes through the shared queue. */
	return !letting_go && !stopping && !w->recycle && w->db.conn && w->nkept < KEPT_MAX &&
	       w->nkept < sb_mean_kept(w->sb, (int)SB_GET(w->sb->h.nslots)) + KEPT_SPREAD;
}

/* Waits until a kept connection has a request, or the listen socket a
 * connection (or a signal, or the database socket needs attention).
 * Requests on kept connections and the queue take turns (*which: the
 * kept connection's index). */
static enum work wait_for_work(struct worker *w, const sigset_t *unblocked, int *which)
{
	struct pollfd pfd[KEPT_MAX + 3];
	struct timespec ts, *tsp = NULL;
	int nfd = 0, rc, dfd = db_fd(&w->db), dbi = -1, hoi;
	int64_t closing_ms = expire_closing(w);
	bool queue;

	if (dfd < 0) {
		/* Try the database again soon; meanwhile listen only when no
		 * other worker is connected (they serve the traffic). */
		ts.tv_sec = 0;
		ts.tv_nsec = 100 * 1000000L;
		tsp = &ts;
		if (sb_other_connected(w->sb, (int)SB_GET(w->sb->h.nslots), w->index)) {
			let_go_all(w);
			ppoll(NULL, 0, tsp, unblocked);
			return WORK_NONE;
		}
	}
	pfd[nfd].fd = w->listen_fd;
	pfd[nfd].events = POLLIN;
	pfd[nfd++].revents = 0;
	for (int i = 0; i < w->nkept; i++) {
		pfd[nfd].fd = w->kept[i];
		pfd[nfd].events = POLLIN;
		pfd[nfd++].revents = 0;
	}
	hoi = nfd;
	pfd[nfd].fd = w->ho_in;
	pfd[nfd].events = POLLIN;
	pfd[nfd++].revents = 0;
	if (dfd >= 0) {
		dbi = nfd;
		pfd[nfd].fd = dfd;
		pfd[nfd].events = POLLIN;
		pfd[nfd++].revents = 0;
	}
	if (!tsp && db_rehome_due(&w->db) >= 0) {
		/* away from its node: wake to look whether it is back */
		double due = db_rehome_due(&w->db);
		ts.tv_sec = (time_t)due;
		ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
		tsp = &ts;
	}
	if (closing_ms >= 0 && (!tsp || closing_ms < (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000)) {
		ts.tv_sec = (time_t)(closing_ms / 1000);
		ts.tv_nsec = (long)(closing_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	rc = ppoll(pfd, (nfds_t)nfd, tsp, unblocked);
	if (rc <= 0)
		return WORK_NONE;
	if (dbi >= 0 && pfd[dbi].revents) {
		log_warn("database connection lost while idle");
		db_close(&w->db);
		SB_SET(me->db_connected, 0);
		return WORK_NONE;
	}
	/* A connection another worker passed holds a request that has
	 * waited already: it goes first. */
	if (pfd[hoi].revents & POLLIN)
		return WORK_HANDED;
	/* Turns: a ready queue every other request (it may hold many
	 * connections, each waiting as long as a request on a kept one), and
	 * the kept connections round robin among themselves; so neither a
	 * busy kept connection nor the queue waits behind the other for more
	 * than a turn. */
	queue = (pfd[0].revents & POLLIN) != 0;
	if (queue && w->kept_turn) {
		w->kept_turn = false;
		return WORK_QUEUE;
	}
	for (int k = 0; k < w->nkept; k++) {
		int j = (w->turn + k) % w->nkept;
		if (!(pfd[j + 1].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		w->turn = j + 1;
		w->kept_turn = true;
		*which = j;
		return WORK_KEPT; /* a request, or nginx closed it */
	}
	return queue ? WORK_QUEUE : WORK_NONE;
}

/* Takes a connection another worker passed, as take_queued would. */
static int take_handed(struct worker *w, bool *closing)
{
	unsigned char flags = 0;
	int fd = handoff_recv(w->ho_in, &flags);

	if (fd < 0)
		return -1; /* another worker took it */
	SB_INC(me->c.accepted);
	*closing = (flags & HANDED_CLOSING) != 0;
	w->fcgi.ipcFd = fd;
	w->fcgi.keepConnection = 1;
	return FCGX_Accept_r(&w->fcgi) < 0 ? -1 : 0;
}

/* Before a write: requests nginx has sent already on the worker's other
 * kept connections (before it asked to close them) would wait as long as
 * the write waits for locks; they are passed to the pool instead, where
 * the next idle worker takes them (before its queue). */
static void pass_waiting(struct worker *w)
{
	struct pollfd p[KEPT_MAX];
	int n = w->nkept;

	if (n <= 0 || n > KEPT_MAX)
		return;
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = w->kept[i], .events = POLLIN};
	if (poll(p, (nfds_t)n, 0) <= 0)
		return;
	for (int i = n - 1; i >= 0; i--) {
		if (!(p[i].revents & POLLIN) ||
		    handoff_send(w->ho_out, w->kept[i], w->closing[i] ? HANDED_CLOSING : 0) != 0)
			continue;
		kept_close(w, i);
	}
}

/* Accepts one connection and reads its FastCGI parameters.  Returns 0 with
 * a request in w->fcgi, -1 when there was none (another worker took it, or
 * the peer went away before its parameters). */
static int take_queued(struct worker *w)
{
	int fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC), one = 1;

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED && errno != EPROTO) {
			/* e.g. EMFILE: the connection stays queued; do not spin */
			struct timespec pause = {0, 50 * 1000000L};
			log_error("accept: %s", strerror(errno));
			nanosleep(&pause, NULL);
		}
		return -1;
	}
	if (w->tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	SB_INC(me->c.accepted);
	/* libfcgi reads from ipcFd instead of accepting when it is >= 0;
	 * keepConnection stops its opening FCGX_Finish_r from closing it.
	 * The request's own FCGI_KEEP_CONN flag then replaces it. */
	w->fcgi.ipcFd = fd;
	w->fcgi.keepConnection = 1;
	return FCGX_Accept_r(&w->fcgi) < 0 ? -1 : 0;
}

/* Writes the answer and the end of the request in one write.  With
 * let_go the let-go record follows END_REQUEST in the same write (the
 * tail of a long answer in a short write of its own, so it arrives in one
 * piece): nginx then never caches the connection, and it is closed at
 * once, without waiting for nginx. */
static void answer(struct worker *w, struct req *r, bool let_go)
{
	size_t tail = fcgirec_end(&r->out, (unsigned)w->fcgi.requestId, let_go);
	const char *p = r->out.buf;
	size_t left = r->out.len, part = left > 16384 && let_go ? left - tail : left;

	while (left > 0) {
		ssize_t n = write(w->fcgi.ipcFd, p, part);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			let_go = true; /* nginx is gone: close it */
			break;
		}
		p += n;
		left -= (size_t)n;
		part = part > (size_t)n ? part - (size_t)n : left;
	}
	/* libfcgi writes nothing more for this request */
	w->fcgi.out->wasFCloseCalled = w->fcgi.out->isClosed = 1;
	w->fcgi.err->wasFCloseCalled = w->fcgi.err->isClosed = 1;
	if (let_go)
		w->fcgi.keepConnection = 0;
}

static bool method_reads(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

static void serve(struct worker *w, bool letting_go)
{
	struct req r;
	bool keep;

	SB_SET(me->req_start_ms, now_ms(CLOCK_REALTIME));
	SB_SET(me->state, SB_BUSY);
	sb_note_busy(w->sb, (int)SB_GET(w->sb->h.nslots));
	req_init(&r, &w->fcgi, w->conf, &w->db);
	r.sb = w->sb;
	slowlog_begin(&w->db.slow, w->conf->slowlog_ms > 0);
	/* A write may wait for locks: requests nginx would send on the
	 * worker's idle kept connections meanwhile would wait with it, so
	 * they are let go first, and those it sent already go to an idle
	 * worker (reads run without waiting on locks). */
	if (w->nkept > 0 && !method_reads(r.method)) {
		ask_to_close_kept(w);
		pass_waiting(w);
	}
	dispatch(&r);
	if (w->conf->max_requests > 0 && ++w->served >= w->conf->max_requests)
		w->recycle = true;
	keep = w->fcgi.keepConnection && keep_after_answer(w, letting_go);
	/* Not kept: let go with the answer, so nginx never caches it. */
	answer(w, &r, w->fcgi.keepConnection && !keep);
	resp_log(&r);
	sb_count_status(me, r.status);
	if (w->db.slow.on) {
		double ms = (db_now() - r.started) * 1000.0;
		if (ms >= w->conf->slowlog_ms) {
			char line[1800];
			slowlog_format(&w->db.slow, r.method, r.route.pattern, ms, line, sizeof(line));
			log_msg_trace(LOG_LVL_WARN, r.trace_id, "%s", line);
			SB_INC(me->c.slow);
		}
		w->db.slow.on = 0;
	}
	req_free(&r);
	FCGX_Finish_r(&w->fcgi);
	if (keep && w->fcgi.ipcFd >= 0) {
		w->kept[w->nkept] = w->fcgi.ipcFd;
		w->closing[w->nkept++] = 0;
		w->fcgi.ipcFd = -1;
		SB_SET(me->kept, w->nkept);
	}
	SB_INC(me->c.requests);
	SB_SET(me->route, -1);
	SB_SET(me->req_start_ms, 0);
	SB_SET(me->db_connected, w->db.conn != NULL);
	SB_SET(me->state, SB_IDLE);
}

/* After SIGTERM: true while the pool drains the listen queue on stop and a
 * connection is waiting. */
/* A connection another worker passed waits (its request sent already:
 * taken even while stopping). */
static bool handed_waiting(const struct worker *w)
{
	struct pollfd pfd = {.fd = w->ho_in, .events = POLLIN};

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static bool queue_waiting(const struct worker *w)
{
	struct pollfd pfd = {.fd = w->listen_fd, .events = POLLIN};

	return SB_GET(w->sb->h.drain) && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

int worker_run(const struct conf *conf, int listen_fd, const int handoff[2], int index,
	       struct scoreboard *sb)
{
	struct sigaction sa;
	sigset_t term, unblocked;
	struct worker w;
	char tag[32];

	memset(&w, 0, sizeof(w));
	w.conf = conf;
	w.listen_fd = listen_fd;
	w.ho_out = handoff[0];
	w.ho_in = handoff[1];
	w.index = index;
	w.sb = sb;
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		w.tcp = getsockname(listen_fd, (struct sockaddr *)&ss, &sl) == 0 &&
			(ss.ss_family == AF_INET || ss.ss_family == AF_INET6);
	}
	me = &sb->slot[index];
	SB_SET(me->pid, (int32_t)getpid());
	SB_SET(me->kept, 0);
	SB_SET(me->started, (int64_t)time(NULL));
	snprintf(tag, sizeof(tag), "mcolld worker %d", index);
	log_set_tag(tag);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term; /* no SA_RESTART: ppoll() must return */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* From here on TERM is blocked except inside ppoll (the master
	 * forked us with its signals blocked: one sent early stays pending). */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigaddset(&term, SIGINT);
	sigemptyset(&unblocked);
	sigprocmask(SIG_SETMASK, &term, NULL);

	db_init(&w.db, conf);
	db_set_home(&w.db, index); /* several nodes: workers spread over them */
	check_db(&w); /* failure is fine: see wait_for_work */
	/* No listen socket for libfcgi: it must never accept by itself. */
	if (FCGX_Init() != 0 || FCGX_InitRequest(&w.fcgi, -1, 0) != 0) {
		log_error("FastCGI init failed");
		return 1;
	}
	SB_SET(me->route, -1);
	SB_SET(me->state, SB_IDLE);
	for (;;) {
		enum work got = WORK_QUEUE;
		int which = -1;
		bool closing = false;

		if (stopping) {
			let_go_all(&w);
			if (handed_waiting(&w))
				got = WORK_HANDED;
			else if (!queue_waiting(&w))
				break;
		} else {
			check_db(&w);
			got = wait_for_work(&w, &unblocked, &which);
			if (got == WORK_NONE)
				continue;
		}
		if (got == WORK_HANDED ? take_handed(&w, &closing) == 0
		    : got == WORK_KEPT ? take_kept(&w, which, &closing) == 0
				       : take_queued(&w) == 0)
			serve(&w, closing);
		if (w.recycle) {
			let_go_all(&w);
			/* the master counts this exit as planned */
			SB_SET(me->recycling, 1);
			break;
		}
	}
	SB_SET(me->state, SB_STARTING);
	FCGX_Free(&w.fcgi, 1);
	db_close(&w.db);
	log_debug("stopped");
	return 0;
}
