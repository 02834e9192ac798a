/* fuzz_valid.c -- the body validators, one target per FUZZ_MODE:
 * 1 create, 2 update (valid_collection), 3 add track (valid_track_ref),
 * 4 reorder (valid_order).
 *
 * Properties: a field that validates is stored as the exact bytes of the
 * JSON string, and renders back (through the response renderer and the
 * strict parser) to the same bytes, through the direct writer (the
 * collection, the ack) and json-c (the 404 details); refusals name the field they refuse;
 * the rules hold (lengths in code points, id shapes, http URLs with a
 * host, distinct ids); a valid create is a valid update. */
#include <json-c/json.h>

#include "fuzz.h"
#include "ids.h"
#include "model.h"
#include "render.h"
#include "utf8.h"
#include "valid.h"

#ifndef FUZZ_MODE
#define FUZZ_MODE 1
#endif

/* The JSON string field key of obj as bytes, or NULL if absent/not a string. */
static const char *raw_field(struct json_object *obj, const char *key, size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

static void same_bytes(const struct field_str *f, struct json_object *obj, const char *key)
{
	size_t len = 0;
	const char *s = raw_field(obj, key, &len);

	if (!f->s) {
		PROPERTY(s == NULL);
		return;
	}
	PROPERTY(s == f->s && len == f->len);
	PROPERTY(utf8_count(f->s, f->len) >= 0);
}

static void text_of(struct text *t, const struct field_str *f)
{
	t->s = (char *)f->s;
	t->len = f->len;
}

/* What the validator stored renders back to the same bytes. */
static void render_round_trip(const struct coll_input *in)
{
	struct collection c;
	struct json_object *back;
	struct jw w;
	struct verr e;
	const struct field_str *f[] = {&in->name, &in->description, &in->cover_track_id, &in->cover_image_url};
	const char *keys[] = {"name", "description", "cover_track_id", "cover_image_url"};

	memset(&c, 0, sizeof(c));
	strcpy(c.id, "mcoll_0123456789ab");
	text_of(&c.name, &in->name);
	text_of(&c.description, &in->description);
	text_of(&c.cover_track_id, &in->cover_track_id);
	text_of(&c.cover_image_url, &in->cover_image_url);
	c.track_count = 1;
	strcpy(c.created_at, "2026-01-01T00:00:00Z");
	strcpy(c.updated_at, "2026-01-01T00:00:00Z");
	jw_init(&w, 0);
	render_collection(&w, &c);
	back = valid_json_object(w.buf, w.len, &e);
	PROPERTY(back != NULL);
	for (size_t i = 0; i < 4; i++) {
		size_t len = 0;
		const char *s = raw_field(back, keys[i], &len);
		if (!f[i]->s) {
			PROPERTY(s == NULL);
			continue;
		}
		PROPERTY(s && len == f[i]->len && memcmp(s, f[i]->s, len) == 0);
	}
	json_object_put(back);
	jw_free(&w);
}

static void refusal_names_field(const struct verr *e, const char *const *fields)
{
	int known = 0;

	PROPERTY(e->field != NULL);
	for (size_t i = 0; fields[i]; i++)
		known |= strcmp(e->field, fields[i]) == 0;
	PROPERTY(known);
	PROPERTY(strncmp(e->msg, e->field, strlen(e->field)) == 0 || strncmp(e->msg, "Collection", 10) == 0);
	PROPERTY(memchr(e->msg, '\0', sizeof(e->msg)) != NULL);
}

__attribute__((unused)) static void collection(struct json_object *obj, bool creating)
{
	static const char *const fields[] = {"name", "description", "cover_track_id", "cover_image_url", NULL};
	struct coll_input in;
	struct verr e = {0};

	if (valid_collection(obj, creating, &in, &e) != 0) {
		refusal_names_field(&e, fields);
		return;
	}
	same_bytes(&in.name, obj, "name");
	same_bytes(&in.description, obj, "description");
	same_bytes(&in.cover_track_id, obj, "cover_track_id");
	same_bytes(&in.cover_image_url, obj, "cover_image_url");
	if (creating)
		PROPERTY(in.name.present && in.name.s);
	if (in.name.present) {
		PROPERTY(in.name.s && in.name.len > 0);
		PROPERTY(utf8_count(in.name.s, in.name.len) <= NAME_MAX_CHARS);
	}
	if (in.description.s)
		PROPERTY(utf8_count(in.description.s, in.description.len) <= DESCRIPTION_MAX_CHARS);
	if (in.cover_track_id.s)
		PROPERTY(id_valid_track(in.cover_track_id.s, in.cover_track_id.len));
	if (in.cover_image_url.s) {
		const char *u = in.cover_image_url.s;
		size_t n = in.cover_image_url.len, p = strncasecmp(u, "https://", 8) == 0 ? 8 : 7;
		PROPERTY(strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0);
		char *auth, *host;
		for (size_t i = 0; i < n; i++)
			PROPERTY((unsigned char)u[i] > 0x20 && u[i] != 0x7f);
		/* a non-empty host: after the last '@' of the authority, before ':' */
		auth = fuzz_strndup((const uint8_t *)u + p, n - p);
		auth[strcspn(auth, "/?#")] = '\0';
		host = strrchr(auth, '@');
		host = host ? host + 1 : auth;
		if (*host == '[')
			PROPERTY(strchr(host, ']') && strchr(host, ']') > host + 1);
		else
			PROPERTY(strcspn(host, ":") > 0);
		free(auth);
		PROPERTY(utf8_count(u, n) <= URL_MAX_CHARS);
	}
	render_round_trip(&in);
	if (creating) {
		struct coll_input up;
		PROPERTY(valid_collection(obj, false, &up, &e) == 0);
	}
}

__attribute__((unused)) static void track_ref(struct json_object *obj)
{
	static const char *const fields[] = {"track_id", NULL};
	const char *id, *s;
	size_t len, rlen = 0;
	struct verr e = {0};
	struct json_object *j, *back;

	if (valid_track_ref(obj, &id, &len, &e) != 0) {
		refusal_names_field(&e, fields);
		return;
	}
	s = raw_field(obj, "track_id", &rlen);
	PROPERTY(s == id && rlen == len);
	/* the ack (direct writer) and the 404 details (json-c) echo it */
	if (!memchr(id, '\0', len)) {
		struct jw w;
		jw_init(&w, 0);
		render_ack(&w, id, "Track added to collection.");
		back = valid_json_object(w.buf, w.len, &e);
		PROPERTY(back != NULL);
		s = raw_field(back, "id", &rlen);
		PROPERTY(s && rlen == len && memcmp(s, id, len) == 0);
		json_object_put(back);
		jw_free(&w);
	}
	j = json_object_new_object();
	json_object_object_add(j, "track_id", json_object_new_string_len(id, (int)len));
	{
		size_t olen;
		const char *out = json_object_to_json_string_length(j, JSON_C_TO_STRING_PLAIN, &olen);
		back = valid_json_object(out, olen, &e);
	}
	PROPERTY(back != NULL);
	s = raw_field(back, "track_id", &rlen);
	PROPERTY(s && rlen == len && memcmp(s, id, len) == 0);
	json_object_put(back);
	json_object_put(j);
}

__attribute__((unused)) static void order(struct json_object *obj)
{
	static const char *const fields[] = {"ordered_track_ids", NULL};
	const char **ids;
	size_t *lens, n;
	struct verr e = {0};
	struct json_object *arr;

	if (valid_order(obj, &ids, &lens, &n, &e) != 0) {
		refusal_names_field(&e, fields);
		PROPERTY(ids == NULL && lens == NULL);
		return;
	}
	PROPERTY(json_object_object_get_ex(obj, "ordered_track_ids", &arr));
	PROPERTY(n == json_object_array_length(arr) && n <= COLLECTION_MAX_TRACKS);
	for (size_t i = 0; i < n; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		PROPERTY(ids[i] == json_object_get_string(v));
		PROPERTY(lens[i] == (size_t)json_object_get_string_len(v));
		for (size_t k = 0; k < i && n <= 64; k++)
			PROPERTY(lens[k] != lens[i] || memcmp(ids[k], ids[i], lens[i]) != 0);
	}
	free(ids);
	free(lens);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verr e;
	struct json_object *obj = valid_json_object((const char *)data, size, &e);

	if (!obj)
		return 0;
#if FUZZ_MODE == 1
	collection(obj, true);
#elif FUZZ_MODE == 2
	collection(obj, false);
#elif FUZZ_MODE == 3
	track_ref(obj);
#else
	order(obj);
#endif
	json_object_put(obj);
	return 0;
}
