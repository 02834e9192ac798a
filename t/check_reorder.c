/* check_reorder.c -- unit tests of a reorder's plan: which listed ids are
 * entries, in list order, whether the order stays, and when every entry is
 * read. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "reorder.h"

#define T(s) {(char *)(s), sizeof(s) - 1}
/* The entries in key order. */
static const struct text entries[] = {
	T("mtrack_000000000000"), T("mtrack_00000000000a"), T("mtrack_0000000000b0"),
	T("mtrack_000000000c00"), T("mtrack_00000000d000"),
};
#define NE (sizeof(entries) / sizeof(entries[0]))
#define A "mtrack_000000000000"
#define B "mtrack_00000000000a"
#define C "mtrack_0000000000b0"
#define D "mtrack_000000000c00"
#define E "mtrack_00000000d000"
#define X "mtrack_ffffffffffff" /* no entry */

static const struct {
	const char *ids[8]; /* NULL-terminated */
	size_t moved[8];    /* want: entry indexes, k of them */
	size_t k;
	bool same;
} match_table[] = {
	{{NULL}, {0}, 0, true},
	{{X, NULL}, {0}, 0, true},
	{{A, NULL}, {0}, 1, true},
	{{A, B, C, NULL}, {0, 1, 2}, 3, true},
	{{A, B, C, D, E, NULL}, {0, 1, 2, 3, 4}, 5, true},
	{{X, A, X, B, NULL}, {0, 1}, 2, true},
	{{B, NULL}, {1}, 1, false},
	{{B, A, NULL}, {1, 0}, 2, false},
	{{E, D, C, B, A, NULL}, {4, 3, 2, 1, 0}, 5, false},
	{{A, C, NULL}, {0, 2}, 2, false},
	{{C, X, "mtrack_0000000000b", "mtrack_0000000000b00", "", NULL}, {2}, 1, false},
	{{D, D, A, D, NULL}, {3, 0}, 2, false}, /* listed twice: its first place */
	{{A, A, B, NULL}, {0, 1}, 2, true},
};

START_TEST(test_match)
{
	const char *const *ids = match_table[_i].ids;
	size_t n = 0, moved[8], k;
	bool same = !match_table[_i].same;

	while (ids[n])
		n++;
	k = reorder_match(entries, NE, ids, n, moved, &same);
	ck_assert_uint_eq(k, match_table[_i].k);
	for (size_t i = 0; i < k; i++)
		ck_assert_uint_eq(moved[i], match_table[_i].moved[i]);
	ck_assert_int_eq(same, match_table[_i].same);
}
END_TEST

START_TEST(test_match_no_entries)
{
	const char *ids[] = {A};
	size_t moved[1];
	bool same = false;

	ck_assert_uint_eq(reorder_match(NULL, 0, ids, 1, moved, &same), 0);
	ck_assert(same);
}
END_TEST

/* Entries are byte strings with a length: one that holds a NUL is not
 * the listed id it starts with. */
START_TEST(test_match_bytes)
{
	const struct text ents[] = {{(char *)"ab\0c", 4}, {(char *)"ab", 2}, {(char *)"ab\0d", 4}};
	const char *ids[] = {"ab", "ab\0c"};
	size_t moved[2];
	bool same;

	ck_assert_uint_eq(reorder_match(ents, 3, ids, 2, moved, &same), 1);
	ck_assert_uint_eq(moved[0], 1);
	ck_assert(!same);
}
END_TEST

/* A full collection in reverse: every entry found, in O(n + m). */
START_TEST(test_match_reverse_10000)
{
	enum { N = 10000 };
	static char buf[N][20];
	static struct text ents[N];
	static const char *ids[N];
	static size_t moved[N];
	bool same;

	for (size_t i = 0; i < N; i++) {
		snprintf(buf[i], sizeof(buf[i]), "mtrack_%012zx", i * 7919);
		ents[i].s = buf[i];
		ents[i].len = 19;
		ids[N - 1 - i] = buf[i];
	}
	ck_assert_uint_eq(reorder_match(ents, N, ids, N, moved, &same), N);
	ck_assert(!same);
	for (size_t i = 0; i < N; i++)
		ck_assert_uint_eq(moved[i], N - 1 - i);
	ck_assert_uint_eq(reorder_match(ents, N, ids + N - 1, 1, moved, &same), 1);
	ck_assert_uint_eq(moved[0], 0);
	ck_assert(same);
}
END_TEST

static const struct {
	size_t n;
	long count;
	bool all;
} reads_all_table[] = {
	{0, 0, true},        {0, 1, false},       {1, 1, true},        {1, 8, true},
	{1, 9, false},       {2, 10, true},       {1, 10, false},      {1250, 10000, true},
	{1249, 10000, false}, {10000, 10000, true}, {5, -1, false},
};

START_TEST(test_reads_all)
{
	ck_assert_int_eq(reorder_reads_all(reads_all_table[_i].n, reads_all_table[_i].count),
			 reads_all_table[_i].all);
}
END_TEST

static Suite *reorder_suite(void)
{
	Suite *s = suite_create("reorder");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_match, 0, sizeof(match_table) / sizeof(match_table[0]));
	tcase_add_test(tc, test_match_no_entries);
	tcase_add_test(tc, test_match_bytes);
	tcase_add_test(tc, test_match_reverse_10000);
	tcase_add_loop_test(tc, test_reads_all, 0, sizeof(reads_all_table) / sizeof(reads_all_table[0]));
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(reorder_suite)
