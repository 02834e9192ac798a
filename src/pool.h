/* pool.h -- the master process: forks and supervises the workers. */
#ifndef MCOLL_POOL_H
#define MCOLL_POOL_H

#include "conf.h"
#include "listen.h"

/* Forks conf->workers workers sharing the listen socket and replaces any
 * that dies (at once; a slot that keeps dying at once backs off alone).
 * SIGHUP re-reads the configuration at path: when valid, the workers are
 * replaced one at a time with it (the socket stays); when not, the error is
 * logged and nothing changes.  SIGTERM/SIGINT: a unix socket mcolld bound
 * loses its path, workers finish their request and drain the queue (not
 * for a systemd socket, whose queue waits for the next instance), then the
 * master returns the exit code.  Takes ownership of *conf. */
int pool_run(struct conf *conf, const char *path, struct listen_sock *ls);

#endif
