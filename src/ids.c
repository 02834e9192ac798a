/* ids.c -- identifiers from the kernel's CSPRNG (getrandom). */
#include "ids.h"

#include <string.h>
#include <sys/random.h>

static int random_hex(char *out, size_t ndigits)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];
	size_t nbytes = (ndigits + 1) / 2;

	if (nbytes > sizeof(buf) || getrandom(buf, nbytes, 0) != (ssize_t)nbytes)
		return -1;
	for (size_t i = 0; i < ndigits; i++)
		out[i] = hex[(buf[i / 2] >> ((i % 2) ? 0 : 4)) & 0xf];
	out[ndigits] = '\0';
	return 0;
}

int id_new(const char *prefix, char *out)
{
	size_t p = strlen(prefix);

	if (p + ID_HEX_LEN + 1 > ID_MAX)
		return -1;
	memcpy(out, prefix, p);
	return random_hex(out + p, ID_HEX_LEN);
}

int key_new(char *out)
{
	memcpy(out, "mck_", 4);
	return random_hex(out + 4, KEY_SECRET_HEX);
}

bool id_valid(const char *prefix, const char *s, size_t len)
{
	size_t p = strlen(prefix);

	if (len != p + ID_HEX_LEN || memcmp(s, prefix, p) != 0)
		return false;
	for (size_t i = p; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}
