/* jsonsyntax.h -- an RFC 8259 grammar check, stricter than json-c's parser
 * (which takes single quotes, NaN and the like even in strict mode). */
#ifndef MCOLL_JSONSYNTAX_H
#define MCOLL_JSONSYNTAX_H
#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 32

/* True if s[0..len) is exactly one JSON value with optional surrounding
 * white space, valid UTF-8, nested at most JSON_MAX_DEPTH deep. */
bool json_syntax_ok(const char *s, size_t len);

#endif
