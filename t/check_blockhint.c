/* check_blockhint.c -- unit tests of the deep-page hints: locating an
 * offset in a hinted index, what is not hinted, replacing and dropping a
 * hint, and the least recently used collection going first. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "blockhint.h"
#include "check_main.h"

/* Keys [-50, 0) hold 3, [0, 10) hold 128, [10, 500) hold 0, [500, ...)
 * hold 70: 201 entries. */
static const struct oblock blocks[] = {{-50, 3}, {0, 128}, {10, 0}, {500, 70}};
#define NB (sizeof(blocks) / sizeof(blocks[0]))

static const struct {
	long offset;
	bool ok;
	long long start;
	long skip, before;
} locate_table[] = {
	{0, true, -50, 0, 0},    {2, true, -50, 2, 0},     {3, true, 0, 0, 3},
	{130, true, 0, 127, 3},  {131, true, 500, 0, 131}, {200, true, 500, 69, 131},
	{201, false, 0, 0, 0},   {5000, false, 0, 0, 0},   {-1, false, 0, 0, 0},
};

static struct blockhints h;

START_TEST(test_locate)
{
	long long start = 12345;
	long skip = -7, before = -7;
	bool ok;

	memset(&h, 0, sizeof(h));
	blockhint_put(&h, "mcoll_0123456789ab", blocks, NB);
	ok = blockhint_locate(&h, "mcoll_0123456789ab", locate_table[_i].offset, &start, &skip, &before);
	ck_assert_int_eq(ok, locate_table[_i].ok);
	if (ok) {
		ck_assert_int_eq(start, locate_table[_i].start);
		ck_assert_int_eq(skip, locate_table[_i].skip);
		ck_assert_int_eq(before, locate_table[_i].before);
	} else {
		ck_assert_int_eq(start, 12345);
	}
	/* another collection has no hint */
	ck_assert(!blockhint_locate(&h, "mcoll_0123456789ac", 0, &start, &skip, &before));
}
END_TEST

/* What is never hinted, and replaces any earlier hint of the id. */
static const struct {
	const char *coll;
	size_t n;
	bool negative;
} not_hinted_table[] = {
	{"mcoll_0123456789ab", BLOCKHINT_MAX_BLOCKS + 1, false},
	{"mcoll_0123456789ab", 2, true},
	{"mcoll_0123456789ab_far_too_long_for_an_id", 2, false},
};

START_TEST(test_not_hinted)
{
	static struct oblock many[BLOCKHINT_MAX_BLOCKS + 1];
	long long start;
	long skip, before;

	memset(&h, 0, sizeof(h));
	for (size_t i = 0; i < BLOCKHINT_MAX_BLOCKS + 1; i++)
		many[i] = (struct oblock){(long long)i * 10, 1};
	if (not_hinted_table[_i].negative)
		many[1].entries = -1;
	blockhint_put(&h, not_hinted_table[_i].coll, blocks, NB);
	blockhint_put(&h, not_hinted_table[_i].coll, many, not_hinted_table[_i].n);
	ck_assert(!blockhint_locate(&h, not_hinted_table[_i].coll, 0, &start, &skip, &before));
}
END_TEST

START_TEST(test_replace_and_drop)
{
	const struct oblock later[] = {{100, 5}};
	long long start;
	long skip, before;

	memset(&h, 0, sizeof(h));
	blockhint_put(&h, "mcoll_a", blocks, NB);
	blockhint_put(&h, "mcoll_a", later, 1);
	ck_assert(blockhint_locate(&h, "mcoll_a", 4, &start, &skip, &before));
	ck_assert_int_eq(start, 100);
	ck_assert_int_eq(skip, 4);
	ck_assert_int_eq(before, 0);
	ck_assert(!blockhint_locate(&h, "mcoll_a", 5, &start, &skip, &before));
	blockhint_drop(&h, "mcoll_a");
	ck_assert(!blockhint_locate(&h, "mcoll_a", 0, &start, &skip, &before));
	blockhint_drop(&h, "mcoll_never"); /* no hint: nothing happens */
	blockhint_put(&h, "mcoll_a", blocks, NB);
	ck_assert(blockhint_locate(&h, "mcoll_a", 0, &start, &skip, &before));
}
END_TEST

START_TEST(test_least_recently_used_goes)
{
	char id[24];
	long long start;
	long skip, before;

	memset(&h, 0, sizeof(h));
	for (int i = 0; i < BLOCKHINT_SLOTS; i++) {
		snprintf(id, sizeof(id), "mcoll_%d", i);
		blockhint_put(&h, id, blocks, NB);
	}
	/* mcoll_0 used last: mcoll_1 is the one to go */
	ck_assert(blockhint_locate(&h, "mcoll_0", 0, &start, &skip, &before));
	blockhint_put(&h, "mcoll_new", blocks, NB);
	ck_assert(blockhint_locate(&h, "mcoll_new", 0, &start, &skip, &before));
	ck_assert(blockhint_locate(&h, "mcoll_0", 0, &start, &skip, &before));
	ck_assert(!blockhint_locate(&h, "mcoll_1", 0, &start, &skip, &before));
	for (int i = 2; i < BLOCKHINT_SLOTS; i++) {
		snprintf(id, sizeof(id), "mcoll_%d", i);
		ck_assert_msg(blockhint_locate(&h, id, 0, &start, &skip, &before), "%s", id);
	}
	/* a dropped slot is taken before any used one */
	blockhint_drop(&h, "mcoll_5");
	blockhint_put(&h, "mcoll_other", blocks, NB);
	ck_assert(blockhint_locate(&h, "mcoll_other", 0, &start, &skip, &before));
	ck_assert(blockhint_locate(&h, "mcoll_0", 0, &start, &skip, &before));
	ck_assert(blockhint_locate(&h, "mcoll_new", 0, &start, &skip, &before));
}
END_TEST

static Suite *blockhint_suite(void)
{
	Suite *s = suite_create("blockhint");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_locate, 0, sizeof(locate_table) / sizeof(locate_table[0]));
	tcase_add_loop_test(tc, test_not_hinted, 0, sizeof(not_hinted_table) / sizeof(not_hinted_table[0]));
	tcase_add_test(tc, test_replace_and_drop);
	tcase_add_test(tc, test_least_recently_used_goes);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(blockhint_suite)
