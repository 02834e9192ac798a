/* query.c -- query parameters as the contract reads them. */
#include "query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

int query_get(const char *query, const char *name, char **val)
{
	size_t nlen = strlen(name);
	const char *p = query ? query : "";
	int count = 0;

	*val = NULL;
	while (*p) {
		const char *end = strchr(p, '&'), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		size_t kdec_len;
		char *key = pct_decode(p, klen, 1, &kdec_len);
		if (key && kdec_len == nlen && memcmp(key, name, nlen) == 0) {
			if (count++ == 0) {
				const char *v = eq ? eq + 1 : p + len;
				*val = pct_decode(v, (size_t)(p + len - v), 1, NULL);
			}
		}
		free(key);
		p += len;
		if (*p == '&')
			p++;
	}
	return count;
}

int parse_uint(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (!s || !*s || strlen(s) > 18)
		return -1;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (*c - '0');
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int one_param(const char *query, const char *name, long def, long min, long max, long *out)
{
	char *val;
	int n = query_get(query, name, &val), rc = 0;

	if (n == 0)
		*out = def;
	else if (n > 1 || parse_uint(val, min, max, out) != 0)
		rc = -1;
	free(val);
	return rc;
}

const char *query_page(const char *query, long def_limit, long max_limit, struct page *pg)
{
	if (one_param(query, "limit", def_limit, 1, max_limit, &pg->limit) != 0)
		return "limit";
	if (one_param(query, "offset", 0, 0, OFFSET_MAX, &pg->offset) != 0)
		return "offset";
	return NULL;
}
