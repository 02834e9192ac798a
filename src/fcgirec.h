/* fcgirec.h -- FastCGI output records as mcolld writes them itself: the
 * answer as FCGI_STDOUT records, then the end of the request (the empty
 * FCGI_STDOUT record and FCGI_END_REQUEST) and, to give the connection
 * up, the let-go record right behind them, all in one buffer. */
#ifndef MCOLL_FCGIREC_H
#define MCOLL_FCGIREC_H
#include <stdbool.h>
#include <stddef.h>

#include "jsonw.h"

/* Content bytes per FCGI_STDOUT record: the largest multiple of 8 below
 * the protocol's 65535, so only the last record of an answer is padded. */
#define FCGIREC_CHUNK 65528
/* The tail fcgirec_end appends: empty STDOUT (8), END_REQUEST (16) and,
 * when letting go, the empty STDERR record (8). */
#define FCGIREC_TAIL_MAX 32

/* The empty FCGI_STDERR record for request 1 (the id nginx always uses).
 * nginx closes an idle kept connection on which anything arrives; bytes
 * after FCGI_END_REQUEST in what it reads keep it from caching the
 * connection at all; and before the answer to a request it skips an
 * empty stderr record.  So it asks nginx to give the connection up, in
 * whatever state it is. */
extern const unsigned char fcgirec_let_go[8];

/* Appends the bytes a then b (either may be empty) to out as FCGI_STDOUT
 * records of request id. */
void fcgirec_stdout(struct jw *out, unsigned id, const char *a, size_t alen, const char *b, size_t blen);
/* Appends the end of request id (application status 0, request
 * complete); with let_go the let-go record follows.  Returns the number
 * of bytes appended. */
size_t fcgirec_end(struct jw *out, unsigned id, bool let_go);

#endif
