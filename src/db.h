/* db.h -- one MariaDB connection with its prepared statements, statement
 * execution with bound parameters, and transactions that retry. */
#ifndef MCOLL_DB_H
#define MCOLL_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <mysql.h>

#include "conf.h"
#include "dbhosts.h"
#include "model.h"
#include "slowlog.h"

enum stmt {
	/* request path: prepared when a worker connects */
	STMT_AUTH,
	STMT_READ_COLL,
	STMT_READ_LIST,
	STMT_READ_TRACKS,
	STMT_READ_BLOCKS,
	STMT_READ_PAGE,
	STMT_READ_PAGE_AT,
	STMT_COLL_GET,
	STMT_COLL_LOCK,
	STMT_COLL_INSERT,
	STMT_COLL_UPDATE,
	STMT_COLL_SET_COUNT,
	STMT_COLL_TOUCH,
	STMT_COLL_DELETE,
	STMT_TRACK_CHECK,
	STMT_ENTRY_PAGE,
	STMT_ENTRY_FIND,
	STMT_ENTRY_KEY_RANGE,
	STMT_ENTRY_FIRST,
	STMT_ENTRY_LISTED,
	STMT_ENTRY_INSERT,
	STMT_ENTRY_DELETE,
	STMT_ENTRY_MOVE_FRONT,
	STMT_ENTRY_ALL,
	STMT_ENTRY_MOVE_FRONT_SCAN,
	STMT_BLOCK_ALL,
	STMT_BLOCK_AT,
	STMT_BLOCK_SUMMARY,
	STMT_BLOCK_INSERT,
	STMT_BLOCK_INSERT_MANY,
	STMT_BLOCK_ADD,
	STMT_BLOCK_SUB_MANY,
	STMT_BLOCK_MOVE,
	STMT_BLOCK_DELETE_EMPTY,
	STMT_BLOCK_CLEAR,
	STMT_BLOCK_REBUILD,
	STMT_TRACK_CHECK_MANY,
	STMT_ENTRY_INSERT_MANY,
	STMT_IDEM_CLAIM,
	STMT_IDEM_GET,
	STMT_IDEM_TAKEOVER,
	STMT_IDEM_STORE,
	STMT_IDEM_RELEASE,
	STMT_SET_STATEMENT_TIME,
	STMT_PING,
	STMT_WORKER__MAX,
	/* administration: prepared on first use */
	STMT_ADM_ORG_INSERT = STMT_WORKER__MAX,
	STMT_ADM_USER_INSERT,
	STMT_ADM_USER_EXISTS,
	STMT_ADM_MEMBER_INSERT,
	STMT_ADM_CAP_INSERT,
	STMT_ADM_KEY_INSERT,
	STMT_ADM_KEY_REVOKE,
	STMT_ADM_KEY_LIST,
	STMT_ADM_TRACK_INSERT,
	STMT_ADM_TRACK_LOCK,
	STMT_ADM_TRACK_HOLDERS,
	STMT_ADM_COLL_LOCK_ID,
	STMT_ADM_COLL_DECREMENT,
	STMT_ADM_COVER_CLEAR,
	STMT_ADM_TRACK_DELETE,
	STMT_ADM_MIGRATION_APPLIED,
	STMT_ADM_MIGRATION_RECORD,
	STMT_ADM_CAP_DELETE_ALL,
	STMT_ADM_MEMBER_DELETE,
	STMT_ADM_COLL_STATE,
	STMT_ADM_COLL_RESTORE,
	STMT_ADM_PURGE_SCAN,
	STMT_ADM_PURGE_LOCK,
	STMT_ADM_PURGE_ENTRIES,
	STMT_ADM_PURGE_COUNT,
	STMT_ADM_PURGE_COLL,
	STMT_ADM_TRACK_INSERT_MANY,
	STMT_ADM_PURGE_IDEM,
	STMT__MAX
};

/* Outcome of a database call. */
enum dbrc {
	DB_OK,
	DB_RETRY,   /* deadlock: run the transaction again */
	DB_DUP,     /* duplicate key */
	DB_GONE,    /* connection lost or refused: 503 */
	DB_TIMEOUT, /* lock wait timeout, statement time or the request's
		     * deadline ran out: rolled back, 503 */
	DB_FAIL,    /* anything else: 500 */
};

enum dbval_type { DBV_NULL, DBV_INT, DBV_STR, DBV_BLOB };

struct dbval {
	enum dbval_type t;
	long long i;
	const char *s;
	unsigned long len;
};

/* Parameter constructors: a NULL string binds SQL NULL. */
static inline struct dbval DV_INT(long long x)
{
	return (struct dbval){.t = DBV_INT, .i = x};
}
static inline struct dbval DV_STR(const char *p, size_t len)
{
	return (struct dbval){.t = p ? DBV_STR : DBV_NULL, .s = p, .len = len};
}
static inline struct dbval DV_CSTR(const char *p)
{
	return DV_STR(p, p ? strlen(p) : 0);
}
static inline struct dbval DV_BLOB(const void *p, size_t len)
{
	return (struct dbval){.t = DBV_BLOB, .s = p, .len = len};
}
#define DV_TEXT(t) DV_STR((t).s, (t).len)

