/* worker.h -- a worker process: its database connection and accept loop. */
#ifndef MCOLL_WORKER_H
#define MCOLL_WORKER_H

#include "conf.h"
#include "scoreboard.h"

/* Runs the accept loop on listen_fd (non-blocking) and the pool's handoff
 * pair (handoff.h) until SIGTERM, as slot `index` of the scoreboard;
 * returns the exit code.  After SIGTERM it finishes its request and, when
 * sb->h.drain is set, keeps accepting while connections are queued. */
int worker_run(const struct conf *conf, int listen_fd, const int handoff[2], int index,
	       struct scoreboard *sb);

#endif
