/* query.c -- query parameters as the contract reads them. */
#include "query.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

int query_get(const char *query, const char *name, char **val, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *p = query ? query : "";
	int count = 0;

	*val = NULL;
	if (vlen)
		*vlen = 0;
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
				*val = pct_decode(v, (size_t)(p + len - v), 1, vlen);
			}
		}
		free(key);
		p += len;
		if (*p == '&')
			p++;
	}
	return count;
}

int parse_uint(const char *s, size_t len, long min, long max, long *out)
{
	long v = 0;
	size_t i = 0, digits;

	if (!s || len == 0)
		return -1;
	for (size_t k = 0; k < len; k++)
		if (s[k] < '0' || s[k] > '9')
			return -1;
	while (i + 1 < len && s[i] == '0')
		i++; /* leading zeros do not count */
	digits = len - i;
	if (digits > 18)
		return -1;
	for (; i < len; i++)
		v = v * 10 + (s[i] - '0');
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int one_param(const char *query, const char *name, long def, long min, long max, long *out)
{
	char *val;
	size_t vlen;
	int n = query_get(query, name, &val, &vlen), rc = 0;

	if (n == 0)
		*out = def;
	else if (n > 1 || parse_uint(val, vlen, min, max, out) != 0)
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
