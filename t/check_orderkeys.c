/* check_orderkeys.c -- unit tests of the order arithmetic: locating an
 * offset through the block index, the block of a key, counting moved keys
 * per block, when to rebuild, keys below the front. */
#include <check.h>
#include <stdlib.h>

#include "check_main.h"
#include "orderkeys.h"

/* Blocks: keys [-50, 0) hold 3, [0, 10) hold 128, [10, 500) hold 2,
 * [500, ...) hold 70: 203 entries. */
static const struct oblock blocks[] = {{-50, 3}, {0, 128}, {10, 2}, {500, 70}};
#define NB (sizeof(blocks) / sizeof(blocks[0]))

static const struct {
	long offset;
	bool ok;
	long long start;
	long skip;
} locate_table[] = {
	{0, true, -50, 0},   {2, true, -50, 2},    {3, true, 0, 0},      {130, true, 0, 127},
	{131, true, 10, 0},  {132, true, 10, 1},   {133, true, 500, 0},  {202, true, 500, 69},
	{203, false, 0, 0},  {10000, false, 0, 0},
};

START_TEST(test_locate)
{
	long long start = 12345;
	long skip = -1;
	bool ok = order_locate(blocks, NB, 203, locate_table[_i].offset, &start, &skip);

	ck_assert_int_eq(ok, locate_table[_i].ok);
	if (ok) {
		ck_assert_int_eq(start, locate_table[_i].start);
		ck_assert_int_eq(skip, locate_table[_i].skip);
	}
}
END_TEST

START_TEST(test_locate_inconsistent)
{
	const struct oblock neg[] = {{0, 5}, {9, -1}};
	long long start;
	long skip;

	/* blocks that do not add up to the collection's count are not used */
	ck_assert(!order_locate(blocks, NB, 204, 10, &start, &skip));
	ck_assert(!order_locate(blocks, NB, 202, 10, &start, &skip));
	ck_assert(!order_locate(NULL, 0, 1, 0, &start, &skip));
	ck_assert(!order_locate(neg, 2, 4, 1, &start, &skip));
	ck_assert(order_locate(NULL, 0, 0, 0, &start, &skip) == false);
}
END_TEST

static const struct {
	long long key;
	long block;
} block_of_table[] = {
	{-51, -1}, {-50, 0}, {-1, 0}, {0, 1}, {9, 1}, {10, 2}, {499, 2}, {500, 3},
	{ORDER_KEY_MAX, 3}, {ORDER_KEY_MIN, -1},
};

START_TEST(test_block_of)
{
	ck_assert_int_eq(order_block_of(blocks, NB, block_of_table[_i].key), block_of_table[_i].block);
}
END_TEST

START_TEST(test_count_by_block)
{
	const long long keys[] = {-50, -49, 3, 9, 0, 10, 600, -100, 499};
	long dec[NB] = {0}, stray = 9;

	order_count_by_block(blocks, NB, keys, sizeof(keys) / sizeof(keys[0]), dec, &stray);
	ck_assert_int_eq(dec[0], 2);
	ck_assert_int_eq(dec[1], 3);
	ck_assert_int_eq(dec[2], 2);
	ck_assert_int_eq(dec[3], 1);
	ck_assert_int_eq(stray, 1);
	order_count_by_block(blocks, NB, NULL, 0, dec, &stray);
	ck_assert_int_eq(stray, 0);
}
END_TEST

static const struct {
	size_t nblocks;
	long sum, total;
	bool rebuild;
} rebuild_table[] = {
	{0, 0, 0, false},      {0, 0, 5, true},       {1, 5, 5, false},    {1, 4, 5, true},
	{7, 5, 5, true},       {6, 5, 5, false},      {79, 10000, 10000, false},
	{162, 10000, 10000, false}, {163, 10000, 10000, true}, {2, 10001, 10000, true},
};

START_TEST(test_needs_rebuild)
{
	ck_assert_int_eq(order_needs_rebuild(rebuild_table[_i].nblocks, rebuild_table[_i].sum,
					     rebuild_table[_i].total),
			 rebuild_table[_i].rebuild);
}
END_TEST

START_TEST(test_key_below)
{
	long long out = 7;

	ck_assert(order_key_below(0, 10, &out));
	ck_assert_int_eq(out, -10);
	ck_assert(order_key_below(-5, 0, &out));
	ck_assert_int_eq(out, -5);
	ck_assert(order_key_below(ORDER_KEY_MIN + 10, 10, &out));
	ck_assert_int_eq(out, ORDER_KEY_MIN);
	ck_assert(!order_key_below(ORDER_KEY_MIN + 10, 11, &out));
	ck_assert(!order_key_below(ORDER_KEY_MIN, 1, &out));
	ck_assert(!order_key_below(0, -1, &out));
}
END_TEST

START_TEST(test_first_occurrences)
{
	const long long keys[] = {5, -3, 5, 7, -3, 5, 9};
	const bool want[] = {true, true, false, true, false, false, true};
	bool got[7];

	ck_assert_uint_eq(order_first_occurrences(keys, 7, got), 4);
	for (size_t i = 0; i < 7; i++)
		ck_assert_int_eq(got[i], want[i]);
	ck_assert_uint_eq(order_first_occurrences(NULL, 0, got), 0);
}
END_TEST

static Suite *orderkeys_suite(void)
{
	Suite *s = suite_create("orderkeys");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_locate, 0, sizeof(locate_table) / sizeof(locate_table[0]));
	tcase_add_test(tc, test_locate_inconsistent);
	tcase_add_loop_test(tc, test_block_of, 0, sizeof(block_of_table) / sizeof(block_of_table[0]));
	tcase_add_test(tc, test_count_by_block);
	tcase_add_loop_test(tc, test_needs_rebuild, 0, sizeof(rebuild_table) / sizeof(rebuild_table[0]));
	tcase_add_test(tc, test_key_below);
	tcase_add_test(tc, test_first_occurrences);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(orderkeys_suite)
