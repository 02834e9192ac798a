/* listen.c -- bind the FastCGI socket, or take systemd's. */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"

#define BACKLOG 1024

/* "path" or "address:port" of a bound socket, for the log. */
static void describe(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		snprintf(buf, len, "?");
		return;
	}
	if (ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
		snprintf(buf, len, "%s", un->sun_path[0] ? un->sun_path : "(abstract)");
	} else if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "family %d", ss.ss_family);
	}
}

static int family_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return -1;
	return ss.ss_family;
}

/* Returns the fd systemd passed, -1 if none, -2 on error. */
static int from_systemd(char *desc, size_t desclen)
{
	char **names = NULL, where[200];
	int n = sd_listen_fds_with_names(1, &names), fd = -1, pick = -1;

	if (n <= 0) {
		if (n < 0)
			log_error("sd_listen_fds: %s", strerror(-n));
		free(names);
		return n < 0 ? -2 : -1;
	}
	for (int i = 0; i < n; i++) {
		const char *nm = names && names[i] ? names[i] : "";
		if (n == 1 || strcmp(nm, "mcolld") == 0 || strcmp(nm, "mcolld.socket") == 0) {
			if (pick < 0)
				pick = i;
		}
	}
	if (pick < 0) {
		log_error("systemd passed %d sockets and none is named mcolld", n);
	} else {
		fd = SD_LISTEN_FDS_START + pick;
		if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0) {
			log_error("systemd fd %d is not a listening stream socket", fd);
			fd = -2;
		} else {
			describe(fd, where, sizeof(where));
			snprintf(desc, desclen, "systemd socket %s fd %d (%s)",
				 names && names[pick] ? names[pick] : "?", fd, where);
		}
	}
	for (int i = 0; i < n; i++) {
		if (i != pick)
			close(SD_LISTEN_FDS_START + i);
		if (names)
			free(names[i]);
	}
	free(names);
	return pick < 0 ? -2 : fd;
}

static int listen_unix(const char *path, int mode)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error("listen path too long: %s", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, (mode_t)mode) != 0 ||
	    listen(fd, BACKLOG) != 0)
		goto fail;
	return fd;
fail:
	log_error("listen on %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int listen_tcp(const char *spec)
{
	struct addrinfo hints, *res = NULL, *ai;
	const char *colon = strrchr(spec, ':');
	char host[256];
	int fd = -1, one = 1, rc;

	if (!colon || (size_t)(colon - spec) >= sizeof(host)) {
		log_error("bad listen address: %s", spec);
		return -1;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(*host ? host : NULL, colon + 1, &hints, &res);
	if (rc != 0) {
		log_error("listen %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, BACKLOG) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		log_error("listen on %s: %s", spec, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

int listen_open(const struct conf *conf, struct listen_sock *ls)
{
	char where[200];
	int fd, fl;

	memset(ls, 0, sizeof(*ls));
	fd = from_systemd(ls->desc, sizeof(ls->desc));
	if (fd == -2)
		return -1;
	if (fd >= 0) {
		ls->from_systemd = true;
	} else if (conf->listen[0] == '/') {
		fd = listen_unix(conf->listen, conf->listen_mode);
		if (fd >= 0) {
			snprintf(ls->path, sizeof(ls->path), "%s", conf->listen);
			snprintf(ls->desc, sizeof(ls->desc), "unix socket %s", conf->listen);
		}
	} else {
		fd = listen_tcp(conf->listen);
		if (fd >= 0) {
			describe(fd, where, sizeof(where));
			snprintf(ls->desc, sizeof(ls->desc), "tcp %s", where);
		}
	}
	if (fd < 0)
		return -1;
	/* Workers wait in poll() and accept without blocking: a connection
	 * another worker took is EAGAIN, not a hang. */
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		log_error("listen socket flags: %s", strerror(errno));
		close(fd);
		return -1;
	}
	ls->is_unix = family_of(fd) == AF_UNIX;
	ls->fd = fd;
	return 0;
}

void listen_unlink(struct listen_sock *ls)
{
	if (!ls->from_systemd && ls->path[0]) {
		if (unlink(ls->path) != 0 && errno != ENOENT)
			log_warn("unlink %s: %s", ls->path, strerror(errno));
		ls->path[0] = '\0';
	}
}

void listen_close(struct listen_sock *ls)
{
	if (ls->fd >= 0)
		close(ls->fd);
	ls->fd = -1;
}
