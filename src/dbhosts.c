/* dbhosts.c -- parsing the db_hosts list into database addresses. */
#include "dbhosts.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* One entry, [s, e) with no surrounding blanks, into t. */
static int parse_entry(const char *s, const char *e, int default_port, struct db_target *t)
{
	const char *host = s, *host_end, *colon = NULL;
	size_t len = (size_t)(e - s);

	memset(t, 0, sizeof(*t));
	if (len == 0)
		return -1;
	for (const char *p = s; p < e; p++)
		if (isspace((unsigned char)*p) || *p == '\0')
			return -1;
	if (*s == '/') {
		if (len >= sizeof(t->socket))
			return -1;
		memcpy(t->socket, s, len);
		return 0;
	}
	if (*s == '[') {
		const char *rb = memchr(s, ']', len);
		if (!rb || rb == s + 1)
			return -1;
		host = s + 1;
		host_end = rb;
		if (rb + 1 < e) {
			if (rb[1] != ':')
				return -1;
			colon = rb + 1;
		}
	} else {
		colon = memchr(s, ':', len);
		if (colon && memchr(colon + 1, ':', (size_t)(e - colon - 1)))
			return -1; /* a bare IPv6 address: write it in brackets */
		host_end = colon ? colon : e;
	}
	if (host_end == host || (size_t)(host_end - host) >= sizeof(t->host))
		return -1;
	memcpy(t->host, host, (size_t)(host_end - host));
	t->port = default_port;
	if (colon) {
		long n = 0;
		const char *p = colon + 1;
		if (p == e || e - p > 5)
			return -1;
		for (; p < e; p++) {
			if (!isdigit((unsigned char)*p))
				return -1;
			n = n * 10 + (*p - '0');
		}
		if (n < 1 || n > 65535)
			return -1;
		t->port = (int)n;
	}
	return 0;
}

int db_targets_parse(const char *list, int default_port, struct db_target *out, int max)
{
	const char *p = list;
	int n = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return 0;
	for (;;) {
		const char *comma = strchr(p, ','), *e = comma ? comma : p + strlen(p);
		const char *s = p;

		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (n >= max || parse_entry(s, e, default_port, &out[n]) != 0)
			return -1;
		n++;
		if (!comma)
			return n;
		p = comma + 1;
	}
}
