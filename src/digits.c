/* digits.c -- decimal digits of integers (see digits.h). */
#include "digits.h"

#include <string.h>

static const char pairs[] = "00010203040506070809101112131415161718192021222324"
			    "25262728293031323334353637383940414243444546474849"
			    "50515253545556575859606162636465666768697071727374"
			    "75767778798081828384858687888990919293949596979899";

size_t digits_pad(char *p, unsigned long long v, unsigned width)
{
	char tmp[DIGITS_MAX + 4];
	char *e = tmp + sizeof(tmp), *s = e;

	/* the fields of a date and time, and most counts */
	if (v < 100 && width <= 2) {
		if (v < 10 && width < 2) {
			p[0] = (char)('0' + v);
			return 1;
		}
		memcpy(p, pairs + 2 * v, 2);
		return 2;
	}
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		s -= 2;
		memcpy(s, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		s -= 2;
		memcpy(s, pairs + 2 * v, 2);
	} else {
		*--s = (char)('0' + v);
	}
	if (width > DIGITS_MAX)
		width = DIGITS_MAX;
	while ((size_t)(e - s) < width)
		*--s = '0';
	memcpy(p, s, (size_t)(e - s));
	return (size_t)(e - s);
}

size_t digits_ll(char *p, long long v)
{
	if (v < 0) {
		p[0] = '-';
		return 1 + digits_pad(p + 1, 0 - (unsigned long long)v, 1);
	}
	return digits_pad(p, (unsigned long long)v, 1);
}
