/* log.c -- leveled logging.  Under systemd (JOURNAL_STREAM names our
 * stderr) every entry goes to the journal through sd_journal_sendv with
 * PRIORITY, SYSLOG_IDENTIFIER, MESSAGE and, for requests, MCOLL_* fields;
 * otherwise one line on stderr: ISO 8601 UTC time, level, tag[pid], text,
 * written with a single write(2).  Identical warnings and errors are rate
 * limited (ratelimit.c): the first, then one a second with a count,
 * counted across the processes of the service. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "ratelimit.h"
#include "timefmt.h"

static enum log_level cur_level = LOG_LVL_INFO;
static char tag[32] = "mcoll";
static char ident[32] = "mcoll";
static int journal = -1; /* unknown until first use */
static long tag_pid;      /* getpid() when the tag was set: every
			   * process forked to work sets its own */

/* The limiter lives in memory shared with the processes forked after the
 * first log call (the master's workers), so identical lines are counted
 * across them all: an outage seen by every worker still writes each line
 * once a second, not once a second per worker.  The mutex is robust: a
 * worker killed while holding it does not block the others. */
struct shared_limiter {
	pthread_mutex_t mu;
	struct ratelimit rl;
};
static struct shared_limiter *shared;
static struct ratelimit private_limiter; /* if shared memory is refused */

static void limiter_init(void)
{
	pthread_mutexattr_t a;
	void *p;

	if (shared)
		return;
	p = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	shared = p;
	memset(shared, 0, sizeof(*shared));
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&shared->mu, &a);
	pthread_mutexattr_destroy(&a);
}

static struct ratelimit *limiter_lock(void)
{
	limiter_init();
	if (!shared)
		return &private_limiter;
	if (pthread_mutex_lock(&shared->mu) == EOWNERDEAD)
		pthread_mutex_consistent(&shared->mu);
	return &shared->rl;
}

static void limiter_unlock(void)
{
	if (shared)
		pthread_mutex_unlock(&shared->mu);
}

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};
static const int level_prio[] = {
	[LOG_LVL_ERROR] = 3,
	[LOG_LVL_WARN] = 4,
	[LOG_LVL_INFO] = 6,
	[LOG_LVL_DEBUG] = 7,
};

void log_set_level(enum log_level lvl)
{
	cur_level = lvl;
}

int log_level_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static long my_pid(void)
{
	return tag_pid ? tag_pid : (long)getpid();
}

void log_set_tag(const char *t)
{
	limiter_init();
	snprintf(tag, sizeof(tag), "%s", t);
	tag_pid = (long)getpid();
	snprintf(ident, sizeof(ident), "%.*s", (int)strcspn(t, " "), t);
}

/* systemd.exec(5): JOURNAL_STREAM is "DEV:INODE" of the stream it gave us;
 * only if stderr is still that stream are we talking to the journal. */
