/* db.c -- the connection, the statement table, execution and transactions.
 * SQL reaches the server only as these prepared statements with bound
 * parameters, or as fixed text (transaction control, migration files). */
#include "db.h"

#include <errno.h>
#include <mysqld_error.h>
#include <errmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "digits.h"
#include "log.h"
#include "orderkeys.h"
#include "valid.h"

#define COLL_COLUMNS \
	"id, name, description, cover_track_id, cover_image_url, track_count, created_at, updated_at," \
	" version"
#define COLL_COLUMNS_OF(t) \
	t ".id, " t ".name, " t ".description, " t ".cover_track_id, " t ".cover_image_url, " \
	t ".track_count, " t ".created_at, " t ".updated_at, " t ".version"
/* The caller: its user, membership of the organization (first ?) and the
 * capability there (second ?); with KEY_LIVE on api_keys k (third ?). */
#define AUTH_COLUMNS \
	"k.user_id," \
	" EXISTS(SELECT 1 FROM memberships m WHERE m.org_id = ? AND m.user_id = k.user_id) AS mem," \
	" EXISTS(SELECT 1 FROM membership_capabilities mc WHERE mc.org_id = ?" \
	"        AND mc.user_id = k.user_id AND mc.capability = 'USE_MUSIC_GENERATION') AS cap"
#define KEY_LIVE "k.key_hash = ? AND k.revoked_at IS NULL"
#define OWNED_LIVE "id = ? AND org_id = ? AND user_id = ? AND deleted_at IS NULL"
#define NOW "UTC_TIMESTAMP(6)"
/* Every statement that writes a collection row moves its version
 * (sql/003_collection_version.sql): the ETag. */
#define BUMP "version = version + 1"
#define IDEM_ROW "user_id = ? AND org_id = ? AND idem_key = ?"
/* A JSON array of ids bound as one parameter, as rows (n: its place in
 * the list, from 1; tid: the id). */
#define LISTED_IDS "JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY, tid VARCHAR(32) PATH '$'))"
/* What the order index says now of collection coll's entries before the
 * block starting at the key given (first ?), and whether a block starts
 * at the key given (second ?): the check of a page read from a block. */
#define BLOCK_CHECK(coll) \
	" (SELECT COALESCE(SUM(entries), 0) FROM collection_blocks" \
	"  WHERE collection_id = " coll " AND first_key < ?)," \
	" (SELECT COUNT(*) FROM collection_blocks WHERE collection_id = " coll " AND first_key = ?)"

struct stmt_def {
	const char *sql;
	unsigned nparam;
};

