/* fcgi_client.h -- just enough of a FastCGI client for mcollctl status:
 * one responder request (GET, no body) to mcolld's listen socket. */
#ifndef MCOLL_FCGI_CLIENT_H
#define MCOLL_FCGI_CLIENT_H
#include <stddef.h>

/* Sends GET uri to listen (a unix socket path, or host:port) and reads the
 * answer's FCGI_STDOUT (CGI headers, blank line, body) into a new heap
 * buffer *out (NUL-terminated, *outlen bytes).  Every wait is bounded by
 * timeout_ms.  Returns 0, or -1 with a message in err. */
int fcgi_client_get(const char *listen, const char *uri, int timeout_ms, char **out, size_t *outlen,
		    char *err, size_t errlen);

#endif
