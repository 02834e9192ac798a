/* fuzz_router.c -- router_match and pct_decode.
 *
 * Properties: pct_decode agrees with an independent decoder (NULs kept,
 * exact length) and inverts percent-encoding of any bytes; a matched
 * route's parameters are NUL-free valid UTF-8, equal to the decoded
 * segment when that is printable and to its sanitised raw text otherwise;
 * 405 lists methods without the one asked; 404 holds for every method. */
#include "fuzz.h"
#include "router.h"
#include "utf8.h"

static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD"};

static void decode_props(const char *s, size_t len)
{
	char *ref = malloc(len + 1), *enc = malloc(3 * len + 1), *got;
	long rlen = fuzz_pct_decode(s, len, 0, ref);
	size_t n = 0;

	for (int plus = 0; plus <= 1; plus++) {
		got = pct_decode(s, len, plus, &n);
		rlen = fuzz_pct_decode(s, len, plus, ref);
		PROPERTY((got == NULL) == (rlen < 0));
		if (got) {
			PROPERTY(n == (size_t)rlen && memcmp(got, ref, n) == 0 && got[n] == '\0');
			free(got);
		}
	}
	/* encode every byte, in both hex cases: decoding gives it back */
	for (size_t i = 0; i < len; i++)
		sprintf(enc + 3 * i, (i & 1) ? "%%%02X" : "%%%02x", (unsigned char)s[i]);
	got = pct_decode(enc, 3 * len, 1, &n);
	PROPERTY(got && n == len && memcmp(got, s, len) == 0);
	free(got);
	free(ref);
	free(enc);
}

/* The parameter the router should give for the raw segment seg. */
static void check_param(const char *param, const char *seg, size_t slen)
{
	char *dec = malloc(slen + 1);
	long n = fuzz_pct_decode(seg, slen, 0, dec);

	PROPERTY(param != NULL);
	PROPERTY(utf8_count(param, strlen(param)) >= 0);
	if (n >= 0 && utf8_count(dec, (size_t)n) >= 0 && !memchr(dec, '\0', (size_t)n)) {
		PROPERTY(strlen(param) == (size_t)n && memcmp(param, dec, (size_t)n) == 0);
	} else {
		char *san = utf8_sanitize(seg, slen);
		PROPERTY(strlen(param) == slen && strcmp(param, san) == 0);
		free(san);
	}
	free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *method;
	char *path;
	struct route_match m;
	enum route_result res;

	decode_props((const char *)data, size);
	if (size < 1)
		return 0;
	method = methods[data[0] % 6];
	path = fuzz_strndup(data + 1, size - 1);
	if (!(data[0] & 0x80) && path[0] != '/') {
		/* mostly paths under the API's prefix, with the input as segments */
		char *p = malloc(strlen(path) + 32);
		sprintf(p, "/v1/music/%s", path);
		free(path);
		path = p;
	}
	res = router_match(method, path, &m);
	if (res == ROUTE_OK && (m.id == R_HEALTHZ || m.id == R_STATUS)) {
		/* the operations paths outside the API's prefix: exact, no parameters */
		PROPERTY(strcmp(path, m.pattern) == 0);
		for (int i = 0; i < P__MAX; i++)
			PROPERTY(m.param[i] == NULL);
	} else if (res == ROUTE_OK) {
		/* the segments of the path, in order: ""/v1/music/org/collections[/coll[/x[/track]]] */
		const char *seg[8];
		size_t slen[8], ns = 0;
		for (const char *p = path + 1; ns < 8; ns++) {
			const char *e = strchr(p, '/');
			seg[ns] = p;
			slen[ns] = e ? (size_t)(e - p) : strlen(p);
			if (!e) {
				ns++;
				break;
			}
			p = e + 1;
		}
		PROPERTY(ns >= 4);
		check_param(m.param[P_ORG], seg[2], slen[2]);
		if (ns >= 5)
			check_param(m.param[P_COLL], seg[4], slen[4]);
		else
			PROPERTY(m.param[P_COLL] == NULL);
		if (ns == 7)
			check_param(m.param[P_TRACK], seg[6], slen[6]);
		else
			PROPERTY(m.param[P_TRACK] == NULL);
		PROPERTY(m.allow[0] == '\0');
	} else if (res == ROUTE_BAD_METHOD) {
		PROPERTY(m.allow[0] != '\0');
		for (const char *a = m.allow; *a;) {
			size_t n = strcspn(a, ",");
			PROPERTY(n != strlen(method) || memcmp(a, method, n) != 0);
			a += n;
			a += strspn(a, ", ");
		}
	} else {
		for (int i = 0; i < 6; i++) {
			struct route_match other;
			PROPERTY(router_match(methods[i], path, &other) == ROUTE_NOT_FOUND);
			route_match_free(&other);
		}
	}
	route_match_free(&m);
	free(path);
	return 0;
}
