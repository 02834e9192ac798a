/* fuzz_utf8.c -- utf8_count against an independent decoder.
 *
 * The reference reads the sequence length from the lead byte's leading
 * ones, accumulates the payload bits, and only then applies Unicode's
 * rules (no overlong form, no surrogate, nothing above U+10FFFF); the
 * implementation under test checks byte ranges (RFC 3629 table).  The two
 * must agree on every input, and utf8_sanitize must give a valid,
 * NUL-free, equally long copy. */
#include "fuzz.h"
#include "router.h"
#include "utf8.h"

static long reference(const unsigned char *s, size_t len)
{
	static const unsigned long min_for[5] = {0, 0, 0x80, 0x800, 0x10000};
	long n = 0;

	for (size_t i = 0; i < len; n++) {
		unsigned char c = s[i];
		int ones = 0;
		unsigned long cp;

		while (ones < 8 && (c & (0x80 >> ones)))
			ones++;
		if (ones == 0) {
			i++;
			continue;
		}
		if (ones == 1 || ones > 4 || len - i < (size_t)ones)
			return -1;
		cp = c & (0xffu >> (ones + 1));
		for (int k = 1; k < ones; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min_for[ones] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += (size_t)ones;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long got = utf8_count((const char *)data, size);
	char *san;

	PROPERTY(got == reference(data, size));
	san = utf8_sanitize((const char *)data, size);
	PROPERTY(strlen(san) == size);
	PROPERTY(utf8_count(san, size) >= 0);
	if (got >= 0 && !memchr(data, '\0', size))
		PROPERTY(memcmp(san, data, size) == 0);
	free(san);
	return 0;
}
