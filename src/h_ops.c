/* h_ops.c -- the operations endpoints, answered without an API key:
 * GET /healthz (one database round trip: SELECT 1, never tenant data) and
 * GET /status (the scoreboard as JSON; nginx lets only loopback clients
 * reach it). */
#include <stdint.h>
#include <time.h>

#include "handlers.h"
#include "resp.h"
#include "router.h"
#include "scoreboard.h"

static enum dbrc tx_ping(struct db *db, void *ctx)
{
	(void)ctx;
	return db_exec(db, STMT_PING, NULL, 0, NULL);
}

void h_healthz(struct req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}";

	if (db_txn(r->db, TXN_NONE, tx_ping, NULL) != DB_OK) {
		resp_error(r, API_UNAVAILABLE, "Database unavailable", NULL);
		return;
	}
	resp_body(r, 200, ok, sizeof(ok) - 1, NULL);
}

void h_status(struct req *r)
{
	struct timespec ts;
	struct jw w;

	clock_gettime(CLOCK_REALTIME, &ts);
	jw_init(&w, 4096);
	sb_render_status(r->sb, (int)SB_GET(r->sb->h.nslots), r->conf->workers, ts.tv_sec,
			 (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, router_method, router_pattern, &w);
	resp_jw(r, 200, &w, NULL);
}
