/* log.c -- one line per event on stderr.  Under systemd (JOURNAL_STREAM set)
 * lines carry a <N> syslog priority prefix and no timestamp; otherwise an
 * ISO 8601 UTC timestamp and the level name. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timefmt.h"

static enum log_level cur_level = LOG_LVL_INFO;
static char tag[32] = "mcoll";

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};
static const int level_prio[] = {
	[LOG_LVL_ERROR] = 3,
	[LOG_LVL_WARN] = 4,
	[LOG_LVL_INFO] = 6,
	[LOG_LVL_DEBUG] = 7,
};

void log_set_level(enum log_level lvl)
{
	cur_level = lvl;
}

int log_level_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

void log_set_tag(const char *t)
{
	snprintf(tag, sizeof(tag), "%s", t);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[2048], ts[TIMEFMT_ISO_LEN];
	va_list ap;

	if (lvl > cur_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (getenv("JOURNAL_STREAM")) {
		fprintf(stderr, "<%d>%s[%ld]: %s\n", level_prio[lvl], tag, (long)getpid(), msg);
	} else {
		timefmt_iso(time(NULL), ts);
		fprintf(stderr, "%s %s %s[%ld]: %s\n", ts, level_names[lvl], tag, (long)getpid(), msg);
	}
}
