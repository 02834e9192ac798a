/* ctl_track_bulk.c -- mcollctl track add --count N / --titles FILE: many
 * tracks, TRACK_BATCH per transaction (one multi-row INSERT from a JSON
 * array), every new id printed once its batch has committed.  The titles
 * are all read and checked before the first insert. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "alloc.h"
#include "ctl_cmd.h"
#include "db_entities.h"
#include "ids.h"
#include "utf8.h"

#define TRACK_BATCH 1000
#define TITLE_MAX 512 /* characters, as tracks.title */

struct titles {
	char **v;
	size_t n, cap;
};

static void titles_free(struct titles *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
}

static void titles_add(struct titles *t, char *s)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = s;
}

/* One title per line ("\n" or "\r\n"); an empty line, invalid UTF-8, NUL
 * or more than TITLE_MAX characters is an error naming the line. */
static int read_titles(const char *path, struct titles *t)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = 0;

	if (!f)
		return ctl_die("--titles %s: cannot open: %m", path);
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		long chars;
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		chars = n > 0 && memchr(line, '\0', (size_t)n) == NULL ? utf8_count(line, (size_t)n) : -1;
		if (n == 0)
			rc = ctl_die("--titles %s: line %zu: empty title", path, lineno);
		else if (chars < 0)
			rc = ctl_die("--titles %s: line %zu: not UTF-8 text", path, lineno);
		else if (chars > TITLE_MAX)
			rc = ctl_die("--titles %s: line %zu: title longer than %d characters", path, lineno, TITLE_MAX);
		else
			titles_add(t, xstrndup(line, (size_t)n));
	}
	if (rc == 0 && ferror(f))
		rc = ctl_die("--titles %s: read error", path);
	if (rc == 0 && t->n == 0)
		rc = ctl_die("--titles %s: no titles", path);
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Inserts titles [from, to) (or "Track i" names) as one batch; fills ids. */
static enum dbrc insert_batch(struct db *db, const struct cli *a, const struct titles *t, size_t from, size_t to,
			      char (*ids)[ID_MAX])
{
	enum dbrc rc = DB_DUP;

	/* fresh ids again should one collide (2^48 of them: hardly ever) */
	for (int tries = 0; tries < 5 && rc == DB_DUP; tries++) {
		struct json_object *rows = json_object_new_array();
		for (size_t i = from; i < to; i++) {
			struct json_object *row = json_object_new_array();
			char name[32];
			if (id_new(TRACK_PREFIX, ids[i - from]) != 0) {
				json_object_put(row);
				json_object_put(rows);
				return DB_FAIL;
			}
			json_object_array_add(row, json_object_new_string(ids[i - from]));
			if (t->n) {
				json_object_array_add(row, json_object_new_string(t->v[i]));
			} else {
				snprintf(name, sizeof(name), "Track %zu", i + 1);
				json_object_array_add(row, json_object_new_string(name));
			}
			json_object_array_add(rows, row);
		}
		rc = adm_track_insert_many(db, a->arg[0], a->user,
					   json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PLAIN));
		json_object_put(rows);
	}
	return rc;
}

int ctl_track_add_bulk(struct db *db, const struct cli *a)
{
	struct titles t = {0};
	char (*ids)[ID_MAX] = xcalloc(TRACK_BATCH, ID_MAX);
	size_t total, done = 0;
	int rc = 0;

	if (a->titles && (rc = read_titles(a->titles, &t)) != 0)
		goto out;
	total = a->titles ? t.n : (size_t)a->count;
	while (done < total) {
		size_t to = done + TRACK_BATCH < total ? done + TRACK_BATCH : total;
		enum dbrc dr = insert_batch(db, a, &t, done, to, ids);

		if (dr != DB_OK) {
			fflush(stdout);
			if (done)
				fprintf(stderr, "mcollctl: track add: %zu of %zu tracks created before the error\n",
					done, total);
			if (db->err == 1452)
				rc = ctl_die("%s: no such organization or user", a->arg[0]);
			else
				rc = ctl_die("track add: database error %u: %s", db->err, db->errmsg);
			goto out;
		}
		for (size_t i = 0; i < to - done; i++)
			puts(ids[i]);
		done = to;
	}
out:
	titles_free(&t);
	free(ids);
	return rc;
}
