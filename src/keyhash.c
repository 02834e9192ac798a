/* keyhash.c -- API keys are 192-bit random secrets, so one SHA-256 pass
 * (libcrypto's vetted implementation) is the right stored form: no salt or
 * stretching is needed against guessing, and lookup stays an index probe.
 * Also the request fingerprint of idempotency keys. */
#include "keyhash.h"

#include <string.h>

#include <openssl/evp.h>

int keyhash(const char *key, size_t len, unsigned char out[KEYHASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(key, len, out, &n, EVP_sha256(), NULL) != 1 || n != KEYHASH_LEN)
		return -1;
	return 0;
}

int request_fingerprint(const char *method, const char *path, const char *body, size_t len,
			unsigned char out[KEYHASH_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(c, method, strlen(method)) == 1 && EVP_DigestUpdate(c, "\n", 1) == 1 &&
		 EVP_DigestUpdate(c, path, strlen(path)) == 1 && EVP_DigestUpdate(c, "\n", 1) == 1 &&
		 EVP_DigestUpdate(c, body ? body : "", len) == 1 && EVP_DigestFinal_ex(c, out, &n) == 1 &&
		 n == KEYHASH_LEN;

	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}
