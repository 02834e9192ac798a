/* render.h -- the JSON the API answers with, built with json-c.  Every
 * function returns a new object the caller owns (json_object_put). */
#ifndef MCOLL_RENDER_H
#define MCOLL_RENDER_H
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "apierr.h"
#include "model.h"

/* The collection object; track_count is null when c->track_count < 0. */
struct json_object *render_collection(const struct collection *c);
struct json_object *render_entry(const struct entry *e);
/* {"success":true,"id":id,"detail":detail} */
struct json_object *render_ack(const char *id, const char *detail);
/* The error envelope.  details is taken over (NULL means {}). */
struct json_object *render_error(enum api_err err, const char *system_message,
				 struct json_object *details, const char *trace_id, time_t now);
/* {"field": field} */
struct json_object *render_field_details(const char *field);
/* The compact text of obj (no slash escaping), valid until obj is freed. */
const char *render_text(struct json_object *obj, size_t *len);

#endif
