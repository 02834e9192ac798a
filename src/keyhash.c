/* keyhash.c -- API keys are 192-bit random secrets, so one SHA-256 pass
 * (libcrypto's vetted implementation) is the right stored form: no salt or
 * stretching is needed against guessing, and lookup stays an index probe.
 * Also the request fingerprint of idempotency keys. */
#include "keyhash.h"

#include <string.h>

#include <openssl/evp.h>

/* SHA-256 fetched from the provider once per process: EVP_sha256()
 * alone makes every digest look the implementation up again. */
static const EVP_MD *sha256(void)
{
	static EVP_MD *md;

	if (!md)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	return md ? md : EVP_sha256();
}

int keyhash(const char *key, size_t len, unsigned char out[KEYHASH_LEN])
{
	static EVP_MD_CTX *c;
	unsigned int n = 0;

	if (!c && !(c = EVP_MD_CTX_new()))
		return -1;
	if (EVP_DigestInit_ex(c, sha256(), NULL) != 1 || EVP_DigestUpdate(c, key, len) != 1 ||
	    EVP_DigestFinal_ex(c, out, &n) != 1 || n != KEYHASH_LEN)
		return -1;
	return 0;
}

int request_fingerprint(const char *method, const char *path, const char *body, size_t len,
			unsigned char out[KEYHASH_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok = c && EVP_DigestInit_ex(c, sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(c, method, strlen(method)) == 1 && EVP_DigestUpdate(c, "\n", 1) == 1 &&
		 EVP_DigestUpdate(c, path, strlen(path)) == 1 && EVP_DigestUpdate(c, "\n", 1) == 1 &&
		 EVP_DigestUpdate(c, body ? body : "", len) == 1 && EVP_DigestFinal_ex(c, out, &n) == 1 &&
		 n == KEYHASH_LEN;

	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}
