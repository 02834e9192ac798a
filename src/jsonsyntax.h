/* jsonsyntax.h -- an RFC 8259 grammar check, stricter than json-c's parser
 * (which takes single quotes, NaN and the like even in strict mode). */
#ifndef MCOLL_JSONSYNTAX_H
#define MCOLL_JSONSYNTAX_H
#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 32

/* True if s[0..len) is exactly one JSON value with optional surrounding
 * white space, valid UTF-8, nested at most JSON_MAX_DEPTH deep.  *key_nuls
 * (if not NULL) gets the number of \u0000 escapes inside object keys.
 * When out is not NULL (room for len bytes) and s is valid, out receives
 * the same value for json-c to parse, *outlen its length: each surrogate
 * pair escape replaced by the code point's UTF-8 bytes (json-c decodes some
 * of them to U+FFFD), each \u0000 inside a key replaced by \u0001 (so the
 * key stays distinct from every field name once parsed). */
bool json_syntax_ok(const char *s, size_t len, char *out, size_t *outlen, size_t *key_nuls);

#endif
