/* render.h -- the JSON the API answers with: the hot answers through the
 * direct writer, the error envelope (whose details callers build) with
 * json-c, returning a new object the caller owns (json_object_put). */
#ifndef MCOLL_RENDER_H
#define MCOLL_RENDER_H
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "apierr.h"
#include "jsonw.h"
#include "model.h"

/* The hot answers, written directly (jsonw.h): the collection object
 * (track_count null when c->track_count < 0), a tracks entry, the ack
 * {"success":true,"id":id,"detail":detail}, and the two pages. */
void render_collection(struct jw *w, const struct collection *c);
void render_entry(struct jw *w, const struct entry *e);
void render_ack(struct jw *w, const char *id, const char *detail);
/* {"success":true,"id":id,"added":added,"detail":detail} (bulk add) */
void render_added(struct jw *w, const char *id, size_t added, const char *detail);
/* {"items":[collections],"limit":limit,"offset":offset} */
void render_collection_page(struct jw *w, const struct collection *items, size_t n, long limit,
			    long offset);
/* {"collection_id":id,"items":[entries],"limit":limit,"offset":offset} */
void render_entry_page(struct jw *w, const char *coll_id, const struct entry *items, size_t n,
		       long limit, long offset);
/* The error envelope.  details is taken over (NULL means {}). */
struct json_object *render_error(enum api_err err, const char *system_message,
				 struct json_object *details, const char *trace_id, time_t now);
/* {"field": field} */
struct json_object *render_field_details(const char *field);
/* The compact text of obj (no slash escaping), valid until obj is freed. */
const char *render_text(struct json_object *obj, size_t *len);

#endif
