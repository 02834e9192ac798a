/* slowlog.h -- the slow request log (slowlog_ms): per-statement timings
 * collected by db.c while a request runs, and the warning line. */
#ifndef MCOLL_SLOWLOG_H
#define MCOLL_SLOWLOG_H
#include <stddef.h>

#define SLOWLOG_MAX_STMTS 32 /* statements timed per request; more are counted */

struct stmt_timing {
	const char *what;   /* statement name (STMT_...) or fixed SQL (COMMIT) */
	double ms;
};

struct slowlog {
	int on;             /* timing this request */
	int n, dropped;
	struct stmt_timing t[SLOWLOG_MAX_STMTS];
};

/* Starts timing a request (on: slowlog_ms > 0). */
void slowlog_begin(struct slowlog *s, int on);
/* Records one statement's time (nothing when off). */
void slowlog_add(struct slowlog *s, const char *what, double ms);
/* The text after the trace id: "slow request GET /route 812 ms: STMT_A 3.1
 * ms, COMMIT 0.2 ms" (", and N more" past SLOWLOG_MAX_STMTS; ": no
 * statements" when none ran).  route NULL: "-".  Returns the length
 * (truncated to len - 1). */
size_t slowlog_format(const struct slowlog *s, const char *method, const char *route, double total_ms,
		      char *buf, size_t len);

#endif
