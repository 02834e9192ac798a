/* keyhash.c -- API keys are 192-bit random secrets, so one SHA-256 pass
 * (libcrypto's vetted implementation) is the right stored form: no salt or
 * stretching is needed against guessing, and lookup stays an index probe. */
#include "keyhash.h"

#include <openssl/evp.h>

int keyhash(const char *key, size_t len, unsigned char out[KEYHASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(key, len, out, &n, EVP_sha256(), NULL) != 1 || n != KEYHASH_LEN)
		return -1;
	return 0;
}
