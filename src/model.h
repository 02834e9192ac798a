/* model.h -- the API's objects as the database layer fills them and the
 * renderer writes them. */
#ifndef MCOLL_MODEL_H
#define MCOLL_MODEL_H
#include <stddef.h>

#include "ids.h"
#include "timefmt.h"

/* A nullable byte string with its length (text may hold any code point). */
struct text {
	char *s; /* NULL means JSON null */
	size_t len;
};

struct collection {
	char id[ID_MAX];
	struct text name;
	struct text description;
	struct text cover_track_id;
	struct text cover_image_url;
	long track_count; /* -1: not loaded (null in the list view) */
	char created_at[TIMEFMT_ISO_LEN];
	char updated_at[TIMEFMT_ISO_LEN];
	long long version; /* moves with every change: the ETag (not rendered) */
};

struct entry {
	char track_id[ID_MAX];
	long position;
	char added_at[TIMEFMT_ISO_LEN];
};

void collection_free(struct collection *c);

#endif
