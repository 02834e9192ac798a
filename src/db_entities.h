/* db_entities.h -- the service's transactions, one per endpoint, and the
 * administration calls.  Each tx_* function is a db_txn body: it takes its
 * context struct, resets the outputs in it, and reports a domain outcome in
 * ctx->outcome while returning the database outcome. */
#ifndef MCOLL_DB_ENTITIES_H
#define MCOLL_DB_ENTITIES_H
#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "keyhash.h"
#include "model.h"
#include "query.h"
#include "valid.h"

/* --- db_auth.c --- */
enum auth_outcome { AUTH_OK, AUTH_UNKNOWN_KEY, AUTH_NOT_MEMBER, AUTH_NO_CAPABILITY };

struct tx_auth {
	const unsigned char *key_hash; /* KEYHASH_LEN bytes */
	const char *org;
	enum auth_outcome outcome;
	char user_id[ID_MAX];
};
enum dbrc tx_auth(struct db *db, void *ctx);
/* Fills t's outcome and user from the AUTH_COLUMNS (user, membership,
 * capability) at col0 of row; no row means an unknown key. */
void auth_from_row(struct tx_auth *t, const struct dbres *r, size_t row, size_t col0);

/* --- db_collection.c --- */
enum tx_outcome {
	TXO_OK,
	TXO_NOOP,            /* nothing to change (idempotent add/remove) */
	TXO_NOT_FOUND,       /* collection absent, deleted or not the caller's */
	TXO_TRACK_NOT_FOUND, /* track absent or in another organization */
	TXO_BAD_COVER,       /* cover_track_id names no track of the organization */
	TXO_FULL,            /* the collection holds COLLECTION_MAX_TRACKS */
	TXO_PRECONDITION,    /* If-Match names no current ETag: nothing changed */
};

/* Identifies the caller's collection: org and user from auth, id from the
 * path (already checked to be well formed). */
struct coll_ref {
	const char *org;
	const char *user;
	const char *id;
};

struct tx_coll {
	struct coll_ref ref;             /* ref.id unused on create */
	const struct coll_input *in;     /* create and update */
	const char *if_match;            /* update and delete: If-Match, NULL: none */
	enum tx_outcome outcome;
	struct collection out;           /* the collection after the change (on
					  * TXO_PRECONDITION: out.version, the
					  * current version) */
};
enum dbrc tx_collection_create(struct db *db, void *ctx);
enum dbrc tx_collection_get(struct db *db, void *ctx);
/* A write's If-Match (NULL: none) holds for the collection at version,
 * read under its row lock. */
bool precondition_holds(const char *if_match, long long version);
/* Fills c from the COLL_COLUMNS at col0 of row, taking their text over. */
void collection_from_row(const struct dbres *r, size_t row, size_t col0, struct collection *c);
/* A copy of a cell's text that outlives the result (free its s). */
struct text cell_copy(const struct dbres *r, size_t row, size_t col);
enum dbrc tx_collection_update(struct db *db, void *ctx);
enum dbrc tx_collection_delete(struct db *db, void *ctx);

/* --- db_read.c: the reads, each authenticating in its own statement --- */
struct tx_read_coll {
	struct tx_auth auth;
	struct coll_ref ref; /* ref.user unused: the caller is the key's user */
	enum tx_outcome outcome;
	struct collection out;
};
enum dbrc tx_read_collection(struct db *db, void *ctx);

struct tx_read_list {
	struct tx_auth auth;
	struct page page;
	struct collection *items;
	size_t n;
};
enum dbrc tx_read_list(struct db *db, void *ctx);
void tx_read_list_free(struct tx_read_list *t);

struct tx_read_entries {
	struct tx_auth auth;
	struct coll_ref ref;
	struct page page;
	enum tx_outcome outcome;
	long long version; /* the collection's, read with the page */
	struct entry *items;
	size_t n;
};
enum dbrc tx_read_entries(struct db *db, void *ctx);

/* --- db_track.c --- */
struct tx_member {
	struct coll_ref ref;
	const char *track_id; /* well formed */
	const char *if_match; /* NULL: none */
	enum tx_outcome outcome;
	long long version;    /* the collection's after the call */
};
enum dbrc tx_track_remove(struct db *db, void *ctx);

