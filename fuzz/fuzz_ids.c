/* fuzz_ids.c -- id_valid for collection and track ids, as bytes: exactly
 * prefix + 12 lowercase hex digits, nothing cut at a NUL; and ids drawn by
 * id_new always pass. */
#include "fuzz.h"
#include "ids.h"

static int reference(const char *prefix, const uint8_t *s, size_t len)
{
	size_t p = strlen(prefix);

	if (len != p + 12 || memcmp(s, prefix, p) != 0)
		return 0;
	for (size_t i = p; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = {COLLECTION_PREFIX, TRACK_PREFIX, USER_PREFIX, APIKEY_PREFIX};
	char id[ID_MAX];

	for (size_t i = 0; i < 4; i++)
		PROPERTY(id_valid(prefixes[i], (const char *)data, size) == reference(prefixes[i], data, size));
	if (size && data[0] == 'n') {
		PROPERTY(id_new(TRACK_PREFIX, id) == 0);
		PROPERTY(id_valid_track(id, strlen(id)));
	}
	return 0;
}
