/* authkey.h -- where a request carries its API key. */
#ifndef MCOLL_AUTHKEY_H
#define MCOLL_AUTHKEY_H
#include <stddef.h>

/* Picks the key from the X-API-Key header value, else from an
 * "Authorization: Bearer <key>" value (scheme case-insensitive, surrounding
 * spaces ignored).  Either argument may be NULL.  Returns 0 with key and len
 * pointing into the header, or -1 when neither holds a non-empty key. */
int authkey_extract(const char *x_api_key, const char *authorization, const char **key, size_t *len);

#endif
