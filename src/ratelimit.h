/* ratelimit.h -- quiet under a storm: of identical lines only the first is
 * written, then at most one per interval, carrying the count of those
 * dropped meanwhile.  Pure: the caller passes the clock. */
#ifndef MCOLL_RATELIMIT_H
#define MCOLL_RATELIMIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RL_SLOTS 16
#define RL_TEXT 512

struct rl_slot {
	bool used;
	uint64_t key;           /* hash of level and text */
	int level;
	double last;            /* when a line of it was last written */
	unsigned long dropped;  /* dropped since then */
	char text[RL_TEXT];     /* for the summary of a storm that ended */
};

struct ratelimit {
	double interval;        /* seconds; 0 means 1 */
	struct rl_slot slot[RL_SLOTS];
};

/* One line (level, text) at time now: true when it is to be written, with
 * *dropped identical lines dropped since the last one written, *span
 * seconds ago (0 and 0 for the first).  Tracks RL_SLOTS distinct lines;
 * beyond that the oldest is forgotten. */
bool rl_admit(struct ratelimit *rl, int level, const char *text, double now, unsigned long *dropped,
	      double *span);
/* A line whose interval has passed with lines dropped and none written
 * since: copies it out (text truncated to len), resets its count and
 * returns true; false when there is none.  Call until false. */
bool rl_pending(struct ratelimit *rl, double now, int *level, char *text, size_t len, unsigned long *dropped,
		double *span);

#endif
