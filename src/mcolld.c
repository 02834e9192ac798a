/* mcolld.c -- the service: options, configuration, the listening socket,
 * then the worker pool. */
#include "config.h"

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
		   "  -c, --config CONFIG  configuration file (default %s, or $MCOLL_CONFIG)\n"
		   "  -t, --test           check the configuration and exit\n"
		   "  -h, --help           show this help and exit\n"
		   "      --version        show the version and exit\n"
		   "Signals: TERM/INT stop gracefully, HUP reloads the configuration.\n",
		CONF_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"test", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *path = getenv("MCOLL_CONFIG");
	struct conf conf;
	struct listen_sock ls;
	char err[512];
	int opt, test_only = 0, rc;

	if (!path)
		path = CONF_DEFAULT_PATH;
	while ((opt = getopt_long(argc, argv, "c:th", longopts, NULL)) != -1) {
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
		case 'V':
			printf("mcolld %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	log_set_tag("mcolld");
	if (conf_load(&conf, path, err, sizeof(err)) != 0) {
		log_error("%s", err);
		conf_free(&conf);
		return 1;
	}
	log_set_level((enum log_level)log_level_parse(conf.log_level));
	if (test_only) {
		printf("%s: ok\n", path);
		conf_free(&conf);
		return 0;
	}
	if (listen_open(&conf, &ls) != 0) {
		conf_free(&conf);
		return 1;
	}
	log_info("listening on %s with %d workers", ls.desc, conf.workers);
	rc = pool_run(&conf, path, &ls);
	listen_close(&ls);
	return rc;
}
