/* check_pool.c -- the pure parts of the worker pool: the respawn back-off
 * and what is read from the shared scoreboard. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "respawn.h"
#include "scoreboard.h"

static const struct {
	int streak;
	long lived_ms;
	int want;
} streaks[] = {
	{0, 0, 1},     {0, 999, 1},  {1, 10, 2},      {2, 500, 3},   {7, 0, 8},
	{0, 1000, 0},  {5, 1000, 0}, {9, 60000, 0},   {1000, 0, 1000},
};

START_TEST(test_streak)
{
	ck_assert_int_eq(respawn_streak(streaks[_i].streak, streaks[_i].lived_ms), streaks[_i].want);
}
END_TEST

static const struct {
	int streak;
	long want;
} delays[] = {
	{0, 0}, {1, 0}, {2, 0}, {3, 100}, {4, 200}, {5, 400}, {8, 3200}, {9, 6400},
	{10, 10000}, {11, 10000}, {1000, 10000},
};

START_TEST(test_delay)
{
	ck_assert_int_eq(respawn_delay_ms(delays[_i].streak), delays[_i].want);
}
END_TEST

static struct scoreboard *board(void)
{
	struct scoreboard *sb = sb_create();

	ck_assert_ptr_nonnull(sb);
	/* slot 0 idle+db, 1 busy+db, 2 starting, 3 idle without db, 4 free
	 * (a stale flag without a pid does not count) */
	sb->slot[0] = (struct sb_slot){.pid = 100, .state = SB_IDLE, .db_connected = 1, .c.requests = 5};
	sb->slot[1] = (struct sb_slot){.pid = 101, .state = SB_BUSY, .db_connected = 1, .c.requests = 7};
	sb->slot[2] = (struct sb_slot){.pid = 102, .state = SB_STARTING};
	sb->slot[3] = (struct sb_slot){.pid = 103, .state = SB_IDLE};
	sb->slot[4] = (struct sb_slot){.pid = 0, .state = SB_BUSY, .db_connected = 1};
	return sb;
}

START_TEST(test_summary)
{
	struct scoreboard *sb = board();
	struct sb_summary s;
	char buf[160];

	sb_summarize(sb, 5, &s);
	ck_assert_int_eq(s.workers, 4);
	ck_assert_int_eq(s.busy, 1);
	ck_assert_int_eq(s.idle, 2);
	ck_assert_int_eq(s.starting, 1);
	ck_assert_int_eq(s.connected, 2);
	ck_assert_int_eq(s.requests, 12);
	sb_status_text(&s, buf, sizeof(buf));
	ck_assert_str_eq(buf, "4 workers: 1 busy, 2 idle, 1 starting; 2 connected to the database");
	sb_summarize(sb, 1, &s);
	ck_assert_int_eq(s.workers, 1);
	ck_assert_int_eq(s.idle, 1);
	sb_summarize(sb, 0, &s);
	ck_assert_int_eq(s.workers, 0);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_other_connected)
{
	struct scoreboard *sb = board();

	ck_assert(sb_other_connected(sb, 5, 3));  /* 0 and 1 are */
	ck_assert(sb_other_connected(sb, 5, 0));  /* 1 is */
	ck_assert(!sb_other_connected(sb, 1, 0)); /* only itself */
	sb->slot[1].db_connected = 0;
	ck_assert(!sb_other_connected(sb, 5, 0)); /* 4 has no pid */
	ck_assert(sb_other_connected(sb, 5, 2));
	ck_assert(!sb_other_connected(sb, 0, 2));
	sb_destroy(sb);
}
END_TEST

START_TEST(test_mean_kept)
{
	struct scoreboard *sb = board();

	ck_assert(sb_mean_kept(sb, 5) == 0); /* none kept yet */
	sb->slot[0].kept = 6;
	sb->slot[1].kept = 3;
	sb->slot[3].kept = 40; /* no database: not counted */
	sb->slot[4].kept = 40; /* no pid: not counted */
	ck_assert(sb_mean_kept(sb, 5) == 4.5);
	ck_assert(sb_mean_kept(sb, 1) == 6);  /* only [0, 1) */
	ck_assert(sb_mean_kept(sb, 0) == 0);
	sb->slot[1].db_connected = 0;
	ck_assert(sb_mean_kept(sb, 5) == 6);
	sb->slot[0].db_connected = 0;
	ck_assert(sb_mean_kept(sb, 5) == 0); /* no connected worker */
	sb_destroy(sb);
}
END_TEST

START_TEST(test_busy_and_status)
{
	struct scoreboard *sb = board();
	static const int codes[] = {200, 201, 299, 301, 400, 404, 499, 500, 503, 599, 100, 600};

	sb_note_busy(sb, 5);
	ck_assert_int_eq(sb->h.max_busy, 1);
	sb->slot[0].state = SB_BUSY;
	sb->slot[3].state = SB_BUSY;
	sb_note_busy(sb, 5);
	ck_assert_int_eq(sb->h.max_busy, 3);
	sb->slot[0].state = SB_IDLE;
	sb_note_busy(sb, 5);
	ck_assert_int_eq(sb->h.max_busy, 3); /* a maximum never goes down */
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		sb_count_status(&sb->slot[2], codes[i]);
	ck_assert_int_eq(sb->slot[2].c.status_2xx, 3);
	ck_assert_int_eq(sb->slot[2].c.status_4xx, 3);
	ck_assert_int_eq(sb->slot[2].c.status_5xx, 3);
	sb_destroy(sb);
}
END_TEST

START_TEST(test_totals)
{
	struct scoreboard *sb = board();
	struct sb_counters t;

	sb->slot[0].c = (struct sb_counters){.accepted = 6, .requests = 5, .status_2xx = 4, .status_5xx = 1};
	sb->slot[1].c = (struct sb_counters){.accepted = 7, .requests = 7, .status_4xx = 7};
	sb_totals(sb, 5, &t);
	ck_assert_int_eq(t.accepted, 13);
	ck_assert_int_eq(t.requests, 12);
	ck_assert_int_eq(t.status_2xx, 4);
	ck_assert_int_eq(t.status_4xx, 7);
	ck_assert_int_eq(t.status_5xx, 1);
	/* a worker exits: its counts stay in the pool's */
	sb_retire(sb, 0);
	memset(&sb->slot[0], 0, sizeof(sb->slot[0]));
	sb_totals(sb, 5, &t);
	ck_assert_int_eq(t.accepted, 13);
	ck_assert_int_eq(t.requests, 12);
	ck_assert_int_eq(t.status_2xx, 4);
	ck_assert_int_eq(sb->h.gone.accepted, 6);
	sb_retire(sb, 1);
	memset(&sb->slot[1], 0, sizeof(sb->slot[1]));
	sb_totals(sb, 1, &t);
	ck_assert_int_eq(t.requests, 12);
	ck_assert_int_eq(t.status_4xx, 7);
	sb_destroy(sb);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("pool");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_streak, 0, sizeof(streaks) / sizeof(streaks[0]));
	tcase_add_loop_test(tc, test_delay, 0, sizeof(delays) / sizeof(delays[0]));
	tcase_add_test(tc, test_summary);
	tcase_add_test(tc, test_other_connected);
	tcase_add_test(tc, test_mean_kept);
	tcase_add_test(tc, test_busy_and_status);
	tcase_add_test(tc, test_totals);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pool_suite)
