/* migrate.c -- schema migrations.  The file's text is executed as written
 * (it is part of the release, never request data); the version is recorded
 * in schema_migrations so a second run applies nothing. */
#include "migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static int is_migration(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && isdigit((unsigned char)name[0]) && strcmp(name + n - 4, ".sql") == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	if (n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Applied versions are kept in schema_migrations, created on first use and
 * read and written through the statement table like any other data. */
static const char create_table[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version VARCHAR(255) NOT NULL, applied_at DATETIME(6) NOT NULL, PRIMARY KEY (version)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

static int applied(struct db *db, const char *version, int *yes)
{
	struct dbres r;

	if (db_exec(db, STMT_ADM_MIGRATION_APPLIED, ARGS(DV_CSTR(version)), &r) != DB_OK)
		return -1;
	*yes = r.nrows > 0;
	dbres_free(&r);
	return 0;
}

/* The migration file names of dir, sorted; NULL (with errno) if unreadable. */
static char **list_migrations(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (!is_migration(de->d_name))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	else
		names = xcalloc(1, sizeof(*names));
	*count = n;
	return names;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int migrate_check(struct db *db, const char *dir, size_t *total, char *pending, size_t len)
{
	size_t n;
	char **names = list_migrations(dir, &n);
	int rc = 0;

	*total = n;
	pending[0] = '\0';
	if (!names) {
		snprintf(pending, len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		int done = 0;

		if (applied(db, names[i], &done) != 0) {
			snprintf(pending, len, "%s", db->errmsg);
			rc = -1;
			break;
		}
		if (!done) {
			size_t used = strlen(pending);
			snprintf(pending + used, len - used, "%s%s", used ? " " : "", names[i]);
			rc = 1;
		}
	}
	free_names(names, n);
	return rc;
}

int migrate_run(struct db *db, const char *dir)
{
	size_t n;
	char **names = list_migrations(dir, &n);
	int rc = 0;

	if (!names) {
		fprintf(stderr, "mcollctl: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (db_query(db, create_table) != DB_OK) {
		fprintf(stderr, "mcollctl: schema_migrations: %s\n", db->errmsg);
		rc = -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *path, *sql;
		int done = 0;

		if (applied(db, names[i], &done) != 0) {
			fprintf(stderr, "mcollctl: %s: %s\n", names[i], db->errmsg);
			rc = -1;
			break;
		}
		if (done)
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		sql = slurp(path);
		if (!sql) {
			fprintf(stderr, "mcollctl: %s: cannot read\n", path);
			rc = -1;
		} else if (db_query(db, sql) != DB_OK) {
			fprintf(stderr, "mcollctl: %s: %s\n", names[i], db->errmsg);
			rc = -1;
		} else if (db_exec(db, STMT_ADM_MIGRATION_RECORD, ARGS(DV_CSTR(names[i])), NULL) != DB_OK) {
			fprintf(stderr, "mcollctl: %s: %s\n", names[i], db->errmsg);
			rc = -1;
		} else {
			printf("%s\n", names[i]);
		}
		free(sql);
		free(path);
	}
	free_names(names, n);
	return rc;
}
