/* digits.h -- decimal digits of integers for answers and result cells,
 * two at a time from a table: no printf, no locale.  Pure. */
#ifndef MCOLL_DIGITS_H
#define MCOLL_DIGITS_H
#include <stddef.h>

/* Longest text of a long long: "-9223372036854775808". */
#define DIGITS_MAX 20

/* The digits of v into p, zero-padded on the left to width (at most
 * DIGITS_MAX); returns how many were written (width, or more when v has
 * more digits).  No terminating NUL. */
size_t digits_pad(char *p, unsigned long long v, unsigned width);

/* v in decimal, with a '-' when negative, into p (DIGITS_MAX bytes);
 * returns the length.  No terminating NUL. */
size_t digits_ll(char *p, long long v);

#endif
