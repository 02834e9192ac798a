/* check_render.c -- JSON objects, the error envelope, time formatting, the
 * error table and the reorder rule. */
#include <check.h>
#include <string.h>

#include "apierr.h"
#include "check_main.h"
#include "render.h"
#include "timefmt.h"

static void expect_text(struct json_object *o, const char *want)
{
	size_t len;
	const char *got = render_text(o, &len);

	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(len, strlen(want));
	json_object_put(o);
}

START_TEST(test_collection)
{
	struct collection c = {
		.id = "mcoll_4a1f9c7e2b8d",
		.name = {"Focus \"Sessions\" </script> \xf0\x9f\x8e\xb5", 31},
		.description = {NULL, 0},
		.cover_track_id = {"mtrack_8d2e1f6a3c9b", 19},
		.cover_image_url = {"https://cdn.example.com/a/b.png", 31},
		.track_count = 12,
		.created_at = "2026-06-28T10:30:00Z",
		.updated_at = "2026-06-28T11:15:00Z",
	};

	expect_text(render_collection(&c),
		    "{\"id\":\"mcoll_4a1f9c7e2b8d\",\"name\":\"Focus \\\"Sessions\\\" </script> \xf0\x9f\x8e\xb5\","
		    "\"description\":null,\"cover_track_id\":\"mtrack_8d2e1f6a3c9b\","
		    "\"cover_image_url\":\"https://cdn.example.com/a/b.png\",\"track_count\":12,"
		    "\"created_at\":\"2026-06-28T10:30:00Z\",\"updated_at\":\"2026-06-28T11:15:00Z\"}");
	c.track_count = -1;
	c.cover_track_id.s = NULL;
	c.name.s = "a\0b";
	c.name.len = 3;
	expect_text(render_collection(&c),
		    "{\"id\":\"mcoll_4a1f9c7e2b8d\",\"name\":\"a\\u0000b\","
		    "\"description\":null,\"cover_track_id\":null,"
		    "\"cover_image_url\":\"https://cdn.example.com/a/b.png\",\"track_count\":null,"
		    "\"created_at\":\"2026-06-28T10:30:00Z\",\"updated_at\":\"2026-06-28T11:15:00Z\"}");
}
END_TEST

START_TEST(test_entry_and_ack)
{
	struct entry e = {"mtrack_8d2e1f6a3c9b", 0, "2026-06-28T10:35:00Z"};

	expect_text(render_entry(&e),
		    "{\"track_id\":\"mtrack_8d2e1f6a3c9b\",\"position\":0,\"added_at\":\"2026-06-28T10:35:00Z\"}");
	expect_text(render_ack("mcoll_4a1f9c7e2b8d", "Collection deleted."),
		    "{\"success\":true,\"id\":\"mcoll_4a1f9c7e2b8d\",\"detail\":\"Collection deleted.\"}");
}
END_TEST

START_TEST(test_envelope)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "collection_id", json_object_new_string("mcoll_4a1f9c7e2b8d"));
	/* 2026-06-28T10:30:00Z */
	expect_text(render_error(API_NOT_FOUND, "Music collection not found or not owned by caller", d,
				 "req_jkl012abc", 1782642600),
		    "{\"success\":false,\"error\":{\"code\":\"RESOURCE_NOT_FOUND\","
		    "\"message\":\"The requested resource was not found.\","
		    "\"system_message\":\"Music collection not found or not owned by caller\","
		    "\"type\":\"client_error\",\"status\":404,"
		    "\"details\":{\"collection_id\":\"mcoll_4a1f9c7e2b8d\"},"
		    "\"trace_id\":\"req_jkl012abc\",\"timestamp\":\"2026-06-28T10:30:00Z\"}}");
	expect_text(render_error(API_UNAUTHENTICATED, "Missing or invalid authorization header", NULL,
				 "req_abc123xyz", 1782642600),
		    "{\"success\":false,\"error\":{\"code\":\"AUTHENTICATION_REQUIRED\","
		    "\"message\":\"Authentication required. Please provide a valid API key.\","
		    "\"system_message\":\"Missing or invalid authorization header\","
		    "\"type\":\"authentication_error\",\"status\":401,\"details\":{},"
		    "\"trace_id\":\"req_abc123xyz\",\"timestamp\":\"2026-06-28T10:30:00Z\"}}");
	expect_text(render_error(API_INVALID, "name must be between 1 and 512 characters",
				 render_field_details("name"), "req_ghi789xyz", 1782642600),
		    "{\"success\":false,\"error\":{\"code\":\"VALIDATION_ERROR\","
		    "\"message\":\"The request payload is invalid.\","
		    "\"system_message\":\"name must be between 1 and 512 characters\","
		    "\"type\":\"validation_error\",\"status\":422,\"details\":{\"field\":\"name\"},"
		    "\"trace_id\":\"req_ghi789xyz\",\"timestamp\":\"2026-06-28T10:30:00Z\"}}");
}
END_TEST

