/* fuzz_timefmt.c -- timefmt_from_db against a reference reading of
 * "YYYY-MM-DD HH:MM:SS[.f{1,6}]": success exactly when the reference
 * accepts, and then "YYYY-MM-DDTHH:MM:SSZ" built from the same digits. */
#include "fuzz.h"
#include "timefmt.h"

static int digits(const uint8_t *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[TIMEFMT_ISO_LEN], want[TIMEFMT_ISO_LEN];
	int ok = size >= 19 && digits(data, 0, 4) && data[4] == '-' && digits(data, 5, 7) && data[7] == '-' &&
		 digits(data, 8, 10) && data[10] == ' ' && digits(data, 11, 13) && data[13] == ':' &&
		 digits(data, 14, 16) && data[16] == ':' && digits(data, 17, 19) &&
		 (size == 19 || (size >= 21 && size <= 26 && data[19] == '.' && digits(data, 20, size)));
	int rc = timefmt_from_db((const char *)data, size, out);

	PROPERTY((rc == 0) == ok);
	if (ok) {
		snprintf(want, sizeof(want), "%.10sT%.8sZ", (const char *)data, (const char *)data + 11);
		PROPERTY(strcmp(out, want) == 0);
	}
	return 0;
}