static const struct stmt_def stmt_defs[STMT__MAX] = {
	[STMT_AUTH] = {"SELECT " AUTH_COLUMNS " FROM api_keys k WHERE " KEY_LIVE, 3},
	/* Reads authenticate in their own statement: the caller (key, then
	 * membership and capability of the path's organization: AUTH_COLUMNS)
	 * and what it reads, owned by that caller, in one round trip. */
	[STMT_READ_COLL] = {"SELECT " AUTH_COLUMNS ", " COLL_COLUMNS_OF("c") " FROM api_keys k"
			    " LEFT JOIN collections c ON c.id = ? AND c.org_id = ? AND c.user_id = k.user_id"
			    "  AND c.deleted_at IS NULL"
			    " WHERE " KEY_LIVE, 5},
	/* The owner's live collections, newest first.  Rows only when the
	 * page has some: an empty page (or an unknown key) is told apart
	 * with STMT_AUTH.  (An outer join here would sort through a
	 * temporary table, on disk for its TEXT column.) */
	[STMT_READ_LIST] = {"SELECT " AUTH_COLUMNS ", " COLL_COLUMNS_OF("c") " FROM api_keys k"
			    " JOIN collections c ON c.org_id = ? AND c.user_id = k.user_id"
			    "  AND c.deleted_at IS NULL"
			    " WHERE " KEY_LIVE " ORDER BY c.created_at DESC, c.id DESC LIMIT ? OFFSET ?", 6},
	/* A page of tracks counted from the key given (ORDER_KEY_MIN: the
	 * first), with the collection's track_count and version; rows only when the page
	 * has some (else STMT_READ_BLOCKS tells why). */
	[STMT_READ_TRACKS] = {"SELECT " AUTH_COLUMNS ", c.track_count, c.version, ct.track_id, ct.added_at"
			      " FROM api_keys k"
			      " JOIN collections c ON c.id = ? AND c.org_id = ? AND c.user_id = k.user_id"
			      "  AND c.deleted_at IS NULL"
			      " JOIN collection_tracks ct ON ct.collection_id = c.id AND ct.sort_key >= ?"
			      " WHERE " KEY_LIVE " ORDER BY ct.sort_key LIMIT ? OFFSET ?", 8},
	/* The caller, the collection's track_count and version and its order index (in
	 * no particular order: sorted by the caller). */
	[STMT_READ_BLOCKS] = {"SELECT " AUTH_COLUMNS ", c.track_count, c.version, b.first_key, b.entries"
			      " FROM api_keys k"
			      " LEFT JOIN collections c ON c.id = ? AND c.org_id = ? AND c.user_id = k.user_id"
			      "  AND c.deleted_at IS NULL"
			      " LEFT JOIN collection_blocks b ON b.collection_id = c.id"
			      " WHERE " KEY_LIVE, 5},
	/* ... then the page from the block found, with what the index says now
	 * of the entries before that block and whether it still starts there:
	 * if both are as read before, the page's positions are right. */
	[STMT_READ_PAGE] = {"SELECT track_id, added_at," BLOCK_CHECK("?")
			    " FROM collection_tracks WHERE collection_id = ? AND sort_key >= ?"
			    " ORDER BY sort_key LIMIT ? OFFSET ?", 8},
	/* A page past the first block from a hint of the index (blockhint.h),
	 * in one statement: as STMT_READ_TRACKS from the block's first key,
	 * with what the index says now of the entries before that block and
	 * whether it still starts there (as STMT_READ_PAGE checks). */
	[STMT_READ_PAGE_AT] = {"SELECT " AUTH_COLUMNS ", c.track_count, c.version, ct.track_id, ct.added_at,"
			       BLOCK_CHECK("c.id") " FROM api_keys k"
			       " JOIN collections c ON c.id = ? AND c.org_id = ? AND c.user_id = k.user_id"
			       "  AND c.deleted_at IS NULL"
			       " JOIN collection_tracks ct ON ct.collection_id = c.id AND ct.sort_key >= ?"
			       " WHERE " KEY_LIVE " ORDER BY ct.sort_key LIMIT ? OFFSET ?", 10},
	[STMT_COLL_GET] = {"SELECT " COLL_COLUMNS " FROM collections WHERE " OWNED_LIVE, 3},
	[STMT_COLL_LOCK] = {"SELECT " COLL_COLUMNS " FROM collections WHERE " OWNED_LIVE " FOR UPDATE", 3},
	[STMT_COLL_INSERT] = {"INSERT INTO collections (id, org_id, user_id, name, description,"
			      " cover_track_id, cover_image_url, track_count, created_at, updated_at, version)"
			      " VALUES (?, ?, ?, ?, ?, ?, ?, 0, UTC_TIMESTAMP(), UTC_TIMESTAMP(), 1)", 7},
	[STMT_COLL_UPDATE] = {"UPDATE collections SET name = ?, description = ?, cover_track_id = ?,"
			      " cover_image_url = ?, updated_at = " NOW ", " BUMP " WHERE id = ?", 5},
	[STMT_COLL_SET_COUNT] = {"UPDATE collections SET track_count = ?, updated_at = " NOW ", " BUMP
				 " WHERE id = ?", 2},
	[STMT_COLL_TOUCH] = {"UPDATE collections SET updated_at = " NOW ", " BUMP " WHERE id = ?", 1},
	[STMT_COLL_DELETE] = {"UPDATE collections SET deleted_at = " NOW ", updated_at = " NOW ", " BUMP
			      " WHERE id = ?", 1},
	[STMT_TRACK_CHECK] = {"SELECT id FROM tracks WHERE id = ? AND org_id = ? LOCK IN SHARE MODE", 2},
	/* Order: an entry's position is its rank by sort_key (orderkeys.h);
	 * collection_blocks counts entries per key range (002_order_keys.sql). */
	[STMT_ENTRY_PAGE] = {"SELECT track_id, added_at FROM collection_tracks"
			     " WHERE collection_id = ? AND sort_key >= ? ORDER BY sort_key LIMIT ? OFFSET ?", 4},
	[STMT_ENTRY_FIND] = {"SELECT sort_key FROM collection_tracks"
			     " WHERE collection_id = ? AND track_id = ?", 2},
	[STMT_ENTRY_KEY_RANGE] = {"SELECT MIN(sort_key), MAX(sort_key) FROM collection_tracks"
				  " WHERE collection_id = ?", 1},
	[STMT_ENTRY_FIRST] = {"SELECT track_id FROM collection_tracks WHERE collection_id = ?"
			      " ORDER BY sort_key LIMIT ?", 2},
	/* The listed ids (a JSON array) that are members, in list order, with
	 * their keys. */
	[STMT_ENTRY_LISTED] = {"SELECT j.n, ct.sort_key FROM " LISTED_IDS " j"
			       " JOIN collection_tracks ct ON ct.collection_id = ? AND ct.track_id = j.tid"
			       " ORDER BY j.n", 2},
	[STMT_ENTRY_INSERT] = {"INSERT INTO collection_tracks (collection_id, track_id, sort_key, added_at)"
			       " VALUES (?, ?, ?, " NOW ")", 3},
	[STMT_ENTRY_DELETE] = {"DELETE FROM collection_tracks WHERE collection_id = ? AND track_id = ?", 2},
	/* The members listed (a JSON array) get keys base, base + 1, ...: all
	 * below the smallest key in use, so no two rows ever share a key. */
	[STMT_ENTRY_MOVE_FRONT] = {"UPDATE collection_tracks ct JOIN " LISTED_IDS " j ON ct.track_id = j.tid"
				   " SET ct.sort_key = ? + j.n - 1 WHERE ct.collection_id = ?", 3},
	/* A reorder listing a large share of the collection (reorder.h)
	 * reads every entry in key order, in one range scan ... */
	[STMT_ENTRY_ALL] = {"SELECT track_id, sort_key FROM collection_tracks WHERE collection_id = ?"
			    " ORDER BY sort_key", 1},
	/* ... and moves the members listed as STMT_ENTRY_MOVE_FRONT does, the
	 * other way round: a range scan of the collection's entries, each
	 * joined to the list through a hash key on the list materialized
	 * (rather than one primary-key lookup per listed id). */
	[STMT_ENTRY_MOVE_FRONT_SCAN] = {"SET STATEMENT optimizer_switch = 'derived_merge=off,derived_with_keys=on'"
					" FOR UPDATE collection_tracks ct STRAIGHT_JOIN (SELECT n, tid FROM " LISTED_IDS " jt) j"
					" ON j.tid = ct.track_id SET ct.sort_key = ? + j.n - 1 WHERE ct.collection_id = ?", 3},
	[STMT_BLOCK_ALL] = {"SELECT first_key, entries FROM collection_blocks WHERE collection_id = ?"
			    " ORDER BY first_key", 1},
	[STMT_BLOCK_AT] = {"SELECT first_key, entries FROM collection_blocks"
			   " WHERE collection_id = ? AND first_key <= ? ORDER BY first_key DESC LIMIT 1", 2},
	[STMT_BLOCK_SUMMARY] = {"SELECT COUNT(*), COALESCE(SUM(entries), 0) FROM collection_blocks"
				" WHERE collection_id = ?", 1},
	[STMT_BLOCK_INSERT] = {"INSERT INTO collection_blocks (collection_id, first_key, entries)"
			       " VALUES (?, ?, ?)", 3},
	/* Blocks from a JSON array of [first_key, entries] pairs. */
	[STMT_BLOCK_INSERT_MANY] = {"INSERT INTO collection_blocks (collection_id, first_key, entries)"
				    " SELECT ?, j.fk, j.n FROM JSON_TABLE(?, '$[*]' COLUMNS ("
				    "  fk BIGINT PATH '$[0]', n INT PATH '$[1]')) j", 2},
	[STMT_BLOCK_ADD] = {"UPDATE collection_blocks SET entries = entries + ?"
			    " WHERE collection_id = ? AND first_key = ?", 3},
	/* Subtracts from blocks given as a JSON array of [first_key, count]. */
	[STMT_BLOCK_SUB_MANY] = {"UPDATE collection_blocks b JOIN JSON_TABLE(?, '$[*]' COLUMNS ("
				 "  fk BIGINT PATH '$[0]', d INT PATH '$[1]')) j ON b.first_key = j.fk"
				 " SET b.entries = b.entries - j.d WHERE b.collection_id = ?", 2},
	[STMT_BLOCK_MOVE] = {"UPDATE collection_blocks SET first_key = ?, entries = entries + ?"
			     " WHERE collection_id = ? AND first_key = ?", 4},
	[STMT_BLOCK_DELETE_EMPTY] = {"DELETE FROM collection_blocks WHERE collection_id = ? AND entries <= 0", 1},
	[STMT_BLOCK_CLEAR] = {"DELETE FROM collection_blocks WHERE collection_id = ?", 1},
	[STMT_BLOCK_REBUILD] = {"INSERT INTO collection_blocks (collection_id, first_key, entries)"
				" SELECT ?, MIN(sort_key), COUNT(*) FROM (SELECT sort_key,"
				"  (ROW_NUMBER() OVER (ORDER BY sort_key) - 1) DIV " ORDER_BLOCK_SQL " AS b"
				"  FROM collection_tracks WHERE collection_id = ?) numbered GROUP BY b", 2},
	/* Bulk add: the listed tracks (a JSON array) of the organization, in
	 * list order, share-locked like STMT_TRACK_CHECK; then the new entries
	 * with keys base, base + 1, ... in list order. */
	[STMT_TRACK_CHECK_MANY] = {"SELECT t.id FROM " LISTED_IDS " j"
				   " JOIN tracks t ON t.id = j.tid AND t.org_id = ?"
				   " ORDER BY j.n LOCK IN SHARE MODE", 2},
	[STMT_ENTRY_INSERT_MANY] = {"INSERT INTO collection_tracks (collection_id, track_id, sort_key, added_at)"
				    " SELECT ?, j.tid, ? + j.n - 1, " NOW " FROM " LISTED_IDS " j", 3},
	/* Idempotency keys (sql/004_idempotency_keys.sql): claim, read,
	 * take over a stale or expired row, store the answer, release. */
	[STMT_IDEM_CLAIM] = {"INSERT INTO idempotency_keys (user_id, org_id, idem_key, fingerprint, state,"
			     " claim_token, created_at, claimed_at)"
			     " VALUES (?, ?, ?, ?, 'running', ?, " NOW ", " NOW ")", 5},
	[STMT_IDEM_GET] = {"SELECT fingerprint, state, claim_token, status, headers, body,"
			   " created_at < " NOW " - INTERVAL " IDEM_TTL_SQL " SECOND,"
			   " claimed_at < " NOW " - INTERVAL ? SECOND"
			   " FROM idempotency_keys WHERE " IDEM_ROW, 4},
	[STMT_IDEM_TAKEOVER] = {"UPDATE idempotency_keys SET fingerprint = ?, state = 'running', claim_token = ?,"
				" status = NULL, headers = NULL, body = NULL, created_at = " NOW ","
				" claimed_at = " NOW " WHERE " IDEM_ROW " AND claim_token = ?", 6},
	[STMT_IDEM_STORE] = {"UPDATE idempotency_keys SET state = 'done', status = ?, headers = ?, body = ?"
			     " WHERE " IDEM_ROW " AND claim_token = ? AND state = 'running'", 7},
	[STMT_IDEM_RELEASE] = {"DELETE FROM idempotency_keys WHERE " IDEM_ROW
			       " AND claim_token = ? AND state = 'running'", 4},
	/* The request's deadline cuts statements short (milliseconds). */
	[STMT_SET_STATEMENT_TIME] = {"SET SESSION max_statement_time = ? / 1000", 1},
	/* GET /healthz: one round trip, no tenant data. */
	[STMT_PING] = {"SELECT 1", 0},

	[STMT_ADM_ORG_INSERT] = {"INSERT INTO organizations (id, name, created_at) VALUES (?, ?, " NOW ")", 2},
	[STMT_ADM_USER_INSERT] = {"INSERT INTO users (id, email, created_at) VALUES (?, ?, " NOW ")", 2},
	[STMT_ADM_USER_EXISTS] = {"SELECT id FROM users WHERE id = ?", 1},
	[STMT_ADM_MEMBER_INSERT] = {"INSERT INTO memberships (org_id, user_id, created_at)"
				    " VALUES (?, ?, " NOW ") ON DUPLICATE KEY UPDATE org_id = org_id", 2},
	[STMT_ADM_CAP_INSERT] = {"INSERT INTO membership_capabilities (org_id, user_id, capability)"
				 " VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE capability = capability", 3},
	[STMT_ADM_KEY_INSERT] = {"INSERT INTO api_keys (id, user_id, key_hash, created_at)"
				 " VALUES (?, ?, ?, " NOW ")", 3},
	[STMT_ADM_KEY_REVOKE] = {"UPDATE api_keys SET revoked_at = COALESCE(revoked_at, " NOW ")"
				 " WHERE id = ? OR key_hash = ?", 2},
	[STMT_ADM_KEY_LIST] = {"SELECT id, created_at, revoked_at FROM api_keys WHERE user_id = ?"
			       " ORDER BY created_at, id", 1},
	[STMT_ADM_TRACK_INSERT] = {"INSERT INTO tracks (id, org_id, user_id, title, created_at)"
				   " VALUES (?, ?, ?, ?, " NOW ")", 4},
	[STMT_ADM_TRACK_LOCK] = {"SELECT id FROM tracks WHERE id = ? FOR UPDATE", 1},
	[STMT_ADM_TRACK_HOLDERS] = {"SELECT collection_id FROM collection_tracks WHERE track_id = ?"
				    " ORDER BY collection_id", 1},
	[STMT_ADM_COLL_LOCK_ID] = {"SELECT track_count FROM collections WHERE id = ? FOR UPDATE", 1},
	[STMT_ADM_COLL_DECREMENT] = {"UPDATE collections SET track_count = track_count - 1,"
				     " updated_at = " NOW ", " BUMP " WHERE id = ?", 1},
	[STMT_ADM_COVER_CLEAR] = {"UPDATE collections SET cover_track_id = NULL, updated_at = " NOW ", " BUMP
				  " WHERE cover_track_id = ?", 1},
	[STMT_ADM_TRACK_DELETE] = {"DELETE FROM tracks WHERE id = ?", 1},
	[STMT_ADM_MIGRATION_APPLIED] = {"SELECT version FROM schema_migrations WHERE version = ?", 1},
	[STMT_ADM_MIGRATION_RECORD] = {"INSERT INTO schema_migrations (version, applied_at)"
				       " VALUES (?, " NOW ")", 1},
	[STMT_ADM_CAP_DELETE_ALL] = {"DELETE FROM membership_capabilities WHERE org_id = ? AND user_id = ?", 2},
	[STMT_ADM_MEMBER_DELETE] = {"DELETE FROM memberships WHERE org_id = ? AND user_id = ?", 2},
	[STMT_ADM_COLL_STATE] = {"SELECT deleted_at FROM collections WHERE id = ? FOR UPDATE", 1},
	[STMT_ADM_COLL_RESTORE] = {"UPDATE collections SET deleted_at = NULL, updated_at = " NOW ", " BUMP
				   " WHERE id = ? AND deleted_at IS NOT NULL", 1},
	/* Purge walks soft-deleted collections in primary key order, a batch
	 * at a time (deleted_at compared with a UTC date, e.g. '2026-01-31'),
	 * and takes each apart in transactions of bounded size. */
	[STMT_ADM_PURGE_SCAN] = {"SELECT id FROM collections WHERE id > ? AND deleted_at IS NOT NULL"
				 " AND deleted_at < ? ORDER BY id LIMIT ?", 3},
	[STMT_ADM_PURGE_LOCK] = {"SELECT id FROM collections WHERE id = ? AND deleted_at IS NOT NULL"
				 " AND deleted_at < ? FOR UPDATE", 2},
	[STMT_ADM_PURGE_ENTRIES] = {"DELETE FROM collection_tracks WHERE collection_id = ?"
				    " ORDER BY sort_key DESC LIMIT ?", 2},
	[STMT_ADM_PURGE_COUNT] = {"UPDATE collections SET track_count = track_count - ?, " BUMP
				  " WHERE id = ?", 2},
	[STMT_ADM_PURGE_COLL] = {"DELETE FROM collections WHERE id = ?", 1},
	/* Tracks from a JSON array of [id, title] pairs: one statement a batch. */
	[STMT_ADM_TRACK_INSERT_MANY] = {"INSERT INTO tracks (id, org_id, user_id, title, created_at)"
					" SELECT j.id, ?, ?, j.title, " NOW " FROM JSON_TABLE(?, '$[*]' COLUMNS ("
					"  id VARCHAR(32) PATH '$[0]', title VARCHAR(512) PATH '$[1]')) j", 3},
	/* Idempotency keys past their lifetime, oldest first, a batch at a time. */
	[STMT_ADM_PURGE_IDEM] = {"DELETE FROM idempotency_keys WHERE created_at < " NOW " - INTERVAL "
				 IDEM_TTL_SQL " SECOND ORDER BY created_at LIMIT ?", 1},
};

