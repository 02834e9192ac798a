/* check_fcgirec.c -- FastCGI output records: framing of answers of every
 * size (record boundaries, padding, content), and the end of a request
 * with and without the let-go record. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "fcgirec.h"

/* Walks the STDOUT records of out from 0, checks each header and padding,
 * appends their content to got; returns the offset after them. */
static size_t walk_stdout(const struct jw *out, unsigned id, char *got, size_t *got_len, int *records)
{
	size_t at = 0;
	const unsigned char *p = (const unsigned char *)out->buf;

	*got_len = 0;
	*records = 0;
	while (at + 8 <= out->len && p[at + 1] == 6) {
		size_t len = (size_t)p[at + 4] << 8 | p[at + 5], pad = p[at + 6];

		ck_assert_uint_eq(p[at], 1);
		ck_assert_uint_eq((unsigned)p[at + 2] << 8 | p[at + 3], id);
		ck_assert_uint_eq(p[at + 7], 0);
		if (len == 0)
			break; /* the end of the stream */
		ck_assert_uint_le(len, FCGIREC_CHUNK);
		ck_assert_uint_eq((len + pad) % 8, 0);
		ck_assert_uint_lt(pad, 8);
		memcpy(got + *got_len, out->buf + at + 8, len);
		for (size_t i = 0; i < pad; i++)
			ck_assert_uint_eq(p[at + 8 + len + i], 0);
		*got_len += len;
		at += 8 + len + pad;
		(*records)++;
	}
	return at;
}

/* Answer sizes: head a and body b bytes, and the records expected. */
static const struct {
	size_t a, b;
	int records;
} sizes[] = {
	{0, 0, 0},
	{1, 0, 1},
	{0, 1, 1},
	{7, 0, 1},
	{8, 0, 1},
	{100, 94, 1},
	{150, 65378, 1},      /* exactly one full record */
	{150, 65379, 2},      /* one byte more */
	{FCGIREC_CHUNK + 3, 0, 2}, /* head alone across a boundary */
	{200, 3 * FCGIREC_CHUNK, 4},
	{1, 300000, 5},
};

START_TEST(test_stdout_framing)
{
	size_t a = sizes[_i].a, b = sizes[_i].b, got_len;
	char *src = malloc(a + b + 1), *got = malloc(a + b + 1);
	struct jw out;
	int records;

	for (size_t i = 0; i < a + b; i++)
		src[i] = (char)('A' + i % 23);
	jw_init(&out, 16);
	fcgirec_stdout(&out, 1, src, a, src + a, b);
	ck_assert_uint_eq(walk_stdout(&out, 1, got, &got_len, &records), out.len);
	ck_assert_int_eq(records, sizes[_i].records);
	ck_assert_uint_eq(got_len, a + b);
	ck_assert(memcmp(got, src, a + b) == 0);
	jw_free(&out);
	free(src);
	free(got);
}
END_TEST

START_TEST(test_end_of_request)
{
	static const unsigned char keep[24] = {1, 6, 0, 1, 0, 0, 0, 0, 1, 3, 0, 1, 0, 8, 0, 0,
					       0, 0, 0, 0, 0, 0, 0, 0};
	static const unsigned char go[32] = {1, 6, 0, 1, 0, 0, 0, 0, 1, 3, 0, 1, 0, 8, 0, 0,
					     0, 0, 0, 0, 0, 0, 0, 0, 1, 7, 0, 1, 0, 0, 0, 0};
	static const unsigned char id258[24] = {1, 6, 1, 2, 0, 0, 0, 0, 1, 3, 1, 2, 0, 8, 0, 0,
						0, 0, 0, 0, 0, 0, 0, 0};
	struct jw out;

	jw_init(&out, 8);
	ck_assert_uint_eq(fcgirec_end(&out, 1, false), sizeof(keep));
	ck_assert(out.len == sizeof(keep) && memcmp(out.buf, keep, sizeof(keep)) == 0);
	out.len = 0;
	ck_assert_uint_eq(fcgirec_end(&out, 1, true), sizeof(go));
	ck_assert_uint_eq(sizeof(go), FCGIREC_TAIL_MAX);
	ck_assert(out.len == sizeof(go) && memcmp(out.buf, go, sizeof(go)) == 0);
	out.len = 0;
	ck_assert_uint_eq(fcgirec_end(&out, 258, false), sizeof(id258));
	ck_assert(memcmp(out.buf, id258, sizeof(id258)) == 0);
	/* after an answer: appended, the answer untouched */
	out.len = 0;
	fcgirec_stdout(&out, 1, "Status: 200 OK\r\n\r\n", 18, "{}", 2);
	ck_assert_uint_eq(out.len, 8 + 24);
	ck_assert_uint_eq(fcgirec_end(&out, 1, true), 32);
	ck_assert(memcmp(out.buf + 8, "Status: 200 OK\r\n\r\n{}", 20) == 0);
	ck_assert(memcmp(out.buf + 32, go, sizeof(go)) == 0);
	jw_free(&out);
}
END_TEST

static Suite *fcgirec_suite(void)
{
	Suite *s = suite_create("fcgirec");
	TCase *tc = tcase_create("records");

	tcase_add_loop_test(tc, test_stdout_framing, 0, (int)(sizeof(sizes) / sizeof(sizes[0])));
	tcase_add_test(tc, test_end_of_request);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(fcgirec_suite)
