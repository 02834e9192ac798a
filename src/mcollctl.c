/* mcollctl.c -- the administration tool: migrations, organizations, users,
 * memberships, API keys and tracks.  Prints only what it creates, one line;
 * errors go to stderr with a non-zero exit. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "db_entities.h"
#include "ids.h"
#include "keyhash.h"
#include "log.h"
#include "migrate.h"
#include "utf8.h"

#define MAX_CAPS 32

struct args {
	const char *pos[4];
	int npos;
	const char *name, *email, *user, *title;
	const char *caps[MAX_CAPS];
	int ncaps;
};

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die(const char *fmt, ...)
{
	va_list ap;

	fputs("mcollctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int usage(void)
{
	fputs("usage: mcollctl [-c CONFIG] COMMAND\n"
	      "  migrate\n"
	      "  org add ORG_ID [--name NAME]\n"
	      "  user add --email EMAIL\n"
	      "  member add ORG_ID USER_ID [--capability CAP]...\n"
	      "  key add USER_ID\n"
	      "  key revoke KEY\n"
	      "  key list USER_ID\n"
	      "  track add ORG_ID --user USER_ID [--title TITLE]\n"
	      "  track delete TRACK_ID\n",
	      stderr);
	return 2;
}

/* Splits argv into positionals and --options (also --opt=value). */
static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char opt[32];

		if (strncmp(arg, "--", 2) != 0) {
			if (a->npos == 4)
				return -1;
			a->pos[a->npos++] = arg;
			continue;
		}
		eq = strchr(arg, '=');
		if (eq) {
			snprintf(opt, sizeof(opt), "%.*s", (int)(eq - arg - 2), arg + 2);
			val = eq + 1;
		} else {
			snprintf(opt, sizeof(opt), "%s", arg + 2);
			if (i + 1 >= argc)
				return -1;
			val = argv[++i];
		}
		if (strcmp(opt, "name") == 0)
			a->name = val;
		else if (strcmp(opt, "email") == 0)
			a->email = val;
		else if (strcmp(opt, "user") == 0)
			a->user = val;
		else if (strcmp(opt, "title") == 0)
			a->title = val;
		else if (strcmp(opt, "capability") == 0 && a->ncaps < MAX_CAPS)
			a->caps[a->ncaps++] = val;
		else
			return -1;
	}
	return 0;
}

static int db_fail(struct db *db, const char *what)
{
	if (db->err == 1452) /* foreign key: a referenced row is missing */
		return die("%s: no such organization or user", what);
	if (db->err == 1062)
		return die("%s: already exists", what);
	return die("%s: database error %u: %s", what, db->err, db->errmsg);
}

