/* render.c -- JSON objects of the contract, keys in the contract's order. */
#include "render.h"

#include <string.h>

static struct json_object *text_or_null(const struct text *t)
{
	return t->s ? json_object_new_string_len(t->s, (int)t->len) : NULL;
}

struct json_object *render_collection(const struct collection *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "name", text_or_null(&c->name));
	json_object_object_add(o, "description", text_or_null(&c->description));
	json_object_object_add(o, "cover_track_id", text_or_null(&c->cover_track_id));
	json_object_object_add(o, "cover_image_url", text_or_null(&c->cover_image_url));
	json_object_object_add(o, "track_count",
			       c->track_count < 0 ? NULL : json_object_new_int64(c->track_count));
	json_object_object_add(o, "created_at", json_object_new_string(c->created_at));
	json_object_object_add(o, "updated_at", json_object_new_string(c->updated_at));
	return o;
}

struct json_object *render_entry(const struct entry *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "track_id", json_object_new_string(e->track_id));
	json_object_object_add(o, "position", json_object_new_int64(e->position));
	json_object_object_add(o, "added_at", json_object_new_string(e->added_at));
	return o;
}

struct json_object *render_ack(const char *id, const char *detail)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "success", json_object_new_boolean(1));
	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	return o;
}

struct json_object *render_error(enum api_err err, const char *system_message,
				 struct json_object *details, const char *trace_id, time_t now)
{
	const struct api_err_info *info = api_err_info(err);
	struct json_object *root = json_object_new_object(), *e = json_object_new_object();
	char ts[TIMEFMT_ISO_LEN];

	json_object_object_add(e, "code", json_object_new_string(info->code));
	json_object_object_add(e, "message", json_object_new_string(info->message));
	json_object_object_add(e, "system_message", json_object_new_string(system_message));
	json_object_object_add(e, "type", json_object_new_string(info->type));
	json_object_object_add(e, "status", json_object_new_int(info->status));
	json_object_object_add(e, "details", details ? details : json_object_new_object());
	json_object_object_add(e, "trace_id", json_object_new_string(trace_id));
	json_object_object_add(e, "timestamp", json_object_new_string(timefmt_iso(now, ts)));
	json_object_object_add(root, "success", json_object_new_boolean(0));
	json_object_object_add(root, "error", e);
	return root;
}

struct json_object *render_field_details(const char *field)
{
	struct json_object *d = json_object_new_object();

	json_object_object_add(d, "field", json_object_new_string(field));
	return d;
}

const char *render_text(struct json_object *obj, size_t *len)
{
	const char *s = json_object_to_json_string_length(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, len);
	return s;
}
