/* cli.c -- mcollctl's command table and argument parser.  Pure: it only
 * looks at argv and reports what to do (or the usage error) in struct cli;
 * the commands themselves live in ctl_cmd.c. */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

const struct cli_cmd cli_cmds[CMD__MAX] = {
	[CMD_MIGRATE] = {"migrate", NULL, {NULL}, 0, 0,
			 "Applies the migrations of migrations_dir not applied yet."},
	[CMD_CHECK] = {"check", NULL, {NULL}, 0, 0,
		       "Checks the configuration, the password file, the database and the migrations."},
	[CMD_ORG_ADD] = {"org", "add", {"ORG_ID"}, OPT_NAME, 0, "Creates an organization."},
	[CMD_USER_ADD] = {"user", "add", {NULL}, OPT_EMAIL, OPT_EMAIL, "Creates a user; prints its id."},
	[CMD_MEMBER_ADD] = {"member", "add", {"ORG_ID", "USER_ID"}, OPT_CAPABILITY, 0,
			    "Adds the user to the organization with those capabilities."},
	[CMD_MEMBER_REMOVE] = {"member", "remove", {"ORG_ID", "USER_ID"}, 0, 0,
			       "Removes the user from the organization, with its capabilities."},
	[CMD_KEY_ADD] = {"key", "add", {"USER_ID"}, 0, 0, "Creates an API key; prints the raw key once."},
	[CMD_KEY_REVOKE] = {"key", "revoke", {"KEY"}, 0, 0, "Revokes a key (the raw key or its key id)."},
	[CMD_KEY_LIST] = {"key", "list", {"USER_ID"}, 0, 0,
			  "Lists the user's keys: id, created, revoked (never the secret)."},
	[CMD_TRACK_ADD] = {"track", "add", {"ORG_ID"}, OPT_USER | OPT_TITLE | OPT_COUNT | OPT_TITLES, OPT_USER,
			   "Registers a track; prints its id.  Or many: N titled \"Track 1\"..\"Track N\" (--count),\n"
			   "or one per line of FILE (--titles, \"-\": stdin), 1000 per transaction; prints\n"
			   "every new id, one a line."},
	[CMD_TRACK_DELETE] = {"track", "delete", {"TRACK_ID"}, 0, 0,
			      "Deletes a track and removes it from every collection."},
	[CMD_COLLECTION_RESTORE] = {"collection", "restore", {"COLLECTION_ID"}, 0, 0,
				    "Undoes the soft delete of a collection."},
	[CMD_PURGE] = {"purge", NULL, {NULL}, OPT_DELETED_BEFORE, OPT_DELETED_BEFORE,
		       "Hard-deletes collections soft-deleted before DATE (UTC); prints how many."},
	[CMD_STATUS] = {"status", NULL, {NULL}, 0, 0,
			"Prints the pool's status page, read from mcolld over its FastCGI listen socket."},
};

/* Options of a second form of a command: on a line of their own in the
 * usage, as alternatives ("--count N | --titles FILE"). */
static const unsigned cmd_alt[CMD__MAX] = {
	[CMD_TRACK_ADD] = OPT_COUNT | OPT_TITLES,
};

/* Command options: long name, metavariable, repeatable. */
static const struct {
	enum cli_opt bit;
	const char *name, *meta;
	bool repeat;
} opt_info[] = {
	{OPT_NAME, "name", "NAME", false},
	{OPT_EMAIL, "email", "EMAIL", false},
	{OPT_CAPABILITY, "capability", "CAP", true},
	{OPT_USER, "user", "USER_ID", false},
	{OPT_TITLE, "title", "TITLE", false},
	{OPT_DELETED_BEFORE, "deleted-before", "YYYY-MM-DD", false},
	{OPT_COUNT, "count", "N", false},
	{OPT_TITLES, "titles", "FILE", false},
};
#define NOPTS (sizeof(opt_info) / sizeof(opt_info[0]))

/* getopt_long values: command options are 256 + their index in opt_info. */
#define OPTVAL(i) (256 + (int)(i))

static const struct option long_opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"name", required_argument, NULL, OPTVAL(0)},
	{"email", required_argument, NULL, OPTVAL(1)},
	{"capability", required_argument, NULL, OPTVAL(2)},
	{"user", required_argument, NULL, OPTVAL(3)},
	{"title", required_argument, NULL, OPTVAL(4)},
	{"deleted-before", required_argument, NULL, OPTVAL(5)},
	{"count", required_argument, NULL, OPTVAL(6)},
	{"titles", required_argument, NULL, OPTVAL(7)},
	{NULL, 0, NULL, 0},
};

static const char *const known_caps[] = {"USE_MUSIC_GENERATION"};

bool cli_capability_known(const char *name)
{
	for (size_t i = 0; i < sizeof(known_caps) / sizeof(known_caps[0]); i++)
		if (strcmp(name, known_caps[i]) == 0)
			return true;
	return false;
}

