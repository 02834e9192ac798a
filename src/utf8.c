/* utf8.c -- UTF-8 validation per RFC 3629 (Unicode table 3-7). */
#include "utf8.h"

long utf8_count(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	long n = 0;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xBF;
		size_t need;

		if (c < 0x80) {
			i++;
			n++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0; /* no overlongs */
			else if (c == 0xED)
				hi = 0x9F; /* no surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F; /* nothing above U+10FFFF */
		} else
			return -1;
		if (len - i <= need)
			return -1;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return -1;
		for (size_t k = 2; k <= need; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return -1;
		i += need + 1;
		n++;
	}
	return n;
}
