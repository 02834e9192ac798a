/* scoreboard.h -- the pool's shared state: one anonymous MAP_SHARED region
 * the master maps before the first fork.  Each worker writes only its own
 * slot (relaxed atomic stores, no locks); anyone reads every slot.  The
 * master resets a slot only while no worker owns it (before a spawn, after
 * a reap) and writes the header's pool-wide counters. */
#ifndef MCOLL_SCOREBOARD_H
#define MCOLL_SCOREBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define SB_MAX_SLOTS 512 /* the largest `workers` value */

enum sb_state { SB_FREE, SB_STARTING, SB_IDLE, SB_BUSY };

/* Counters of a worker, and of the pool since it started. */
struct sb_counters {
	uint64_t accepted;      /* connections accepted */
	uint64_t requests;      /* requests answered */
	uint64_t status_2xx, status_4xx, status_5xx;
	uint64_t slow;          /* requests over slowlog_ms */
};

struct sb_slot {
	int32_t pid;
	int32_t state;          /* enum sb_state */
	int32_t db_connected;   /* 1 while the worker holds a database connection */
	int32_t route;          /* route id of the current request, -1 if none */
	int64_t req_start_ms;   /* CLOCK_REALTIME ms of the current request's start */
	int64_t started;        /* time() the worker started */
	int32_t recycling;      /* 1: exiting on purpose (max_requests reached) */
	int32_t kept;           /* FastCGI connections the worker keeps */
	struct sb_counters c;
};

struct sb_header {
	int64_t start_time;     /* time() the master started */
	uint64_t respawns;      /* workers started to replace one that died */
	uint64_t recycled;      /* workers replaced after max_requests */
	struct sb_counters gone; /* of workers that have exited (master) */
	int32_t max_busy;       /* most workers busy at once */
	int32_t drain;          /* 1: on SIGTERM, drain the listen queue first */
	int32_t nslots;         /* slots [0, nslots) may hold workers */
};

struct scoreboard {
	struct sb_header h;
	struct sb_slot slot[SB_MAX_SLOTS];
};

/* What a look at the slots found (only slots with a pid count). */
struct sb_summary {
	int workers, starting, idle, busy, connected;
	uint64_t requests;
};

/* Maps the region (zeroed); NULL after logging why. */
struct scoreboard *sb_create(void);
void sb_destroy(struct scoreboard *sb);

/* Relaxed atomic accessors: a field is written by one process only. */
#define SB_SET(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
#define SB_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define SB_INC(field) __atomic_fetch_add(&(field), 1, __ATOMIC_RELAXED)

/* Summary of slots [0, n). */
void sb_summarize(const struct scoreboard *sb, int n, struct sb_summary *out);
/* True if a slot of [0, n) other than `self` is held by a live worker with a
 * database connection. */
bool sb_other_connected(const struct scoreboard *sb, int n, int self);
/* The mean number of kept connections of the connected workers (0 when
 * none is connected). */
double sb_mean_kept(const struct scoreboard *sb, int n);
/* Counts one more busy worker: raises h.max_busy to the busy count of
 * [0, n) if it is larger. */
void sb_note_busy(struct scoreboard *sb, int n);
/* Adds slot i's counters to the pool's counters of exited workers; the
 * master calls it for a reaped worker before the slot is reused. */
void sb_retire(struct scoreboard *sb, int i);
/* The pool's counters since start: exited workers plus slots [0, n). */
void sb_totals(const struct scoreboard *sb, int n, struct sb_counters *out);
/* Counts a request's answer by status class. */
void sb_count_status(struct sb_slot *s, int status);
/* The STATUS= text for systemd: "4 workers: 1 busy, 3 idle, 0 starting;
 * 4 connected to the database".  Returns snprintf's value. */
int sb_status_text(const struct sb_summary *s, char *buf, size_t len);

struct jw;
/* The status page (GET /status) from slots [0, n) as JSON into w: pool
 * counters and one object per live worker.  pool_size is the configured
 * `workers`; now is time(), now_ms CLOCK_REALTIME milliseconds (for how
 * long the current requests have run); route_name(id) gives "METHOD
 * /pattern" text of a route id. */
void sb_render_status(const struct scoreboard *sb, int n, int pool_size, time_t now, int64_t now_ms,
		      const char *(*route_method)(int), const char *(*route_pattern)(int), struct jw *w);

#endif
