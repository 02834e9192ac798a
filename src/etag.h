/* etag.h -- entity tags of collections and pages of tracks, and the
 * conditional request headers (If-Match, If-None-Match, RFC 9110 13.1). */
#ifndef MCOLL_ETAG_H
#define MCOLL_ETAG_H
#include <stdbool.h>

/* Room for any tag written here, quotes and NUL included. */
#define ETAG_MAX 80

/* A collection's ETag: "<version>" (strong).  It covers the fields, the
 * members and their order: every change of any of them moves the version. */
char *etag_collection(long long version, char out[ETAG_MAX]);
/* A page of a collection's tracks: "<version>.<limit>.<offset>". */
char *etag_page(long long version, long limit, long offset, char out[ETAG_MAX]);

/* If-None-Match (weak comparison): true when the header is "*" or lists
 * etag, with or without W/.  Elements that are not entity tags match
 * nothing. */
bool etag_none_match_hits(const char *header, const char *etag);
/* If-Match (strong comparison) for a write to a collection at version:
 * true when the header is "*" or lists, without W/, the collection's ETag
 * or that of any page of its tracks at that version.  Elements that are
 * not entity tags match nothing. */
bool etag_match_version(const char *header, long long version);

#endif
