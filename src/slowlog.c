/* slowlog.c -- per-statement timings of a request and the slow request
 * line.  Pure: db.c feeds it, the worker writes the line. */
#include "slowlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void slowlog_begin(struct slowlog *s, int on)
{
	s->on = on;
	s->n = 0;
	s->dropped = 0;
}

void slowlog_add(struct slowlog *s, const char *what, double ms)
{
	if (!s->on)
		return;
	if (s->n == SLOWLOG_MAX_STMTS) {
		s->dropped++;
		return;
	}
	s->t[s->n].what = what;
	s->t[s->n++].ms = ms;
}

__attribute__((format(printf, 4, 5))) static void append(char *buf, size_t len, size_t *used,
							  const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	*used = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
}

size_t slowlog_format(const struct slowlog *s, const char *method, const char *route, double total_ms,
		      char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	append(buf, len, &used, "slow request %s %s %.0f ms:", method, route ? route : "-", total_ms);
	if (s->n == 0)
		append(buf, len, &used, " no statements");
	for (int i = 0; i < s->n; i++)
		append(buf, len, &used, "%s %s %.1f ms", i ? "," : "", s->t[i].what, s->t[i].ms);
	if (s->dropped)
		append(buf, len, &used, ", and %d more", s->dropped);
	return used;
}
