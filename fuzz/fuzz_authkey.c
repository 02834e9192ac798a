/* fuzz_authkey.c -- API key extraction from X-API-Key / Authorization.
 *
 * The input is split at its first 0xff byte into the two header values
 * (either may be absent, chosen by the first byte).  Properties: the key
 * lies inside the header it came from, is non-empty, has no surrounding
 * space or tab, and is all the bytes between them; X-API-Key wins when it
 * holds anything; otherwise only "Bearer" (any case) + blank + key. */
#include "authkey.h"
#include "fuzz.h"

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The trimmed extent of s; returns 0 if nothing is left. */
static size_t trim_ref(const char *s, const char **start)
{
	size_t b = 0, e = strlen(s);

	while (b < e && blank(s[b]))
		b++;
	while (e > b && blank(s[e - 1]))
		e--;
	*start = s + b;
	return e - b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep;
	char *x = NULL, *a = NULL;
	const char *key = NULL, *want = NULL;
	size_t len = 0, wlen = 0;
	int rc;

	if (size < 1)
		return 0;
	sep = memchr(data + 1, 0xff, size - 1);
	if (data[0] & 1)
		x = fuzz_strndup(data + 1, sep ? (size_t)(sep - data - 1) : size - 1);
	if ((data[0] & 2) && sep)
		a = fuzz_strndup(sep + 1, size - (size_t)(sep + 1 - data));
	rc = authkey_extract(x, a, &key, &len);

	if (x && (wlen = trim_ref(x, &want)) > 0) {
		PROPERTY(rc == 0 && key == want && len == wlen);
	} else if (a) {
		const char *p = a + strspn(a, " ");
		if (strncasecmp(p, "bearer", 6) == 0 && blank(p[6]) && (wlen = trim_ref(p + 7, &want)) > 0)
			PROPERTY(rc == 0 && key == want && len == wlen);
		else
			PROPERTY(rc == -1);
	} else {
		PROPERTY(rc == -1);
	}
	if (rc == 0) {
		PROPERTY(len > 0 && !blank(key[0]) && !blank(key[len - 1]));
		PROPERTY(memchr(key, '\0', len) == NULL);
	}
	free(x);
	free(a);
	return 0;
}
