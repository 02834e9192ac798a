/* keyhash.h -- the stored form of an API key: SHA-256 of the raw key. */
#ifndef MCOLL_KEYHASH_H
#define MCOLL_KEYHASH_H
#include <stddef.h>

#define KEYHASH_LEN 32

/* Hashes key[0..len) into out.  Returns 0, or -1 on a libcrypto failure. */
int keyhash(const char *key, size_t len, unsigned char out[KEYHASH_LEN]);

/* An Idempotency-Key's request fingerprint: SHA-256 of method, "\n",
 * path, "\n" and the body's bytes.  Returns 0, or -1 on a libcrypto
 * failure. */
int request_fingerprint(const char *method, const char *path, const char *body, size_t len,
			unsigned char out[KEYHASH_LEN]);

#endif
