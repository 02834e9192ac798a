/* valid.h -- request body parsing and the contract's field rules.  Each
 * validator parses and stores; on failure it fills a verr naming the field
 * and the reason, ready for the 422 envelope. */
#ifndef MCOLL_VALID_H
#define MCOLL_VALID_H
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define NAME_MAX_CHARS 512
#define DESCRIPTION_MAX_CHARS 4096
#define URL_MAX_CHARS 1024
#define COLLECTION_MAX_TRACKS 10000
#define BULK_MAX_TRACKS 100        /* track_ids in one add */
#define IDEM_KEY_MAX_LEN 255       /* Idempotency-Key: bytes */
#define IDEM_TTL_SQL "86400"       /* seconds an idempotency key lives */

struct verr {
	const char *field;
	char msg[128];
};

/* A borrowed (from the JSON document) nullable string. */
struct field_str {
	bool present;
	const char *s; /* NULL for JSON null */
	size_t len;
};

struct coll_input {
	struct field_str name;
	struct field_str description;
	struct field_str cover_track_id;
	struct field_str cover_image_url;
};

/* Strictly parses body[0..len) as one JSON object (RFC 8259 grammar, valid
 * UTF-8, nothing after it but white space).  Returns the object, or NULL
 * with e filled (field "body"). */
struct json_object *valid_json_object(const char *body, size_t len, struct verr *e);

/* Reads the collection fields of obj.  On create, name is required; on
 * update every field is optional and name may not be null.  Returns 0 or -1
 * with e.  Whether cover_track_id names a real track is for the caller. */
int valid_collection(struct json_object *obj, bool creating, struct coll_input *in, struct verr *e);

/* Reads {"track_id": "..."}.  Returns 0 or -1 with e. */
int valid_track_ref(struct json_object *obj, const char **id, size_t *len, struct verr *e);

/* Reads {"track_id": "..."} or {"track_ids": [...]} (exactly one): for
 * track_ids 1..BULK_MAX_TRACKS strings without duplicates.  On success *ids
 * is a heap array of borrowed strings and *lens their lengths in bytes
 * (caller frees both arrays only), *n their number and *bulk says which
 * form was sent.  Returns 0 or -1 with e. */
int valid_track_refs(struct json_object *obj, const char ***ids, size_t **lens, size_t *n, bool *bulk,
		     struct verr *e);

/* True for an Idempotency-Key value: 1..IDEM_KEY_MAX_LEN printable ASCII
 * characters (0x20-0x7e). */
bool valid_idempotency_key(const char *s, size_t len);

/* Reads {"ordered_track_ids": [...]}: strings, no duplicates (as byte
 * strings: "a" and "a\u0000" differ), at most COLLECTION_MAX_TRACKS.  On
 * success *ids is a heap array of borrowed strings and *lens one of their
 * lengths in bytes (a string may hold NULs); the caller frees both arrays
 * only.  Returns 0 or -1 with e. */
int valid_order(struct json_object *obj, const char ***ids, size_t **lens, size_t *n, struct verr *e);

/* True if s is an http or https URL with a non-empty host (after any
 * "user@", before any ":port") and no white space or control characters. */
bool valid_http_url(const char *s, size_t len);

#endif
