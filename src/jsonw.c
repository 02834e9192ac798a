/* jsonw.c -- the direct JSON writer. */
#include "jsonw.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "digits.h"

void jw_init(struct jw *w, size_t cap)
{
	w->cap = cap ? cap : 256;
	w->buf = xmalloc(w->cap);
	w->len = 0;
}

void jw_free(struct jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

static void reserve(struct jw *w, size_t n)
{
	if (w->cap - w->len >= n)
		return;
	while (w->cap - w->len < n)
		w->cap *= 2;
	w->buf = xrealloc(w->buf, w->cap);
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

void jw_str(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	/* worst case: every byte becomes \u00XX */
	reserve(w, n * 6 + 2);
	w->buf[w->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char *o;

		if (c >= 0x20 && c != '"' && c != '\\') {
			run++;
			continue;
		}
		memcpy(w->buf + w->len, s + i - run, run);
		w->len += run;
		run = 0;
		o = w->buf + w->len;
		o[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			o[1] = (char)c;
			break;
		case '\b':
			o[1] = 'b';
			break;
		case '\t':
			o[1] = 't';
			break;
		case '\n':
			o[1] = 'n';
			break;
		case '\f':
			o[1] = 'f';
			break;
		case '\r':
			o[1] = 'r';
			break;
		default:
			memcpy(o + 1, "u00", 3);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			w->len += 4;
			break;
		}
		w->len += 2;
	}
	memcpy(w->buf + w->len, s + n - run, run);
	w->len += run;
	w->buf[w->len++] = '"';
}

void jw_text(struct jw *w, const struct text *t)
{
	if (t->s)
		jw_str(w, t->s, t->len);
	else
		jw_lit(w, "null");
}

void jw_int(struct jw *w, long long v)
{
	reserve(w, DIGITS_MAX);
	w->len += digits_ll(w->buf + w->len, v);
}
