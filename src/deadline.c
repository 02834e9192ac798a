/* deadline.c -- a request's queue wait from nginx's hand-off time. */
#include "deadline.h"

#include <stddef.h>

#define SKEW_AHEAD 1.0      /* seconds: a start later than now by more */
#define SKEW_BEHIND 3600.0  /* seconds: a start earlier than now by more */

/* Strict "digits[.digits]", at most 12 integer and 6 fraction digits. */
static int parse_msec(const char *s, double *out)
{
	double v = 0, scale = 1;
	size_t n = 0, f = 0;

	for (; *s >= '0' && *s <= '9'; s++, n++)
		v = v * 10 + (*s - '0');
	if (n == 0 || n > 12)
		return -1;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, f++) {
			scale /= 10;
			v += (*s - '0') * scale;
		}
		if (f == 0 || f > 6)
			return -1;
	}
	if (*s)
		return -1;
	*out = v;
	return 0;
}

enum qwait deadline_queue_wait(const char *request_start, double wall_now, double *wait)
{
	double start, w;

	*wait = 0;
	if (!request_start || parse_msec(request_start, &start) != 0)
		return QW_NONE;
	w = wall_now - start;
	if (w < -SKEW_AHEAD || w > SKEW_BEHIND)
		return QW_SKEW;
	*wait = w > 0 ? w : 0;
	return QW_OK;
}
