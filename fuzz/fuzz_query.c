/* fuzz_query.c -- query_page (limit/offset) and query_get.
 *
 * Properties: query_page gives exactly what an independent reading of the
 * query gives (split on '&' and the first '=', percent-decode with '+' as
 * space, the name's bytes compared whole, a repeated name refused, the
 * value all digits with any leading zeros, in range); query_get's value
 * and length agree with it, NULs included. */
#include "fuzz.h"
#include "query.h"

/* -2: absent; -1: refused; else the value. */
static long reference(const char *q, const char *name, long def, long min, long max)
{
	size_t qlen = strlen(q), nlen = strlen(name);
	int count = 0;
	long value = def;
	char *buf = malloc(qlen + 1);

	for (size_t start = 0; start < qlen;) {
		size_t end = start;
		while (end < qlen && q[end] != '&')
			end++;
		size_t eq = start;
		while (eq < end && q[eq] != '=')
			eq++;
		long klen = fuzz_pct_decode(q + start, eq - start, 1, buf);
		if (klen == (long)nlen && memcmp(buf, name, nlen) == 0) {
			if (++count == 1) {
				size_t vs = eq < end ? eq + 1 : end;
				long vlen = fuzz_pct_decode(q + vs, end - vs, 1, buf);
				long v = 0;
				int ok = vlen > 0;
				for (long i = 0; ok && i < vlen; i++) {
					if (buf[i] < '0' || buf[i] > '9')
						ok = 0;
					else if (v <= max)
						v = v * 10 + (buf[i] - '0');
				}
				value = ok && v >= min && v <= max ? v : -1;
			}
		}
		start = end + 1;
	}
	free(buf);
	return count > 1 ? -1 : value;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *q = fuzz_strndup(data, size), *val;
	long max_limit = size && (data[0] & 1) ? 500 : 100, def = max_limit == 500 ? 200 : 50;
	struct page pg = {-7, -7};
	const char *bad = query_page(q, def, max_limit, &pg);
	long lim = reference(q, "limit", def, 1, max_limit);
	long off = reference(q, "offset", 0, 0, OFFSET_MAX);
	size_t vlen = 99;
	int n;

	if (lim < 0)
		PROPERTY(bad && strcmp(bad, "limit") == 0);
	else if (off < 0)
		PROPERTY(bad && strcmp(bad, "offset") == 0);
	else
		PROPERTY(!bad && pg.limit == lim && pg.offset == off);

	n = query_get(q, "limit", &val, &vlen);
	if (n == 0)
		PROPERTY(val == NULL && vlen == 0);
	if (val) {
		PROPERTY(val[vlen] == '\0');
		free(val);
	}
	free(q);
	return 0;
}