bool cli_date_valid(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	mo = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return false;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	return true;
}

long cli_count_parse(const char *s)
{
	long n = 0;

	if (!*s || strlen(s) > 7)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n >= 1 && n <= CLI_MAX_COUNT ? n : -1;
}

/* The command's synopsis; alt: its second form (the alt options, one of
 * them, with the required ones). */
static void synopsis(FILE *f, const struct cli_cmd *cmd, bool alt)
{
	unsigned alts = cmd_alt[cmd - cli_cmds];
	bool first_alt = true;

	fprintf(f, "%s", cmd->noun);
	if (cmd->verb)
		fprintf(f, " %s", cmd->verb);
	for (int i = 0; i < CLI_MAX_ARGS && cmd->args[i]; i++)
		fprintf(f, " %s", cmd->args[i]);
	for (size_t i = 0; i < NOPTS; i++) {
		if (!(cmd->opts & opt_info[i].bit))
			continue;
		if (alts & opt_info[i].bit) {
			if (alt)
				fprintf(f, "%s--%s %s", first_alt ? " " : " | ", opt_info[i].name, opt_info[i].meta);
			first_alt = false;
			continue;
		}
		if (alt && !(cmd->required & opt_info[i].bit))
			continue;
		if (cmd->required & opt_info[i].bit)
			fprintf(f, " --%s %s", opt_info[i].name, opt_info[i].meta);
		else
			fprintf(f, " [--%s %s]%s", opt_info[i].name, opt_info[i].meta,
				opt_info[i].repeat ? "..." : "");
	}
}

void cli_usage(FILE *f, const struct cli_cmd *cmd)
{
	if (cmd) {
		fputs("usage: mcollctl [-c CONFIG] ", f);
		synopsis(f, cmd, false);
		if (cmd_alt[cmd - cli_cmds]) {
			fputs("\n       mcollctl [-c CONFIG] ", f);
			synopsis(f, cmd, true);
		}
		fprintf(f, "\n%s\n", cmd->summary);
		if (cmd->opts & OPT_CAPABILITY) {
			fputs("capabilities:", f);
			for (size_t i = 0; i < sizeof(known_caps) / sizeof(known_caps[0]); i++)
				fprintf(f, " %s", known_caps[i]);
			fputc('\n', f);
		}
		return;
	}
	fputs("usage: mcollctl [-c CONFIG] COMMAND [ARGUMENT]... [OPTION]...\n"
	      "       mcollctl COMMAND --help | --help | --version\n"
	      "commands:\n",
	      f);
	for (int i = 0; i < CMD__MAX; i++) {
		fputs("  ", f);
		synopsis(f, &cli_cmds[i], false);
		fputc('\n', f);
		if (cmd_alt[i]) {
			fputs("  ", f);
			synopsis(f, &cli_cmds[i], true);
			fputc('\n', f);
		}
	}
	fputs("options:\n"
	      "  -c, --config FILE  configuration file (default: $MCOLL_CONFIG, or the installed one)\n"
	      "  -h, --help         this help, or a command's with the command\n"
	      "  -V, --version      the version\n",
	      f);
}

