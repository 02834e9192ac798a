/* fuzz_conf.c -- conf_parse on any text.
 *
 * Properties: it never leaks or overruns; success leaves every number in
 * its documented range and every string set; a refusal names its line
 * ("line N: ...", N within the text) in a terminated message. */
#include <limits.h>

#include "conf.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), err[160];
	struct conf c;
	int rc, lines = 1;

	memset(err, 'x', sizeof(err));
	err[sizeof(err) - 1] = '\0';
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	conf_defaults(&c);
	rc = conf_parse(&c, text, err, sizeof(err));
	PROPERTY(rc == 0 || rc == -1);
	PROPERTY(c.listen && c.db_host && c.db_socket && c.db_user && c.db_password && c.db_password_file &&
		 c.db_name && c.log_level && c.migrations_dir);
	if (rc == 0) {
		PROPERTY(c.workers >= 1 && c.workers <= 512);
		PROPERTY(c.db_port >= 0 && c.db_port <= 65535);
		PROPERTY(c.listen_mode >= 0 && c.listen_mode <= 0777);
		PROPERTY(c.body_limit >= 1 && c.body_limit <= 64L * 1024 * 1024);
		PROPERTY(c.shutdown_timeout >= 1 && c.shutdown_timeout <= 3600);
		PROPERTY(*c.listen && *c.db_user && *c.db_name);
	} else {
		int n = -1;
		PROPERTY(sscanf(err, "line %d: ", &n) == 1 && n >= 1 && n <= lines);
	}
	conf_free(&c);
	free(text);
	return 0;
}
