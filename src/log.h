/* log.h -- leveled logging: the journal's native protocol with structured
 * fields under systemd, one line on stderr otherwise; identical warnings
 * and errors rate-limited; one entry per request. */
#ifndef MCOLL_LOG_H
#define MCOLL_LOG_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>
#include <time.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level lvl);
/* Parses "error", "warn", "info", "debug"; returns -1 if unknown. */
int log_level_parse(const char *s);
/* Tag written before each message, e.g. "mcolld master" or "mcolld worker
 * 3"; its first word is the journal's SYSLOG_IDENTIFIER. */
void log_set_tag(const char *tag);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, about one request: trace_id (or NULL) goes before the text on
 * stderr and into MCOLL_TRACE_ID in the journal.  Lines that differ only
 * in their trace id count as identical for the rate limit. */
void log_msg_trace(enum log_level lvl, const char *trace_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* What the per-request entry says.  Deliberately nothing else: never a
 * key, a password, a header or a body. */
struct log_request {
	const char *trace_id;
	const char *method;
	const char *route;      /* the matched pattern, e.g. /v1/music/:org/collections; NULL: none */
	const char *path;       /* the request path (no query string) */
	int status;
	long long duration_us;
	const char *user_id;    /* NULL or "": not authenticated */
};

/* Writes the request's entry (at info level). */
void log_request(const struct log_request *q);

/* ---- pure parts, exposed for the unit tests */

#define LOG_REQ_FIELDS 9
/* The journal fields of q ("NAME=value" each, in buf), pointed to by iov
 * (at least LOG_REQ_FIELDS entries).  Returns their number, or -1 when buf
 * is too small. */
int log_request_fields(const struct log_request *q, const char *ident, struct iovec *iov, char *buf,
		       size_t len);
/* The complete stderr line of q, newline included: "<ISO time> info
 * TAG[PID]: TRACE METHOD PATH STATUS MSms user=USER".  Returns its length
 * (truncated to len - 1). */
size_t log_request_line(const struct log_request *q, time_t now, const char *tag, long pid, char *buf,
			size_t len);

#endif
