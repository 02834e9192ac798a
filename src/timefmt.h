/* timefmt.h -- the contract's time format: ISO 8601 UTC, seconds, 'Z'. */
#ifndef MCOLL_TIMEFMT_H
#define MCOLL_TIMEFMT_H
#include <stddef.h>
#include <time.h>

#define TIMEFMT_ISO_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

/* Formats t as UTC into out; returns out. */
char *timefmt_iso(time_t t, char out[TIMEFMT_ISO_LEN]);
/* Converts a database DATETIME text ("YYYY-MM-DD HH:MM:SS[.ffffff]", the
 * fraction 1 to 6 digits) to the contract's form.  Returns 0, or -1 if s is
 * not of that shape. */
int timefmt_from_db(const char *s, size_t len, char out[TIMEFMT_ISO_LEN]);

#endif
