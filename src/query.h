/* query.h -- query-string lookup and the limit/offset paging rules. */
#ifndef MCOLL_QUERY_H
#define MCOLL_QUERY_H
#include <stddef.h>

/* Looks name up in query (without '?').  Returns how many times it occurs;
 * when at least once, *val gets the first value, percent-decoded ('+' is a
 * space), as a heap string the caller frees (NULL if it does not decode),
 * and *vlen (if not NULL) its length: a decoded value may hold NULs. */
int query_get(const char *query, const char *name, char **val, size_t *vlen);

/* Parses s[0..len) as a plain decimal integer (digits only: no sign, no
 * spaces, no exponent, no NUL; any number of leading zeros) within
 * [min, max].  Returns 0 and sets *out, or -1. */
int parse_uint(const char *s, size_t len, long min, long max, long *out);

#define OFFSET_MAX 2147483647L

struct page {
	long limit;
	long offset;
};

/* Reads limit (default def_limit, range 1..max_limit) and offset (default 0,
 * range 0..OFFSET_MAX) from query.  Returns NULL on success, else the name
 * of the offending parameter ("limit" or "offset"); a repeated parameter
 * is an error too. */
const char *query_page(const char *query, long def_limit, long max_limit, struct page *pg);

#endif