__attribute__((format(printf, 2, 3))) static void fail(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	if (c->action == CLI_USAGE)
		return; /* the first error is the one reported */
	c->action = CLI_USAGE;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static const struct cli_cmd *find_cmd(struct cli *c, char **pos, int npos, int *used)
{
	bool noun_known = false;

	*used = 0;
	if (npos == 0) {
		fail(c, "missing command");
		return NULL;
	}
	for (int i = 0; i < CMD__MAX; i++) {
		const struct cli_cmd *k = &cli_cmds[i];

		if (strcmp(k->noun, pos[0]) != 0)
			continue;
		noun_known = true;
		if (!k->verb || (npos > 1 && strcmp(k->verb, pos[1]) == 0)) {
			c->id = (enum cli_cmd_id)i;
			*used = k->verb ? 2 : 1;
			return k;
		}
	}
	if (!noun_known)
		fail(c, "unknown command '%s'", pos[0]);
	else if (npos == 1)
		fail(c, "%s: missing subcommand", pos[0]);
	else
		fail(c, "unknown command '%s %s'", pos[0], pos[1]);
	return NULL;
}

/* Where a command option's value goes. */
static const char **opt_slot(struct cli *c, size_t i)
{
	switch (opt_info[i].bit) {
	case OPT_NAME: return &c->name;
	case OPT_EMAIL: return &c->email;
	case OPT_USER: return &c->user;
	case OPT_TITLE: return &c->title;
	case OPT_DELETED_BEFORE: return &c->deleted_before;
	case OPT_COUNT: return &c->count_arg;
	case OPT_TITLES: return &c->titles;
	case OPT_CAPABILITY: break;
	}
	return NULL;
}

/* Noun, verb and arguments: more than that is an error anyway. */
#define MAX_POS 8

static void add_pos(struct cli *c, char **pos, int *npos, char *arg)
{
	if (*npos < MAX_POS)
		pos[(*npos)++] = arg;
	else
		fail(c, "too many arguments");
}

void cli_parse(int argc, char **argv, struct cli *c)
{
	unsigned seen = 0, twice = 0, too_many = 0;
	bool help = false, version = false;
	char label[64], *pos[MAX_POS];
	int o, used, npos = 0;

	memset(c, 0, sizeof(*c));
	c->action = CLI_RUN;
	c->id = CMD__MAX;
	optind = 0; /* full re-initialisation: cli_parse may run more than once */
	opterr = 0;
	/* "-": positionals come back in order as 1, so options may stand
	 * anywhere even under POSIXLY_CORRECT; ":": we word the errors. */
	while ((o = getopt_long(argc, argv, "-:c:hV", long_opts, NULL)) != -1) {
		if (o == 1) {
			add_pos(c, pos, &npos, optarg);
		} else if (o == 'c') {
			c->config = optarg;
		} else if (o == 'h') {
			help = true;
		} else if (o == 'V') {
			version = true;
		} else if (o == ':') {
			if (optopt >= OPTVAL(0))
				fail(c, "option '--%s' requires an argument", opt_info[optopt - OPTVAL(0)].name);
			else if (optopt == 'c' && argv[optind - 1][1] == '-')
				fail(c, "option '--config' requires an argument");
			else
				fail(c, "option '-%c' requires an argument", optopt);
		} else if (o == '?') {
			if (optopt)
				fail(c, "unknown option '-%c'", optopt);
			else
				fail(c, "unknown option '%s'", argv[optind - 1]);
		} else {
			size_t i = (size_t)(o - OPTVAL(0));
			const char **slot = opt_slot(c, i);

			if (seen & opt_info[i].bit && !opt_info[i].repeat)
				twice |= opt_info[i].bit;
			seen |= opt_info[i].bit;
			if (slot)
				*slot = optarg;
			else if (c->ncaps < CLI_MAX_CAPS)
				c->caps[c->ncaps++] = optarg;
			else
				too_many |= opt_info[i].bit;
		}
	}
	while (optind < argc) /* after "--" */
		add_pos(c, pos, &npos, argv[optind++]);
	if (version && !help) {
		c->action = CLI_VERSION;
		return;
	}
	if (help) {
		/* with a command: its usage, else the general one */
		c->cmd = find_cmd(c, pos, npos, &used);
		c->action = CLI_HELP;
		c->err[0] = '\0';
		return;
	}
	/* after an option error, still find the command for its usage */
	c->cmd = find_cmd(c, pos, npos, &used);
	if (!c->cmd)
		return;
	snprintf(label, sizeof(label), "%s%s%s", c->cmd->noun, c->cmd->verb ? " " : "",
		 c->cmd->verb ? c->cmd->verb : "");
	for (int k = used; k < npos; k++) {
		if (c->narg == CLI_MAX_ARGS || !c->cmd->args[c->narg]) {
			fail(c, "%s: unexpected argument '%s'", label, pos[k]);
			return;
		}
		c->arg[c->narg++] = pos[k];
	}
	if (c->narg < CLI_MAX_ARGS && c->cmd->args[c->narg]) {
		fail(c, "%s: missing %s", label, c->cmd->args[c->narg]);
		return;
	}
	for (size_t i = 0; i < NOPTS; i++) {
		unsigned b = opt_info[i].bit;

		if ((seen & b) && !(c->cmd->opts & b))
			fail(c, "%s: option '--%s' does not apply", label, opt_info[i].name);
		else if (twice & b)
			fail(c, "%s: option '--%s' given twice", label, opt_info[i].name);
		else if (too_many & b)
			fail(c, "%s: at most %d --%s options", label, CLI_MAX_CAPS, opt_info[i].name);
		else if ((c->cmd->required & b) && !(seen & b))
			fail(c, "%s: missing --%s %s", label, opt_info[i].name, opt_info[i].meta);
	}
	for (int i = 0; i < c->ncaps; i++)
		if (!cli_capability_known(c->caps[i]))
			fail(c, "%s: unknown capability '%s'", label, c->caps[i]);
	if (c->count_arg) {
		c->count = cli_count_parse(c->count_arg);
		if (c->count <= 0)
			fail(c, "%s: --count must be a number from 1 to %d, not '%s'", label, CLI_MAX_COUNT,
			     c->count_arg);
	}
	if (!!c->title + !!c->count_arg + !!c->titles > 1)
		fail(c, "%s: --title, --count and --titles exclude each other", label);
	if (c->deleted_before && !cli_date_valid(c->deleted_before))
		fail(c, "%s: --deleted-before must be a date YYYY-MM-DD, not '%s'", label, c->deleted_before);
}