static int valid_org_id(const char *s)
{
	size_t n = strlen(s);

	if (n < 5 || n > 64 || strncmp(s, "org_", 4) != 0)
		return 0;
	return strspn(s + 4, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n - 4;
}

static int cmd_org_add(struct db *db, const struct args *a)
{
	if (a->npos != 1)
		return usage();
	if (!valid_org_id(a->pos[0]))
		return die("organization id must be org_ followed by letters, digits, _ or - (at most 64)");
	if (a->name && utf8_count(a->name, strlen(a->name)) < 0)
		return die("--name must be UTF-8");
	if (db_exec(db, STMT_ADM_ORG_INSERT, ARGS(DV_CSTR(a->pos[0]), DV_CSTR(a->name)), NULL) != DB_OK)
		return db_fail(db, a->pos[0]);
	printf("%s\n", a->pos[0]);
	return 0;
}

static int cmd_user_add(struct db *db, const struct args *a)
{
	char id[ID_MAX];
	enum dbrc rc = DB_DUP;

	if (a->npos != 0 || !a->email)
		return usage();
	if (!strchr(a->email, '@') || utf8_count(a->email, strlen(a->email)) < 0)
		return die("--email must be an email address");
	for (int tries = 0; tries < 5 && rc == DB_DUP; tries++) {
		if (id_new(USER_PREFIX, id) != 0)
			return die("no randomness");
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

static int cmd_member_add(struct db *db, const struct args *a)
{
	if (a->npos != 2)
		return usage();
	if (db_query(db, "START TRANSACTION") != DB_OK)
		return db_fail(db, "member add");
	if (db_exec(db, STMT_ADM_MEMBER_INSERT, ARGS(DV_CSTR(a->pos[0]), DV_CSTR(a->pos[1])), NULL) != DB_OK)
		return db_fail(db, "member add");
	for (int i = 0; i < a->ncaps; i++)
		if (db_exec(db, STMT_ADM_CAP_INSERT,
			    ARGS(DV_CSTR(a->pos[0]), DV_CSTR(a->pos[1]), DV_CSTR(a->caps[i])), NULL) != DB_OK)
			return db_fail(db, a->caps[i]);
	if (db_query(db, "COMMIT") != DB_OK)
		return db_fail(db, "member add");
	return 0;
}

static int cmd_key_add(struct db *db, const struct args *a)
{
	char id[ID_MAX], key[KEY_MAX];
	unsigned char hash[KEYHASH_LEN];
	struct dbres r;

	if (a->npos != 1)
		return usage();
	if (db_exec(db, STMT_ADM_USER_EXISTS, ARGS(DV_CSTR(a->pos[0])), &r) != DB_OK)
		return db_fail(db, a->pos[0]);
	if (r.nrows == 0) {
		dbres_free(&r);
		return die("%s: no such user", a->pos[0]);
	}
	dbres_free(&r);
	if (id_new(APIKEY_PREFIX, id) != 0 || key_new(key) != 0 || keyhash(key, strlen(key), hash) != 0)
		return die("cannot generate a key");
	if (db_exec(db, STMT_ADM_KEY_INSERT, ARGS(DV_CSTR(id), DV_CSTR(a->pos[0]), DV_BLOB(hash, KEYHASH_LEN)),
		    NULL) != DB_OK)
		return db_fail(db, a->pos[0]);
	printf("%s\n", key);
	return 0;
}

static int cmd_key_revoke(struct db *db, const struct args *a)
{
	unsigned char hash[KEYHASH_LEN];
	struct dbres r;

	if (a->npos != 1)
		return usage();
	if (keyhash(a->pos[0], strlen(a->pos[0]), hash) != 0)
		return die("cannot hash the key");
	if (db_exec(db, STMT_ADM_KEY_REVOKE, ARGS(DV_CSTR(a->pos[0]), DV_BLOB(hash, KEYHASH_LEN)), &r) != DB_OK)
		return db_fail(db, "key revoke");
	unsigned long long changed = r.affected;

	dbres_free(&r);
	/* affected counts changed rows: an already revoked key changes none */
	if (changed == 0)
		return die("%s: no such active key", a->pos[0]);
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

static int cmd_key_list(struct db *db, const struct args *a)
{
	struct dbres r;

	if (a->npos != 1)
		return usage();
	if (db_exec(db, STMT_ADM_KEY_LIST, ARGS(DV_CSTR(a->pos[0])), &r) != DB_OK)
		return db_fail(db, a->pos[0]);
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

static int cmd_track_add(struct db *db, const struct args *a)
{
	char id[ID_MAX];
	enum dbrc rc = DB_DUP;

	if (a->npos != 1 || !a->user)
		return usage();
	if (a->title && utf8_count(a->title, strlen(a->title)) < 0)
		return die("--title must be UTF-8");
	for (int tries = 0; tries < 5 && rc == DB_DUP; tries++) {
		if (id_new(TRACK_PREFIX, id) != 0)
			return die("no randomness");
		rc = db_exec(db, STMT_ADM_TRACK_INSERT,
			     ARGS(DV_CSTR(id), DV_CSTR(a->pos[0]), DV_CSTR(a->user), DV_CSTR(a->title)), NULL);
	}
	if (rc != DB_OK)
		return db_fail(db, a->pos[0]);
	printf("%s\n", id);
	return 0;
}

static int cmd_track_delete(struct db *db, const struct args *a)
{
	bool found;

	if (a->npos != 1)
		return usage();
	if (adm_track_delete(db, a->pos[0], &found) != DB_OK)
		return db_fail(db, a->pos[0]);
	if (!found)
		return die("%s: no such track", a->pos[0]);
	return 0;
}

struct command {
	const char *noun, *verb;
	int (*run)(struct db *db, const struct args *a);
};

static const struct command commands[] = {
	{"org", "add", cmd_org_add},
	{"user", "add", cmd_user_add},
	{"member", "add", cmd_member_add},
	{"key", "add", cmd_key_add},
	{"key", "revoke", cmd_key_revoke},
	{"key", "list", cmd_key_list},
	{"track", "add", cmd_track_add},
	{"track", "delete", cmd_track_delete},
};

int main(int argc, char **argv)
{
	const char *path = getenv("MCOLL_CONFIG");
	const struct command *cmd = NULL;
	struct conf conf;
	struct db db;
	struct args a;
	char err[512];
	int i = 1, rc;

	if (!path)
		path = CONF_DEFAULT_PATH;
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		path = argv[2];
		i = 3;
	}
	if (i >= argc)
		return usage();
	if (strcmp(argv[i], "migrate") != 0) {
		if (i + 1 >= argc)
			return usage();
		for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
			if (strcmp(commands[k].noun, argv[i]) == 0 && strcmp(commands[k].verb, argv[i + 1]) == 0)
				cmd = &commands[k];
		if (!cmd || parse_args(argc - i - 2, argv + i + 2, &a) != 0)
			return usage();
	} else if (argc != i + 1) {
		return usage();
	}
	log_set_tag("mcollctl");
	log_set_level(LOG_LVL_WARN);
	if (conf_load(&conf, path, err, sizeof(err)) != 0)
		return die("%s", err);
	db_init(&db, &conf);
	db.multi_statements = !cmd;
	db.lazy_prepare = true;
	if (db_connect(&db) != DB_OK) {
		rc = die("cannot connect to the database: %s", db.errmsg);
		goto out;
	}
	if (!cmd)
		rc = migrate_run(&db, conf.migrations_dir) == 0 ? 0 : 1;
	else
		rc = cmd->run(&db, &a);
	db_close(&db);
out:
	conf_free(&conf);
	return rc;
}