double db_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void db_init(struct db *db, const struct conf *conf)
{
	memset(db, 0, sizeof(*db));
	db->conf = conf;
	db->ntargets = db_targets_parse(conf->db_hosts ? conf->db_hosts : "", conf->db_port,
					db->targets, DB_TARGETS_MAX);
	if (db->ntargets <= 0) {
		/* db_host/db_port/db_socket: one server */
		db->ntargets = 1;
		snprintf(db->targets[0].socket, sizeof(db->targets[0].socket), "%s", conf->db_socket);
		snprintf(db->targets[0].host, sizeof(db->targets[0].host), "%s", conf->db_host);
		db->targets[0].port = conf->db_port;
	}
}

void db_set_home(struct db *db, int index)
{
	db->home = db->node = index % db->ntargets;
}

static const char *target_name(const struct db *db, int i, char *buf, size_t len)
{
	const struct db_target *t = &db->targets[i];

	if (*t->socket)
		snprintf(buf, len, "%s", t->socket);
	else
		snprintf(buf, len, "%s:%d", t->host, t->port);
	return buf;
}

static bool conn_lost(unsigned e)
{
	return (e >= CR_MIN_ERROR && e <= CR_MAX_ERROR) || e == ER_CONNECTION_KILLED ||
	       e == ER_SERVER_SHUTDOWN || e == 4031 /* disconnected: idle */ ||
	       e == ER_UNKNOWN_COM_ERROR || e == 1047 /* WSREP not ready */;
}

