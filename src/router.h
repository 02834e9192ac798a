/* router.h -- the route table: method + path pattern -> route id. */
#ifndef MCOLL_ROUTER_H
#define MCOLL_ROUTER_H
#include <stddef.h>

enum route_id {
	R_COLL_LIST,
	R_COLL_CREATE,
	R_COLL_GET,
	R_COLL_UPDATE,
	R_COLL_DELETE,
	R_TRACKS_LIST,
	R_TRACK_ADD,
	R_TRACK_REMOVE,
	R_COLL_REORDER,
	R_HEALTHZ,
	R_STATUS,
	ROUTE__MAX
};

enum route_param { P_ORG, P_COLL, P_TRACK, P__MAX };

enum route_result { ROUTE_OK, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

struct route_match {
	enum route_id id;
	char *param[P__MAX];   /* percent-decoded, valid UTF-8, NUL-free; or NULL */
	char allow[64];        /* for ROUTE_BAD_METHOD: "GET, POST" */
	const char *pattern;   /* for ROUTE_OK: the route's pattern (for the log) */
};

/* Matches method and path (no query string).  Path parameters are decoded
 * into heap strings owned by m; release with route_match_free. */
enum route_result router_match(const char *method, const char *path, struct route_match *m);
void route_match_free(struct route_match *m);
/* The method and pattern of a route (NULL for an unknown id). */
const char *router_method(int id);
const char *router_pattern(int id);

/* Percent-decodes src[0..len) into a new heap string; *outlen gets its
 * length.  Returns NULL on a malformed escape. */
char *pct_decode(const char *src, size_t len, int plus_is_space, size_t *outlen);
/* A printable copy of s[0..len): itself when valid UTF-8 without NUL, else
 * with every offending byte replaced by '?'.  Caller frees. */
char *utf8_sanitize(const char *s, size_t len);

#endif