/* Add (one track or many): every id must name a track of the organization (else
 * TXO_TRACK_NOT_FOUND with missing, the first in list order, and nothing
 * added); the ones not yet members are appended in list order, or
 * TXO_FULL when they would not fit.  ids[0..nwell) are well formed,
 * ids[nwell] (when nwell < n) is the first that cannot name a track. */
struct tx_members {
	struct coll_ref ref;
	const char *const *ids; /* as given, unique */
	size_t n, nwell;
	enum tx_outcome outcome;
	size_t missing;         /* TXO_TRACK_NOT_FOUND: the index in ids */
	size_t added;           /* entries appended */
	const char *if_match;   /* NULL: none */
	long long version;      /* the collection's after the call */
};
enum dbrc tx_track_add_many(struct db *db, void *ctx);

struct tx_order {
	struct coll_ref ref;
	const char *const *ids; /* as given, unique */
	size_t n;
	const char *if_match;   /* NULL: none */
	enum tx_outcome outcome;
	long long version;      /* the collection's after the call */
};
enum dbrc tx_reorder(struct db *db, void *ctx);

/* Shared by the transactions: locks (or reads) the caller's live
 * collection into out.  Sets *found. */
enum dbrc collection_fetch(struct db *db, const struct coll_ref *ref, bool lock,
			   struct collection *out, bool *found);

/* Removes track from coll (count entries, locked by the caller) and from
 * its order index; *removed false when it was not a member. */
enum dbrc entry_remove(struct db *db, const char *coll, const char *track, long count, bool *removed);

/* --- db_idem.c: idempotency keys --- */
enum idem_outcome {
	IDEM_CLAIMED, /* the key is the request's: run it */
	IDEM_IN_USE,  /* another request with the key is running */
	IDEM_REUSED,  /* the key was used with another request */
	IDEM_REPLAY,  /* done before: status, headers and body to answer again */
};

struct tx_idem {
	const char *user, *org;
	const char *key;            /* the header's value */
	size_t keylen;
	unsigned char fingerprint[KEYHASH_LEN];
	long long stale_after;      /* seconds after which a running claim is over */
	char token[ID_MAX];         /* this request's claim */
	enum idem_outcome outcome;
	int status;                 /* IDEM_REPLAY: the stored answer */
	struct text headers, body;
};
/* Claims t's key in autocommit statements (run it with TXN_NONE): inserts
 * it running, or decides on the row there (a different fingerprint:
 * reused; done: replay; running: in use, or taken over when stale; expired
 * after IDEM_TTL_SQL seconds: taken over). */
enum dbrc tx_idem_claim(struct db *db, void *ctx);
/* Inside the work's transaction: the claim becomes done with the answer;
 * *lost when the claim is no longer t's (the caller must roll back). */
enum dbrc idem_store(struct db *db, const struct tx_idem *t, int status, const char *headers,
		     const char *body, size_t body_len, bool *lost);
/* Drops t's claim if it is still running (a request that changed nothing). */
enum dbrc tx_idem_release(struct db *db, void *ctx);
void tx_idem_free(struct tx_idem *t);

/* --- db_admin.c: for mcollctl; messages for the operator go to err --- */
enum dbrc adm_track_delete(struct db *db, const char *track_id, bool *found);
/* Removes the membership and its capabilities; found says it existed. */
enum dbrc adm_member_remove(struct db *db, const char *org_id, const char *user_id, bool *found);
enum adm_restore { ADM_RESTORED, ADM_NO_SUCH_COLLECTION, ADM_NOT_DELETED };
/* Undoes a soft delete; updated_at moves to now, like any change. */
enum dbrc adm_collection_restore(struct db *db, const char *id, enum adm_restore *outcome);
/* Hard-deletes the collections soft-deleted before the UTC date `before`
 * (YYYY-MM-DD) with their memberships, in transactions of bounded size. */
enum dbrc adm_purge(struct db *db, const char *before, unsigned long long *purged);
/* Inserts the tracks of rows (a JSON array of [id, title-or-null]) into
 * org for user in one transaction (one multi-row INSERT). */
enum dbrc adm_track_insert_many(struct db *db, const char *org, const char *user, const char *rows);
/* Deletes the idempotency keys older than their lifetime (db_idem.c). */
enum dbrc adm_purge_idempotency_keys(struct db *db, unsigned long long *purged);

#endif
