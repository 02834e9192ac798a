/* valid.c -- JSON body parsing and field validation. */
#include "valid.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "ids.h"
#include "jsonsyntax.h"
#include "utf8.h"

__attribute__((format(printf, 3, 4)))
static int fail(struct verr *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	e->field = field;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

struct json_object *valid_json_object(const char *body, size_t len, struct verr *e)
{
	struct json_tokener *tok;
	struct json_object *obj = NULL;
	enum json_tokener_error jerr;
	char *norm = NULL;
	size_t nlen = 0;

	if (len == 0) {
		fail(e, "body", "%s", "Request body must be a JSON object");
		return NULL;
	}
	/* The grammar check is the strict one; json-c then builds the tree
	 * from its normalised copy (see json_syntax_ok). */
	norm = xmalloc(len);
	if (len > (size_t)0x7ffffffe || !json_syntax_ok(body, len, norm, &nlen, NULL)) {
		free(norm);
		fail(e, "body", "%s", "Request body is not valid JSON");
		return NULL;
	}
	tok = json_tokener_new_ex(JSON_MAX_DEPTH + 1);
	obj = json_tokener_parse_ex(tok, norm, (int)nlen);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		/* a bare number needs the end of input to finish */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
	}
	json_tokener_free(tok);
	free(norm);
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		fail(e, "body", "%s", "Request body is not valid JSON");
		return NULL;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		fail(e, "body", "%s", "Request body must be a JSON object");
		return NULL;
	}
	return obj;
}

/* Reads a string-or-null field.  Returns 0 when absent or well typed. */
static int get_str(struct json_object *obj, const char *key, bool nullable, struct field_str *out,
		   struct verr *e)
{
	struct json_object *v;

	memset(out, 0, sizeof(*out));
	if (!json_object_object_get_ex(obj, key, &v))
		return 0;
	out->present = true;
	if (v == NULL) {
		if (nullable)
			return 0;
		return fail(e, key, "%s cannot be null", key);
	}
	if (!json_object_is_type(v, json_type_string))
		{
		if (nullable)
			return fail(e, key, "%s must be a string or null", key);
		return fail(e, key, "%s must be a string", key);
	}
	out->s = json_object_get_string(v);
	out->len = (size_t)json_object_get_string_len(v);
	if (utf8_count(out->s, out->len) < 0)
		return fail(e, key, "%s must be valid UTF-8", key);
	return 0;
}

static long chars(const struct field_str *f)
{
	return f->s ? utf8_count(f->s, f->len) : 0;
}

/* The host of the authority s[0..len) (up to the first '/', '?' or '#'):
 * after any "userinfo@", before any ":port"; an IPv6 literal in brackets
 * counts as a host when the brackets hold something.  True if non-empty. */
static bool authority_has_host(const char *s, size_t len)
{
	size_t end = 0, h = 0, hend;

	while (end < len && s[end] != '/' && s[end] != '?' && s[end] != '#')
		end++;
	for (size_t i = 0; i < end; i++)
		if (s[i] == '@')
			h = i + 1;
	if (h < end && s[h] == '[') {
		const char *close = memchr(s + h, ']', end - h);
		return close && close > s + h + 1;
	}
	hend = h;
	while (hend < end && s[hend] != ':')
		hend++;
	return hend > h;
}

