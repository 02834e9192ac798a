/* jsonw.h -- a direct JSON writer for the hot answers: appends to one
 * growing buffer, no tree, no allocation per value.  Strings are escaped
 * exactly as json-c writes them with JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE (the error envelope's writer), so both
 * paths give the same bytes. */
#ifndef MCOLL_JSONW_H
#define MCOLL_JSONW_H
#include <stddef.h>
#include <string.h>

#include "model.h"

struct jw {
	char *buf;
	size_t len, cap;
};

void jw_init(struct jw *w, size_t cap);
void jw_free(struct jw *w);
/* Bytes as they are. */
void jw_raw(struct jw *w, const char *s, size_t n);
#define jw_lit(w, s) jw_raw((w), (s), sizeof(s) - 1)
/* A JSON string of n bytes (any bytes: NUL included). */
void jw_str(struct jw *w, const char *s, size_t n);
static inline void jw_cstr(struct jw *w, const char *s)
{
	jw_str(w, s, strlen(s));
}
/* A string, or null when t->s is NULL. */
void jw_text(struct jw *w, const struct text *t);
void jw_int(struct jw *w, long long v);

#endif
