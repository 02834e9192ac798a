/* fcgi_client.c -- a minimal FastCGI responder client (FastCGI 1.0
 * records: BEGIN_REQUEST, PARAMS, STDIN; reads STDOUT until END_REQUEST),
 * used by mcollctl status to read GET /status from mcolld itself. */
#include "fcgi_client.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "alloc.h"

enum { FCGI_BEGIN = 1, FCGI_END = 3, FCGI_PARAMS = 4, FCGI_STDIN = 5, FCGI_STDOUT = 6 };

static int connect_to(const char *listen, char *err, size_t errlen)
{
	int fd = -1;

	if (listen[0] == '/') {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		if (strlen(listen) >= sizeof(sa.sun_path)) {
			snprintf(err, errlen, "%s: path too long", listen);
			return -1;
		}
		strcpy(sa.sun_path, listen);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			snprintf(err, errlen, "%s: %s", listen, strerror(errno));
			close(fd);
			return -1;
		}
	} else {
		const char *colon = strrchr(listen, ':');
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
		char host[256];
		int rc;

		if (!colon || (size_t)(colon - listen) >= sizeof(host)) {
			snprintf(err, errlen, "%s: not a path or host:port", listen);
			return -1;
		}
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
		if ((rc = getaddrinfo(*host ? host : "127.0.0.1", colon + 1, &hints, &res)) != 0) {
			snprintf(err, errlen, "%s: %s", listen, gai_strerror(rc));
			return -1;
		}
		for (ai = res; ai; ai = ai->ai_next) {
			fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
			if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
			if (fd >= 0)
				close(fd);
			fd = -1;
		}
		if (fd < 0)
			snprintf(err, errlen, "%s: %s", listen, strerror(errno));
		freeaddrinfo(res);
	}
	if (fd < 0 && !err[0])
		snprintf(err, errlen, "%s: %s", listen, strerror(errno));
	return fd;
}

static void record(unsigned char *buf, size_t *n, int type, const void *content, size_t len)
{
	unsigned char *p = buf + *n;

	p[0] = 1;
	p[1] = (unsigned char)type;
	p[2] = 0;
	p[3] = 1; /* request id 1 */
	p[4] = (unsigned char)(len >> 8);
	p[5] = (unsigned char)len;
	p[6] = 0;
	p[7] = 0;
	memcpy(p + 8, content, len);
	*n += 8 + len;
}

/* name-value pair with short (< 128) lengths */
static void pair(unsigned char *buf, size_t *n, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	buf[(*n)++] = (unsigned char)nl;
	buf[(*n)++] = (unsigned char)vl;
	memcpy(buf + *n, name, nl);
	*n += nl;
	memcpy(buf + *n, value, vl);
	*n += vl;
}

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = events};
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	return rc;
}

int fcgi_client_get(const char *listen, const char *uri, int timeout_ms, char **out, size_t *outlen,
		    char *err, size_t errlen)
{
	static const unsigned char begin[8] = {0, 1, 0, 0, 0, 0, 0, 0}; /* responder, no keep-conn */
	unsigned char req[1024], params[512], hdr[8];
	size_t n = 0, np = 0, len = 0, cap = 4096, off = 0;
	char *buf = NULL;
	int fd, rc = -1;

	err[0] = '\0';
	*out = NULL;
	*outlen = 0;
	if (strlen(uri) > 100) {
		snprintf(err, errlen, "uri too long");
		return -1;
	}
	if ((fd = connect_to(listen, err, errlen)) < 0)
		return -1;
	pair(params, &np, "REQUEST_METHOD", "GET");
	pair(params, &np, "REQUEST_URI", uri);
	pair(params, &np, "QUERY_STRING", "");
	pair(params, &np, "SERVER_PROTOCOL", "HTTP/1.1");
	record(req, &n, FCGI_BEGIN, begin, sizeof(begin));
	record(req, &n, FCGI_PARAMS, params, np);
	record(req, &n, FCGI_PARAMS, "", 0);
	record(req, &n, FCGI_STDIN, "", 0);
	while (off < n) {
		ssize_t w;
		if (wait_fd(fd, POLLOUT, timeout_ms) <= 0)
			goto timeout;
		w = send(fd, req + off, n - off, MSG_NOSIGNAL);
		if (w < 0) {
			snprintf(err, errlen, "%s: send: %s", listen, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	buf = xmalloc(cap);
	for (;;) {
		size_t clen, plen, got = 0;
		unsigned char *body;

		/* one record: header, content, padding */
		while (got < 8) {
			ssize_t r;
			if (wait_fd(fd, POLLIN, timeout_ms) <= 0)
				goto timeout;
			r = recv(fd, hdr + got, 8 - got, 0);
			if (r <= 0) {
				snprintf(err, errlen, "%s: connection closed before the end of the answer", listen);
				goto out;
			}
			got += (size_t)r;
		}
		clen = (size_t)hdr[4] << 8 | hdr[5];
		plen = hdr[6];
		body = xmalloc(clen + plen + 1);
		for (got = 0; got < clen + plen;) {
			ssize_t r;
			if (wait_fd(fd, POLLIN, timeout_ms) <= 0) {
				free(body);
				goto timeout;
			}
			r = recv(fd, body + got, clen + plen - got, 0);
			if (r <= 0) {
				free(body);
				snprintf(err, errlen, "%s: connection closed before the end of the answer", listen);
				goto out;
			}
			got += (size_t)r;
		}
		if (hdr[1] == FCGI_STDOUT) {
			if (len + clen + 1 > cap) {
				while (len + clen + 1 > cap)
					cap *= 2;
				buf = xrealloc(buf, cap);
			}
			memcpy(buf + len, body, clen);
			len += clen;
		}
		free(body);
		if (hdr[1] == FCGI_END)
			break;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
	goto out;
timeout:
	snprintf(err, errlen, "%s: no answer within %d ms", listen, timeout_ms);
out:
	free(buf);
	close(fd);
	return rc;
}
