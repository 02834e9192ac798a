/* alloc.h -- allocation wrappers that log and abort on exhaustion; the
 * master respawns a worker that dies this way. */
#ifndef MCOLL_ALLOC_H
#define MCOLL_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
