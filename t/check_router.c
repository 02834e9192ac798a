/* check_router.c -- route table, 404/405, path parameter decoding. */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "router.h"

static const struct {
	const char *method, *path;
	enum route_result result;
	enum route_id id;
	const char *org, *coll, *track, *allow;
} cases[] = {
	{"GET", "/v1/music/org_a/collections", ROUTE_OK, R_COLL_LIST, "org_a", NULL, NULL, ""},
	{"POST", "/v1/music/org_a/collections", ROUTE_OK, R_COLL_CREATE, "org_a", NULL, NULL, ""},
	{"GET", "/v1/music/org_a/collections/mcoll_1", ROUTE_OK, R_COLL_GET, "org_a", "mcoll_1", NULL, ""},
	{"PATCH", "/v1/music/org_a/collections/mcoll_1", ROUTE_OK, R_COLL_UPDATE, "org_a", "mcoll_1", NULL, ""},
	{"DELETE", "/v1/music/org_a/collections/mcoll_1", ROUTE_OK, R_COLL_DELETE, "org_a", "mcoll_1", NULL, ""},
	{"GET", "/v1/music/o/collections/c/tracks", ROUTE_OK, R_TRACKS_LIST, "o", "c", NULL, ""},
	{"POST", "/v1/music/o/collections/c/tracks", ROUTE_OK, R_TRACK_ADD, "o", "c", NULL, ""},
	{"DELETE", "/v1/music/o/collections/c/tracks/t", ROUTE_OK, R_TRACK_REMOVE, "o", "c", "t", ""},
	{"PATCH", "/v1/music/o/collections/c/order", ROUTE_OK, R_COLL_REORDER, "o", "c", NULL, ""},
	{"PUT", "/v1/music/o/collections", ROUTE_BAD_METHOD, 0, NULL, NULL, NULL, "GET, POST"},
	{"POST", "/v1/music/o/collections/c", ROUTE_BAD_METHOD, 0, NULL, NULL, NULL, "GET, PATCH, DELETE"},
	{"GET", "/v1/music/o/collections/c/order", ROUTE_BAD_METHOD, 0, NULL, NULL, NULL, "PATCH"},
	{"GET", "/v1/music/o/collections/c/tracks/t", ROUTE_BAD_METHOD, 0, NULL, NULL, NULL, "DELETE"},
	{"GET", "/healthz", ROUTE_OK, R_HEALTHZ, NULL, NULL, NULL, ""},
	{"GET", "/status", ROUTE_OK, R_STATUS, NULL, NULL, NULL, ""},
	{"POST", "/healthz", ROUTE_BAD_METHOD, 0, NULL, NULL, NULL, "GET"},
	{"DELETE", "/status", ROUTE_BAD_METHOD, 0, NULL, NULL, NULL, "GET"},
	{"GET", "/healthz/x", ROUTE_NOT_FOUND, 0, NULL, NULL, NULL, ""},
	{"GET", "/status/", ROUTE_NOT_FOUND, 0, NULL, NULL, NULL, ""},
	{"GET", "/", ROUTE_NOT_FOUND, 0, NULL, NULL, NULL, ""},
	{"GET", "/v1/music/o/collections/", ROUTE_NOT_FOUND, 0, NULL, NULL, NULL, ""},
	{"GET", "/v1/music//collections", ROUTE_NOT_FOUND, 0, NULL, NULL, NULL, ""},
	{"GET", "/v1/music/o/collection", ROUTE_NOT_FOUND, 0, NULL, NULL, NULL, ""},
	{"GET", "/v1/music/o/collections/c/tracks/t/x", ROUTE_NOT_FOUND, 0, NULL, NULL, NULL, ""},
	{"GET", "/v2/music/o/collections", ROUTE_NOT_FOUND, 0, NULL, NULL, NULL, ""},
	{"GET", "/v1/music/%6Frg/collections/mcoll%5Fx", ROUTE_OK, R_COLL_GET, "org", "mcoll_x", NULL, ""},
	/* undecodable or non-UTF-8 parameters are kept printable */
	{"GET", "/v1/music/o/collections/%zz", ROUTE_OK, R_COLL_GET, "o", "%zz", NULL, ""},
	{"GET", "/v1/music/o/collections/%FF", ROUTE_OK, R_COLL_GET, "o", "%FF", NULL, ""},
	{"GET", "/v1/music/o/collections/a%00b", ROUTE_OK, R_COLL_GET, "o", "a%00b", NULL, ""},
	{"GET", "/v1/music/o/collections/\xff", ROUTE_OK, R_COLL_GET, "o", "?", NULL, ""},
};

static void check_param(const char *got, const char *want)
{
	if (!want)
		ck_assert_ptr_null(got);
	else
		ck_assert_str_eq(got, want);
}

START_TEST(test_routes)
{
	struct route_match m;
	enum route_result res = router_match(cases[_i].method, cases[_i].path, &m);

	ck_assert_int_eq(res, cases[_i].result);
	ck_assert_str_eq(m.allow, cases[_i].allow);
	if (res == ROUTE_OK) {
		ck_assert_int_eq(m.id, cases[_i].id);
		check_param(m.param[P_ORG], cases[_i].org);
		check_param(m.param[P_COLL], cases[_i].coll);
		check_param(m.param[P_TRACK], cases[_i].track);
	}
	route_match_free(&m);
}
END_TEST

START_TEST(test_pct_decode)
{
	size_t n;
	char *s = pct_decode("a%20b+c%2B", 10, 1, &n);

	ck_assert_str_eq(s, "a b c+");
	ck_assert_uint_eq(n, 6);
	free(s);
	s = pct_decode("a+b", 3, 0, &n);
	ck_assert_str_eq(s, "a+b");
	free(s);
	ck_assert_ptr_null(pct_decode("%4", 2, 0, &n));
	ck_assert_ptr_null(pct_decode("%", 1, 0, &n));
	ck_assert_ptr_null(pct_decode("%g0", 3, 0, &n));
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_routes, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_pct_decode);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(router_suite)
