/* db_read.c -- the three reads (a collection, the owner's collections, a
 * page of tracks).  Each authenticates in the statement that reads: the
 * key, membership and capability (AUTH_COLUMNS) and the rows owned by the
 * key's user come back in one round trip, and the handler answers the
 * gates in the contract's order from what came back (a collection's
 * version, its ETag, with it).  When no row comes
 * back (an empty page, an unknown key, a collection that is not the
 * caller's) a second statement tells which.  A page past a collection's
 * first block is one statement too when the worker has a hint of the
 * collection's block index (blockhint.h), checked by the statement; else
 * two (the block index, kept as the hint, then the page). */
#include "db_entities.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "blockhint.h"
#include "orderkeys.h"

/* The arguments of AUTH_COLUMNS (org twice), those of the joins between,
 * then the key of KEY_LIVE. */
#define AUTH_ARGS(org, hash, ...) DV_CSTR(org), DV_CSTR(org), __VA_ARGS__, DV_BLOB((hash), KEYHASH_LEN)

/* This worker's hints of the block indexes it read last. */
static struct blockhints hints;

enum dbrc tx_read_collection(struct db *db, void *ctx)
{
	struct tx_read_coll *t = ctx;
	struct dbres r;
	enum dbrc rc;

	collection_free(&t->out);
	t->outcome = TXO_NOT_FOUND;
	rc = db_exec(db, STMT_READ_COLL,
		     ARGS(DV_CSTR(t->auth.org), DV_CSTR(t->auth.org), DV_CSTR(t->ref.id), DV_CSTR(t->ref.org),
			  DV_BLOB(t->auth.key_hash, KEYHASH_LEN)),
		     &r);
	auth_from_row(&t->auth, &r, 0, 0);
	if (rc == DB_OK && r.nrows == 1 && dbres_cell(&r, 0, 3)->s) {
		collection_from_row(&r, 0, 3, &t->out);
		t->outcome = TXO_OK;
	}
	dbres_free(&r);
	return rc;
}

void tx_read_list_free(struct tx_read_list *t)
{
	for (size_t i = 0; i < t->n; i++)
		collection_free(&t->items[i]);
	free(t->items);
	t->items = NULL;
	t->n = 0;
}

enum dbrc tx_read_list(struct db *db, void *ctx)
{
	struct tx_read_list *t = ctx;
	struct dbres r;
	enum dbrc rc;

	tx_read_list_free(t);
	rc = db_exec(db, STMT_READ_LIST,
		     ARGS(AUTH_ARGS(t->auth.org, t->auth.key_hash, DV_CSTR(t->auth.org)),
			  DV_INT(t->page.limit), DV_INT(t->page.offset)),
		     &r);
	auth_from_row(&t->auth, &r, 0, 0);
	if (rc == DB_OK && r.nrows) {
		t->items = xcalloc(r.nrows, sizeof(*t->items));
		for (size_t i = 0; i < r.nrows; i++) {
			collection_from_row(&r, i, 3, &t->items[i]);
			t->items[i].track_count = -1; /* null in the list view */
		}
		t->n = r.nrows;
	}
	dbres_free(&r);
	/* No row: an empty page, or a key that is not one */
	if (rc == DB_OK && t->n == 0)
		rc = tx_auth(db, &t->auth);
	return rc;
}

/* Entries from the page columns (track_id, added_at) at col0 of rows
 * [from, r->nrows), positions counted from t->page.offset. */
static void take_entries(struct tx_read_entries *t, const struct dbres *r, size_t from, size_t col0)
{
	if (from >= r->nrows)
		return;
	t->items = xcalloc(r->nrows - from, sizeof(*t->items));
	for (size_t i = from; i < r->nrows; i++) {
		struct entry *e = &t->items[t->n];
		const struct text *id = dbres_cell(r, i, col0), *added = dbres_cell(r, i, col0 + 1);
		size_t n = !id->s ? 0 : id->len < sizeof(e->track_id) ? id->len : sizeof(e->track_id) - 1;

		memcpy(e->track_id, id->s, n);
		e->track_id[n] = '\0';
		e->position = t->page.offset + (long)t->n;
		if (timefmt_from_db(added->s, added->len, e->added_at) != 0)
			e->added_at[0] = '\0';
		t->n++;
	}
}

/* The page from the first entry counting offset entries: one statement,
 * right whatever happens meanwhile, but it steps over offset entries. */
static enum dbrc page_by_offset(struct db *db, struct tx_read_entries *t)
{
	struct dbres r;
	enum dbrc rc = db_exec(db, STMT_ENTRY_PAGE,
			       ARGS(DV_CSTR(t->ref.id), DV_INT(ORDER_KEY_MIN), DV_INT(t->page.limit),
				    DV_INT(t->page.offset)),
			       &r);

	if (rc == DB_OK)
		take_entries(t, &r, 0, 0);
	dbres_free(&r);
	return rc;
}

/* A page read from a block, BLOCK_CHECK's columns at col of its first
 * row: true when the index says now what it said when the block was
 * chosen (before entries ahead of it, and a block starting at its key),
 * so the page's positions are right. */
static bool index_agrees(const struct dbres *r, size_t col, long before)
{
	return r->nrows && dbres_int(r, 0, col) == before && dbres_int(r, 0, col + 1) == 1;
}

static int oblock_cmp(const void *x, const void *y)
{
	const struct oblock *a = x, *b = y;

	return a->first_key < b->first_key ? -1 : a->first_key > b->first_key;
}