/* Rows of a result, every cell as text (NULL for SQL NULL).  The cells'
 * bytes live in chunks the result owns: dbres_free frees them all. */
struct dbchunk;
struct dbres {
	size_t nrows, ncols;
	struct text *cells;
	struct dbchunk *chunks;
	unsigned long long affected;
};

/* How a result column is fetched: as text, or binary and formatted as the
 * client library would (integers; date-times with their decimals). */
enum col_kind { COL_TEXT = 0, COL_INT = 1, COL_UINT = 2, COL_TIME = 0x10 /* | decimals */ };

struct db {
	const struct conf *conf;
	MYSQL *conn;
	MYSQL_STMT *stmt[STMT__MAX];
	/* Per statement, how each result column is fetched (enum col_kind),
	 * from its metadata at prepare; NULL: every column as text. */
	unsigned char *colkind[STMT__MAX];
	unsigned ncolkind[STMT__MAX];
	struct db_target targets[DB_TARGETS_MAX]; /* db_hosts, or db_host/db_port/db_socket */
	int ntargets;
	int home;                /* the node this connection prefers (worker slot) */
	int node;                /* the node connected to, or tried next */
	bool galera;             /* the connected server is a Galera node */
	double rehome_at;        /* monotonic seconds: next look at the home node */
	bool multi_statements;   /* for migrations (mcollctl) */
	bool lazy_prepare;       /* administration: prepare on first use, not
				  * at connect; no request-path read timeout */
	double next_connect_at;  /* monotonic seconds: reconnect back-off */
	double deadline;         /* monotonic seconds of the request's end; 0: none */
	double stmt_cap;         /* the session's max_statement_time now; 0: none */
	unsigned err;            /* last MariaDB error number */
	char errmsg[256];        /* last MariaDB error text: for the log only */
	struct slowlog slow;     /* statement timings while slowlog_ms is on */
};

void db_init(struct db *db, const struct conf *conf);
/* Connects (if not connected), sets the session up and prepares the
 * request-path statements.  Returns DB_OK or DB_GONE. */
enum dbrc db_connect(struct db *db);
void db_close(struct db *db);
/* The statement's enum name ("STMT_READ_LIST"), for the slow log. */
const char *db_stmt_name(enum stmt s);
/* Several nodes (db_hosts): this connection prefers node index %
 * ntargets (the worker's slot, so workers spread over the nodes).  A
 * connect tries that node first, then each next one in turn; a node that
 * refuses, or is a Galera node outside the primary component (wsrep_ready
 * not ON), is skipped.  On a Galera node the session reads causally
 * (wsrep_sync_wait = 1): a read sees every change committed before it on
 * any node. */
void db_set_home(struct db *db, int index);
/* Idle, connected to another node than its home: at most every 5 s, looks
 * whether the home node is back (and ready); if so, closes the connection
 * so that the next connect goes home.  Returns true when it closed. */
bool db_rehome(struct db *db);
/* Seconds until db_rehome() would look (0 when due), or -1 when connected
 * to its home node or not connected. */
double db_rehome_due(const struct db *db);
/* Monotonic clock, seconds. */
double db_now(void);
/* The request running from now on must be done by deadline (db_now()
 * seconds; 0: no deadline, as for administration).  No statement starts
 * and no COMMIT is sent after it, and each statement's server-side time
 * (max_statement_time, which also ends lock waits) is cut to what is left
 * when that is less than lock_wait_timeout + 1. */
void db_set_deadline(struct db *db, double deadline);

/* Executes statement s with args.  When res is non-NULL it receives the
 * rows (free with dbres_free; it is zeroed first).  Prepares s if needed. */
enum dbrc db_exec(struct db *db, enum stmt s, const struct dbval *args, size_t nargs,
		  struct dbres *res);
/* Executes fixed SQL text (never request data): transactions, migrations. */
enum dbrc db_query(struct db *db, const char *sql);
void dbres_free(struct dbres *r);
const struct text *dbres_cell(const struct dbres *r, size_t row, size_t col);
long long dbres_int(const struct dbres *r, size_t row, size_t col);

enum txn_mode { TXN_NONE, TXN_READ, TXN_WRITE };
typedef enum dbrc (*db_txn_fn)(struct db *db, void *ctx);
/* Runs fn inside one transaction (TXN_NONE: in autocommit), committing when
 * it returns DB_OK and the deadline has not passed.  Deadlocks, and Galera
 * certification failures (1213, also on COMMIT), run it again (with
 * back-off, 8 times, 32 with several nodes, while the deadline allows); a
 * connection found dead before the commit was sent is re-established (on
 * the next node, with several) and fn runs again once; one lost during
 * the COMMIT may have committed: DB_GONE, never run again.
 * A lock wait timeout is not retried: DB_TIMEOUT, rolled back; a transaction
 * cut by the deadline is rolled back and its connection closed (the next
 * request reconnects with a fresh session).  fn must reset any output it
 * keeps in ctx at its start.  Returns fn's last outcome. */
enum dbrc db_txn(struct db *db, enum txn_mode mode, db_txn_fn fn, void *ctx);

#define ARGS(...) ((const struct dbval[]){__VA_ARGS__}), (sizeof((const struct dbval[]){__VA_ARGS__}) / sizeof(struct dbval))

#endif
