/* router.c -- static route table; a path that matches with another method
 * gives 405 with the allowed methods, no match at all gives 404. */
#include "router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "utf8.h"

struct route {
	const char *method;
	const char *pattern; /* segments; ":org", ":coll", ":track" capture */
};

static const struct route routes[ROUTE__MAX] = {
	[R_COLL_LIST] = {"GET", "/v1/music/:org/collections"},
	[R_COLL_CREATE] = {"POST", "/v1/music/:org/collections"},
	[R_COLL_GET] = {"GET", "/v1/music/:org/collections/:coll"},
	[R_COLL_UPDATE] = {"PATCH", "/v1/music/:org/collections/:coll"},
	[R_COLL_DELETE] = {"DELETE", "/v1/music/:org/collections/:coll"},
	[R_TRACKS_LIST] = {"GET", "/v1/music/:org/collections/:coll/tracks"},
	[R_TRACK_ADD] = {"POST", "/v1/music/:org/collections/:coll/tracks"},
	[R_TRACK_REMOVE] = {"DELETE", "/v1/music/:org/collections/:coll/tracks/:track"},
	[R_COLL_REORDER] = {"PATCH", "/v1/music/:org/collections/:coll/order"},
	/* operations: no API key (see h_ops.c) */
	[R_HEALTHZ] = {"GET", "/healthz"},
	[R_STATUS] = {"GET", "/status"},
};

static const char *const param_names[P__MAX] = {
	[P_ORG] = ":org",
	[P_COLL] = ":coll",
	[P_TRACK] = ":track",
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *pct_decode(const char *src, size_t len, int plus_is_space, size_t *outlen)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (src[i] == '%') {
			int h, l;
			if (i + 2 >= len) {
				free(out);
				return NULL;
			}
			h = hexval(src[i + 1]);
			l = hexval(src[i + 2]);
			if (h < 0 || l < 0) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else if (plus_is_space && src[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = src[i];
		}
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
}

char *utf8_sanitize(const char *s, size_t len)
{
	char *out = xstrndup(s, len);

	if (utf8_count(s, len) >= 0 && memchr(s, '\0', len) == NULL)
		return out;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];
		if (c == 0 || c >= 0x80)
			out[i] = '?';
	}
	return out;
}

/* Decoded parameter value, falling back to the raw text when decoding
 * yields something that cannot be echoed (bad escape, NUL, bad UTF-8). */
static char *param_value(const char *seg, size_t len)
{
	size_t n;
	char *d = pct_decode(seg, len, 0, &n);

	if (d && utf8_count(d, n) >= 0 && strlen(d) == n)
		return d;
	free(d);
	return utf8_sanitize(seg, len);
}

/* Matches path against pattern; on success fills params (if non-NULL). */
static int pattern_match(const char *pattern, const char *path, char **params)
{
	const char *p = pattern, *s = path;

	while (*p && *s) {
		const char *pe, *se;
		size_t plen, slen;

		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		pe = strchr(p, '/');
		se = strchr(s, '/');
		plen = pe ? (size_t)(pe - p) : strlen(p);
		slen = se ? (size_t)(se - s) : strlen(s);
		if (slen == 0)
			return 0;
		if (*p == ':') {
			if (params) {
				for (int k = 0; k < P__MAX; k++) {
					if (strlen(param_names[k]) == plen && memcmp(param_names[k], p, plen) == 0) {
						free(params[k]);
						params[k] = param_value(s, slen);
					}
				}
			}
		} else if (plen != slen || memcmp(p, s, plen) != 0) {
			return 0;
		}
		p += plen;
		s += slen;
	}
	return *p == '\0' && *s == '\0';
}

enum route_result router_match(const char *method, const char *path, struct route_match *m)
{
	int path_seen = 0;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < ROUTE__MAX; i++) {
		if (!pattern_match(routes[i].pattern, path, NULL))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			m->id = (enum route_id)i;
			m->pattern = routes[i].pattern;
			pattern_match(routes[i].pattern, path, m->param);
			m->allow[0] = '\0';
			return ROUTE_OK;
		}
		if (path_seen++)
			strncat(m->allow, ", ", sizeof(m->allow) - strlen(m->allow) - 1);
		strncat(m->allow, routes[i].method, sizeof(m->allow) - strlen(m->allow) - 1);
	}
	return path_seen ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}

void route_match_free(struct route_match *m)
{
	for (int k = 0; k < P__MAX; k++) {
		free(m->param[k]);
		m->param[k] = NULL;
	}
}

const char *router_method(int id)
{
	return id >= 0 && id < ROUTE__MAX ? routes[id].method : NULL;
}

const char *router_pattern(int id)
{
	return id >= 0 && id < ROUTE__MAX ? routes[id].pattern : NULL;
}