static enum dbrc classify(struct db *db, unsigned e, const char *msg)
{
	db->err = e;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg ? msg : "");
	if (e == ER_LOCK_DEADLOCK)
		return DB_RETRY;
	if (e == ER_LOCK_WAIT_TIMEOUT || e == ER_STATEMENT_TIMEOUT)
		return DB_TIMEOUT;
	if (e == ER_DUP_ENTRY)
		return DB_DUP;
	if (conn_lost(e))
		return DB_GONE;
	return DB_FAIL;
}

void db_close(struct db *db)
{
	for (int i = 0; i < STMT__MAX; i++) {
		if (db->stmt[i])
			mysql_stmt_close(db->stmt[i]);
		db->stmt[i] = NULL;
		free(db->colkind[i]);
		db->colkind[i] = NULL;
		db->ncolkind[i] = 0;
	}
	if (db->conn)
		mysql_close(db->conn);
	db->conn = NULL;
}

/* Integers and date-times are fetched in their binary form and formatted
 * here (the client library would format them with sprintf, the largest
 * part of a fetch); everything else as text.  The text of a cell is the
 * same either way. */
static void note_column_kinds(struct db *db, enum stmt s)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(db->stmt[s]);
	const MYSQL_FIELD *f;
	unsigned n;

	if (!meta)
		return; /* no result set */
	n = mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	db->colkind[s] = xcalloc(n ? n : 1, 1);
	db->ncolkind[s] = n;
	for (unsigned i = 0; i < n; i++) {
		switch (f[i].type) {
		case MYSQL_TYPE_TINY:
		case MYSQL_TYPE_SHORT:
		case MYSQL_TYPE_INT24:
		case MYSQL_TYPE_LONG:
		case MYSQL_TYPE_LONGLONG:
			db->colkind[s][i] = (f[i].flags & UNSIGNED_FLAG) ? COL_UINT : COL_INT;
			break;
		case MYSQL_TYPE_DATETIME:
		case MYSQL_TYPE_TIMESTAMP:
			db->colkind[s][i] = (unsigned char)(COL_TIME | (f[i].decimals <= 6 ? f[i].decimals : 0));
			break;
		default:
			db->colkind[s][i] = COL_TEXT;
		}
	}
	mysql_free_result(meta);
}

