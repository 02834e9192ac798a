/* render.c -- the contract's JSON, keys in the contract's order. */
#include "render.h"

#include <string.h>

void render_collection(struct jw *w, const struct collection *c)
{
	jw_lit(w, "{\"id\":");
	jw_cstr(w, c->id);
	jw_lit(w, ",\"name\":");
	jw_text(w, &c->name);
	jw_lit(w, ",\"description\":");
	jw_text(w, &c->description);
	jw_lit(w, ",\"cover_track_id\":");
	jw_text(w, &c->cover_track_id);
	jw_lit(w, ",\"cover_image_url\":");
	jw_text(w, &c->cover_image_url);
	jw_lit(w, ",\"track_count\":");
	if (c->track_count < 0)
		jw_lit(w, "null");
	else
		jw_int(w, c->track_count);
	jw_lit(w, ",\"created_at\":");
	jw_cstr(w, c->created_at);
	jw_lit(w, ",\"updated_at\":");
	jw_cstr(w, c->updated_at);
	jw_lit(w, "}");
}

void render_entry(struct jw *w, const struct entry *e)
{
	jw_lit(w, "{\"track_id\":");
	jw_cstr(w, e->track_id);
	jw_lit(w, ",\"position\":");
	jw_int(w, e->position);
	jw_lit(w, ",\"added_at\":");
	jw_cstr(w, e->added_at);
	jw_lit(w, "}");
}

void render_ack(struct jw *w, const char *id, const char *detail)
{
	jw_lit(w, "{\"success\":true,\"id\":");
	jw_cstr(w, id);
	jw_lit(w, ",\"detail\":");
	jw_cstr(w, detail);
	jw_lit(w, "}");
}

void render_added(struct jw *w, const char *id, size_t added, const char *detail)
{
	jw_lit(w, "{\"success\":true,\"id\":");
	jw_cstr(w, id);
	jw_lit(w, ",\"added\":");
	jw_int(w, (long long)added);
	jw_lit(w, ",\"detail\":");
	jw_cstr(w, detail);
	jw_lit(w, "}");
}

static void page_tail(struct jw *w, long limit, long offset)
{
	jw_lit(w, "],\"limit\":");
	jw_int(w, limit);
	jw_lit(w, ",\"offset\":");
	jw_int(w, offset);
	jw_lit(w, "}");
}

void render_collection_page(struct jw *w, const struct collection *items, size_t n, long limit,
			    long offset)
{
	jw_lit(w, "{\"items\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			jw_lit(w, ",");
		render_collection(w, &items[i]);
	}
	page_tail(w, limit, offset);
}

void render_entry_page(struct jw *w, const char *coll_id, const struct entry *items, size_t n,
		       long limit, long offset)
{
	jw_lit(w, "{\"collection_id\":");
	jw_cstr(w, coll_id);
	jw_lit(w, ",\"items\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			jw_lit(w, ",");
		render_entry(w, &items[i]);
	}
	page_tail(w, limit, offset);
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
