/* check_etag.c -- entity tags and the If-Match / If-None-Match lists. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "etag.h"

START_TEST(test_format)
{
	char b[ETAG_MAX];

	ck_assert_str_eq(etag_collection(1, b), "\"1\"");
	ck_assert_str_eq(etag_collection(9223372036854775807LL, b), "\"9223372036854775807\"");
	ck_assert_str_eq(etag_page(7, 200, 0, b), "\"7.200.0\"");
	ck_assert_str_eq(etag_page(12, 500, 2147483647L, b), "\"12.500.2147483647\"");
}
END_TEST

/* If-None-Match against the current tag "7.200.0" (weak comparison). */
static const struct {
	const char *header;
	bool hit;
} none_match[] = {
	{"\"7.200.0\"", true},
	{"W/\"7.200.0\"", true},
	{"*", true},
	{"  *  ", true},
	{"\"1\", \"7.200.0\"", true},
	{"\"1\",W/\"7.200.0\"", true},
	{",, \"7.200.0\" ,", true},
	{"\"x,y\", \"7.200.0\"", true},
	{"bogus, \"7.200.0\"", true},
	{"\"7.200.0", false},
	{"7.200.0", false},
	{"\"7.200.1\"", false},
	{"\"7\"", false},
	{"", false},
	{"**", false},
	{"*, \"7.200.0\"x", false},
	{"w/\"7.200.0\"", false},
	{"\"7.200.0\"x", false},
	{"\"7.20 0.0\"", false},
	{"\"x,\"7.200.0\"", false},
	{"\"a b\", \"7.200.0\"", true},
	{"x\"a,b\", \"7.200.0\"", true},
	{"x\"a, \"7.200.0\"", false},
};

START_TEST(test_none_match)
{
	ck_assert_msg(etag_none_match_hits(none_match[_i].header, "\"7.200.0\"") == none_match[_i].hit,
		      "If-None-Match: %s", none_match[_i].header);
}
END_TEST

/* If-Match for a collection at version 42 (strong comparison). */
static const struct {
	const char *header;
	bool ok;
} match[] = {
	{"\"42\"", true},
	{"*", true},
	{"\t*", true},
	{"\"41\", \"42\"", true},
	{"\"42.200.0\"", true},
	{"\"42.1.9999\"", true},
	{"W/\"42\", \"42\"", true},
	{"junk, \"42\"", true},
	{"W/\"42\"", false},
	{"\"41\"", false},
	{"\"420\"", false},
	{"\"4\"", false},
	{"\"042\"", false},
	{"\"42.\"", false},
	{"\"42.200\"", false},
	{"\"42.200.\"", false},
	{"\"42..0\"", false},
	{"\"42.a.0\"", false},
	{"\"42.200.0.1\"", false},
	{"\"42x\"", false},
	{"42", false},
	{"\"42", false},
	{"", false},
	{"* \"42\"", false},
	{"\"\"", false},
};

START_TEST(test_match)
{
	ck_assert_msg(etag_match_version(match[_i].header, 42) == match[_i].ok, "If-Match: %s",
		      match[_i].header);
}
END_TEST

START_TEST(test_null)
{
	ck_assert(!etag_none_match_hits(NULL, "\"1\""));
	ck_assert(!etag_match_version(NULL, 1));
	ck_assert(etag_none_match_hits("W/\"1\"", "W/\"1\""));
}
END_TEST

static Suite *etag_suite(void)
{
	Suite *s = suite_create("etag");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_format);
	tcase_add_loop_test(tc, test_none_match, 0, sizeof(none_match) / sizeof(none_match[0]));
	tcase_add_loop_test(tc, test_match, 0, sizeof(match) / sizeof(match[0]));
	tcase_add_test(tc, test_null);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(etag_suite)
