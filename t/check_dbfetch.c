/* check_dbfetch.c -- db_exec's row fetching when a long cell cannot be
 * fetched.  A failing mysql_stmt_fetch_column cannot be provoked through a
 * real server (the result is buffered client side), so this one program
 * links db.c with the client calls it makes replaced (ld --wrap) by a
 * scripted result: a table of rows, and the column whose fetch fails. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>

#include "check_main.h"
#include "db.h"

#define NCOLS 3
#define CELL_MAX 600

struct script {
	size_t nrows;
	const char *cells[4][NCOLS]; /* NULL: SQL NULL */
	long fail_row, fail_col;     /* the fetch_column that fails, or -1 */
};

static const struct script *sc;
static size_t row_at;
static MYSQL_BIND *bound;
static char long_text[CELL_MAX + 1];

/* Every client call db_exec makes, scripted; the signatures are libmariadb's. */
my_bool __wrap_mysql_stmt_bind_param(MYSQL_STMT *st, MYSQL_BIND *b);
int __wrap_mysql_stmt_execute(MYSQL_STMT *st);
unsigned int __wrap_mysql_stmt_field_count(MYSQL_STMT *st);
int __wrap_mysql_stmt_store_result(MYSQL_STMT *st);
my_bool __wrap_mysql_stmt_bind_result(MYSQL_STMT *st, MYSQL_BIND *b);
int __wrap_mysql_stmt_fetch(MYSQL_STMT *st);
int __wrap_mysql_stmt_fetch_column(MYSQL_STMT *st, MYSQL_BIND *b, unsigned int col, unsigned long off);
my_bool __wrap_mysql_stmt_free_result(MYSQL_STMT *st);
my_ulonglong __wrap_mysql_stmt_affected_rows(MYSQL_STMT *st);
unsigned int __wrap_mysql_stmt_errno(MYSQL_STMT *st);
const char *__wrap_mysql_stmt_error(MYSQL_STMT *st);

my_bool __wrap_mysql_stmt_bind_param(MYSQL_STMT *st, MYSQL_BIND *b)
{
	(void)st;
	(void)b;
	return 0;
}
int __wrap_mysql_stmt_execute(MYSQL_STMT *st)
{
	(void)st;
	row_at = 0;
	return 0;
}
unsigned int __wrap_mysql_stmt_field_count(MYSQL_STMT *st)
{
	(void)st;
	return NCOLS;
}
int __wrap_mysql_stmt_store_result(MYSQL_STMT *st)
{
	(void)st;
	return 0;
}
my_bool __wrap_mysql_stmt_bind_result(MYSQL_STMT *st, MYSQL_BIND *b)
{
	(void)st;
	bound = b;
	return 0;
}
int __wrap_mysql_stmt_fetch(MYSQL_STMT *st)
{
	int truncated = 0;

	(void)st;
	if (row_at >= sc->nrows)
		return MYSQL_NO_DATA;
	for (unsigned i = 0; i < NCOLS; i++) {
		const char *v = sc->cells[row_at][i];
		size_t n = v ? strlen(v) : 0;
		*bound[i].is_null = v == NULL;
		*bound[i].length = n;
		if (v && bound[i].buffer_type == MYSQL_TYPE_LONGLONG) {
			/* binary, as the server sends it */
			if (bound[i].is_unsigned)
				*(unsigned long long *)bound[i].buffer = strtoull(v, NULL, 10);
			else
				*(long long *)bound[i].buffer = strtoll(v, NULL, 10);
			continue;
		}
		if (v && bound[i].buffer_type == MYSQL_TYPE_DATETIME) {
			MYSQL_TIME *t = bound[i].buffer;
			memset(t, 0, sizeof(*t));
			sscanf(v, "%u-%u-%u %u:%u:%u.%lu", &t->year, &t->month, &t->day, &t->hour, &t->minute,
			       &t->second, &t->second_part);
			t->time_type = MYSQL_TIMESTAMP_DATETIME;
			continue;
		}
		memcpy(bound[i].buffer, v ? v : "", n < bound[i].buffer_length ? n : bound[i].buffer_length);
		truncated |= n > bound[i].buffer_length;
	}
	row_at++;
	return truncated ? MYSQL_DATA_TRUNCATED : 0;
}
int __wrap_mysql_stmt_fetch_column(MYSQL_STMT *st, MYSQL_BIND *b, unsigned int col, unsigned long off)
{
	const char *v = sc->cells[row_at - 1][col];

	(void)st;
	if ((long)(row_at - 1) == sc->fail_row && (long)col == sc->fail_col)
		return 1;
	memcpy(b->buffer, v + off, strlen(v + off));
	*b->length = strlen(v + off);
	return 0;
}
my_bool __wrap_mysql_stmt_free_result(MYSQL_STMT *st)
{
	(void)st;
	return 0;
}
my_ulonglong __wrap_mysql_stmt_affected_rows(MYSQL_STMT *st)
{
	(void)st;
	return (my_ulonglong)row_at;
}
unsigned int __wrap_mysql_stmt_errno(MYSQL_STMT *st)
{
	(void)st;
	return CR_OUT_OF_MEMORY;
}
const char *__wrap_mysql_stmt_error(MYSQL_STMT *st)
{
	(void)st;
	return "scripted failure";
}

