/* cli.h -- mcollctl's command line: the command table and a pure parser
 * (getopt_long, options anywhere) that says which command, which
 * arguments and options, or which usage error. */
#ifndef MCOLL_CLI_H
#define MCOLL_CLI_H
#include <stdbool.h>
#include <stdio.h>

enum cli_cmd_id {
	CMD_MIGRATE,
	CMD_CHECK,
	CMD_ORG_ADD,
	CMD_USER_ADD,
	CMD_MEMBER_ADD,
	CMD_MEMBER_REMOVE,
	CMD_KEY_ADD,
	CMD_KEY_REVOKE,
	CMD_KEY_LIST,
	CMD_TRACK_ADD,
	CMD_TRACK_DELETE,
	CMD_COLLECTION_RESTORE,
	CMD_PURGE,
	CMD_STATUS,
	CMD__MAX
};

/* Command options, as bits of cli_cmd.opts / .required. */
enum cli_opt {
	OPT_NAME = 1 << 0,
	OPT_EMAIL = 1 << 1,
	OPT_CAPABILITY = 1 << 2,
	OPT_USER = 1 << 3,
	OPT_TITLE = 1 << 4,
	OPT_DELETED_BEFORE = 1 << 5,
	OPT_COUNT = 1 << 6,
	OPT_TITLES = 1 << 7,
};

#define CLI_MAX_COUNT 1000000 /* track add --count */

#define CLI_MAX_ARGS 2
#define CLI_MAX_CAPS 16

struct cli_cmd {
	const char *noun, *verb;            /* verb NULL: a one-word command */
	const char *args[CLI_MAX_ARGS];     /* positional argument names */
	unsigned opts, required;            /* enum cli_opt bits */
	const char *summary;
};

enum cli_action {
	CLI_RUN,      /* run cmd */
	CLI_HELP,     /* print usage (of cmd, or the general one) to stdout, exit 0 */
	CLI_VERSION,  /* print "mcollctl VERSION", exit 0 */
	CLI_USAGE,    /* err holds the message: print it and usage to stderr, exit 2 */
};

struct cli {
	enum cli_action action;
	enum cli_cmd_id id;
	const struct cli_cmd *cmd;          /* NULL when no command was named */
	const char *config;                 /* -c / --config, or NULL */
	const char *arg[CLI_MAX_ARGS];
	int narg;
	const char *name, *email, *user, *title, *deleted_before;
	const char *count_arg;              /* --count as given */
	long count;                         /* --count N (0: not given) */
	const char *titles;                 /* --titles FILE ("-": stdin) */
	const char *caps[CLI_MAX_CAPS];
	int ncaps;
	char err[200];
};

extern const struct cli_cmd cli_cmds[CMD__MAX];

/* Parses argv (it may be permuted, as getopt_long does).  Never prints. */
void cli_parse(int argc, char **argv, struct cli *c);
/* Writes the usage of cmd, or the general usage when cmd is NULL. */
void cli_usage(FILE *f, const struct cli_cmd *cmd);
/* True for a capability name the API knows (USE_MUSIC_GENERATION). */
bool cli_capability_known(const char *name);
/* True for a valid calendar date written YYYY-MM-DD. */
bool cli_date_valid(const char *s);
/* A --count value: digits only, 1..CLI_MAX_COUNT; else -1. */
long cli_count_parse(const char *s);

#endif
