/* pool.h -- the master process: forks and supervises the workers. */
#ifndef MCOLL_POOL_H
#define MCOLL_POOL_H

#include "conf.h"

/* Forks conf->workers workers sharing listen_fd, replaces any that dies,
 * and on SIGTERM/SIGINT forwards TERM, waits for them (up to
 * shutdown_timeout, then KILL) and returns the exit code.  SIGHUP replaces
 * the workers one by one. */
int pool_run(const struct conf *conf, int listen_fd);

#endif
