/* listen.h -- the FastCGI listening socket. */
#ifndef MCOLL_LISTEN_H
#define MCOLL_LISTEN_H

#include <stdbool.h>
#include <sys/un.h>

#include "conf.h"

struct listen_sock {
	int fd;                 /* non-blocking, close-on-exec */
	bool from_systemd;      /* passed by systemd: it outlives this process */
	bool is_unix;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* unix socket we bound */
	char desc[320];         /* for the log: what is listened on */
};

/* Takes the socket systemd passed (sd_listen_fds_with_names: the one named
 * "mcolld" or "mcolld.socket", or the only one), else binds conf->listen:
 * "host:port" (TCP) or a path (unix socket, stale file replaced, mode
 * listen_mode).  Returns 0, or -1 after logging why. */
int listen_open(const struct conf *conf, struct listen_sock *ls);
/* Removes the path of a unix socket mcolld bound itself, so that no new
 * connection can join its queue (the queued ones stay).  No-op otherwise. */
void listen_unlink(struct listen_sock *ls);
void listen_close(struct listen_sock *ls);

#endif
