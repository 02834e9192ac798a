/* timefmt.c -- formatting of timestamps for responses and logs. */
#include "timefmt.h"

#include <string.h>

/* An ASCII digit (isdigit() asks the locale's table through a call). */
static int digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

char *timefmt_iso(time_t t, char out[TIMEFMT_ISO_LEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, TIMEFMT_ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

int timefmt_from_db(const char *s, size_t len, char out[TIMEFMT_ISO_LEN])
{
	/* Positions of the separators in "YYYY-MM-DD HH:MM:SS". */
	static const char shape[] = "dddd-dd-dd dd:dd:dd";

	if (len < 19 || (len > 19 && (s[19] != '.' || len < 21 || len > 26)))
		return -1;
	for (size_t i = 20; i < len; i++)
		if (!digit(s[i]))
			return -1; /* the fraction: 1 to 6 digits */
	for (size_t i = 0; i < 19; i++) {
		if (shape[i] == 'd' ? !digit(s[i]) : s[i] != shape[i])
			return -1;
	}
	memcpy(out, s, 10);
	out[10] = 'T';
	memcpy(out + 11, s + 11, 8);
	out[19] = 'Z';
	out[20] = '\0';
	return 0;
}
