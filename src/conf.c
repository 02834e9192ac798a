/* conf.c -- "key = value" configuration, driven by one directive table. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dbhosts.h"
#include "log.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/mcoll"
#endif

enum conf_type { CT_STR, CT_INT, CT_LONG, CT_OCTAL };

struct directive {
	const char *name;
	enum conf_type type;
	size_t offset;
	const char *def;
	long min, max; /* numeric bounds */
	int (*check)(const char *value);
};

static int check_level(const char *v)
{
	return log_level_parse(v) >= 0 ? 0 : -1;
}

static int check_db_hosts(const char *v)
{
	struct db_target t[DB_TARGETS_MAX];

	return db_targets_parse(v, 3306, t, DB_TARGETS_MAX) >= 0 ? 0 : -1;
}

static int check_nonempty(const char *v)
{
	return *v ? 0 : -1;
}

#define OFF(f) offsetof(struct conf, f)
static const struct directive directives[] = {
	{"listen", CT_STR, OFF(listen), RUNSTATEDIR "/mcoll/mcolld.sock", 0, 0, check_nonempty},
	{"listen_mode", CT_OCTAL, OFF(listen_mode), "0660", 0, 0777, NULL},
	{"workers", CT_INT, OFF(workers), "4", 1, 512, NULL},
	{"db_host", CT_STR, OFF(db_host), "localhost", 0, 0, NULL},
	{"db_port", CT_INT, OFF(db_port), "3306", 0, 65535, NULL},
	{"db_socket", CT_STR, OFF(db_socket), "", 0, 0, NULL},
	{"db_hosts", CT_STR, OFF(db_hosts), "", 0, 0, check_db_hosts},
	{"db_user", CT_STR, OFF(db_user), "mcoll", 0, 0, check_nonempty},
	{"db_password", CT_STR, OFF(db_password), "", 0, 0, NULL},
	{"db_password_file", CT_STR, OFF(db_password_file), "", 0, 0, NULL},
	{"db_name", CT_STR, OFF(db_name), "mcoll", 0, 0, check_nonempty},
	{"log_level", CT_STR, OFF(log_level), "info", 0, 0, check_level},
	{"body_limit", CT_LONG, OFF(body_limit), "1048576", 1, 64L * 1024 * 1024, NULL},
	{"migrations_dir", CT_STR, OFF(migrations_dir), PKGDATADIR "/sql", 0, 0, NULL},
	{"shutdown_timeout", CT_INT, OFF(shutdown_timeout), "10", 1, 3600, NULL},
	{"request_timeout", CT_INT, OFF(request_timeout), "10", 1, 3600, NULL},
	{"lock_wait_timeout", CT_INT, OFF(lock_wait_timeout), "3", 1, 3600, NULL},
	{"max_requests", CT_INT, OFF(max_requests), "0", 0, INT_MAX, NULL},
	{"slowlog_ms", CT_INT, OFF(slowlog_ms), "0", 0, 3600000, NULL},
};
#define NDIRECTIVES (sizeof(directives) / sizeof(directives[0]))

static int set_value(struct conf *c, const struct directive *d, const char *v)
{
	char *base = (char *)c + d->offset, *end;
	long n;

	if (d->check && d->check(v) != 0)
		return -1;
	if (d->type == CT_STR) {
		char **dst = (char **)(void *)base;
		free(*dst);
		*dst = xstrdup(v);
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, d->type == CT_OCTAL ? 8 : 10);
	if (errno || end == v || *end || n < d->min || n > d->max)
		return -1;
	if (d->type == CT_LONG)
		*(long *)(void *)base = n;
	else
		*(int *)(void *)base = (int)n;
	return 0;
}

void conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NDIRECTIVES; i++)
		if (set_value(c, &directives[i], directives[i].def) != 0)
			abort(); /* a default fails its own check: programming error */
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int conf_parse(struct conf *c, const char *text, char *err, size_t errlen)
{
	char *copy = xstrdup(text), *line, *next;
	int lineno = 0, rc = 0;

	for (line = copy; line && rc == 0; line = next) {
		char *eq, *key, *val;
		const struct directive *d = NULL;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "line %d: expected 'key = value'", lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		for (size_t i = 0; i < NDIRECTIVES; i++)
			if (strcmp(directives[i].name, key) == 0)
				d = &directives[i];
		if (!d) {
			snprintf(err, errlen, "line %d: unknown key '%s'", lineno, key);
			rc = -1;
		} else if (set_value(c, d, val) != 0) {
			snprintf(err, errlen, "line %d: invalid value for '%s'", lineno, key);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

/* The whole file as a C string; a NUL byte in it is an error (the text
 * after it would be ignored). */
static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xrealloc(buf, cap + 1);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		buf = NULL;
	} else if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(buf);
		buf = NULL;
	} else {
		buf[len] = '\0';
	}
	fclose(f);
	return buf;
}

int conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	char *text, *env;

	conf_defaults(c);
	text = read_file(path, err, errlen);
	if (!text)
		return -1;
	if (conf_parse(c, text, err, errlen) != 0) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", path, tmp);
		free(text);
		return -1;
	}
	free(text);
	if ((env = getenv("MCOLL_DB_PASSWORD")) != NULL) {
		free(c->db_password);
		c->db_password = xstrdup(env);
	} else if (*c->db_password_file) {
		char *pw = read_file(c->db_password_file, err, errlen);
		if (!pw)
			return -1;
		pw[strcspn(pw, "\r\n")] = '\0';
		free(c->db_password);
		c->db_password = pw;
	}
	return 0;
}

void conf_free(struct conf *c)
{
	for (size_t i = 0; i < NDIRECTIVES; i++) {
		if (directives[i].type == CT_STR) {
			char **p = (char **)(void *)((char *)c + directives[i].offset);
			free(*p);
			*p = NULL;
		}
	}
}
