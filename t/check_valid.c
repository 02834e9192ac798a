/* check_valid.c -- UTF-8, strict JSON bodies, field rules, ids, API key
 * extraction. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "authkey.h"
#include "check_main.h"
#include "ids.h"
#include "keyhash.h"
#include "utf8.h"
#include "valid.h"

static const struct {
	const char *s;
	size_t len;
	long count;
} utf8_cases[] = {
	{"", 0, 0},
	{"abc", 3, 3},
	{"\xc3\xa9", 2, 1},                 /* é */
	{"\xe2\x82\xac", 3, 1},             /* € */
	{"\xf0\x9f\x8e\xb5", 4, 1},         /* 🎵 */
	{"a\0b", 3, 3},                     /* NUL is a code point */
	{"\xf4\x8f\xbf\xbf", 4, 1},         /* U+10FFFF */
	{"\x80", 1, -1},                    /* lone continuation */
	{"\xc0\xaf", 2, -1},                /* overlong '/' */
	{"\xc1\xbf", 2, -1},                /* overlong */
	{"\xe0\x80\xaf", 3, -1},            /* overlong */
	{"\xed\xa0\x80", 3, -1},            /* surrogate U+D800 */
	{"\xf0\x80\x80\xaf", 4, -1},        /* overlong */
	{"\xf4\x90\x80\x80", 4, -1},        /* above U+10FFFF */
	{"\xf5\x80\x80\x80", 4, -1},
	{"\xff", 1, -1},
	{"\xc3", 1, -1},                    /* truncated */
	{"\xe2\x82", 2, -1},
	{"\xe2\x28\xa1", 3, -1},            /* bad continuation */
};

START_TEST(test_utf8)
{
	ck_assert_int_eq(utf8_count(utf8_cases[_i].s, utf8_cases[_i].len), utf8_cases[_i].count);
}
END_TEST