static enum dbrc prepare(struct db *db, enum stmt s)
{
	MYSQL_STMT *st = mysql_stmt_init(db->conn);
	enum dbrc rc;

	if (!st)
		return classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	if (mysql_stmt_prepare(st, stmt_defs[s].sql, strlen(stmt_defs[s].sql)) != 0) {
		rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		log_error("prepare statement %d: %s", (int)s, db->errmsg);
		mysql_stmt_close(st);
		return rc;
	}
	if (mysql_stmt_param_count(st) != stmt_defs[s].nparam) {
		log_error("statement %d: %lu parameters, table says %u", (int)s,
			  mysql_stmt_param_count(st), stmt_defs[s].nparam);
		abort();
	}
	db->stmt[s] = st;
	note_column_kinds(db, s);
	return DB_OK;
}

/* Longest a request-path statement may take on the server: a full lock
 * wait and a second of work.  The client's read timeout (one more second)
 * is the backstop for a server that does not answer at all. */
static double stmt_base_cap(const struct db *db)
{
	return db->conf->lock_wait_timeout + 1.0;
}

/* The first column of the first row of a SHOW (fixed text), into out ("" for
 * no row).  Returns 0, or -1 with the error classified. */
static int show_value(struct db *db, MYSQL *conn, const char *sql, char *out, size_t len)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	*out = '\0';
	if (mysql_real_query(conn, sql, strlen(sql)) != 0 || !(r = mysql_store_result(conn))) {
		classify(db, mysql_errno(conn), mysql_error(conn));
		return -1;
	}
	if ((row = mysql_fetch_row(r)) && mysql_num_fields(r) >= 2 && row[1])
		snprintf(out, len, "%s", row[1]);
	mysql_free_result(r);
	return 0;
}

/* Is the server of conn usable: not Galera, or a Galera node in the
 * primary component (wsrep_ready ON)?  Sets *galera. */
static bool node_ready(struct db *db, MYSQL *conn, bool *galera)
{
	char v[32];

	*galera = false;
	if (show_value(db, conn, "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'", v, sizeof(v)) != 0)
		return false;
	if (strcmp(v, "ON") != 0)
		return true;
	*galera = true;
	if (show_value(db, conn, "SHOW GLOBAL STATUS LIKE 'wsrep_ready'", v, sizeof(v)) != 0)
		return false;
	if (strcmp(v, "ON") != 0) {
		db->err = 1047;
		snprintf(db->errmsg, sizeof(db->errmsg), "Galera node not ready (wsrep_ready %s)", v);
		return false;
	}
	return true;
}