static enum dbrc run_kinds(const struct script *s, struct dbres *res, unsigned char *kinds)
{
	static struct db db;
	static struct conf conf;
	static int fake;
	enum dbrc rc;

	conf_defaults(&conf);
	db_init(&db, &conf);
	db.conn = (MYSQL *)(void *)&fake;         /* never dereferenced: every call is scripted */
	db.stmt[STMT_BLOCK_ALL] = (MYSQL_STMT *)(void *)&fake;
	db.colkind[STMT_BLOCK_ALL] = kinds;
	db.ncolkind[STMT_BLOCK_ALL] = kinds ? NCOLS : 0;
	sc = s;
	rc = db_exec(&db, STMT_BLOCK_ALL, ARGS(DV_CSTR("mcoll_0123456789ab")), res);
	conf_free(&conf);
	return rc;
}

static enum dbrc run(const struct script *s, struct dbres *res)
{
	return run_kinds(s, res, NULL);
}

static const char *L(void)
{
	memset(long_text, 'x', CELL_MAX);
	long_text[CELL_MAX] = '\0';
	return long_text;
}

START_TEST(test_long_cells_fetched)
{
	struct script s = {2, {{"a", NULL, "c"}, {"d", NULL, "f"}}, -1, -1};
	struct dbres res;

	s.cells[1][1] = L();
	ck_assert_int_eq(run(&s, &res), DB_OK);
	ck_assert_uint_eq(res.nrows, 2);
	ck_assert_uint_eq(res.ncols, NCOLS);
	ck_assert_ptr_null(dbres_cell(&res, 0, 1)->s);
	ck_assert_str_eq(dbres_cell(&res, 0, 2)->s, "c");
	ck_assert_uint_eq(dbres_cell(&res, 1, 1)->len, CELL_MAX);
	ck_assert_mem_eq(dbres_cell(&res, 1, 1)->s, long_text, CELL_MAX);
	ck_assert_str_eq(dbres_cell(&res, 1, 2)->s, "f");
	dbres_free(&res);
}
END_TEST

/* The row whose long cell fails is not counted, and nothing of it is left
 * for dbres_free: the cells before it were freed, the ones after it never
 * filled. */
static const struct {
	long fail_row, fail_col;
	size_t nrows_kept;
} failures[] = {
	{1, 1, 1}, /* second row, middle column: the third never filled */
	{0, 0, 0}, /* first row, first column */
	{1, 2, 1}, /* second row, last column: the first two filled */
	{3, 1, 3},
};