bool valid_http_url(const char *s, size_t len)
{
	size_t p;

	if (len > 8 && strncasecmp(s, "https://", 8) == 0)
		p = 8;
	else if (len > 7 && strncasecmp(s, "http://", 7) == 0)
		p = 7;
	else
		return false;
	if (!authority_has_host(s + p, len - p))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

int valid_collection(struct json_object *obj, bool creating, struct coll_input *in, struct verr *e)
{
	if (get_str(obj, "name", false, &in->name, e) != 0)
		return -1;
	if (creating && !in->name.present)
		return fail(e, "name", "%s is required", "name");
	if (in->name.present && (in->name.len == 0 || chars(&in->name) > NAME_MAX_CHARS))
		return fail(e, "name", "name must be between 1 and %s characters", "512");

	if (get_str(obj, "description", true, &in->description, e) != 0)
		return -1;
	if (chars(&in->description) > DESCRIPTION_MAX_CHARS)
		return fail(e, "description", "description must be at most %s characters", "4096");

	if (get_str(obj, "cover_track_id", true, &in->cover_track_id, e) != 0)
		return -1;
	if (in->cover_track_id.s &&
	    !id_valid_track(in->cover_track_id.s, in->cover_track_id.len))
		return fail(e, "cover_track_id", "%s must name an existing track in this organization",
			    "cover_track_id");

	if (get_str(obj, "cover_image_url", true, &in->cover_image_url, e) != 0)
		return -1;
	if (chars(&in->cover_image_url) > URL_MAX_CHARS)
		return fail(e, "cover_image_url", "cover_image_url must be at most %s characters", "1024");
	if (in->cover_image_url.s && !valid_http_url(in->cover_image_url.s, in->cover_image_url.len))
		return fail(e, "cover_image_url", "%s must be an http or https URL", "cover_image_url");
	return 0;
}

int valid_track_ref(struct json_object *obj, const char **id, size_t *len, struct verr *e)
{
	struct field_str f;

	if (get_str(obj, "track_id", false, &f, e) != 0)
		return fail(e, "track_id", "%s must be a string", "track_id");
	if (!f.present)
		return fail(e, "track_id", "%s is required", "track_id");
	*id = f.s;
	*len = f.len;
	return 0;
}

struct sref {
	const char *s;
	size_t len;
};

static int sref_cmp(const void *a, const void *b)
{
	const struct sref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* obj[F] as an array of at most max strings without duplicates (as byte
 * strings): *ids a heap array of borrowed strings, *lens their lengths.
 * Returns 0 or -1 with e. */
static int string_set(struct json_object *obj, const char *F, size_t max, const char ***ids,
		      size_t **lens, size_t *n, struct verr *e)
{
	struct json_object *arr;
	struct sref *sorted;
	size_t count;
	int dup = 0;

	*ids = NULL;
	*lens = NULL;
	*n = 0;
	if (!json_object_object_get_ex(obj, F, &arr))
		return fail(e, F, "%s is required", F);
	if (!json_object_is_type(arr, json_type_array))
		return fail(e, F, "%s must be an array of strings", F);
	count = json_object_array_length(arr);
	if (count > max)
		return fail(e, F, "%s must have at most %zu entries", F, max);
	for (size_t i = 0; i < count; i++)
		if (!json_object_is_type(json_object_array_get_idx(arr, i), json_type_string))
			return fail(e, F, "%s must be an array of strings", F);

	sorted = xcalloc(count, sizeof(*sorted));
	*ids = xcalloc(count, sizeof(**ids));
	*lens = xcalloc(count, sizeof(**lens));
	for (size_t i = 0; i < count; i++) {
		struct json_object *v = json_object_array_get_idx(arr, i);
		sorted[i].s = (*ids)[i] = json_object_get_string(v);
		sorted[i].len = (*lens)[i] = (size_t)json_object_get_string_len(v);
	}
	qsort(sorted, count, sizeof(*sorted), sref_cmp);
	for (size_t i = 1; i < count && !dup; i++)
		dup = sref_cmp(&sorted[i - 1], &sorted[i]) == 0;
	free(sorted);
	if (dup) {
		free(*ids);
		free(*lens);
		*ids = NULL;
		*lens = NULL;
		return fail(e, F, "%s must not contain duplicates", F);
	}
	*n = count;
	return 0;
}

int valid_order(struct json_object *obj, const char ***ids, size_t **lens, size_t *n, struct verr *e)
{
	return string_set(obj, "ordered_track_ids", COLLECTION_MAX_TRACKS, ids, lens, n, e);
}

int valid_track_refs(struct json_object *obj, const char ***ids, size_t **lens, size_t *n, bool *bulk,
		     struct verr *e)
{
	static const char F[] = "track_ids";
	struct json_object *arr = NULL;
	const char *one;
	size_t len;

	*ids = NULL;
	*lens = NULL;
	*n = 0;
	*bulk = json_object_object_get_ex(obj, F, NULL);
	if (!*bulk) {
		if (valid_track_ref(obj, &one, &len, e) != 0)
			return -1;
		*ids = xcalloc(1, sizeof(**ids));
		*lens = xcalloc(1, sizeof(**lens));
		(*ids)[0] = one;
		(*lens)[0] = len;
		*n = 1;
		return 0;
	}
	if (json_object_object_get_ex(obj, "track_id", NULL))
		return fail(e, F, "%s", "Send either track_id or track_ids, not both");
	json_object_object_get_ex(obj, F, &arr);
	if (json_object_is_type(arr, json_type_array) &&
	    (json_object_array_length(arr) == 0 || json_object_array_length(arr) > BULK_MAX_TRACKS))
		return fail(e, F, "%s must have between 1 and %d entries", F, BULK_MAX_TRACKS);
	return string_set(obj, F, BULK_MAX_TRACKS, ids, lens, n, e);
}

bool valid_idempotency_key(const char *s, size_t len)
{
	if (len == 0 || len > IDEM_KEY_MAX_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}
