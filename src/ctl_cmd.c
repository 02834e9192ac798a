/* ctl_cmd.c -- mcollctl's commands: migrations, organizations, users,
 * memberships, API keys, tracks, collections.  Each prints only what it
 * creates, one line; errors go to stderr with exit status 1. */
#include "ctl_cmd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db_entities.h"
#include "ids.h"
#include "keyhash.h"
#include "log.h"
#include "migrate.h"
#include "timefmt.h"
#include "utf8.h"

int ctl_die(const char *fmt, ...)
{
	va_list ap;

	fputs("mcollctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int db_fail(struct db *db, const char *what)
{
	if (db->err == 1452) /* foreign key: a referenced row is missing */
		return ctl_die("%s: no such organization or user", what);
	if (db->err == 1062)
		return ctl_die("%s: already exists", what);
	return ctl_die("%s: database error %u: %s", what, db->err, db->errmsg);
}

static int valid_org_id(const char *s)
{
	size_t n = strlen(s);

	if (n < 5 || n > 64 || strncmp(s, "org_", 4) != 0)
		return 0;
	return strspn(s + 4, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n - 4;
}

/* 0 if the user exists; else the exit status after the message. */
static int need_user(struct db *db, const char *user_id)
{
	struct dbres r;
	size_t n;

	if (db_exec(db, STMT_ADM_USER_EXISTS, ARGS(DV_CSTR(user_id)), &r) != DB_OK)
		return db_fail(db, user_id);
	n = r.nrows;
	dbres_free(&r);
	return n ? 0 : ctl_die("%s: no such user", user_id);
}

static int cmd_migrate(struct db *db, const struct conf *conf, const struct cli *a)
{
	(void)a;
	return migrate_run(db, conf->migrations_dir) == 0 ? 0 : 1;
}

static int cmd_org_add(struct db *db, const struct conf *conf, const struct cli *a)
{
	(void)conf;
	if (!valid_org_id(a->arg[0]))
		return ctl_die("organization id must be org_ followed by letters, digits, _ or - (at most 64)");
	if (a->name && utf8_count(a->name, strlen(a->name)) < 0)
		return ctl_die("--name must be UTF-8");
	if (db_exec(db, STMT_ADM_ORG_INSERT, ARGS(DV_CSTR(a->arg[0]), DV_CSTR(a->name)), NULL) != DB_OK)
		return db_fail(db, a->arg[0]);
	printf("%s\n", a->arg[0]);
	return 0;
}

static int cmd_user_add(struct db *db, const struct conf *conf, const struct cli *a)
{
	char id[ID_MAX];
	enum dbrc rc = DB_DUP;

	(void)conf;
	if (!strchr(a->email, '@') || utf8_count(a->email, strlen(a->email)) < 0)
		return ctl_die("--email must be an email address");
	for (int tries = 0; tries < 5 && rc == DB_DUP; tries++) {
		if (id_new(USER_PREFIX, id) != 0)
			return ctl_die("no randomness");
		rc = db_exec(db, STMT_ADM_USER_INSERT, ARGS(DV_CSTR(id), DV_CSTR(a->email)), NULL);
		/* a duplicate email stays a duplicate: stop at once */
		if (rc == DB_DUP && strstr(db->errmsg, "users_email"))
			break;
	}
	if (rc != DB_OK)
		return db_fail(db, a->email);
	printf("%s\n", id);
	return 0;
}

static int cmd_member_add(struct db *db, const struct conf *conf, const struct cli *a)
{
	(void)conf;
	if (db_query(db, "START TRANSACTION") != DB_OK)
		return db_fail(db, "member add");
	if (db_exec(db, STMT_ADM_MEMBER_INSERT, ARGS(DV_CSTR(a->arg[0]), DV_CSTR(a->arg[1])), NULL) != DB_OK)
		return db_fail(db, "member add");
	for (int i = 0; i < a->ncaps; i++)
		if (db_exec(db, STMT_ADM_CAP_INSERT,
			    ARGS(DV_CSTR(a->arg[0]), DV_CSTR(a->arg[1]), DV_CSTR(a->caps[i])), NULL) != DB_OK)
			return db_fail(db, a->caps[i]);
	if (db_query(db, "COMMIT") != DB_OK)
		return db_fail(db, "member add");
	return 0;
}

static int cmd_member_remove(struct db *db, const struct conf *conf, const struct cli *a)
{
	bool found;

	(void)conf;
	if (adm_member_remove(db, a->arg[0], a->arg[1], &found) != DB_OK)
		return db_fail(db, "member remove");
	if (!found)
		return ctl_die("%s is not a member of %s", a->arg[1], a->arg[0]);
	return 0;
}

static int cmd_key_add(struct db *db, const struct conf *conf, const struct cli *a)
{
	char id[ID_MAX], key[KEY_MAX];
	unsigned char hash[KEYHASH_LEN];
	int rc;

	(void)conf;
	if ((rc = need_user(db, a->arg[0])) != 0)
		return rc;
	if (id_new(APIKEY_PREFIX, id) != 0 || key_new(key) != 0 || keyhash(key, strlen(key), hash) != 0)
		return ctl_die("cannot generate a key");
	if (db_exec(db, STMT_ADM_KEY_INSERT, ARGS(DV_CSTR(id), DV_CSTR(a->arg[0]), DV_BLOB(hash, KEYHASH_LEN)),
		    NULL) != DB_OK)
		return db_fail(db, a->arg[0]);
	printf("%s\n", key);
	return 0;
}

static int cmd_key_revoke(struct db *db, const struct conf *conf, const struct cli *a)
{
	unsigned char hash[KEYHASH_LEN];
	unsigned long long changed;
	struct dbres r;

	(void)conf;
	if (keyhash(a->arg[0], strlen(a->arg[0]), hash) != 0)
		return ctl_die("cannot hash the key");
	if (db_exec(db, STMT_ADM_KEY_REVOKE, ARGS(DV_CSTR(a->arg[0]), DV_BLOB(hash, KEYHASH_LEN)), &r) != DB_OK)
		return db_fail(db, "key revoke");
	changed = r.affected;
	dbres_free(&r);
	/* affected counts changed rows: an already revoked key changes none */
	if (changed == 0)
		return ctl_die("%s: no such active key", a->arg[0]);
	return 0;
}

static void print_time(const struct text *t)
{
	char iso[TIMEFMT_ISO_LEN];

	if (t->s && timefmt_from_db(t->s, t->len, iso) == 0)
		fputs(iso, stdout);
	else
		fputs("-", stdout);
}

static int cmd_key_list(struct db *db, const struct conf *conf, const struct cli *a)
{
	struct dbres r;
	int rc;

	(void)conf;
	if ((rc = need_user(db, a->arg[0])) != 0)
		return rc;
	if (db_exec(db, STMT_ADM_KEY_LIST, ARGS(DV_CSTR(a->arg[0])), &r) != DB_OK)
		return db_fail(db, a->arg[0]);
	for (size_t i = 0; i < r.nrows; i++) {
		printf("%s\t", dbres_cell(&r, i, 0)->s);
		print_time(dbres_cell(&r, i, 1));
		putchar('\t');
		print_time(dbres_cell(&r, i, 2));
		putchar('\n');
	}
	dbres_free(&r);
	return 0;
}

static int cmd_track_add(struct db *db, const struct conf *conf, const struct cli *a)
{
	char id[ID_MAX];
	enum dbrc rc = DB_DUP;

	(void)conf;
	if (a->count || a->titles)
		return ctl_track_add_bulk(db, a);
	if (a->title && utf8_count(a->title, strlen(a->title)) < 0)
		return ctl_die("--title must be UTF-8");
	for (int tries = 0; tries < 5 && rc == DB_DUP; tries++) {
		if (id_new(TRACK_PREFIX, id) != 0)
			return ctl_die("no randomness");
		rc = db_exec(db, STMT_ADM_TRACK_INSERT,
			     ARGS(DV_CSTR(id), DV_CSTR(a->arg[0]), DV_CSTR(a->user), DV_CSTR(a->title)), NULL);
	}
	if (rc != DB_OK)
		return db_fail(db, a->arg[0]);
	printf("%s\n", id);
	return 0;
}

static int cmd_track_delete(struct db *db, const struct conf *conf, const struct cli *a)
{
	bool found;

	(void)conf;
	if (adm_track_delete(db, a->arg[0], &found) != DB_OK)
		return db_fail(db, a->arg[0]);
	if (!found)
		return ctl_die("%s: no such track", a->arg[0]);
	return 0;
}

static int cmd_collection_restore(struct db *db, const struct conf *conf, const struct cli *a)
{
	enum adm_restore outcome;

	(void)conf;
	if (adm_collection_restore(db, a->arg[0], &outcome) != DB_OK)
		return db_fail(db, a->arg[0]);
	if (outcome == ADM_NO_SUCH_COLLECTION)
		return ctl_die("%s: no such collection", a->arg[0]);
	if (outcome == ADM_NOT_DELETED)
		return ctl_die("%s: not a deleted collection", a->arg[0]);
	return 0;
}

/* Also deletes the expired idempotency keys (older than 24 hours). */
static int cmd_purge(struct db *db, const struct conf *conf, const struct cli *a)
{
	unsigned long long n = 0, keys = 0;

	(void)conf;
	if (adm_purge(db, a->deleted_before, &n) != DB_OK) {
		fprintf(stderr, "mcollctl: purge: %llu collections purged before the error\n", n);
		return db_fail(db, "purge");
	}
	if (adm_purge_idempotency_keys(db, &keys) != DB_OK) {
		fprintf(stderr, "mcollctl: purge: %llu expired idempotency keys deleted before the error\n", keys);
		return db_fail(db, "purge");
	}
	printf("%llu\n", n);
	return 0;
}

typedef int (*cmd_fn)(struct db *db, const struct conf *conf, const struct cli *a);

static const cmd_fn cmd_fns[CMD__MAX] = {
	[CMD_MIGRATE] = cmd_migrate,
	[CMD_CHECK] = NULL, /* ctl_check: runs before any connection */
	[CMD_ORG_ADD] = cmd_org_add,
	[CMD_USER_ADD] = cmd_user_add,
	[CMD_MEMBER_ADD] = cmd_member_add,
	[CMD_MEMBER_REMOVE] = cmd_member_remove,
	[CMD_KEY_ADD] = cmd_key_add,
	[CMD_KEY_REVOKE] = cmd_key_revoke,
	[CMD_KEY_LIST] = cmd_key_list,
	[CMD_TRACK_ADD] = cmd_track_add,
	[CMD_TRACK_DELETE] = cmd_track_delete,
	[CMD_COLLECTION_RESTORE] = cmd_collection_restore,
	[CMD_PURGE] = cmd_purge,
	[CMD_STATUS] = NULL, /* ctl_status: no database connection */
};

int ctl_run(struct db *db, const struct conf *conf, const struct cli *c)
{
	if (c->id >= CMD__MAX || !cmd_fns[c->id])
		return ctl_die("internal error: no such command");
	return cmd_fns[c->id](db, conf, c);
}

/* ---- mcollctl check */

static int check_line(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int check_line(bool ok, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "ok   " : "FAIL ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return ok ? 0 : 1;
}

/* A secret must not be readable by everyone (like /etc/mysql/debian.cnf). */
static int check_secret_file(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return check_line(false, "%s %s: cannot stat", what, path);
	if (st.st_mode & (S_IROTH | S_IWOTH))
		return check_line(false, "%s %s: readable or writable by everyone (mode %04o)", what, path,
				  (unsigned)(st.st_mode & 07777));
	return check_line(true, "%s %s (mode %04o)", what, path, (unsigned)(st.st_mode & 07777));
}

int ctl_check(const char *path)
{
	struct conf conf;
	struct db db;
	char err[512], pending[512];
	size_t total;
	int bad = 0, m;

	if (conf_load(&conf, path, err, sizeof(err)) != 0) {
		check_line(false, "config: %s", err);
		conf_free(&conf);
		return 1;
	}
	check_line(true, "config %s", path);
	if (getenv("MCOLL_DB_PASSWORD"))
		check_line(true, "password from MCOLL_DB_PASSWORD");
	else if (*conf.db_password_file)
		bad |= check_secret_file("password file", conf.db_password_file);
	else if (*conf.db_password)
		bad |= check_secret_file("config holding db_password", path);
	else
		check_line(true, "password: none set");
	log_set_level(LOG_LVL_ERROR); /* the check line says why a connect failed */
	db_init(&db, &conf);
	db.lazy_prepare = true;
	if (db_connect(&db) != DB_OK) {
		bad |= check_line(false, "database: %s", db.errmsg);
		bad |= check_line(false, "migrations: not checked (no database)");
		goto out;
	}
	check_line(true, "database %s on %s", conf.db_name, *conf.db_socket ? conf.db_socket : conf.db_host);
	m = migrate_check(&db, conf.migrations_dir, &total, pending, sizeof(pending));
	if (m < 0)
		bad |= check_line(false, "migrations: %s", pending);
	else if (m > 0)
		bad |= check_line(false, "migrations: not applied: %s (run mcollctl migrate)", pending);
	else
		check_line(true, "migrations %zu of %zu applied (%s)", total, total, conf.migrations_dir);
	db_close(&db);
out:
	conf_free(&conf);
	return bad ? 1 : 0;
}
