/* check_ops.c -- the slow request line (slowlog.c) and the status page
 * rendered from a scoreboard filled by hand (sb_status.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "jsonw.h"
#include "scoreboard.h"
#include "slowlog.h"

static const struct {
	int n;         /* statements added (from names[]) */
	int on;
	const char *route;
	double total;
	size_t len;    /* buffer size */
	const char *want;
} lines[] = {
	{0, 1, "/v1/music/:org/collections", 812.4, 256, "slow request GET /v1/music/:org/collections 812 ms: no statements"},
	{2, 1, "/v1/music/:org/collections", 812.6, 256,
	 "slow request GET /v1/music/:org/collections 813 ms: STMT_AUTH 1.5 ms, COMMIT 2.5 ms"},
	{2, 0, "/x", 5, 256, "slow request GET /x 5 ms: no statements"},
	{1, 1, NULL, 1000, 256, "slow request GET - 1000 ms: STMT_AUTH 1.5 ms"},
	{34, 1, "/r", 3, 4096, NULL}, /* checked below: 32 listed, ", and 2 more" */
	{2, 1, "/v1/music/:org/collections", 812.6, 20, "slow request GET /v"},
};

START_TEST(test_slowlog_line)
{
	struct slowlog s;
	char buf[4096];
	size_t n;

	slowlog_begin(&s, lines[_i].on);
	for (int i = 0; i < lines[_i].n; i++)
		slowlog_add(&s, i % 2 ? "COMMIT" : "STMT_AUTH", i % 2 ? 2.5 : 1.5);
	n = slowlog_format(&s, "GET", lines[_i].route, lines[_i].total, buf, lines[_i].len);
	ck_assert_uint_eq(n, strlen(buf));
	if (lines[_i].want) {
		ck_assert_str_eq(buf, lines[_i].want);
	} else {
		ck_assert_int_eq(s.n, SLOWLOG_MAX_STMTS);
		ck_assert_int_eq(s.dropped, 2);
		ck_assert_ptr_nonnull(strstr(buf, "COMMIT 2.5 ms, and 2 more"));
		ck_assert_ptr_null(strstr(buf, "and 2 more,"));
	}
}
END_TEST

static const char *method(int id)
{
	return id == 3 ? "PATCH" : NULL;
}

static const char *pattern(int id)
{
	return id == 3 ? "/v1/music/:org/collections/:coll" : NULL;
}

START_TEST(test_status_page)
{
	struct scoreboard *sb = calloc(1, sizeof(*sb));
	struct jw w;

	sb->h.start_time = 1764590400; /* 2025-12-01T12:00:00Z */
	sb->h.respawns = 2;
	sb->h.recycled = 5;
	sb->h.max_busy = 3;
	sb->h.gone = (struct sb_counters){.accepted = 10, .requests = 9, .status_2xx = 5, .status_4xx = 3,
					  .status_5xx = 1, .slow = 1};
	sb->slot[0] = (struct sb_slot){.pid = 100, .state = SB_BUSY, .db_connected = 1, .route = 3,
				       .req_start_ms = 1764590460000 - 250, .started = 1764590400,
				       .c = {.accepted = 4, .requests = 3, .status_2xx = 3, .slow = 2}};
	sb->slot[1] = (struct sb_slot){.pid = 0};
	sb->slot[2] = (struct sb_slot){.pid = 102, .state = SB_IDLE, .route = -1, .started = 1764590430,
				       .c = {.accepted = 1, .requests = 1, .status_4xx = 1}};
	jw_init(&w, 64);
	sb_render_status(sb, 3, 4, 1764590460, 1764590460000, method, pattern, &w);
	jw_raw(&w, "", 1);
	ck_assert_str_eq(w.buf,
			 "{\"start_time\":\"2025-12-01T12:00:00Z\",\"uptime_s\":60,\"pool_size\":4,\"workers\":2,"
			 "\"busy\":1,\"idle\":1,\"starting\":0,\"db_connected\":1,\"max_busy\":3,\"accepted\":15,"
			 "\"requests\":13,\"requests_by_class\":{\"2xx\":8,\"4xx\":4,\"5xx\":1},\"respawns\":2,\"recycled\":5,"
			 "\"slow_requests\":3,\"processes\":["
			 "{\"slot\":0,\"pid\":100,\"state\":\"busy\",\"started\":\"2025-12-01T12:00:00Z\","
			 "\"db_connected\":true,\"accepted\":4,\"requests\":3,"
			 "\"route\":\"PATCH /v1/music/:org/collections/:coll\",\"request_ms\":250},"
			 "{\"slot\":2,\"pid\":102,\"state\":\"idle\",\"started\":\"2025-12-01T12:00:30Z\","
			 "\"db_connected\":false,\"accepted\":1,\"requests\":1,\"route\":null,\"request_ms\":null}]}");
	jw_free(&w);
	/* sb_retire keeps the slow count of an exited worker */
	sb_retire(sb, 0);
	ck_assert_uint_eq(sb->h.gone.slow, 3);
	free(sb);
}
END_TEST

static Suite *ops_suite(void)
{
	Suite *s = suite_create("ops");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_slowlog_line, 0, sizeof(lines) / sizeof(lines[0]));
	tcase_add_test(tc, test_status_page);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(ops_suite)
