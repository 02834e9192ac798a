/* worker.h -- a worker process: its database connection and accept loop. */
#ifndef MCOLL_WORKER_H
#define MCOLL_WORKER_H

#include "conf.h"

/* Runs the accept loop on listen_fd until SIGTERM; returns the exit code. */
int worker_run(const struct conf *conf, int listen_fd, int index);

#endif
