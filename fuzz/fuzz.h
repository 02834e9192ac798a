/* fuzz.h -- what every libFuzzer target shares: a property check that
 * aborts with the failing condition (libFuzzer then saves the input), and
 * small reference helpers written independently of src/. */
#ifndef MCOLL_FUZZ_H
#define MCOLL_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROPERTY(cond)                                                                  \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                        \
		}                                                                       \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated heap copy of data[0..size). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* UTF-8 bytes of code point cp (no checks); returns their number. */
static inline size_t fuzz_utf8_put(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static inline int fuzz_hex(char c)
{
	static const char digits[] = "0123456789abcdef0123456789ABCDEF";
	const char *p = c ? strchr(digits, c) : NULL;

	return p ? (int)((p - digits) % 16) : -1;
}

/* Reference percent-decoding into out (room for len bytes): -1 for a bad
 * escape, else the decoded length. */
static inline long fuzz_pct_decode(const char *s, size_t len, int plus, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (len - i < 3 || fuzz_hex(s[i + 1]) < 0 || fuzz_hex(s[i + 2]) < 0)
				return -1;
			out[o++] = (char)(fuzz_hex(s[i + 1]) * 16 + fuzz_hex(s[i + 2]));
			i += 2;
		} else {
			out[o++] = plus && s[i] == '+' ? ' ' : s[i];
		}
	}
	return (long)o;
}

#endif
