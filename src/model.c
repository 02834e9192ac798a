/* model.c -- ownership of the API's objects. */
#include "model.h"

#include <stdlib.h>

void collection_free(struct collection *c)
{
	free(c->name.s);
	free(c->description.s);
	free(c->cover_track_id.s);
	free(c->cover_image_url.s);
	c->name.s = c->description.s = c->cover_track_id.s = c->cover_image_url.s = NULL;
}
