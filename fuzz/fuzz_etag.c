/* fuzz_etag.c -- the If-Match / If-None-Match lists (etag.c).
 *
 * The first byte picks a version (0..255); the rest is the header value
 * (cut at a NUL).  A reference written here splits the value into
 * elements (at commas outside double quotes, counted from each element's
 * start), trims blanks and keeps those of the form [W/]"etagc*"; then:
 * If-None-Match hits exactly when the value is "*" or an element's tag is
 * "<v>" (W/ or not); If-Match holds exactly when the value is "*" or a
 * strong element is "<v>" or "<v>.<digits>.<digits>".  And the tags that
 * etag.c writes satisfy the reference. */
#include "etag.h"
#include "fuzz.h"

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_etagc(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

static int all_digits(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The value is "*" with blanks around. */
static int ref_star(const char *h)
{
	size_t n = strlen(h), b = 0;

	while (b < n && blank(h[b]))
		b++;
	while (n > b && blank(h[n - 1]))
		n--;
	return n - b == 1 && h[b] == '*';
}

/* Whether the element e[0..n) (trimmed) is an entity tag; *weak and the
 * opaque part between the quotes. */
static int ref_tag(const char *e, size_t n, int *weak, const char **in, size_t *in_len)
{
	*weak = n >= 2 && e[0] == 'W' && e[1] == '/';
	if (*weak) {
		e += 2;
		n -= 2;
	}
	if (n < 2 || e[0] != '"' || e[n - 1] != '"')
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_etagc((unsigned char)e[i]))
			return 0;
	*in = e + 1;
	*in_len = n - 2;
	return 1;
}

/* mode 0: If-None-Match of "<v>"; mode 1: If-Match at version v. */
static int ref(const char *h, int v, int mode)
{
	char want[32];
	size_t wn = (size_t)snprintf(want, sizeof(want), "%d", v);
	const char *p = h;

	if (ref_star(h))
		return 1;
	while (*p) {
		const char *s = p, *in;
		size_t n, in_len;
		int quoted = 0, weak;

		while (*p && (quoted || *p != ',')) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		n = (size_t)(p - s);
		if (*p)
			p++;
		while (n && blank(*s)) {
			s++;
			n--;
		}
		while (n && blank(s[n - 1]))
			n--;
		if (!ref_tag(s, n, &weak, &in, &in_len))
			continue;
		if (mode == 0 && in_len == wn && memcmp(in, want, wn) == 0)
			return 1;
		if (mode == 1 && !weak && in_len >= wn && memcmp(in, want, wn) == 0) {
			const char *rest = in + wn, *end = in + in_len, *dot;
			if (rest == end)
				return 1;
			if (*rest == '.' && (dot = memchr(rest + 1, '.', (size_t)(end - rest - 1))) &&
			    all_digits(rest + 1, (size_t)(dot - rest - 1)) &&
			    all_digits(dot + 1, (size_t)(end - dot - 1)))
				return 1;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char tag[ETAG_MAX], *h;
	int v;

	if (size < 1)
		return 0;
	v = data[0];
	h = fuzz_strndup(data + 1, size - 1);
	etag_collection(v, tag);
	PROPERTY(etag_none_match_hits(h, tag) == (ref(h, v, 0) == 1));
	PROPERTY(etag_match_version(h, v) == (ref(h, v, 1) == 1));
	/* what etag.c writes is what it accepts */
	PROPERTY(etag_match_version(tag, v) && etag_none_match_hits(tag, tag));
	PROPERTY(etag_match_version(etag_page(v, (long)size, v, tag), v));
	free(h);
	return 0;
}
