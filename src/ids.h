/* ids.h -- random identifiers and API key secrets, and their formats. */
#ifndef MCOLL_IDS_H
#define MCOLL_IDS_H
#include <stdbool.h>
#include <stddef.h>

#define ID_HEX_LEN 12
#define ID_MAX 32          /* buffer size for any id */
#define KEY_SECRET_HEX 48  /* hex digits after "mck_" in a raw API key */
#define KEY_MAX 64

/* Writes prefix followed by 12 random lowercase hex digits into out (at least
 * ID_MAX bytes).  Returns 0, or -1 if the system has no randomness. */
int id_new(const char *prefix, char *out);
/* Writes a new raw API key ("mck_" + 48 hex) into out (KEY_MAX bytes). */
int key_new(char *out);
/* True if s[0..len) is prefix followed by exactly 12 lowercase hex digits. */
bool id_valid(const char *prefix, const char *s, size_t len);

#define COLLECTION_PREFIX "mcoll_"
#define id_valid_collection(s, len) id_valid(COLLECTION_PREFIX, (s), (len))
#define id_valid_track(s, len) id_valid(TRACK_PREFIX, (s), (len))
#define TRACK_PREFIX "mtrack_"
#define USER_PREFIX "usr_"
#define APIKEY_PREFIX "key_"

#endif
