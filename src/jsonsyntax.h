/* jsonsyntax.h -- an RFC 8259 grammar check, stricter than json-c's parser
 * (which takes single quotes, NaN and the like even in strict mode). */
#ifndef MCOLL_JSONSYNTAX_H
#define MCOLL_JSONSYNTAX_H
#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 32

/* True if s[0..len) is exactly one JSON value with optional surrounding
 * white space, valid UTF-8, nested at most JSON_MAX_DEPTH deep.  *key_nuls
 * (if not NULL) gets the number of \u0000 escapes inside object keys; when
 * patch is a copy of s, each of those becomes \u0001 in it, so the key
 * stays distinct from every field name once parsed. */
bool json_syntax_ok(const char *s, size_t len, char *patch, size_t *key_nuls);

#endif
