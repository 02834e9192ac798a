/* listen.c -- bind the FastCGI socket, or take systemd's. */
#include "listen.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define SD_LISTEN_FDS_START 3
#define BACKLOG 1024

static int from_systemd(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid() || strtol(fds, NULL, 10) < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	log_info("using the socket passed by systemd");
	return SD_LISTEN_FDS_START;
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
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
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
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
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

int listen_open(const struct conf *conf)
{
	int fd = from_systemd();

	if (fd >= 0)
		return fd;
	if (conf->listen[0] == '/')
		return listen_unix(conf->listen, conf->listen_mode);
	return listen_tcp(conf->listen);
}
