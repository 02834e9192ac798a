/* check_render.c -- the direct writer (byte for byte as json-c), the
 * answers and pages, the error envelope, time formatting, the error table. */
#include <check.h>
#include <string.h>

#include "apierr.h"
#include "check_main.h"
#include "render.h"
#include "timefmt.h"

/* What the writer wrote is exactly want; w is freed. */
static void expect_jw(struct jw *w, const char *want, size_t want_len)
{
	ck_assert_uint_eq(w->len, want_len);
	ck_assert(memcmp(w->buf, want, want_len) == 0);
	jw_free(w);
}
#define EXPECT_W(call, want)                          \
	do {                                          \
		struct jw w_;                         \
		jw_init(&w_, 1);                      \
		call;                                 \
		expect_jw(&w_, want, sizeof(want) - 1); \
	} while (0)

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

	EXPECT_W(render_collection(&w_, &c),
		    "{\"id\":\"mcoll_4a1f9c7e2b8d\",\"name\":\"Focus \\\"Sessions\\\" </script> \xf0\x9f\x8e\xb5\","
		    "\"description\":null,\"cover_track_id\":\"mtrack_8d2e1f6a3c9b\","
		    "\"cover_image_url\":\"https://cdn.example.com/a/b.png\",\"track_count\":12,"
		    "\"created_at\":\"2026-06-28T10:30:00Z\",\"updated_at\":\"2026-06-28T11:15:00Z\"}");
	c.track_count = -1;
	c.cover_track_id.s = NULL;
	c.name.s = "a\0b";
	c.name.len = 3;
	EXPECT_W(render_collection(&w_, &c),
		    "{\"id\":\"mcoll_4a1f9c7e2b8d\",\"name\":\"a\\u0000b\","
		    "\"description\":null,\"cover_track_id\":null,"
		    "\"cover_image_url\":\"https://cdn.example.com/a/b.png\",\"track_count\":null,"
		    "\"created_at\":\"2026-06-28T10:30:00Z\",\"updated_at\":\"2026-06-28T11:15:00Z\"}");
}
END_TEST

START_TEST(test_entry_and_ack)
{
	struct entry e = {"mtrack_8d2e1f6a3c9b", 0, "2026-06-28T10:35:00Z"};

	EXPECT_W(render_entry(&w_, &e),
		    "{\"track_id\":\"mtrack_8d2e1f6a3c9b\",\"position\":0,\"added_at\":\"2026-06-28T10:35:00Z\"}");
	EXPECT_W(render_ack(&w_, "mcoll_4a1f9c7e2b8d", "Collection deleted."),
		    "{\"success\":true,\"id\":\"mcoll_4a1f9c7e2b8d\",\"detail\":\"Collection deleted.\"}");
}
END_TEST

/* The writer escapes every byte as json-c does (the envelope's writer). */
static void same_as_json_c(const char *s, size_t n)
{
	struct json_object *o = json_object_new_string_len(s, (int)n);
	size_t want_len;
	const char *want = render_text(o, &want_len);
	struct jw w;

	jw_init(&w, 1);
	jw_str(&w, s, n);
	ck_assert_uint_eq(w.len, want_len);
	ck_assert_msg(memcmp(w.buf, want, want_len) == 0, "writer and json-c differ for %zu bytes", n);
	jw_free(&w);
	json_object_put(o);
}

START_TEST(test_writer_escapes_like_json_c)
{
	char all[256 * 3];

	for (int c = 0; c < 256; c++) {
		char one = (char)c, three[3] = {'a', (char)c, 'z'};
		same_as_json_c(&one, 1);
		same_as_json_c(three, 3);
		all[c] = (char)c;
		all[256 + c] = (char)(255 - c);
		all[512 + c] = (char)(c % 32);
	}
	same_as_json_c(all, sizeof(all));
	same_as_json_c("", 0);
	{
		static const char mixed[] = "\xf0\x9f\x8e\xb5 \"q\" \\ / </script>", nuls[] = "\0\0\0";
		same_as_json_c(mixed, sizeof(mixed) - 1);
		same_as_json_c(nuls, sizeof(nuls) - 1);
	}
}
END_TEST