/* A fresh session on node i, or NULL (db->errmsg says why). */
static MYSQL *connect_node(struct db *db, int i, bool *galera)
{
	const struct conf *c = db->conf;
	const struct db_target *t = &db->targets[i];
	unsigned int timeout = 3, rw_timeout = 30;
	char lock_wait[64];
	unsigned long flags = db->multi_statements ? CLIENT_MULTI_STATEMENTS : 0;
	my_bool off = 0;
	MYSQL *conn = mysql_init(NULL);

	if (!conn) {
		log_error("mysql_init failed");
		abort();
	}
	if (!db->lazy_prepare)
		rw_timeout = (unsigned)c->lock_wait_timeout + 2;
	snprintf(lock_wait, sizeof(lock_wait), "SET SESSION innodb_lock_wait_timeout = %d",
		 c->lock_wait_timeout);
	mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(conn, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_options(conn, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	mysql_options(conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(conn, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	mysql_options(conn, MYSQL_INIT_COMMAND,
		      "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
	mysql_options(conn, MYSQL_INIT_COMMAND,
		      "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
	mysql_options(conn, MYSQL_INIT_COMMAND, lock_wait);
	if (!mysql_real_connect(conn, *t->socket ? NULL : t->host, c->db_user, c->db_password,
				c->db_name, (unsigned)t->port, *t->socket ? t->socket : NULL, flags)) {
		classify(db, mysql_errno(conn), mysql_error(conn));
		mysql_close(conn);
		return NULL;
	}
	if (!node_ready(db, conn, galera))
		goto fail;
	if (*galera && mysql_query(conn, "SET SESSION wsrep_sync_wait = 1") != 0) {
		classify(db, mysql_errno(conn), mysql_error(conn));
		goto fail;
	}
	return conn;
fail:
	mysql_close(conn);
	return NULL;
}

double db_rehome_due(const struct db *db)
{
	double left;

	if (!db->conn || db->node == db->home)
		return -1;
	left = db->rehome_at - db_now();
	return left > 0 ? left : 0;
}

bool db_rehome(struct db *db)
{
	double now = db_now();
	bool galera;
	MYSQL *probe;

	if (!db->conn || db->node == db->home || now < db->rehome_at)
		return false;
	db->rehome_at = now + 5.0;
	if (!(probe = connect_node(db, db->home, &galera)))
		return false;
	mysql_close(probe);
	log_info("database node %d is back: returning to it", db->home + 1);
	db_close(db);
	db->node = db->home;
	return true;
}

enum dbrc db_connect(struct db *db)
{
	double now = db_now();
	char name[300];
	enum dbrc rc;

	if (db->conn)
		return DB_OK;
	if (now < db->next_connect_at)
		return DB_GONE;
	db->stmt_cap = 0; /* a new session: no max_statement_time yet */
	/* The node last used (at first the home node), then the others in
	 * turn. */
	for (int k = 0; k < db->ntargets && !db->conn; k++) {
		int i = (db->node + k) % db->ntargets;
		db->conn = connect_node(db, i, &db->galera);
		if (!db->conn) {
			if (db->ntargets > 1)
				log_debug("database connect failed: node %d (%s): %s", i + 1,
					  target_name(db, i, name, sizeof(name)), db->errmsg);
			continue;
		}
		db->rehome_at = now + 5.0;
		db->node = i;
	}
	if (!db->conn) {
		/* One warning however many nodes (rate-limited when repeated);
		 * with several nodes, every one was tried. */
		log_warn("database connect failed: %s", db->errmsg);
		db->next_connect_at = now + 0.5;
		return DB_GONE;
	}
	for (int s = 0; !db->lazy_prepare && s < STMT_WORKER__MAX; s++) {
		if ((rc = prepare(db, (enum stmt)s)) != DB_OK) {
			db_close(db);
			db->next_connect_at = now + 0.5;
			return rc == DB_GONE ? DB_GONE : DB_FAIL;
		}
	}
	if (db->ntargets > 1)
		log_info("database connected: node %d (%s)%s", db->node + 1,
			 target_name(db, db->node, name, sizeof(name)), db->galera ? ", Galera" : "");
	else
		log_info("database connected");
	return DB_OK;
}

struct dbchunk {
	struct dbchunk *next;
	size_t used, cap;
	char data[];
};

#define CHUNK_MIN 8192

/* n bytes for a cell, from the result's chunks: one allocation per 8 KiB
 * of cells instead of one per cell. */
static char *cell_alloc(struct dbres *r, size_t n)
{
	struct dbchunk *c = r->chunks;
	char *p;

	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
		c = xmalloc(sizeof(*c) + cap);
		c->cap = cap;
		c->used = 0;
		c->next = r->chunks;
		r->chunks = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

void dbres_free(struct dbres *r)
{
	if (!r)
		return;
	while (r->chunks) {
		struct dbchunk *next = r->chunks->next;
		free(r->chunks);
		r->chunks = next;
	}
	free(r->cells);
	memset(r, 0, sizeof(*r));
}

const struct text *dbres_cell(const struct dbres *r, size_t row, size_t col)
{
	return &r->cells[row * r->ncols + col];
}

long long dbres_int(const struct dbres *r, size_t row, size_t col)
{
	const struct text *t = dbres_cell(r, row, col);

	return t->s ? strtoll(t->s, NULL, 10) : 0;
}

#define CELL_BUF 256
#define STACK_COLS 16

/* A column's fetch buffer, by its kind. */
union cellbuf {
	char text[CELL_BUF];
	long long i;
	MYSQL_TIME t;
};

/* The text of a binary cell into p (>= 40 bytes), as the client library
 * writes it: "-12", "2026-12-01 14:25:54" and, with decimals d, a dot and
 * the first d of six digits of the microseconds. */
static size_t format_cell(char *p, unsigned kind, const union cellbuf *c)
{
	size_t n;

	if (kind == COL_INT)
		return digits_ll(p, c->i);
	if (kind == COL_UINT)
		return digits_pad(p, (unsigned long long)c->i, 1);
	n = digits_pad(p, c->t.year, 4);
	p[n++] = '-';
	n += digits_pad(p + n, c->t.month, 2);
	p[n++] = '-';
	n += digits_pad(p + n, c->t.day, 2);
	p[n++] = ' ';
	n += digits_pad(p + n, c->t.hour, 2);
	p[n++] = ':';
	n += digits_pad(p + n, c->t.minute, 2);
	p[n++] = ':';
	n += digits_pad(p + n, c->t.second, 2);
	if (kind & 0x0f) {
		char us[8];
		digits_pad(us, c->t.second_part % 1000000, 6);
		p[n++] = '.';
		memcpy(p + n, us, kind & 0x0f);
		n += kind & 0x0f;
	}
	return n;
}

/* Fetches every row of st into res, each cell as text; kinds (n of them,
 * or NULL: all text) tell which columns come in binary form. */
static enum dbrc fetch_all(struct db *db, MYSQL_STMT *st, struct dbres *res, const unsigned char *kinds,
			   unsigned nkinds)
{
	unsigned ncols = mysql_stmt_field_count(st);
	/* Binding buffers on the stack for the usual column counts. */
	MYSQL_BIND b_stack[STACK_COLS];
	unsigned long lens_stack[STACK_COLS];
	my_bool nulls_stack[STACK_COLS];
	union cellbuf bufs_stack[STACK_COLS];
	bool heap = ncols > STACK_COLS;
	MYSQL_BIND *b = heap ? xcalloc(ncols, sizeof(*b)) : memset(b_stack, 0, sizeof(b_stack));
	unsigned long *lens = heap ? xcalloc(ncols, sizeof(*lens)) : lens_stack;
	my_bool *nulls = heap ? xcalloc(ncols, sizeof(*nulls)) : nulls_stack;
	union cellbuf *bufs = heap ? xcalloc(ncols, sizeof(*bufs)) : bufs_stack;
	size_t cap = 0;
	enum dbrc rc = DB_OK;
	int f;

	if (kinds && nkinds != ncols)
		kinds = NULL;
	if (mysql_stmt_store_result(st) != 0) {
		rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		/* libmariadb leaves a statement whose result failed after its
		 * metadata (a lock wait timeout, deadlock or Galera abort
		 * while rows were read) waiting for the rest of that result:
		 * its next mysql_stmt_execute would read until the read
		 * timeout.  A reset (COM_STMT_RESET) makes it ready again. */
		if (rc != DB_GONE)
			mysql_stmt_reset(st);
		goto out;
	}
	for (unsigned i = 0; i < ncols; i++) {
		unsigned k = kinds ? kinds[i] : COL_TEXT;
		b[i].buffer = &bufs[i];
		b[i].length = &lens[i];
		b[i].is_null = &nulls[i];
		if (k == COL_INT || k == COL_UINT) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].is_unsigned = k == COL_UINT;
		} else if (k & COL_TIME) {
			b[i].buffer_type = MYSQL_TYPE_DATETIME;
		} else {
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer_length = CELL_BUF;
		}
	}
	if (mysql_stmt_bind_result(st, b) != 0) {
		rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	res->ncols = ncols;
	while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
		if ((res->nrows + 1) * ncols > cap) {
			cap = cap ? cap * 2 : (size_t)ncols * 16;
			res->cells = xrealloc(res->cells, cap * sizeof(*res->cells));
		}
		/* The row counts only once every cell is filled. */
		struct text *row = &res->cells[res->nrows * ncols];
		memset(row, 0, ncols * sizeof(*row));
		for (unsigned i = 0; i < ncols; i++) {
			struct text *t = &row[i];
			unsigned k = kinds ? kinds[i] : COL_TEXT;
			if (nulls[i])
				continue;
			if (k != COL_TEXT) {
				char tmp[48];
				t->len = format_cell(tmp, k, &bufs[i]);
				t->s = cell_alloc(res, t->len + 1);
				memcpy(t->s, tmp, t->len);
				t->s[t->len] = '\0';
				continue;
			}
			t->len = lens[i];
			t->s = cell_alloc(res, lens[i] + 1);
			if (lens[i] <= CELL_BUF) {
				memcpy(t->s, bufs[i].text, lens[i]);
			} else {
				MYSQL_BIND big = {0};
				unsigned long got = 0;
				big.buffer_type = MYSQL_TYPE_STRING;
				big.buffer = t->s;
				big.buffer_length = lens[i] + 1;
				big.length = &got;
				if (mysql_stmt_fetch_column(st, &big, i, 0) != 0) {
					/* the row is not counted; its cells'
					 * bytes go with the chunks */
					rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
					goto out;
				}
			}
			t->s[lens[i]] = '\0';
		}
		res->nrows++;
	}
	if (f != MYSQL_NO_DATA)
		rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
out:
	mysql_stmt_free_result(st);
	if (heap) {
		free(b);
		free(lens);
		free(nulls);
		free(bufs);
	}
	return rc;
}

static enum dbrc exec_stmt(struct db *db, enum stmt s, const struct dbval *args, size_t nargs,
			   struct dbres *res)
{
	MYSQL_BIND pb_stack[STACK_COLS], *pb = NULL;
	MYSQL_STMT *st;
	enum dbrc rc = DB_OK;
	struct dbres scratch;
	double t0 = 0;

	if (!res)
		res = &scratch;
	memset(res, 0, sizeof(*res));
	if (!db->conn)
		return DB_GONE;
	if (!db->stmt[s] && (rc = prepare(db, s)) != DB_OK)
		return rc;
	st = db->stmt[s];
	if (nargs != stmt_defs[s].nparam) {
		log_error("statement %d called with %zu parameters", (int)s, nargs);
		abort();
	}
	if (nargs) {
		pb = nargs > STACK_COLS ? xcalloc(nargs, sizeof(*pb)) : memset(pb_stack, 0, sizeof(pb_stack));
		for (size_t i = 0; i < nargs; i++) {
			switch (args[i].t) {
			case DBV_NULL:
				pb[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			case DBV_INT:
				pb[i].buffer_type = MYSQL_TYPE_LONGLONG;
				pb[i].buffer = (void *)&args[i].i;
				break;
			case DBV_STR:
			case DBV_BLOB:
				pb[i].buffer_type = args[i].t == DBV_STR ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
				pb[i].buffer = (void *)args[i].s;
				pb[i].buffer_length = args[i].len;
				pb[i].length = (unsigned long *)&args[i].len;
				break;
			}
		}
		if (mysql_stmt_bind_param(st, pb) != 0) {
			rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
			goto out;
		}
	}
	if (db->slow.on)
		t0 = db_now();
	if (mysql_stmt_execute(st) != 0) {
		rc = classify(db, mysql_stmt_errno(st), mysql_stmt_error(st));
		goto out;
	}
	if (mysql_stmt_field_count(st) > 0)
		rc = fetch_all(db, st, res, db->colkind[s], db->ncolkind[s]);
	res->affected = mysql_stmt_affected_rows(st);
out:
	if (db->slow.on && t0 > 0)
		slowlog_add(&db->slow, db_stmt_name(s), (db_now() - t0) * 1000.0);
	if (pb != pb_stack)
		free(pb);
	if (res == &scratch)
		dbres_free(&scratch);
	if (rc != DB_OK && rc != DB_DUP)
		log_debug("statement %d: %u %s", (int)s, db->err, db->errmsg);
	return rc;
}

void db_set_deadline(struct db *db, double deadline)
{
	db->deadline = deadline;
}

static bool past_deadline(struct db *db)
{
	if (db->deadline <= 0 || db_now() < db->deadline)
		return false;
	db->err = 0;
	snprintf(db->errmsg, sizeof(db->errmsg), "request deadline passed");
	return true;
}

/* Before a statement: DB_TIMEOUT once the deadline has passed; else the
 * session's max_statement_time is made to end the statement by the
 * deadline.  It stays at stmt_base_cap() while the deadline is further
 * away, so a request pays one SET only in its last seconds. */
static enum dbrc deadline_guard(struct db *db)
{
	double base = stmt_base_cap(db), want;
	long long ms;
	enum dbrc rc;

	if (db->deadline <= 0)
		return DB_OK;
	if (past_deadline(db))
		return DB_TIMEOUT;
	want = db->deadline - db_now();
	if (want > base)
		want = base;
	if (db->stmt_cap > 0 && want >= db->stmt_cap && !(db->stmt_cap < base && want >= base))
		return DB_OK;
	ms = (long long)(want * 1000.0);
	if (ms < 1)
		ms = 1;
	rc = exec_stmt(db, STMT_SET_STATEMENT_TIME, ARGS(DV_INT(ms)), NULL);
	if (rc == DB_OK)
		db->stmt_cap = (double)ms / 1000.0;
	return rc;
}

enum dbrc db_exec(struct db *db, enum stmt s, const struct dbval *args, size_t nargs,
		  struct dbres *res)
{
	enum dbrc rc;

	if (res)
		memset(res, 0, sizeof(*res));
	if (db->conn && (rc = deadline_guard(db)) != DB_OK)
		return rc;
	return exec_stmt(db, s, args, nargs, res);
}

enum dbrc db_query(struct db *db, const char *sql)
{
	enum dbrc rc = DB_OK;
	double t0 = db->slow.on ? db_now() : 0;
	int status;

	if (!db->conn)
		return DB_GONE;
	if (mysql_real_query(db->conn, sql, strlen(sql)) != 0) {
		rc = classify(db, mysql_errno(db->conn), mysql_error(db->conn));
		slowlog_add(&db->slow, sql, (db_now() - t0) * 1000.0);
		return rc;
	}
	do {
		MYSQL_RES *r = mysql_store_result(db->conn);
		if (r)
			mysql_free_result(r);
		else if (mysql_field_count(db->conn) != 0)
			rc = classify(db, mysql_errno(db->conn), mysql_error(db->conn));
		status = mysql_next_result(db->conn);
		if (status > 0)
			rc = classify(db, mysql_errno(db->conn), mysql_error(db->conn));
	} while (status == 0);
	if (db->slow.on)
		slowlog_add(&db->slow, sql, (db_now() - t0) * 1000.0);
	return rc;
}

static void backoff(int attempt)
{
	unsigned short r = 0;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = 0;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(1 + attempt * 4 + r % 8) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Attempts of a transaction that deadlocks: on a Galera cluster changes
 * to one collection through several nodes also fail certification, so
 * more attempts (with a longer back-off), always within the deadline. */
#define TXN_ATTEMPTS 8
#define TXN_ATTEMPTS_CLUSTER 32

enum dbrc db_txn(struct db *db, enum txn_mode mode, db_txn_fn fn, void *ctx)
{
	bool reconnected = false;
	enum dbrc rc = DB_FAIL;

	int attempts = db->ntargets > 1 ? TXN_ATTEMPTS_CLUSTER : TXN_ATTEMPTS;

	for (int attempt = 0; attempt < attempts; attempt++) {
		bool at_commit = false;

		if (past_deadline(db))
			return DB_TIMEOUT;
		if (!db->conn && db_connect(db) != DB_OK)
			return DB_GONE;
		if ((rc = deadline_guard(db)) == DB_OK) {
			if (mode == TXN_READ)
				rc = db_query(db, "START TRANSACTION READ ONLY");
			else if (mode == TXN_WRITE)
				rc = db_query(db, "START TRANSACTION");
		}
		if (rc == DB_OK)
			rc = fn(db, ctx);
		/* Never COMMIT after the deadline: the client may have had its
		 * 503 already. */
		if (rc == DB_OK && mode != TXN_NONE && past_deadline(db))
			rc = DB_TIMEOUT;
		if (rc == DB_OK && mode != TXN_NONE) {
			at_commit = true;
			rc = db_query(db, "COMMIT");
		}
		if (rc == DB_OK)
			return DB_OK;
		if (rc == DB_GONE) {
			log_warn("database connection lost: %s", db->errmsg);
			db_close(db);
			/* Several nodes: the next connect starts at the next one. */
			db->node = (db->node + 1) % db->ntargets;
			/* Lost during COMMIT: it may have committed (on a
			 * Galera node too: the write set may have been
			 * replicated), so it is never run again: 503.  Lost
			 * before COMMIT was sent: the server rolls back (a
			 * Galera node replicates nothing before COMMIT), so it
			 * runs once more, on the next node. */
			if (at_commit || reconnected)
				return DB_GONE;
			reconnected = true;
			continue;
		}
		if (mode != TXN_NONE)
			db_query(db, "ROLLBACK");
		if (rc == DB_TIMEOUT && db->err != ER_LOCK_WAIT_TIMEOUT) {
			/* Cut by the deadline: a fresh session for the next
			 * request (the server has rolled back, the cut
			 * statement is gone, max_statement_time is reset). */
			db_close(db);
		}
		if (rc != DB_RETRY)
			return rc;
		log_info("transaction retry %d after: %s", attempt + 1, db->errmsg);
		backoff(attempt);
	}
	return rc;
}
