/* sb_status.c -- the status page (GET /status, mcollctl status): the
 * scoreboard rendered as JSON, like php-fpm's pm.status_path in its json
 * form.  Pure: it reads the shared region and writes into a buffer. */
#include <stdio.h>

#include "jsonw.h"
#include "scoreboard.h"
#include "timefmt.h"

static const char *const state_names[] = {
	[SB_FREE] = "free",
	[SB_STARTING] = "starting",
	[SB_IDLE] = "idle",
	[SB_BUSY] = "busy",
};

/* ,"name": (no comma for the first key of an object) */
static void key(struct jw *w, const char *name, int first)
{
	if (!first)
		jw_lit(w, ",");
	jw_cstr(w, name);
	jw_lit(w, ":");
}

static void key_int(struct jw *w, const char *name, long long v)
{
	key(w, name, 0);
	jw_int(w, v);
}

static void key_time(struct jw *w, const char *name, time_t t)
{
	char iso[TIMEFMT_ISO_LEN];

	key(w, name, 0);
	jw_cstr(w, timefmt_iso(t, iso));
}

static void render_slot(struct jw *w, const struct sb_slot *s, int i, int64_t now_ms,
			const char *(*route_method)(int), const char *(*route_pattern)(int))
{
	int st = SB_GET(s->state), route = SB_GET(s->route);
	int64_t start = SB_GET(s->req_start_ms);
	const char *method = route_method(route), *pattern = route_pattern(route);

	jw_lit(w, "{");
	key(w, "slot", 1);
	jw_int(w, i);
	key_int(w, "pid", SB_GET(s->pid));
	key(w, "state", 0);
	jw_cstr(w, st >= SB_FREE && st <= SB_BUSY ? state_names[st] : "unknown");
	key_time(w, "started", (time_t)SB_GET(s->started));
	key(w, "db_connected", 0);
	if (SB_GET(s->db_connected))
		jw_lit(w, "true");
	else
		jw_lit(w, "false");
	key_int(w, "accepted", (long long)SB_GET(s->c.accepted));
	key_int(w, "requests", (long long)SB_GET(s->c.requests));
	key(w, "route", 0);
	if (st == SB_BUSY && method && pattern) {
		char text[160];
		snprintf(text, sizeof(text), "%s %s", method, pattern);
		jw_cstr(w, text);
	} else {
		jw_lit(w, "null");
	}
	key(w, "request_ms", 0);
	if (st == SB_BUSY && start > 0)
		jw_int(w, now_ms > start ? now_ms - start : 0);
	else
		jw_lit(w, "null");
	jw_lit(w, "}");
}

void sb_render_status(const struct scoreboard *sb, int n, int pool_size, time_t now, int64_t now_ms,
		      const char *(*route_method)(int), const char *(*route_pattern)(int), struct jw *w)
{
	struct sb_summary sum;
	struct sb_counters tot;
	time_t start = (time_t)SB_GET(sb->h.start_time);
	int first = 1;

	sb_summarize(sb, n, &sum);
	sb_totals(sb, n, &tot);
	jw_lit(w, "{");
	key(w, "start_time", 1);
	{
		char iso[TIMEFMT_ISO_LEN];
		jw_cstr(w, timefmt_iso(start, iso));
	}
	key_int(w, "uptime_s", now > start ? (long long)(now - start) : 0);
	key_int(w, "pool_size", pool_size);
	key_int(w, "workers", sum.workers);
	key_int(w, "busy", sum.busy);
	key_int(w, "idle", sum.idle);
	key_int(w, "starting", sum.starting);
	key_int(w, "db_connected", sum.connected);
	key_int(w, "max_busy", SB_GET(sb->h.max_busy));
	key_int(w, "accepted", (long long)tot.accepted);
	key_int(w, "requests", (long long)tot.requests);
	key(w, "requests_by_class", 0);
	jw_lit(w, "{");
	key(w, "2xx", 1);
	jw_int(w, (long long)tot.status_2xx);
	key_int(w, "4xx", (long long)tot.status_4xx);
	key_int(w, "5xx", (long long)tot.status_5xx);
	jw_lit(w, "}");
	key_int(w, "respawns", (long long)SB_GET(sb->h.respawns));
	key_int(w, "recycled", (long long)SB_GET(sb->h.recycled));
	key_int(w, "slow_requests", (long long)tot.slow);
	key(w, "processes", 0);
	jw_lit(w, "[");
	for (int i = 0; i < n && i < SB_MAX_SLOTS; i++) {
		if (SB_GET(sb->slot[i].pid) <= 0)
			continue;
		if (!first)
			jw_lit(w, ",");
		first = 0;
		render_slot(w, &sb->slot[i], i, now_ms, route_method, route_pattern);
	}
	jw_lit(w, "]}");
}