START_TEST(test_pages)
{
	struct collection c[2] = {
		{.id = "mcoll_000000000001", .name = {"One", 3}, .track_count = -1,
		 .created_at = "2026-06-28T10:30:00Z", .updated_at = "2026-06-28T10:30:00Z"},
		{.id = "mcoll_000000000002", .name = {"T\nwo", 4}, .description = {"", 0},
		 .track_count = -1, .created_at = "2026-06-28T10:31:00Z", .updated_at = "2026-06-28T10:32:00Z"},
	};
	struct entry e[2] = {{"mtrack_00000000000a", 150, "2026-06-28T10:35:00Z"},
			     {"mtrack_00000000000b", 151, "2026-06-28T10:36:00Z"}};

	EXPECT_W(render_collection_page(&w_, c, 2, 50, 0),
		 "{\"items\":[{\"id\":\"mcoll_000000000001\",\"name\":\"One\",\"description\":null,"
		 "\"cover_track_id\":null,\"cover_image_url\":null,\"track_count\":null,"
		 "\"created_at\":\"2026-06-28T10:30:00Z\",\"updated_at\":\"2026-06-28T10:30:00Z\"},"
		 "{\"id\":\"mcoll_000000000002\",\"name\":\"T\\nwo\",\"description\":\"\","
		 "\"cover_track_id\":null,\"cover_image_url\":null,\"track_count\":null,"
		 "\"created_at\":\"2026-06-28T10:31:00Z\",\"updated_at\":\"2026-06-28T10:32:00Z\"}],"
		 "\"limit\":50,\"offset\":0}");
	EXPECT_W(render_collection_page(&w_, NULL, 0, 100, 2147483647),
		 "{\"items\":[],\"limit\":100,\"offset\":2147483647}");
	EXPECT_W(render_entry_page(&w_, "mcoll_4a1f9c7e2b8d", e, 2, 2, 150),
		 "{\"collection_id\":\"mcoll_4a1f9c7e2b8d\",\"items\":[{\"track_id\":\"mtrack_00000000000a\","
		 "\"position\":150,\"added_at\":\"2026-06-28T10:35:00Z\"},{\"track_id\":\"mtrack_00000000000b\","
		 "\"position\":151,\"added_at\":\"2026-06-28T10:36:00Z\"}],\"limit\":2,\"offset\":150}");
	EXPECT_W(render_entry_page(&w_, "mcoll_4a1f9c7e2b8d", NULL, 0, 200, 0),
		 "{\"collection_id\":\"mcoll_4a1f9c7e2b8d\",\"items\":[],\"limit\":200,\"offset\":0}");
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
	{API_PRECONDITION_FAILED, 412, "PRECONDITION_FAILED", "client_error"},
	{API_INVALID, 422, "VALIDATION_ERROR", "validation_error"},
	{API_UNAVAILABLE, 503, "SERVICE_UNAVAILABLE", "server_error"},
	{API_INTERNAL, 500, "INTERNAL_ERROR", "server_error"},
	{API_IDEM_IN_USE, 409, "IDEMPOTENCY_KEY_IN_USE", "client_error"},
	{API_IDEM_REUSED, 422, "IDEMPOTENCY_KEY_REUSED", "client_error"},
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
	/* the fraction is digits only, 1 to 6 of them */
	ck_assert_int_eq(timefmt_from_db("2026-06-28 10:30:00.5", 21, out), 0);
	ck_assert_str_eq(out, "2026-06-28T10:30:00Z");
	{
		static const char *const bad[] = {
			"2026-06-28 10:30:00.", "2026-06-28 10:30:00.x", "2026-06-28 10:30:00.12a",
			"2026-06-28 10:30:00.1234567", "2026-06-28 10:30:00. 1", "2026-06-28 10:30:00.-1",
			"2026-06-28 10:30:00..", "2026-06-28 10:30:00.12 junk after",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ck_assert_msg(timefmt_from_db(bad[i], strlen(bad[i]), out) == -1, "%s", bad[i]);
		ck_assert_int_eq(timefmt_from_db("2026-06-28 10:30:00.1\0" "2", 23, out), -1);
	}
}
END_TEST

static Suite *render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_collection);
	tcase_add_test(tc, test_entry_and_ack);
	tcase_add_test(tc, test_writer_escapes_like_json_c);
	tcase_add_test(tc, test_pages);
	tcase_add_test(tc, test_envelope);
	tcase_add_loop_test(tc, test_error_table, 0, sizeof(table) / sizeof(table[0]));
	tcase_add_test(tc, test_time);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(render_suite)
