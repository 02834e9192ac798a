/* check_query.c -- query lookup and the limit/offset rules. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "query.h"

static const struct {
	const char *query;
	long limit, offset;
	const char *bad; /* NULL: accepted */
} cases[] = {
	{"", 50, 0, NULL},
	{"limit=1", 1, 0, NULL},
	{"limit=100&offset=0", 100, 0, NULL},
	{"offset=7&limit=20", 20, 7, NULL},
	{"limit=007", 7, 0, NULL},
	{"offset=2147483647", 50, 2147483647L, NULL},
	{"foo=bar&limit=3", 3, 0, NULL},
	{"limit=0", 0, 0, "limit"},
	{"limit=101", 0, 0, "limit"},
	{"limit=abc", 0, 0, "limit"},
	{"limit=1e3", 0, 0, "limit"},
	{"limit=-1", 0, 0, "limit"},
	{"limit=+5", 0, 0, "limit"},
	{"limit=%205", 0, 0, "limit"},
	{"limit=5%20", 0, 0, "limit"},
	{"limit=", 0, 0, "limit"},
	{"limit", 0, 0, "limit"},
	{"limit=1.0", 0, 0, "limit"},
	{"limit=0x10", 0, 0, "limit"},
	{"limit=99999999999999999999", 0, 0, "limit"},
	{"limit=1&limit=2", 0, 0, "limit"},
	{"offset=-1", 0, 0, "offset"},
	{"offset=abc", 0, 0, "offset"},
	{"offset=2147483648", 0, 0, "offset"},
	{"offset=", 0, 0, "offset"},
	{"limit=5&offset=1&offset=2", 0, 0, "offset"},
	{"limit=bad&offset=bad", 0, 0, "limit"},
	/* the decoded value is all of it: a NUL does not end it */
	{"limit=7%00junk", 0, 0, "limit"},
	{"limit=7%00", 0, 0, "limit"},
	{"limit=%007", 0, 0, "limit"},
	{"offset=1%00", 0, 0, "offset"},
	{"limit=5&offset=0%000", 0, 0, "offset"},
	{"limit=%37", 7, 0, NULL},
	/* any number of leading zeros */
	{"offset=0000000000000000001", 50, 1, NULL},
	{"offset=00000000000000000000000000000000002147483647", 50, 2147483647L, NULL},
	{"limit=000000000000000000000000000000000000000000100", 100, 0, NULL},
	{"offset=0000000000000000000000", 50, 0, NULL},
	{"offset=00000000000000000002147483648", 0, 0, "offset"},
};

START_TEST(test_page)
{
	struct page pg = {0, 0};
	const char *bad = query_page(cases[_i].query, 50, 100, &pg);

	if (cases[_i].bad) {
		ck_assert_ptr_nonnull(bad);
		ck_assert_str_eq(bad, cases[_i].bad);
	} else {
		ck_assert_ptr_null(bad);
		ck_assert_int_eq(pg.limit, cases[_i].limit);
		ck_assert_int_eq(pg.offset, cases[_i].offset);
	}
}
END_TEST

START_TEST(test_track_page_bounds)
{
	struct page pg;

	ck_assert_ptr_null(query_page("", 200, 500, &pg));
	ck_assert_int_eq(pg.limit, 200);
	ck_assert_ptr_null(query_page("limit=500", 200, 500, &pg));
	ck_assert_int_eq(pg.limit, 500);
	ck_assert_str_eq(query_page("limit=501", 200, 500, &pg), "limit");
}
END_TEST

START_TEST(test_query_get)
{
	char *v;

	size_t n;

	ck_assert_int_eq(query_get("a=1&b=x%20y+z&a=2", "b", &v, &n), 1);
	ck_assert_str_eq(v, "x y z");
	ck_assert_uint_eq(n, 5);
	free(v);
	ck_assert_int_eq(query_get("a=1&b=2&a=3", "a", &v, NULL), 2);
	ck_assert_str_eq(v, "1");
	free(v);
	ck_assert_int_eq(query_get("ab=1", "a", &v, &n), 0);
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(query_get(NULL, "a", &v, &n), 0);
	ck_assert_int_eq(query_get("%6Cimit=4", "limit", &v, &n), 1);
	ck_assert_str_eq(v, "4");
	free(v);
	ck_assert_int_eq(query_get("k=a%00b", "k", &v, &n), 1);
	ck_assert_uint_eq(n, 3);
	ck_assert_mem_eq(v, "a\0b", 4);
	free(v);
	/* a key with a NUL is another key */
	ck_assert_int_eq(query_get("limit%00=5", "limit", &v, &n), 0);
	ck_assert_int_eq(query_get("lim%00it=5", "lim", &v, &n), 0);
}
END_TEST

START_TEST(test_parse_uint)
{
	long v = -5;

	ck_assert_int_eq(parse_uint("0", 1, 0, 10, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(parse_uint("10", 2, 0, 10, &v), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(parse_uint("11", 2, 0, 10, &v), -1);
	ck_assert_int_eq(parse_uint("", 0, 0, 10, &v), -1);
	ck_assert_int_eq(parse_uint(NULL, 0, 0, 10, &v), -1);
	ck_assert_int_eq(parse_uint("1234567890123456789", 19, 0, 10, &v), -1);
	ck_assert_int_eq(parse_uint("999999999999999999", 18, 0, 1000000000000000000L, &v), 0);
	ck_assert_int_eq(v, 999999999999999999L);
	ck_assert_int_eq(parse_uint("7\0", 2, 0, 10, &v), -1);
	ck_assert_int_eq(parse_uint("\0" "7", 2, 0, 10, &v), -1);
	ck_assert_int_eq(parse_uint("000000000000000000000000000000000000009", 39, 0, 10, &v), 0);
	ck_assert_int_eq(v, 9);
	ck_assert_int_eq(parse_uint("12", 1, 0, 10, &v), 0); /* only len bytes count */
	ck_assert_int_eq(v, 1);
}
END_TEST

static Suite *query_suite(void)
{
	Suite *s = suite_create("query");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_page, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_track_page_bounds);
	tcase_add_test(tc, test_query_get);
	tcase_add_test(tc, test_parse_uint);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(query_suite)