START_TEST(test_failed_long_cell)
{
	struct script s = {4, {{"a", "b", "c"}, {"d", "e", "f"}, {"g", "h", "i"}, {"j", "k", "l"}}, -1, -1};
	struct dbres res;

	s.fail_row = failures[_i].fail_row;
	s.fail_col = failures[_i].fail_col;
	for (size_t r = 0; r < 4; r++)
		s.cells[r][s.fail_col] = L();
	s.cells[s.fail_row][(s.fail_col + 1) % NCOLS] = L();
	ck_assert_int_eq(run(&s, &res), DB_GONE);
	ck_assert_uint_eq(res.nrows, failures[_i].nrows_kept);
	for (size_t r = 0; r < res.nrows; r++) {
		ck_assert_uint_eq(dbres_cell(&res, r, (size_t)s.fail_col)->len, CELL_MAX);
		ck_assert_mem_eq(dbres_cell(&res, r, (size_t)s.fail_col)->s, long_text, CELL_MAX);
	}
	dbres_free(&res);
	ck_assert_ptr_null(res.cells);
}
END_TEST

/* Binary columns: the value the server sends, the text the cell holds
 * (the client library's own text for that type). */
static const struct {
	unsigned char kind;
	const char *sent, *text;
} binary_cells[] = {
	{COL_INT, "0", "0"},
	{COL_INT, "7", "7"},
	{COL_INT, "-1", "-1"},
	{COL_INT, "10000", "10000"},
	{COL_INT, "9223372036854775807", "9223372036854775807"},
	{COL_INT, "-9223372036854775808", "-9223372036854775808"},
	{COL_UINT, "18446744073709551615", "18446744073709551615"},
	{COL_TIME | 0, "2026-12-01 14:25:54.123456", "2026-12-01 14:25:54"},
	{COL_TIME | 0, "0001-01-02 03:04:05", "0001-01-02 03:04:05"},
	{COL_TIME | 6, "2026-12-01 14:25:54.123456", "2026-12-01 14:25:54.123456"},
	{COL_TIME | 6, "2026-12-01 14:25:54.000001", "2026-12-01 14:25:54.000001"},
	{COL_TIME | 6, "9999-12-31 23:59:59", "9999-12-31 23:59:59.000000"},
	{COL_TIME | 3, "2026-12-01 14:25:54.123456", "2026-12-01 14:25:54.123"},
	{COL_TIME | 1, "2026-01-09 00:00:00.900000", "2026-01-09 00:00:00.9"},
};

START_TEST(test_binary_cells)
{
	unsigned char kinds[NCOLS] = {COL_TEXT, binary_cells[_i].kind, COL_INT};
	struct script s = {2, {{"a", binary_cells[_i].sent, "5"}, {"b", NULL, "-5"}}, -1, -1};
	struct dbres res;

	ck_assert_int_eq(run_kinds(&s, &res, kinds), DB_OK);
	ck_assert_uint_eq(res.nrows, 2);
	ck_assert_str_eq(dbres_cell(&res, 0, 0)->s, "a");
	ck_assert_str_eq(dbres_cell(&res, 0, 1)->s, binary_cells[_i].text);
	ck_assert_uint_eq(dbres_cell(&res, 0, 1)->len, strlen(binary_cells[_i].text));
	ck_assert_int_eq(dbres_int(&res, 0, 2), 5);
	ck_assert_ptr_null(dbres_cell(&res, 1, 1)->s);
	ck_assert_str_eq(dbres_cell(&res, 1, 2)->s, "-5");
	dbres_free(&res);
}
END_TEST

static Suite *dbfetch_suite(void)
{
	Suite *s = suite_create("dbfetch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_long_cells_fetched);
	tcase_add_loop_test(tc, test_binary_cells, 0, (int)(sizeof(binary_cells) / sizeof(binary_cells[0])));
	tcase_add_loop_test(tc, test_failed_long_cell, 0, sizeof(failures) / sizeof(failures[0]));
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(dbfetch_suite)