static bool use_journal(void)
{
	const char *js;
	unsigned long long dev, ino;
	struct stat st;

	if (journal < 0) {
		js = getenv("JOURNAL_STREAM");
		journal = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
			  (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
	}
	return journal;
}

static void write_all(const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

static size_t clamp(int n, size_t len)
{
	if (n < 0)
		return 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

/* One entry: to the journal, or one line on stderr (<N>-prefixed when the
 * journal reads our stderr but refused the native protocol). */
static void emit(enum log_level lvl, const char *trace_id, const char *msg)
{
	char line[2400], ts[TIMEFMT_ISO_LEN];
	size_t n;

	if (use_journal()) {
		if (trace_id ? sd_journal_send("PRIORITY=%d", level_prio[lvl], "SYSLOG_IDENTIFIER=%s", ident,
					       "MESSAGE=%s: %s", trace_id, msg, "MCOLL_TRACE_ID=%s", trace_id,
					       NULL) == 0
			     : sd_journal_send("PRIORITY=%d", level_prio[lvl], "SYSLOG_IDENTIFIER=%s", ident,
					       "MESSAGE=%s", msg, NULL) == 0)
			return;
		n = clamp(snprintf(line, sizeof(line), "<%d>%s[%ld]: %s%s%s\n", level_prio[lvl], tag,
				   my_pid(), trace_id ? trace_id : "", trace_id ? ": " : "", msg),
			  sizeof(line));
	} else {
		timefmt_iso(time(NULL), ts);
		n = clamp(snprintf(line, sizeof(line), "%s %s %s[%ld]: %s%s%s\n", ts, level_names[lvl], tag,
				   my_pid(), trace_id ? trace_id : "", trace_id ? ": " : "", msg),
			  sizeof(line));
	}
	if (n > 0 && line[n - 1] != '\n')
		line[n - 1] = '\n';
	write_all(line, n);
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Summaries of storms that ended: written at the next entry of any kind. */
static void flush_pending(double now)
{
	char text[RL_TEXT], msg[RL_TEXT + 80];
	unsigned long dropped;
	double span;
	int lvl;

	for (;;) {
		bool more = rl_pending(limiter_lock(), now, &lvl, text, sizeof(text), &dropped, &span);

		limiter_unlock();
		if (!more)
			break;
		snprintf(msg, sizeof(msg), "%s (repeated %lu times in the last %.0f s)", text, dropped,
			 span < 1 ? 1 : span);
		emit((enum log_level)lvl, NULL, msg);
	}
}

static void vlog(enum log_level lvl, const char *trace_id, const char *fmt, va_list ap)
{
	char msg[2048];
	unsigned long dropped = 0;
	double span = 0, now;
	size_t n;

	if (lvl > cur_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	now = mono_now();
	flush_pending(now);
	if (lvl <= LOG_LVL_WARN) {
		bool admit = rl_admit(limiter_lock(), lvl, msg, now, &dropped, &span);

		limiter_unlock();
		if (!admit)
			return;
		n = strlen(msg);
		if (dropped)
			snprintf(msg + n, sizeof(msg) - n, " (repeated %lu times in the last %.0f s)", dropped,
				 span < 1 ? 1 : span);
	}
	emit(lvl, trace_id, msg);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, NULL, fmt, ap);
	va_end(ap);
}

void log_msg_trace(enum log_level lvl, const char *trace_id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, trace_id, fmt, ap);
	va_end(ap);
}

/* ---- the request entry */

#define REQ_MESSAGE_FMT "%s %s %.200s %d %.1fms user=%s"
#define REQ_MESSAGE_ARGS(q)                                                                      \
	(q)->trace_id, (q)->method, (q)->path, (q)->status, (double)(q)->duration_us / 1000.0, \
		((q)->user_id && *(q)->user_id) ? (q)->user_id : "-"

int log_request_fields(const struct log_request *q, const char *id, struct iovec *iov, char *buf,
		       size_t len)
{
	size_t used = 0;
	int n = 0, w;

#define FIELD(...)                                                       \
	do {                                                             \
		w = snprintf(buf + used, len - used, __VA_ARGS__);       \
		if (w < 0 || (size_t)w >= len - used)                    \
			return -1;                                       \
		iov[n].iov_base = buf + used;                            \
		iov[n++].iov_len = (size_t)w;                            \
		used += (size_t)w + 1;                                   \
	} while (0)

	FIELD("PRIORITY=%d", level_prio[LOG_LVL_INFO]);
	FIELD("SYSLOG_IDENTIFIER=%s", id);
	FIELD("MESSAGE=" REQ_MESSAGE_FMT, REQ_MESSAGE_ARGS(q));
	FIELD("MCOLL_TRACE_ID=%s", q->trace_id);
	FIELD("MCOLL_METHOD=%s", q->method);
	FIELD("MCOLL_ROUTE=%s", q->route ? q->route : "-");
	FIELD("MCOLL_STATUS=%d", q->status);
	FIELD("MCOLL_DURATION_US=%lld", q->duration_us);
	if (q->user_id && *q->user_id)
		FIELD("MCOLL_USER_ID=%s", q->user_id);
#undef FIELD
	return n;
}

size_t log_request_line(const struct log_request *q, time_t now, const char *t, long pid, char *buf,
			size_t len)
{
	char ts[TIMEFMT_ISO_LEN];
	size_t n;

	timefmt_iso(now, ts);
	n = clamp(snprintf(buf, len, "%s info %s[%ld]: " REQ_MESSAGE_FMT "\n", ts, t, pid, REQ_MESSAGE_ARGS(q)),
		  len);
	if (n > 0 && buf[n - 1] != '\n')
		buf[n - 1] = '\n';
	return n;
}

void log_request(const struct log_request *q)
{
	struct iovec iov[LOG_REQ_FIELDS];
	char buf[1024];
	int n;

	if (cur_level < LOG_LVL_INFO)
		return;
	flush_pending(mono_now());
	if (use_journal()) {
		n = log_request_fields(q, ident, iov, buf, sizeof(buf));
		if (n > 0 && sd_journal_sendv(iov, n) == 0)
			return;
		/* refused: the stream reaches the journal too, with a priority */
		n = snprintf(buf, sizeof(buf), "<%d>%s[%ld]: " REQ_MESSAGE_FMT "\n", level_prio[LOG_LVL_INFO], tag,
			     my_pid(), REQ_MESSAGE_ARGS(q));
		write_all(buf, clamp(n, sizeof(buf)));
		return;
	}
	write_all(buf, log_request_line(q, time(NULL), tag, my_pid(), buf, sizeof(buf)));
}
