/* handoff.h -- connections passed between the workers of one pool. */
#ifndef MCOLL_HANDOFF_H
#define MCOLL_HANDOFF_H

/* The pool's pair (SOCK_SEQPACKET, non-blocking), made by the master
 * before it forks: any worker sends a connection on fds[0], any idle
 * worker receives it from fds[1], as it would accept one.  0 or -1. */
int handoff_create(int fds[2]);
/* Passes conn (with one byte of flags) to whichever worker takes it first;
 * the caller still closes its own copy.  0, or -1 (e.g. the pair is full:
 * keep the connection). */
int handoff_send(int out, int conn, unsigned char flags);
/* A connection passed, or -1 when another worker took it first. */
int handoff_recv(int in, unsigned char *flags);

#endif
