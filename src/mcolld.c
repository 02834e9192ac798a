/* mcolld.c -- the service: options, configuration, the listening socket,
 * then the worker pool. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "listen.h"
#include "log.h"
#include "pool.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: mcolld [-c CONFIG] [-t]\n"
		   "  -c CONFIG  configuration file (default %s, or $MCOLL_CONFIG)\n"
		   "  -t         check the configuration and exit\n",
		CONF_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	const char *path = getenv("MCOLL_CONFIG");
	struct conf conf;
	char err[512];
	int opt, test_only = 0, fd, rc;

	if (!path)
		path = CONF_DEFAULT_PATH;
	while ((opt = getopt(argc, argv, "c:th")) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 't':
			test_only = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	log_set_tag("mcolld");
	if (conf_load(&conf, path, err, sizeof(err)) != 0) {
		log_error("%s", err);
		return 1;
	}
	log_set_level((enum log_level)log_level_parse(conf.log_level));
	if (test_only) {
		printf("%s: ok\n", path);
		conf_free(&conf);
		return 0;
	}
	fd = listen_open(&conf);
	if (fd < 0) {
		conf_free(&conf);
		return 1;
	}
	log_info("listening on %s with %d workers", conf.listen, conf.workers);
	rc = pool_run(&conf, fd);
	close(fd);
	conf_free(&conf);
	return rc;
}