/* Past the first block: the index gives the block holding the offset;
 * the page is read from there, and used if the index still says the same
 * of what comes before that block. */
static enum dbrc page_by_index(struct db *db, struct tx_read_entries *t, struct dbres *blocks,
			       long count)
{
	struct oblock *b = xcalloc(blocks->nrows, sizeof(*b));
	struct dbres r = {0};
	long long start;
	long skip;
	size_t nb = 0;
	enum dbrc rc;

	for (size_t i = 0; i < blocks->nrows; i++) {
		if (!dbres_cell(blocks, i, 5)->s)
			continue;
		b[nb].first_key = dbres_int(blocks, i, 5);
		b[nb++].entries = (long)dbres_int(blocks, i, 6);
	}
	qsort(b, nb, sizeof(*b), oblock_cmp);
	if (!order_locate(b, nb, count, t->page.offset, &start, &skip)) {
		blockhint_drop(&hints, t->ref.id);
		rc = page_by_offset(db, t);
		goto out;
	}
	blockhint_put(&hints, t->ref.id, b, nb);
	rc = db_exec(db, STMT_READ_PAGE,
		     ARGS(DV_CSTR(t->ref.id), DV_INT(start), DV_CSTR(t->ref.id), DV_INT(start),
			  DV_CSTR(t->ref.id), DV_INT(start), DV_INT(t->page.limit), DV_INT(skip)),
		     &r);
	if (rc != DB_OK)
		goto out;
	/* No row, or an index that says otherwise now: the order changed in
	 * between (the page is not empty, the offset being below the count). */
	if (!index_agrees(&r, 2, t->page.offset - skip)) {
		rc = page_by_offset(db, t);
		goto out;
	}
	take_entries(t, &r, 0, 0);
out:
	dbres_free(&r);
	free(b);
	return rc;
}

/* The caller, the collection and its index, then the page by the index. */
static enum dbrc entries_by_index(struct db *db, struct tx_read_entries *t)
{
	struct dbres r;
	long count;
	enum dbrc rc = db_exec(db, STMT_READ_BLOCKS,
			       ARGS(AUTH_ARGS(t->auth.org, t->auth.key_hash, DV_CSTR(t->ref.id),
					      DV_CSTR(t->ref.org))),
			       &r);

	auth_from_row(&t->auth, &r, 0, 0);
	if (rc != DB_OK || r.nrows == 0 || !dbres_cell(&r, 0, 3)->s)
		goto out;
	t->outcome = TXO_OK;
	count = (long)dbres_int(&r, 0, 3);
	t->version = dbres_int(&r, 0, 4);
	if (t->auth.outcome == AUTH_OK && t->page.offset < count)
		rc = page_by_index(db, t, &r, count);
out:
	dbres_free(&r);
	return rc;
}

/* Past the first block with a hint: the caller, the collection and the
 * page from the block the hint gives, in one statement.  False (and
 * nothing taken) when the statement finds the hint wrong or returns no
 * row (an empty page, no such collection, not the caller): the caller
 * then reads the index. */
static bool entries_by_hint(struct db *db, struct tx_read_entries *t, enum dbrc *rc)
{
	long long start;
	long skip, before;
	struct dbres r;
	bool took = false;

	if (!blockhint_locate(&hints, t->ref.id, t->page.offset, &start, &skip, &before))
		return false;
	*rc = db_exec(db, STMT_READ_PAGE_AT,
		      ARGS(AUTH_ARGS(t->auth.org, t->auth.key_hash, DV_INT(start), DV_INT(start),
				     DV_CSTR(t->ref.id), DV_CSTR(t->ref.org), DV_INT(start)),
			   DV_INT(t->page.limit), DV_INT(skip)),
		      &r);
	if (*rc == DB_OK && index_agrees(&r, 7, before)) {
		auth_from_row(&t->auth, &r, 0, 0);
		t->outcome = TXO_OK;
		t->version = dbres_int(&r, 0, 4);
		take_entries(t, &r, 0, 5);
		took = true;
	} else if (*rc == DB_OK && r.nrows) {
		blockhint_drop(&hints, t->ref.id);
	}
	dbres_free(&r);
	return took || *rc != DB_OK;
}

enum dbrc tx_read_entries(struct db *db, void *ctx)
{
	struct tx_read_entries *t = ctx;
	struct dbres r;
	enum dbrc rc;

	free(t->items);
	t->items = NULL;
	t->n = 0;
	t->outcome = TXO_NOT_FOUND;
	t->version = 0;
	if (t->page.offset >= ORDER_BLOCK)
		return entries_by_hint(db, t, &rc) ? rc : entries_by_index(db, t);
	/* In the first block: the page by offset, the caller and the
	 * collection in one statement. */
	rc = db_exec(db, STMT_READ_TRACKS,
		     ARGS(AUTH_ARGS(t->auth.org, t->auth.key_hash, DV_CSTR(t->ref.id), DV_CSTR(t->ref.org),
				    DV_INT(ORDER_KEY_MIN)),
			  DV_INT(t->page.limit), DV_INT(t->page.offset)),
		     &r);
	if (rc == DB_OK && r.nrows) {
		auth_from_row(&t->auth, &r, 0, 0);
		t->outcome = TXO_OK;
		t->version = dbres_int(&r, 0, 4);
		take_entries(t, &r, 0, 5);
	}
	dbres_free(&r);
	/* No row: an empty page, or no such collection, or not the caller */
	if (rc == DB_OK && t->n == 0)
		rc = entries_by_index(db, t);
	return rc;
}
