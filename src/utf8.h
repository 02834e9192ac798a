/* utf8.h -- strict UTF-8 validation and code point counting. */
#ifndef MCOLL_UTF8_H
#define MCOLL_UTF8_H
#include <stddef.h>

/* Returns the number of code points in s[0..len), or -1 if s is not valid
 * UTF-8 (overlong forms, surrogates, values above U+10FFFF and truncated
 * sequences are all invalid). */
long utf8_count(const char *s, size_t len);

#endif
