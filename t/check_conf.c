/* check_conf.c -- the configuration file: defaults, parsing, errors, and
 * where the database password comes from. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "conf.h"
#include "dbhosts.h"

START_TEST(test_defaults)
{
	struct conf c;

	conf_defaults(&c);
	ck_assert_str_eq(c.listen, RUNSTATEDIR "/mcoll/mcolld.sock" /* from configure */);
	ck_assert_int_eq(c.listen_mode, 0660);
	ck_assert_int_eq(c.workers, 4);
	ck_assert_int_eq(c.db_port, 3306);
	ck_assert_str_eq(c.db_user, "mcoll");
	ck_assert_str_eq(c.db_name, "mcoll");
	ck_assert_str_eq(c.log_level, "info");
	ck_assert_int_eq(c.body_limit, 1048576);
	ck_assert_int_eq(c.shutdown_timeout, 10);
	ck_assert_int_eq(c.request_timeout, 10);
	ck_assert_int_eq(c.lock_wait_timeout, 3);
	ck_assert_int_eq(c.max_requests, 0);
	conf_free(&c);
}
END_TEST

START_TEST(test_parse)
{
	struct conf c;
	char err[128] = "";

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c,
				    "# comment\n\n  listen = 127.0.0.1:9000  \nworkers=8\n"
				    "listen_mode = 0600\ndb_socket = /run/mysqld/mysqld.sock\n"
				    "log_level = debug\nbody_limit = 2048\n"
				    "request_timeout = 30\nlock_wait_timeout = 5\n"
				    "max_requests = 500\n",
				    err, sizeof(err)),
			 0);
	ck_assert_str_eq(c.listen, "127.0.0.1:9000");
	ck_assert_int_eq(c.workers, 8);
	ck_assert_int_eq(c.listen_mode, 0600);
	ck_assert_str_eq(c.db_socket, "/run/mysqld/mysqld.sock");
	ck_assert_str_eq(c.log_level, "debug");
	ck_assert_int_eq(c.body_limit, 2048);
	ck_assert_int_eq(c.request_timeout, 30);
	ck_assert_int_eq(c.lock_wait_timeout, 5);
	ck_assert_int_eq(c.max_requests, 500);
	conf_free(&c);
}
END_TEST

static const struct {
	const char *text, *err;
} bad[] = {
	{"nonsense\n", "line 1: expected 'key = value'"},
	{"\nfoo = 1\n", "line 2: unknown key 'foo'"},
	{"workers = 0\n", "line 1: invalid value for 'workers'"},
	{"workers = many\n", "line 1: invalid value for 'workers'"},
	{"workers = 4x\n", "line 1: invalid value for 'workers'"},
	{"db_port = 70000\n", "line 1: invalid value for 'db_port'"},
	{"log_level = loud\n", "line 1: invalid value for 'log_level'"},
	{"listen =\n", "line 1: invalid value for 'listen'"},
	{"listen_mode = 0999\n", "line 1: invalid value for 'listen_mode'"},
	{"request_timeout = 0\n", "line 1: invalid value for 'request_timeout'"},
	{"request_timeout = 1.5\n", "line 1: invalid value for 'request_timeout'"},
	{"lock_wait_timeout = 0\n", "line 1: invalid value for 'lock_wait_timeout'"},
	{"lock_wait_timeout = 3601\n", "line 1: invalid value for 'lock_wait_timeout'"},
	{"max_requests = -1\n", "line 1: invalid value for 'max_requests'"},
	{"max_requests = 10k\n", "line 1: invalid value for 'max_requests'"},
};

START_TEST(test_bad)
{
	struct conf c;
	char err[128] = "";

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, bad[_i].text, err, sizeof(err)), -1);
	ck_assert_str_eq(err, bad[_i].err);
	conf_free(&c);
}
END_TEST

