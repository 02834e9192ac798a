/* authkey.c -- API key extraction from request headers. */
#include "authkey.h"

#include <string.h>
#include <strings.h>

static int trimmed(const char *s, const char **key, size_t *len)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return -1;
	*key = s;
	*len = n;
	return 0;
}

int authkey_extract(const char *x_api_key, const char *authorization, const char **key, size_t *len)
{
	if (x_api_key && trimmed(x_api_key, key, len) == 0)
		return 0;
	if (authorization) {
		while (*authorization == ' ')
			authorization++;
		if (strncasecmp(authorization, "Bearer", 6) == 0 &&
		    (authorization[6] == ' ' || authorization[6] == '\t'))
			return trimmed(authorization + 7, key, len);
	}
	return -1;
}