static const struct {
	const char *body;
	const char *msg; /* NULL: parses */
} json_cases[] = {
	{"{}", NULL},
	{" {\"a\":1} \n", NULL},
	{"{\"name\":\"\\u00e9\\ud83c\\udfb5\"}", NULL},
	{"", "Request body must be a JSON object"},
	{"[]", "Request body must be a JSON object"},
	{"\"x\"", "Request body must be a JSON object"},
	{"null", "Request body must be a JSON object"},
	{"42", "Request body must be a JSON object"},
	{"{", "Request body is not valid JSON"},
	{"{} x", "Request body is not valid JSON"},
	{"{}{}", "Request body is not valid JSON"},
	{"{'a':1}", "Request body is not valid JSON"},
	{"{\"a\":1,}", "Request body is not valid JSON"},
	{"{\"a\":\"\xff\"}", "Request body is not valid JSON"},
	{"{\"a\":\"\xed\xa0\x80\"}", "Request body is not valid JSON"},
	{"{a:1}", "Request body is not valid JSON"},
	{"{\"a\":NaN}", "Request body is not valid JSON"},
	{"{\"a\":01}", "Request body is not valid JSON"},
	{"{\"a\":1.}", "Request body is not valid JSON"},
	{"{\"a\":\"\\ud800\"}", "Request body is not valid JSON"},
	{"{\"a\":\"\\udc00\\ud800\"}", "Request body is not valid JSON"},
	{"{\"a\":\"\\x41\"}", "Request body is not valid JSON"},
	{"{\"a\":\"tab\there\"}", "Request body is not valid JSON"},
	{"{\"a\":[1,2,]}", "Request body is not valid JSON"},
	{"{\"a\":tru}", "Request body is not valid JSON"},
	{"{} // c", "Request body is not valid JSON"},
	{"{\"a\":{\"\\u0000\":1}}", NULL},
	{"{\"a\":\"\\ud800\\u0041\"}", "Request body is not valid JSON"},
	{"{\"a\":\"\\ud800\\ud800\"}", "Request body is not valid JSON"},
	{"{\"a\":\"\\ud800\\\"}", "Request body is not valid JSON"},
	{"{\"a\":\"\\ud83c\"}", "Request body is not valid JSON"},
	{"{\"a\":\"\\udfb5\"}", "Request body is not valid JSON"},
	{"{\"\\ud83c\\udfb5\":\"\\uDBFF\\uDFFF\"}", NULL},
	{"{\"a\":[\"\\u0000\"]}", NULL},
	{"{\"a\":[-0.5e+3,true,false,null,{\"b\":[]}]}", NULL},
	{"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "Request body is not valid JSON"},
};

START_TEST(test_json_object)
{
	struct verr e = {0};
	struct json_object *o = valid_json_object(json_cases[_i].body, strlen(json_cases[_i].body), &e);

	if (json_cases[_i].msg) {
		ck_assert_ptr_null(o);
		ck_assert_str_eq(e.field, "body");
		ck_assert_str_eq(e.msg, json_cases[_i].msg);
	} else {
		ck_assert_ptr_nonnull(o);
		json_object_put(o);
	}
}
END_TEST

/* Code points sent as \u escapes (surrogate pairs above U+FFFF) come back
 * as exactly their UTF-8 bytes.  json-c alone turns every code point whose
 * low 16 bits are D800-DFFF (U+1D800, U+10DFFF, ...) into U+FFFD. */
static const unsigned long escape_cps[] = {
	0x0, 0x1, 0x1f, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff,
	0x10000, 0x1d11e, 0x1d800, 0x1dbff, 0x1dc00, 0x1dfff, 0x1f3b5, 0x1fffd,
	0x20000, 0x2d800, 0x2dfff, 0x3d800, 0x4dc00, 0x5d800, 0x6dfff, 0x7d800,
	0x8dc00, 0x9d800, 0xad800, 0xbd800, 0xcd800, 0xdd800, 0xe0001, 0xed800,
	0xf0000, 0xfd800, 0xffffd, 0x100000, 0x10d800, 0x10dbff, 0x10dc00,
	0x10dfff, 0x10fffd, 0x10ffff,
};

static size_t utf8_encode(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

START_TEST(test_escape_round_trip)
{
	unsigned long cp = escape_cps[_i];
	char body[96], esc[16], want[8];
	size_t wlen = utf8_encode(cp, want);
	struct verr e;
	struct json_object *o, *v;

	for (int upper = 0; upper <= 1; upper++) {
		if (cp < 0x10000)
			snprintf(esc, sizeof(esc), upper ? "\\u%04lX" : "\\u%04lx", cp);
		else
			snprintf(esc, sizeof(esc), upper ? "\\u%04lX\\u%04lX" : "\\u%04lx\\u%04lx",
				 0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
		/* alone, between other text, and twice */
		snprintf(body, sizeof(body), "{\"name\":\"a%sb%s\"}", esc, esc);
		o = valid_json_object(body, strlen(body), &e);
		ck_assert_msg(o != NULL, "%s", body);
		ck_assert(json_object_object_get_ex(o, "name", &v));
		ck_assert_int_eq(json_object_get_string_len(v), (int)(2 + 2 * wlen));
		ck_assert_mem_eq(json_object_get_string(v), "a", 1);
		ck_assert_mem_eq(json_object_get_string(v) + 1, want, wlen);
		ck_assert_mem_eq(json_object_get_string(v) + 1 + wlen, "b", 1);
		ck_assert_mem_eq(json_object_get_string(v) + 2 + wlen, want, wlen);
		json_object_put(o);
	}
}
END_TEST

/* Every code point of one plane, sent as escapes, comes back exactly. */
START_TEST(test_escape_plane)
{
	unsigned long base = (unsigned long)_i << 16;
	char body[64], want[8];
	struct verr e;
	struct json_object *o, *v;
	long bad = 0;

	for (unsigned long cp = base ? base : 1; cp < base + 0x10000; cp += base ? 7 : 1) {
		size_t wlen;
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		wlen = utf8_encode(cp, want);
		if (cp < 0x10000)
			snprintf(body, sizeof(body), "{\"n\":\"\\u%04lx\"}", cp);
		else
			snprintf(body, sizeof(body), "{\"n\":\"\\u%04lx\\u%04lx\"}", 0xd800 + ((cp - 0x10000) >> 10),
				 0xdc00 + ((cp - 0x10000) & 0x3ff));
		o = valid_json_object(body, strlen(body), &e);
		if (!o || !json_object_object_get_ex(o, "n", &v) ||
		    json_object_get_string_len(v) != (int)wlen || memcmp(json_object_get_string(v), want, wlen) != 0)
			bad++;
		json_object_put(o);
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

static char *repeat(const char *unit, int n, const char *prefix)
{
	size_t u = strlen(unit), p = strlen(prefix);
	char *s = malloc(p + u * (size_t)n + 1);

	memcpy(s, prefix, p);
	for (int i = 0; i < n; i++)
		memcpy(s + p + u * (size_t)i, unit, u);
	s[p + u * (size_t)n] = '\0';
	return s;
}

/* Validates body as a create (creating) or update; returns the error
 * message, or "" when valid.  field receives the field named. */
static const char *coll_check(const char *body, bool creating, const char **field)
{
	static struct verr e;
	struct coll_input in;
	struct json_object *o = valid_json_object(body, strlen(body), &e);
	int rc;

	ck_assert_ptr_nonnull(o);
	memset(&e, 0, sizeof(e));
	rc = valid_collection(o, creating, &in, &e);
	json_object_put(o);
	*field = e.field;
	return rc == 0 ? "" : e.msg;
}

static const struct {
	const char *body;
	bool creating;
	const char *field, *msg; /* msg "" = valid */
} coll_cases[] = {
	{"{\"name\":\"Focus\"}", true, NULL, ""},
	{"{\"name\":\"F\",\"description\":null,\"cover_track_id\":null,\"cover_image_url\":null}", true, NULL, ""},
	{"{\"name\":\"F\",\"unknown\":[1,2]}", true, NULL, ""},
	{"{}", false, NULL, ""},
	{"{\"description\":null}", false, NULL, ""},
	{"{}", true, "name", "name is required"},
	{"{\"name\":null}", true, "name", "name cannot be null"},
	{"{\"name\":null}", false, "name", "name cannot be null"},
	{"{\"name\":5}", true, "name", "name must be a string"},
	{"{\"name\":[\"a\"]}", false, "name", "name must be a string"},
	{"{\"name\":\"\"}", true, "name", "name must be between 1 and 512 characters"},
	{"{\"name\":\"a\",\"description\":3}", true, "description", "description must be a string or null"},
	{"{\"name\":\"a\",\"description\":false}", true, "description", "description must be a string or null"},
	{"{\"name\":\"a\",\"cover_track_id\":1}", true, "cover_track_id", "cover_track_id must be a string or null"},
	{"{\"name\":\"a\",\"cover_track_id\":\"mtrack_XYZ\"}", true, "cover_track_id",
	 "cover_track_id must name an existing track in this organization"},
	{"{\"cover_track_id\":\"mtrack_0123456789ab\"}", false, NULL, ""},
	{"{\"cover_image_url\":{}}", false, "cover_image_url", "cover_image_url must be a string or null"},
	{"{\"cover_image_url\":\"ftp://x/y\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"https://\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"https://a b/\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"javascript:alert(1)\"}", false, "cover_image_url",
	 "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"HTTPS://cdn.example.com/a.png?x=1\"}", false, NULL, ""},
	/* the host must not be empty: not after "user@", not before ":port" */
	{"{\"cover_image_url\":\"http://@\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"https://:1\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"http://user@:80/\"}", false, "cover_image_url",
	 "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"http://u:p@/x\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"https://?q\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"https://#f\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"http://[]/\"}", false, "cover_image_url", "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"http://a\\u0000b/\"}", false, "cover_image_url",
	 "cover_image_url must be an http or https URL"},
	{"{\"cover_image_url\":\"http://user@h:80/\"}", false, NULL, ""},
	{"{\"cover_image_url\":\"https://h:1\"}", false, NULL, ""},
	{"{\"cover_image_url\":\"http://[::1]:8080/a\"}", false, NULL, ""},
	{"{\"cover_image_url\":\"http://a@b@c/\"}", false, NULL, ""},
	{"{\"name\":\"\\u0000\"}", true, NULL, ""},
	/* a key with a NUL is another key, not the field it starts like */
	{"{\"name\\u0000x\":\"smuggled\"}", true, "name", "name is required"},
	{"{\"name\":\"a\",\"cover_image_url\\u0000\":\"javascript:x\"}", true, NULL, ""},
};

START_TEST(test_collection_rules)
{
	const char *field;
	const char *msg = coll_check(coll_cases[_i].body, coll_cases[_i].creating, &field);

	ck_assert_str_eq(msg, coll_cases[_i].msg);
	if (coll_cases[_i].field)
		ck_assert_str_eq(field, coll_cases[_i].field);
}
END_TEST

/* Lengths count code points: 512 four-byte emoji are a valid name. */
START_TEST(test_lengths_in_code_points)
{
	struct {
		const char *key, *unit, *prefix;
		int ok_n, field_chars;
	} limits[] = {
		{"name", "\xf0\x9f\x8e\xb5", "", 512, 0},
		{"description", "\xc3\xa9", "", 4096, 0},
		{"cover_image_url", "\xe2\x82\xac", "https://x/", 1024 - 10, 0},
	};
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		for (int extra = 0; extra <= 1; extra++) {
			char *val = repeat(limits[i].unit, limits[i].ok_n + extra, limits[i].prefix);
			char *body = malloc(strlen(val) + 64);
			const char *field;
			sprintf(body, "{\"%s\":\"%s\"}", limits[i].key, val);
			const char *msg = coll_check(body, false, &field);
			if (extra == 0) {
				ck_assert_str_eq(msg, "");
			} else {
				ck_assert_str_eq(field, limits[i].key);
				ck_assert_ptr_nonnull(strstr(msg, "characters"));
			}
			free(body);
			free(val);
		}
	}
}
END_TEST

START_TEST(test_track_ref)
{
	struct verr e;
	const char *id;
	size_t len;
	struct json_object *o;

	o = valid_json_object("{\"track_id\":\"mtrack_0123456789ab\"}", 34, &e);
	ck_assert_int_eq(valid_track_ref(o, &id, &len, &e), 0);
	ck_assert_str_eq(id, "mtrack_0123456789ab");
	ck_assert_uint_eq(len, 19);
	json_object_put(o);

	const char *bad[][2] = {
		{"{}", "track_id is required"},
		{"{\"track_id\":null}", "track_id must be a string"},
		{"{\"track_id\":7}", "track_id must be a string"},
	};
	for (size_t i = 0; i < 3; i++) {
		o = valid_json_object(bad[i][0], strlen(bad[i][0]), &e);
		ck_assert_int_eq(valid_track_ref(o, &id, &len, &e), -1);
		ck_assert_str_eq(e.field, "track_id");
		ck_assert_str_eq(e.msg, bad[i][1]);
		json_object_put(o);
	}
}
END_TEST

static const struct {
	const char *body;
	const char *msg; /* NULL: valid */
	size_t n;
	const char *last; /* the last id, 2 bytes */
} order_cases[] = {
	{"{\"ordered_track_ids\":[]}", NULL, 0, NULL},
	{"{\"ordered_track_ids\":[\"a\",\"b\",\"ab\"]}", NULL, 3, "ab"},
	{"{}", "ordered_track_ids is required", 0, NULL},
	{"{\"ordered_track_ids\":null}", "ordered_track_ids must be an array of strings", 0, NULL},
	{"{\"ordered_track_ids\":\"a\"}", "ordered_track_ids must be an array of strings", 0, NULL},
	{"{\"ordered_track_ids\":[\"a\",1]}", "ordered_track_ids must be an array of strings", 0, NULL},
	{"{\"ordered_track_ids\":[\"a\",null]}", "ordered_track_ids must be an array of strings", 0, NULL},
	{"{\"ordered_track_ids\":[\"a\",\"b\",\"a\"]}", "ordered_track_ids must not contain duplicates", 0, NULL},
	/* ids are bytes: a NUL makes another id */
	{"{\"ordered_track_ids\":[\"a\",\"b\",\"a\\u0000\"]}", NULL, 3, "a\0"},
	{"{\"ordered_track_ids\":[\"a\\u0000\",\"b\",\"a\\u0000\"]}", "ordered_track_ids must not contain duplicates", 0, NULL},
};

START_TEST(test_order)
{
	struct verr e;
	const char **ids;
	size_t n, *lens;
	struct json_object *o = valid_json_object(order_cases[_i].body, strlen(order_cases[_i].body), &e);
	int rc = valid_order(o, &ids, &lens, &n, &e);

	if (order_cases[_i].msg) {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(e.field, "ordered_track_ids");
		ck_assert_str_eq(e.msg, order_cases[_i].msg);
		ck_assert_ptr_null(ids);
		ck_assert_ptr_null(lens);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(n, order_cases[_i].n);
		if (n == 3) {
			ck_assert_uint_eq(lens[2], 2);
			ck_assert_mem_eq(ids[2], order_cases[_i].last, 2);
		}
		free(ids);
		free(lens);
	}
	json_object_put(o);
}
END_TEST

START_TEST(test_order_limit)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	const char **ids;
	size_t n, *lens;
	struct verr e;
	char id[32];

	for (int i = 0; i < COLLECTION_MAX_TRACKS + 1; i++) {
		snprintf(id, sizeof(id), "mtrack_%012d", i);
		json_object_array_add(arr, json_object_new_string(id));
	}
	json_object_object_add(o, "ordered_track_ids", arr);
	ck_assert_int_eq(valid_order(o, &ids, &lens, &n, &e), -1);
	ck_assert_str_eq(e.msg, "ordered_track_ids must have at most 10000 entries");
	json_object_array_del_idx(arr, 0, 1);
	ck_assert_int_eq(valid_order(o, &ids, &lens, &n, &e), 0);
	ck_assert_uint_eq(n, COLLECTION_MAX_TRACKS);
	ck_assert_uint_eq(lens[0], 19);
	free(ids);
	free(lens);
	json_object_put(o);
}
END_TEST

static const struct {
	const char *body;
	const char *field, *msg; /* msg NULL: valid */
	size_t n;
	bool bulk;
} refs_cases[] = {
	{"{\"track_id\":\"mtrack_0123456789ab\"}", NULL, NULL, 1, false},
	{"{\"track_id\":\"x\",\"other\":[]}", NULL, NULL, 1, false},
	{"{\"track_ids\":[\"a\"]}", NULL, NULL, 1, true},
	{"{\"track_ids\":[\"a\",\"b\",\"ab\"]}", NULL, NULL, 3, true},
	{"{}", "track_id", "track_id is required", 0, false},
	{"{\"track_id\":null}", "track_id", "track_id must be a string", 0, false},
	{"{\"track_ids\":[]}", "track_ids", "track_ids must have between 1 and 100 entries", 0, true},
	{"{\"track_ids\":null}", "track_ids", "track_ids must be an array of strings", 0, true},
	{"{\"track_ids\":\"a\"}", "track_ids", "track_ids must be an array of strings", 0, true},
	{"{\"track_ids\":[\"a\",2]}", "track_ids", "track_ids must be an array of strings", 0, true},
	{"{\"track_ids\":[\"a\",\"b\",\"a\"]}", "track_ids", "track_ids must not contain duplicates", 0, true},
	{"{\"track_ids\":[\"a\"],\"track_id\":\"a\"}", "track_ids", "Send either track_id or track_ids, not both", 0,
	 true},
	{"{\"track_id\":null,\"track_ids\":[\"a\"]}", "track_ids", "Send either track_id or track_ids, not both", 0,
	 true},
};

START_TEST(test_track_refs)
{
	struct verr e;
	const char **ids;
	size_t *lens, n;
	bool bulk;
	struct json_object *o = valid_json_object(refs_cases[_i].body, strlen(refs_cases[_i].body), &e);
	int rc = valid_track_refs(o, &ids, &lens, &n, &bulk, &e);

	ck_assert(bulk == refs_cases[_i].bulk);
	if (refs_cases[_i].msg) {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(e.field, refs_cases[_i].field);
		ck_assert_str_eq(e.msg, refs_cases[_i].msg);
		ck_assert_ptr_null(ids);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_uint_eq(n, refs_cases[_i].n);
		ck_assert_uint_eq(lens[n - 1], strlen(ids[n - 1]));
		if (n == 3)
			ck_assert_str_eq(ids[2], "ab");
	}
	free(ids);
	free(lens);
	json_object_put(o);
}
END_TEST

START_TEST(test_track_refs_limit)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
	const char **ids;
	size_t *lens, n;
	bool bulk;
	struct verr e;
	char id[32];

	for (int i = 0; i < BULK_MAX_TRACKS + 1; i++) {
		snprintf(id, sizeof(id), "mtrack_%012d", i);
		json_object_array_add(arr, json_object_new_string(id));
	}
	json_object_object_add(o, "track_ids", arr);
	ck_assert_int_eq(valid_track_refs(o, &ids, &lens, &n, &bulk, &e), -1);
	ck_assert_str_eq(e.msg, "track_ids must have between 1 and 100 entries");
	json_object_array_del_idx(arr, 0, 1);
	ck_assert_int_eq(valid_track_refs(o, &ids, &lens, &n, &bulk, &e), 0);
	ck_assert_uint_eq(n, BULK_MAX_TRACKS);
	ck_assert_uint_eq(lens[99], 19);
	free(ids);
	free(lens);
	json_object_put(o);
}
END_TEST

static const struct {
	const char *key;
	size_t len; /* 0: strlen */
	bool ok;
} idem_key_cases[] = {
	{"a", 0, true},
	{"8e03978e-40d5-43e8-bc93-6894a57f9324", 0, true},
	{"\"quoted, with spaces\"", 0, true},
	{" ~!", 0, true},
	{"", 0, false},
	{"tab\there", 0, false},
	{"del\x7f", 0, false},
	{"cl\xc3\xa9", 0, false},
	{"nul\0x", 5, false},
};

START_TEST(test_idempotency_key)
{
	const char *k = idem_key_cases[_i].key;
	size_t len = idem_key_cases[_i].len ? idem_key_cases[_i].len : strlen(k);

	ck_assert(valid_idempotency_key(k, len) == idem_key_cases[_i].ok);
}
END_TEST

START_TEST(test_idempotency_key_length)
{
	char k[IDEM_KEY_MAX_LEN + 2];

	memset(k, 'k', sizeof(k));
	ck_assert(valid_idempotency_key(k, IDEM_KEY_MAX_LEN));
	ck_assert(!valid_idempotency_key(k, IDEM_KEY_MAX_LEN + 1));
}
END_TEST

static const struct {
	const char *method, *path, *body, *sha256;
} fingerprint_cases[] = {
	{"POST", "/v1/music/org_a/collections", "{\"name\":\"x\"}",
	 "33857b2e6d232ca8b239213302332f32c040ae251a7bb2ee4b7bd3dd1ca9ac0b"},
	{"POST", "/p", "", "35796be418e451ff685f4f431febe231c52d111a1f465bd36c559c561c1fa1ed"},
};

START_TEST(test_request_fingerprint)
{
	unsigned char out[KEYHASH_LEN];
	char hex[2 * KEYHASH_LEN + 1];

	ck_assert_int_eq(request_fingerprint(fingerprint_cases[_i].method, fingerprint_cases[_i].path,
					     fingerprint_cases[_i].body, strlen(fingerprint_cases[_i].body), out),
			 0);
	for (int i = 0; i < KEYHASH_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", out[i]);
	ck_assert_str_eq(hex, fingerprint_cases[_i].sha256);
}
END_TEST

START_TEST(test_ids)
{
	char id[ID_MAX], key[KEY_MAX];

	ck_assert_int_eq(id_new(COLLECTION_PREFIX, id), 0);
	ck_assert_uint_eq(strlen(id), 18);
	ck_assert(id_valid_collection(id, strlen(id)));
	ck_assert(id_valid_collection("mcoll_4a1f9c7e2b8d", 18));
	ck_assert(!id_valid_collection("mcoll_4A1F9C7E2B8D", 18));
	ck_assert(!id_valid_collection("mcoll_4a1f9c7e2b8", 17));
	ck_assert(!id_valid_collection("mcoll_4a1f9c7e2b8d0", 19));
	ck_assert(!id_valid_collection("mtrack_4a1f9c7e2b", 17));
	ck_assert(id_valid_track("mtrack_8d2e1f6a3c9b", 19));
	ck_assert(!id_valid_track("mtrack_8d2e1f6a3c9 ", 19));
	ck_assert_int_eq(key_new(key), 0);
	ck_assert_uint_eq(strlen(key), 4 + KEY_SECRET_HEX);
	ck_assert(strncmp(key, "mck_", 4) == 0);
}
END_TEST

START_TEST(test_authkey)
{
	const char *k;
	size_t n;

	ck_assert_int_eq(authkey_extract("abc", NULL, &k, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert(strncmp(k, "abc", n) == 0);
	ck_assert_int_eq(authkey_extract(NULL, "Bearer  xyz ", &k, &n), 0);
	ck_assert(n == 3 && strncmp(k, "xyz", 3) == 0);
	ck_assert_int_eq(authkey_extract(NULL, "bearer xyz", &k, &n), 0);
	ck_assert_int_eq(authkey_extract("first", "Bearer second", &k, &n), 0);
	ck_assert(strncmp(k, "first", n) == 0);
	ck_assert_int_eq(authkey_extract("", "Bearer second", &k, &n), 0);
	ck_assert(strncmp(k, "second", n) == 0);
	ck_assert_int_eq(authkey_extract(NULL, NULL, &k, &n), -1);
	ck_assert_int_eq(authkey_extract(" ", NULL, &k, &n), -1);
	ck_assert_int_eq(authkey_extract(NULL, "Basic dXNlcg==", &k, &n), -1);
	ck_assert_int_eq(authkey_extract(NULL, "Bearer", &k, &n), -1);
	ck_assert_int_eq(authkey_extract(NULL, "Bearer   ", &k, &n), -1);
	ck_assert_int_eq(authkey_extract(NULL, "Bearerxyz", &k, &n), -1);
	/* the key is all the bytes between the blanks, inner ones included */
	ck_assert_int_eq(authkey_extract(NULL, "Bearer\tmck_a b\t", &k, &n), 0);
	ck_assert(n == 7 && memcmp(k, "mck_a b", 7) == 0);
	ck_assert_int_eq(authkey_extract(" \tmck_x\t ", NULL, &k, &n), 0);
	ck_assert(n == 5 && memcmp(k, "mck_x", 5) == 0);
	ck_assert_int_eq(authkey_extract("\t", "Bearer y", &k, &n), 0);
	ck_assert(n == 1 && *k == 'y');
}
END_TEST

static Suite *valid_suite(void)
{
	Suite *s = suite_create("valid");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_utf8, 0, sizeof(utf8_cases) / sizeof(utf8_cases[0]));
	tcase_add_loop_test(tc, test_json_object, 0, sizeof(json_cases) / sizeof(json_cases[0]));
	tcase_add_loop_test(tc, test_escape_round_trip, 0, sizeof(escape_cps) / sizeof(escape_cps[0]));
	tcase_add_loop_test(tc, test_escape_plane, 0, 17);
	tcase_add_loop_test(tc, test_collection_rules, 0, sizeof(coll_cases) / sizeof(coll_cases[0]));
	tcase_add_test(tc, test_lengths_in_code_points);
	tcase_add_test(tc, test_track_ref);
	tcase_add_loop_test(tc, test_order, 0, sizeof(order_cases) / sizeof(order_cases[0]));
	tcase_add_test(tc, test_order_limit);
	tcase_add_loop_test(tc, test_track_refs, 0, sizeof(refs_cases) / sizeof(refs_cases[0]));
	tcase_add_test(tc, test_track_refs_limit);
	tcase_add_loop_test(tc, test_idempotency_key, 0, sizeof(idem_key_cases) / sizeof(idem_key_cases[0]));
	tcase_add_test(tc, test_idempotency_key_length);
	tcase_add_loop_test(tc, test_request_fingerprint, 0, sizeof(fingerprint_cases) / sizeof(fingerprint_cases[0]));
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_authkey);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(valid_suite)
