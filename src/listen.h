/* listen.h -- the FastCGI listening socket. */
#ifndef MCOLL_LISTEN_H
#define MCOLL_LISTEN_H

#include "conf.h"

/* Returns the socket systemd passed (LISTEN_FDS), else binds conf->listen:
 * "host:port" (TCP) or a path (unix socket, stale file replaced, mode
 * listen_mode).  Returns the fd, or -1 after logging why. */
int listen_open(const struct conf *conf);

#endif