static const struct {
	enum api_err e;
	int status;
	const char *code, *type;
} table[] = {
	{API_UNAUTHENTICATED, 401, "AUTHENTICATION_REQUIRED", "authentication_error"},
	{API_FORBIDDEN, 403, "INSUFFICIENT_PERMISSIONS", "authorization_error"},
	{API_NOT_FOUND, 404, "RESOURCE_NOT_FOUND", "client_error"},
	{API_METHOD_NOT_ALLOWED, 405, "METHOD_NOT_ALLOWED", "client_error"},
	{API_TOO_LARGE, 413, "PAYLOAD_TOO_LARGE", "client_error"},
	{API_UNSUPPORTED_MEDIA, 415, "UNSUPPORTED_MEDIA_TYPE", "client_error"},
	{API_INVALID, 422, "VALIDATION_ERROR", "validation_error"},
	{API_UNAVAILABLE, 503, "SERVICE_UNAVAILABLE", "server_error"},
	{API_INTERNAL, 500, "INTERNAL_ERROR", "server_error"},
};

START_TEST(test_error_table)
{
	const struct api_err_info *i = api_err_info(table[_i].e);

	ck_assert_int_eq(i->status, table[_i].status);
	ck_assert_str_eq(i->code, table[_i].code);
	ck_assert_str_eq(i->type, table[_i].type);
	ck_assert_uint_gt(strlen(i->message), 10);
	ck_assert_str_eq(http_reason(table[_i].status), i->reason);
}
END_TEST

START_TEST(test_time)
{
	char out[TIMEFMT_ISO_LEN];

	ck_assert_str_eq(timefmt_iso(0, out), "1970-01-01T00:00:00Z");
	ck_assert_str_eq(timefmt_iso(1782642600, out), "2026-06-28T10:30:00Z");
	ck_assert_str_eq(timefmt_iso(951782400, out), "2000-02-29T00:00:00Z");
	ck_assert_int_eq(timefmt_from_db("2026-06-28 10:30:00", 19, out), 0);
	ck_assert_str_eq(out, "2026-06-28T10:30:00Z");
	ck_assert_int_eq(timefmt_from_db("2026-06-28 10:30:59.999999", 26, out), 0);
	ck_assert_str_eq(out, "2026-06-28T10:30:59Z");
	ck_assert_int_eq(timefmt_from_db("2026-06-28T10:30:00", 19, out), -1);
	ck_assert_int_eq(timefmt_from_db("2026-06-28 10:30", 16, out), -1);
	ck_assert_int_eq(timefmt_from_db("2026-06-28 10:30:00Z", 20, out), -1);
	ck_assert_int_eq(timefmt_from_db("2026-0a-28 10:30:00", 19, out), -1);
}
END_TEST

static Suite *render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_collection);
	tcase_add_test(tc, test_entry_and_ack);
	tcase_add_test(tc, test_envelope);
	tcase_add_loop_test(tc, test_error_table, 0, sizeof(table) / sizeof(table[0]));
	tcase_add_test(tc, test_time);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(render_suite)
