/* etag.c -- entity tags and the conditional headers: the list syntax of
 * RFC 9110 (#entity-tag, or "*"), weak comparison for If-None-Match and
 * strong comparison for If-Match. */
#include "etag.h"

#include <stdio.h>
#include <string.h>

char *etag_collection(long long version, char out[ETAG_MAX])
{
	snprintf(out, ETAG_MAX, "\"%lld\"", version);
	return out;
}

char *etag_page(long long version, long limit, long offset, char out[ETAG_MAX])
{
	snprintf(out, ETAG_MAX, "\"%lld.%ld.%ld\"", version, limit, offset);
	return out;
}

static bool ows(char c)
{
	return c == ' ' || c == '\t';
}

static bool etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

/* Calls fn for each well-formed entity tag of the list h (opaque-tag with
 * its quotes, and whether it is weak) until fn returns true; skips
 * elements that are not entity tags.  True when fn did. */
typedef bool (*tag_fn)(bool weak, const char *tag, size_t len, const void *ctx);

static bool each_tag(const char *h, tag_fn fn, const void *ctx)
{
	const char *p = h;

	while (*p) {
		const char *start, *elem;
		bool weak = false, ok = false;

		while (*p == ',' || ows(*p))
			p++;
		if (!*p)
			break;
		elem = p;
		if (p[0] == 'W' && p[1] == '/') {
			weak = true;
			p += 2;
		}
		start = p;
		if (*p == '"') {
			p++;
			while (*p && etagc((unsigned char)*p))
				p++;
			if (*p == '"') {
				p++;
				ok = true;
			}
		}
		if (ok) {
			const char *end = p;

			while (ows(*p))
				p++;
			if (*p == ',' || !*p) {
				if (fn(weak, start, (size_t)(end - start), ctx))
					return true;
				continue;
			}
		}
		/* not an entity tag: skip the element (to the next comma outside
		 * quotes, counted from its start) */
		p = elem;
		for (bool quoted = false; *p && (quoted || *p != ','); p++)
			if (*p == '"')
				quoted = !quoted;
	}
	return false;
}

/* The header is exactly "*" (with optional white space around). */
static bool star(const char *h)
{
	while (ows(*h))
		h++;
	if (*h++ != '*')
		return false;
	while (ows(*h))
		h++;
	return !*h;
}

static bool same_opaque(bool weak, const char *tag, size_t len, const void *ctx)
{
	const char *etag = ctx;

	(void)weak; /* weak comparison: W/ does not matter */
	if (etag[0] == 'W' && etag[1] == '/')
		etag += 2;
	return strlen(etag) == len && memcmp(etag, tag, len) == 0;
}

bool etag_none_match_hits(const char *header, const char *etag)
{
	if (!header)
		return false;
	return star(header) || each_tag(header, same_opaque, etag);
}

static bool digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* tag is "<version>" or "<version>.<digits>.<digits>". */
static bool of_version(bool weak, const char *tag, size_t len, const void *ctx)
{
	char v[ETAG_MAX];
	size_t n;
	const char *rest, *dot, *end = tag + len - 1;

	if (weak) /* strong comparison: a weak tag never matches */
		return false;
	n = (size_t)snprintf(v, sizeof(v), "\"%lld", *(const long long *)ctx);
	if (len < n + 1 || memcmp(tag, v, n) != 0)
		return false;
	rest = tag + n;
	if (rest == end)
		return true;
	if (*rest != '.')
		return false;
	dot = memchr(rest + 1, '.', (size_t)(end - rest - 1));
	return dot && digits(rest + 1, (size_t)(dot - rest - 1)) && digits(dot + 1, (size_t)(end - dot - 1));
}

bool etag_match_version(const char *header, long long version)
{
	if (!header)
		return false;
	return star(header) || each_tag(header, of_version, &version);
}
