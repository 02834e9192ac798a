/* mcollctl.c -- the administration tool's entry point: parse the command
 * line (cli.c), answer --help / --version / usage errors, load the
 * configuration, connect, run the command (ctl_cmd.c).
 * Exit status: 0 success, 1 failure, 2 usage error. */
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

#include "cli.h"
#include "conf.h"
#include "ctl_cmd.h"
#include "db.h"
#include "log.h"

int main(int argc, char **argv)
{
	const char *path = getenv("MCOLL_CONFIG");
	struct cli c;
	struct conf conf;
	struct db db;
	char err[512];
	int rc;

	cli_parse(argc, argv, &c);
	switch (c.action) {
	case CLI_HELP:
		cli_usage(stdout, c.cmd);
		return 0;
	case CLI_VERSION:
		printf("mcollctl %s\n", PACKAGE_VERSION);
		return 0;
	case CLI_USAGE:
		fprintf(stderr, "mcollctl: %s\n", c.err);
		cli_usage(stderr, c.cmd);
		return 2;
	case CLI_RUN:
		break;
	}
	if (c.config)
		path = c.config;
	if (!path)
		path = CONF_DEFAULT_PATH;
	log_set_tag("mcollctl");
	log_set_level(LOG_LVL_WARN);
	if (c.id == CMD_CHECK)
		return ctl_check(path);
	if (conf_load(&conf, path, err, sizeof(err)) != 0) {
		conf_free(&conf);
		return ctl_die("%s", err);
	}
	if (c.id == CMD_STATUS) {
		rc = ctl_status(&conf);
		goto out;
	}
	db_init(&db, &conf);
	db.multi_statements = c.id == CMD_MIGRATE;
	db.lazy_prepare = true;
	if (db_connect(&db) != DB_OK) {
		rc = ctl_die("cannot connect to the database: %s", db.errmsg);
		goto out;
	}
	rc = ctl_run(&db, &conf, &c);
	db_close(&db);
out:
	conf_free(&conf);
	return rc;
}
