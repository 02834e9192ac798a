/* check_digits.c -- unit tests of the digit writer: values at the edges
 * of each two-digit step and of the integer range, padding, signs; every
 * one against printf's text. */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "digits.h"

static const struct {
	unsigned long long v;
	unsigned width;
	const char *want;
} pad_table[] = {
	{0, 1, "0"},
	{0, 0, "0"},
	{7, 1, "7"},
	{9, 2, "09"},
	{10, 1, "10"},
	{99, 1, "99"},
	{100, 1, "100"},
	{101, 4, "0101"},
	{999, 2, "999"},
	{1000, 4, "1000"},
	{2026, 4, "2026"},
	{12345, 6, "012345"},
	{1, 6, "000001"},
	{999999, 6, "999999"},
	{4294967296ULL, 1, "4294967296"},
	{9223372036854775808ULL, 1, "9223372036854775808"},
	{ULLONG_MAX, 1, "18446744073709551615"},
	{5, 25, "00000000000000000005"}, /* width is capped at DIGITS_MAX */
};

START_TEST(test_pad)
{
	char buf[DIGITS_MAX + 8];
	size_t n;

	memset(buf, 'x', sizeof(buf));
	n = digits_pad(buf, pad_table[_i].v, pad_table[_i].width);
	ck_assert_uint_eq(n, strlen(pad_table[_i].want));
	ck_assert_int_eq(memcmp(buf, pad_table[_i].want, n), 0);
	ck_assert_int_eq(buf[n], 'x'); /* nothing written past the digits */
}
END_TEST

static const long long ll_table[] = {
	0, 1, -1, 9, -9, 10, -10, 99, 100, -100, 12345678, -87654321, 1000000000000LL,
	LLONG_MAX, LLONG_MIN, LLONG_MIN + 1,
};

START_TEST(test_ll)
{
	char want[32], buf[DIGITS_MAX + 8];
	size_t n;

	snprintf(want, sizeof(want), "%lld", ll_table[_i]);
	memset(buf, 'x', sizeof(buf));
	n = digits_ll(buf, ll_table[_i]);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_int_eq(memcmp(buf, want, n), 0);
	ck_assert_int_eq(buf[n], 'x');
}
END_TEST

START_TEST(test_every_small_value)
{
	char want[32], buf[DIGITS_MAX + 8];

	for (long long v = -20000; v <= 20000; v++) {
		size_t n = digits_ll(buf, v);
		snprintf(want, sizeof(want), "%lld", v);
		ck_assert_uint_eq(n, strlen(want));
		ck_assert_int_eq(memcmp(buf, want, n), 0);
	}
}
END_TEST

static Suite *digits_suite(void)
{
	Suite *s = suite_create("digits");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_pad, 0, sizeof(pad_table) / sizeof(pad_table[0]));
	tcase_add_loop_test(tc, test_ll, 0, sizeof(ll_table) / sizeof(ll_table[0]));
	tcase_add_test(tc, test_every_small_value);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(digits_suite)
