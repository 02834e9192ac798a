/* check_cli.c -- mcollctl's command line: tables of good and bad command
 * lines (which command, which arguments and options, which message). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "cli.h"

#define MAXV 16

/* Splits a space-separated line (no quoting needed in these tables) and
 * parses it with "mcollctl" as argv[0]. */
static void parse_line(const char *line, struct cli *c, char *store, char **argv)
{
	int argc = 0;

	argv[argc++] = (char *)"mcollctl";
	strcpy(store, line);
	for (char *t = strtok(store, " "); t && argc < MAXV - 1; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	cli_parse(argc, argv, c);
}

/* Options anywhere also when POSIXLY_CORRECT asks getopt not to permute. */
START_TEST(test_posixly_correct)
{
	char store[512], *argv[MAXV];
	struct cli c;

	setenv("POSIXLY_CORRECT", "1", 1);
	parse_line("org add org_x --name X -c F", &c, store, argv);
	unsetenv("POSIXLY_CORRECT");
	ck_assert_int_eq(c.action, CLI_RUN);
	ck_assert_int_eq(c.id, CMD_ORG_ADD);
	ck_assert_str_eq(c.name, "X");
	ck_assert_str_eq(c.config, "F");
	ck_assert_str_eq(c.arg[0], "org_x");
}
END_TEST

static const char *opt(const char *s)
{
	return s ? s : "(null)";
}

static const struct {
	const char *line;
	enum cli_cmd_id id;
	const char *a0, *a1, *config, *name, *email, *user, *title, *before, *caps, *titles;
	long count;
} good[] = {
	{.line = "migrate", .id = CMD_MIGRATE},
	{.line = "check", .id = CMD_CHECK},
	{.line = "-c /etc/x.conf check", .id = CMD_CHECK, .config = "/etc/x.conf"},
	{.line = "org add org_x --name X", .id = CMD_ORG_ADD, .a0 = "org_x", .name = "X"},
	{.line = "--config F org add --name X org_x", .id = CMD_ORG_ADD, .a0 = "org_x", .config = "F", .name = "X"},
	{.line = "org add org_x --name=X -c F", .id = CMD_ORG_ADD, .a0 = "org_x", .config = "F", .name = "X"},
	{.line = "org --name X add org_x", .id = CMD_ORG_ADD, .a0 = "org_x", .name = "X"},
	{.line = "org add org_x", .id = CMD_ORG_ADD, .a0 = "org_x"},
	{.line = "user add --email a@b.example", .id = CMD_USER_ADD, .email = "a@b.example"},
	{.line = "--email a@b user add", .id = CMD_USER_ADD, .email = "a@b"},
	{.line = "member add org_x usr_1 --capability USE_MUSIC_GENERATION", .id = CMD_MEMBER_ADD, .a0 = "org_x", .a1 = "usr_1",
	 .caps = "USE_MUSIC_GENERATION"},
	{.line = "member add org_x usr_1", .id = CMD_MEMBER_ADD, .a0 = "org_x", .a1 = "usr_1", .caps = ""},
	{.line = "member add --capability USE_MUSIC_GENERATION org_x --capability USE_MUSIC_GENERATION usr_1",
	 .id = CMD_MEMBER_ADD, .a0 = "org_x", .a1 = "usr_1", .caps = "USE_MUSIC_GENERATION,USE_MUSIC_GENERATION"},
	{.line = "member remove org_x usr_1", .id = CMD_MEMBER_REMOVE, .a0 = "org_x", .a1 = "usr_1"},
	{.line = "key add usr_1", .id = CMD_KEY_ADD, .a0 = "usr_1"},
	{.line = "key revoke mck_00", .id = CMD_KEY_REVOKE, .a0 = "mck_00"},
	{.line = "key list usr_1", .id = CMD_KEY_LIST, .a0 = "usr_1"},
	{.line = "track add org_x --user usr_1 --title T", .id = CMD_TRACK_ADD, .a0 = "org_x", .user = "usr_1", .title = "T"},
	{.line = "track add --user=usr_1 org_x", .id = CMD_TRACK_ADD, .a0 = "org_x", .user = "usr_1"},
	{.line = "track add org_x --user usr_1 --count 10000", .id = CMD_TRACK_ADD, .a0 = "org_x", .user = "usr_1", .count = 10000},
	{.line = "track add --count=1 org_x --user usr_1", .id = CMD_TRACK_ADD, .a0 = "org_x", .user = "usr_1", .count = 1},
	{.line = "track add org_x --user usr_1 --count 1000000", .id = CMD_TRACK_ADD, .a0 = "org_x", .user = "usr_1", .count = 1000000},
	{.line = "track add org_x --user usr_1 --count 0007", .id = CMD_TRACK_ADD, .a0 = "org_x", .user = "usr_1", .count = 7},
	{.line = "track add org_x --user usr_1 --titles t.txt", .id = CMD_TRACK_ADD, .a0 = "org_x", .user = "usr_1", .titles = "t.txt"},
	{.line = "track add org_x --titles - --user usr_1", .id = CMD_TRACK_ADD, .a0 = "org_x", .user = "usr_1", .titles = "-"},
	{.line = "status", .id = CMD_STATUS},
	{.line = "-c F status", .id = CMD_STATUS, .config = "F"},
	{.line = "track delete mtrack_1", .id = CMD_TRACK_DELETE, .a0 = "mtrack_1"},
	{.line = "collection restore mcoll_1", .id = CMD_COLLECTION_RESTORE, .a0 = "mcoll_1"},
	{.line = "purge --deleted-before 2026-02-28", .id = CMD_PURGE, .before = "2026-02-28"},
	{.line = "purge --deleted-before=2024-02-29", .id = CMD_PURGE, .before = "2024-02-29"},
	{.line = "-- key add usr_1", .id = CMD_KEY_ADD, .a0 = "usr_1"},
	{.line = "key add -- -odd", .id = CMD_KEY_ADD, .a0 = "-odd"},
};

START_TEST(test_good)
{
	char store[512], *argv[MAXV], caps[256] = "";
	struct cli c;

	parse_line(good[_i].line, &c, store, argv);
	ck_assert_msg(c.action == CLI_RUN, "%s: action %d, err '%s'", good[_i].line, c.action, c.err);
	ck_assert_int_eq(c.id, good[_i].id);
	ck_assert_ptr_eq(c.cmd, &cli_cmds[good[_i].id]);
	ck_assert_str_eq(opt(c.arg[0]), opt(good[_i].a0));
	ck_assert_str_eq(opt(c.arg[1]), opt(good[_i].a1));
	ck_assert_int_eq(c.narg, !!good[_i].a0 + !!good[_i].a1);
	ck_assert_str_eq(opt(c.config), opt(good[_i].config));
	ck_assert_str_eq(opt(c.name), opt(good[_i].name));
	ck_assert_str_eq(opt(c.email), opt(good[_i].email));
	ck_assert_str_eq(opt(c.user), opt(good[_i].user));
	ck_assert_str_eq(opt(c.title), opt(good[_i].title));
	ck_assert_str_eq(opt(c.deleted_before), opt(good[_i].before));
	ck_assert_str_eq(opt(c.titles), opt(good[_i].titles));
	ck_assert_int_eq(c.count, good[_i].count);
	for (int i = 0; i < c.ncaps; i++)
		snprintf(caps + strlen(caps), sizeof(caps) - strlen(caps), "%s%s", i ? "," : "", c.caps[i]);
	if (good[_i].caps)
		ck_assert_str_eq(caps, good[_i].caps);
	else
		ck_assert_int_eq(c.ncaps, 0);
	ck_assert_str_eq(c.err, "");
}
END_TEST

static const struct {
	const char *line;
	const char *err;
	int usage_of; /* the command whose usage goes with it, or -1 */
} bad[] = {
	{"", "missing command", -1},
	{"frobnicate", "unknown command 'frobnicate'", -1},
	{"org", "org: missing subcommand", -1},
	{"org list", "unknown command 'org list'", -1},
	{"key add", "key add: missing USER_ID", CMD_KEY_ADD},
	{"key add usr_1 usr_2", "key add: unexpected argument 'usr_2'", CMD_KEY_ADD},
	{"member add org_x", "member add: missing USER_ID", CMD_MEMBER_ADD},
	{"member remove org_x", "member remove: missing USER_ID", CMD_MEMBER_REMOVE},
	{"member remove", "member remove: missing ORG_ID", CMD_MEMBER_REMOVE},
	{"migrate now", "migrate: unexpected argument 'now'", CMD_MIGRATE},
	{"user add", "user add: missing --email EMAIL", CMD_USER_ADD},
	{"track add org_x", "track add: missing --user USER_ID", CMD_TRACK_ADD},
	{"org add org_x --email a@b", "org add: option '--email' does not apply", CMD_ORG_ADD},
	{"org add org_x --name A --name B", "org add: option '--name' given twice", CMD_ORG_ADD},
	{"org add org_x --name", "option '--name' requires an argument", CMD_ORG_ADD},
	{"org add org_x --colour red", "unknown option '--colour'", CMD_ORG_ADD},
	{"org add org_x -x", "unknown option '-x'", CMD_ORG_ADD},
	{"check -c", "option '-c' requires an argument", CMD_CHECK},
	{"check --config", "option '--config' requires an argument", CMD_CHECK},
	{"member add org_x usr_1 --capability ADMIN", "member add: unknown capability 'ADMIN'", CMD_MEMBER_ADD},
	{"member add org_x usr_1 --capability use_music_generation",
	 "member add: unknown capability 'use_music_generation'", CMD_MEMBER_ADD},
	{"purge", "purge: missing --deleted-before YYYY-MM-DD", CMD_PURGE},
	{"purge --deleted-before 2026-02-30",
	 "purge: --deleted-before must be a date YYYY-MM-DD, not '2026-02-30'", CMD_PURGE},
	{"purge --deleted-before yesterday",
	 "purge: --deleted-before must be a date YYYY-MM-DD, not 'yesterday'", CMD_PURGE},
	{"purge --deleted-before 2026-02-01 extra", "purge: unexpected argument 'extra'", CMD_PURGE},
	{"collection restore", "collection restore: missing COLLECTION_ID", CMD_COLLECTION_RESTORE},
	{"collection delete mcoll_1", "unknown command 'collection delete'", -1},
	{"key add a b c d e f g h i", "too many arguments", CMD_KEY_ADD},
	{"track add org_x --user usr_1 --count 0", "track add: --count must be a number from 1 to 1000000, not '0'",
	 CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --count 1000001",
	 "track add: --count must be a number from 1 to 1000000, not '1000001'", CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --count -5", "track add: --count must be a number from 1 to 1000000, not '-5'",
	 CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --count 1e3", "track add: --count must be a number from 1 to 1000000, not '1e3'",
	 CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --count 99999999999999999999",
	 "track add: --count must be a number from 1 to 1000000, not '99999999999999999999'", CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --count", "option '--count' requires an argument", CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --count 3 --count 4", "track add: option '--count' given twice", CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --count 3 --title T", "track add: --title, --count and --titles exclude each other",
	 CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --count 3 --titles f", "track add: --title, --count and --titles exclude each other",
	 CMD_TRACK_ADD},
	{"track add org_x --user usr_1 --titles f --title T", "track add: --title, --count and --titles exclude each other",
	 CMD_TRACK_ADD},
	{"track add org_x --count 3", "track add: missing --user USER_ID", CMD_TRACK_ADD},
	{"key add usr_1 --count 3", "key add: option '--count' does not apply", CMD_KEY_ADD},
	{"purge --deleted-before 2026-01-01 --titles f", "purge: option '--titles' does not apply", CMD_PURGE},
	{"status now", "status: unexpected argument 'now'", CMD_STATUS},
};

START_TEST(test_bad)
{
	char store[512], *argv[MAXV];
	struct cli c;

	parse_line(bad[_i].line, &c, store, argv);
	ck_assert_msg(c.action == CLI_USAGE, "'%s': action %d", bad[_i].line, c.action);
	ck_assert_str_eq(c.err, bad[_i].err);
	if (bad[_i].usage_of < 0)
		ck_assert_ptr_null(c.cmd);
	else
		ck_assert_ptr_eq(c.cmd, &cli_cmds[bad[_i].usage_of]);
}
END_TEST

static const struct {
	const char *line;
	enum cli_action action;
	int cmd; /* -1: the general usage */
} meta[] = {
	{"--help", CLI_HELP, -1},
	{"-h", CLI_HELP, -1},
	{"--version", CLI_VERSION, -1},
	{"-V", CLI_VERSION, -1},
	{"key add --help", CLI_HELP, CMD_KEY_ADD},
	{"--help key add", CLI_HELP, CMD_KEY_ADD},
	{"purge --help", CLI_HELP, CMD_PURGE},
	{"key add usr_1 usr_2 --help", CLI_HELP, CMD_KEY_ADD},
	{"frobnicate --help", CLI_HELP, -1},
	{"org add --colour red --help", CLI_HELP, CMD_ORG_ADD},
};

START_TEST(test_meta)
{
	char store[512], *argv[MAXV];
	struct cli c;

	parse_line(meta[_i].line, &c, store, argv);
	ck_assert_int_eq(c.action, meta[_i].action);
	if (meta[_i].action == CLI_HELP) {
		if (meta[_i].cmd < 0)
			ck_assert_ptr_null(c.cmd);
		else
			ck_assert_ptr_eq(c.cmd, &cli_cmds[meta[_i].cmd]);
	}
}
END_TEST

/* The usage texts name every argument and option of the command. */
START_TEST(test_usage_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cli_usage(f, &cli_cmds[CMD_MEMBER_ADD]);
	fclose(f);
	ck_assert_str_eq(buf, "usage: mcollctl [-c CONFIG] member add ORG_ID USER_ID [--capability CAP]...\n"
			      "Adds the user to the organization with those capabilities.\n"
			      "capabilities: USE_MUSIC_GENERATION\n");
	free(buf);
	f = open_memstream(&buf, &len);
	cli_usage(f, &cli_cmds[CMD_TRACK_ADD]);
	fclose(f);
	ck_assert_str_eq(buf, "usage: mcollctl [-c CONFIG] track add ORG_ID --user USER_ID [--title TITLE]\n"
			      "       mcollctl [-c CONFIG] track add ORG_ID --user USER_ID --count N | --titles FILE\n"
			      "Registers a track; prints its id.  Or many: N titled \"Track 1\"..\"Track N\" (--count),\n"
			      "or one per line of FILE (--titles, \"-\": stdin), 1000 per transaction; prints\n"
			      "every new id, one a line.\n");
	free(buf);
	f = open_memstream(&buf, &len);
	cli_usage(f, NULL);
	fclose(f);
	for (int i = 0; i < CMD__MAX; i++)
		ck_assert_ptr_nonnull(strstr(buf, cli_cmds[i].noun));
	ck_assert_ptr_nonnull(strstr(buf, "  purge --deleted-before YYYY-MM-DD\n"));
	ck_assert_ptr_nonnull(strstr(buf, "  member remove ORG_ID USER_ID\n"));
	ck_assert_ptr_nonnull(strstr(buf, "  status\n"));
	ck_assert_ptr_nonnull(strstr(buf, "  track add ORG_ID --user USER_ID [--title TITLE]\n"
					  "  track add ORG_ID --user USER_ID --count N | --titles FILE\n"));
	ck_assert_ptr_nonnull(strstr(buf, "-c, --config FILE"));
	free(buf);
}
END_TEST

static const struct {
	const char *s;
	bool ok;
} dates[] = {
	{"2026-01-31", true}, {"2024-02-29", true}, {"2000-02-29", true}, {"1999-12-31", true},
	{"2026-02-29", false}, {"1900-02-29", false}, {"2026-04-31", false}, {"2026-13-01", false},
	{"2026-00-10", false}, {"2026-01-00", false}, {"2026-1-31", false}, {"2026-01-31T00", false},
	{"20260131", false}, {"", false}, {"abcd-ef-gh", false}, {"0999-01-01", false},
};

START_TEST(test_dates)
{
	ck_assert_msg(cli_date_valid(dates[_i].s) == dates[_i].ok, "%s", dates[_i].s);
}
END_TEST

START_TEST(test_capabilities)
{
	ck_assert(cli_capability_known("USE_MUSIC_GENERATION"));
	ck_assert(!cli_capability_known("USE_MUSIC_GENERATION "));
	ck_assert(!cli_capability_known(""));
	ck_assert(!cli_capability_known("ADMIN"));
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_loop_test(tc, test_meta, 0, sizeof(meta) / sizeof(meta[0]));
	tcase_add_test(tc, test_usage_text);
	tcase_add_loop_test(tc, test_dates, 0, sizeof(dates) / sizeof(dates[0]));
	tcase_add_test(tc, test_capabilities);
	tcase_add_test(tc, test_posixly_correct);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(cli_suite)
