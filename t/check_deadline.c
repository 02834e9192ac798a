/* check_deadline.c -- the queue wait from nginx's REQUEST_START. */
#include <check.h>
#include <math.h>

#include "check_main.h"
#include "deadline.h"

static const struct {
	const char *start;
	double now;
	enum qwait rc;
	double wait;
} cases[] = {
	{"1000.500", 1001.0, QW_OK, 0.5},
	{"1000", 1002.25, QW_OK, 2.25},
	{"1764590000.123", 1764590000.123, QW_OK, 0},
	{"1000.000001", 1000.5, QW_OK, 0.499999},
	{"1000.5", 1000.0, QW_OK, 0},      /* slightly ahead: no wait */
	{"1001.0", 1000.0, QW_OK, 0},      /* 1 s ahead: still one clock */
	{"1000", 4600.0, QW_OK, 3600},
	{"1001.5", 1000.0, QW_SKEW, 0},    /* ahead by more than 1 s */
	{"1000", 4600.5, QW_SKEW, 0},      /* more than an hour ago */
	{NULL, 1000.0, QW_NONE, 0},
	{"", 1000.0, QW_NONE, 0},
	{"x", 1000.0, QW_NONE, 0},
	{"-1000", 1000.0, QW_NONE, 0},
	{"+1000", 1000.0, QW_NONE, 0},
	{" 1000", 1000.0, QW_NONE, 0},
	{"1000 ", 1000.0, QW_NONE, 0},
	{"1000.", 1000.0, QW_NONE, 0},
	{".5", 1000.0, QW_NONE, 0},
	{"1.2.3", 1000.0, QW_NONE, 0},
	{"1e3", 1000.0, QW_NONE, 0},
	{"0x10", 1000.0, QW_NONE, 0},
	{"inf", 1000.0, QW_NONE, 0},
	{"nan", 1000.0, QW_NONE, 0},
	{"1000.1234567", 1000.0, QW_NONE, 0},
	{"1234567890123", 1000.0, QW_NONE, 0},
};

START_TEST(test_queue_wait)
{
	double wait = -1;
	enum qwait rc = deadline_queue_wait(cases[_i].start, cases[_i].now, &wait);

	ck_assert_msg(rc == cases[_i].rc, "%s: rc %d, want %d", cases[_i].start ? cases[_i].start : "NULL",
		      (int)rc, (int)cases[_i].rc);
	ck_assert_msg(fabs(wait - cases[_i].wait) < 1e-6, "%s: wait %f, want %f",
		      cases[_i].start ? cases[_i].start : "NULL", wait, cases[_i].wait);
}
END_TEST

static Suite *deadline_suite(void)
{
	Suite *s = suite_create("deadline");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_queue_wait, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(deadline_suite)