START_TEST(test_password_sources)
{
	char dir[] = "/tmp/check_conf.XXXXXX", path[64], pwpath[64], err[256];
	struct conf c;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mcoll.conf", dir);
	snprintf(pwpath, sizeof(pwpath), "%s/pw", dir);
	f = fopen(pwpath, "w");
	fputs("from-file\n", f);
	fclose(f);
	f = fopen(path, "w");
	fprintf(f, "db_password = inline\ndb_password_file = %s\n", pwpath);
	fclose(f);

	unsetenv("MCOLL_DB_PASSWORD");
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), 0);
	ck_assert_str_eq(c.db_password, "from-file");
	conf_free(&c);

	setenv("MCOLL_DB_PASSWORD", "from-env", 1);
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), 0);
	ck_assert_str_eq(c.db_password, "from-env");
	conf_free(&c);
	unsetenv("MCOLL_DB_PASSWORD");

	/* a NUL byte would hide the rest of a file: refused */
	f = fopen(pwpath, "w");
	fwrite("secret\0more\n", 1, 12, f);
	fclose(f);
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "contains a NUL byte"));
	conf_free(&c);
	f = fopen(path, "w");
	fwrite("workers = 4\n\0workers = 0\n", 1, 25, f);
	fclose(f);
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "contains a NUL byte"));
	conf_free(&c);
	f = fopen(path, "w");
	fprintf(f, "db_password = inline\ndb_password_file = %s\n", pwpath);
	fclose(f);

	unlink(pwpath);
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, pwpath));
	conf_free(&c);

	unlink(path);
	ck_assert_int_eq(conf_load(&c, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	conf_free(&c);
	rmdir(dir);
}
END_TEST

START_TEST(test_shipped_config)
{
	/* conf/mcoll.conf is made from conf/mcoll.conf.in in the build tree */
	const char *dir = getenv("MCOLL_BUILDDIR");
	char path[512], err[256];
	struct conf c;

	snprintf(path, sizeof(path), "%s/conf/mcoll.conf", dir ? dir : ".");
	unsetenv("MCOLL_DB_PASSWORD");
	/* the shipped file names a password file that need not exist here */
	setenv("MCOLL_DB_PASSWORD", "x", 1);
	ck_assert_msg(conf_load(&c, path, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c.db_name, "mcoll");
	conf_free(&c);
	unsetenv("MCOLL_DB_PASSWORD");
}
END_TEST

/* db_hosts: good lists and what they name. */
static const struct {
	const char *list;
	int n;
	const char *host0;
	int port0;
	const char *sock0;
	const char *host_last;
	int port_last;
} hosts_good[] = {
	{"", 0, "", 0, "", "", 0},
	{"   ", 0, "", 0, "", "", 0},
	{"127.0.0.1:3311", 1, "127.0.0.1", 3311, "", "127.0.0.1", 3311},
	{"127.0.0.1:3311, 127.0.0.1:3312, 127.0.0.1:3313", 3, "127.0.0.1", 3311, "", "127.0.0.1", 3313},
	{"db1,db2", 2, "db1", 3306, "", "db2", 3306},
	{" /run/mysqld/a.sock , db.example:65535 ", 2, "", 0, "/run/mysqld/a.sock", "db.example", 65535},
	{"[::1]:3307,[fe80::1]", 2, "::1", 3307, "", "fe80::1", 3306},
};

START_TEST(test_db_hosts_good)
{
	struct db_target t[DB_TARGETS_MAX];
	int n = db_targets_parse(hosts_good[_i].list, 3306, t, DB_TARGETS_MAX);

	ck_assert_int_eq(n, hosts_good[_i].n);
	if (n == 0)
		return;
	ck_assert_str_eq(t[0].host, hosts_good[_i].host0);
	ck_assert_int_eq(t[0].port, hosts_good[_i].port0);
	ck_assert_str_eq(t[0].socket, hosts_good[_i].sock0);
	ck_assert_str_eq(t[n - 1].host, hosts_good[_i].host_last);
	ck_assert_int_eq(t[n - 1].port, hosts_good[_i].port_last);
}
END_TEST

static const char *hosts_bad[] = {
	",", "a,", ",a", "a,,b", "a:", "a:0", "a:65536", "a:123456", "a:12x", "a b", "::1",
	"[::1", "[]:3306", "[::1]x", "a:3306:1", ":3306",
	"h1,h2,h3,h4,h5,h6,h7,h8,h9,h10,h11,h12,h13,h14,h15,h16,h17",
};

START_TEST(test_db_hosts_bad)
{
	struct db_target t[DB_TARGETS_MAX];
	struct conf c;
	char err[128] = "", text[256];

	ck_assert_int_eq(db_targets_parse(hosts_bad[_i], 3306, t, DB_TARGETS_MAX), -1);
	conf_defaults(&c);
	snprintf(text, sizeof(text), "db_hosts = %s\n", hosts_bad[_i]);
	ck_assert_int_eq(conf_parse(&c, text, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "line 1: invalid value for 'db_hosts'");
	conf_free(&c);
}
END_TEST

START_TEST(test_db_hosts_key)
{
	struct conf c;
	char err[128] = "";

	conf_defaults(&c);
	ck_assert_str_eq(c.db_hosts, "");
	ck_assert_int_eq(conf_parse(&c, "db_hosts = 127.0.0.1:3311, /run/b.sock\n", err, sizeof(err)), 0);
	ck_assert_str_eq(c.db_hosts, "127.0.0.1:3311, /run/b.sock");
	conf_free(&c);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_parse);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_password_sources);
	tcase_add_test(tc, test_shipped_config);
	tcase_add_loop_test(tc, test_db_hosts_good, 0, sizeof(hosts_good) / sizeof(hosts_good[0]));
	tcase_add_loop_test(tc, test_db_hosts_bad, 0, sizeof(hosts_bad) / sizeof(hosts_bad[0]));
	tcase_add_test(tc, test_db_hosts_key);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(conf_suite)
