/* fuzz_json.c -- the strict JSON grammar check against json-c, and \u
 * escapes of any code point through valid_json_object.
 *
 * Properties: what the grammar accepts, json-c parses completely from the
 * normalised copy (itself accepted by the grammar), and valid_json_object
 * returns it when it is an object; what json-c writes back, the grammar
 * accepts and json-c reads as an equal value; what json-c accepts in
 * strict mode, within the strict subset (valid UTF-8, depth, no json-c
 * extensions), the grammar accepts; text made of escapes comes back as
 * exactly the UTF-8 of its code points. */
#include <stdbool.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "jsonsyntax.h"
#include "utf8.h"
#include "valid.h"

static struct json_object *jsonc_parse(const char *s, size_t len, int flags)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH + 1);
	struct json_object *obj;
	enum json_tokener_error jerr;
	size_t used;

	json_tokener_set_flags(tok, flags);
	obj = json_tokener_parse_ex(tok, s, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_continue) {
		/* all of s was read; a bare number needs the end of input */
		obj = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		used = len;
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		return NULL;
	}
	/* only white space may follow the value */
	for (size_t i = used; i < len; i++) {
		if (!strchr(" \t\r\n", s[i]) || !s[i]) {
			json_object_put(obj);
			return NULL;
		}
	}
	return obj;
}

/* json-c's strict mode still takes these; the grammar need not.  Outside
 * strings: comments, single quotes, NaN/Infinity/True/False, numbers with
 * leading zeros, a '.', 'e' or sign without digits after; inside: raw
 * control characters and surrogate escapes (json-c turns a lone one into
 * U+FFFD). */
static int jsonc_extension(const char *s, size_t len)
{
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool digit_next = i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9';
		bool digit_before = i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9';
		bool sign_next = i + 1 < len && (s[i + 1] == '-' || s[i + 1] == '+');

		if (c < 0x20 || c == 0x7f)
			return 1;
		if (in_str) {
			if (c == '"') {
				in_str = false;
			} else if (c == '\\') {
				if (len - i >= 4 && s[i + 1] == 'u' && (s[i + 2] | 0x20) == 'd' && s[i + 3] &&
				    strchr("89abcdefABCDEF", s[i + 3]))
					return 1;
				i++; /* the escaped character */
			}
			continue;
		}
		if (c == '"') {
			in_str = true;
			continue;
		}
		if (c == '0' && digit_next && (i == 0 || !s[i - 1] || !strchr("0123456789.eE+-", s[i - 1])))
			return 1;
		if (c == '0' && digit_next && i > 0 && s[i - 1] == '-')
			return 1;
		if ((c == '.' && !digit_next) || ((c == 'e' || c == 'E') && digit_before && !digit_next && !sign_next) ||
		    ((c == '-' || c == '+') && !digit_next))
			return 1;
		if (c == '\'' || c == '/' || c == '#' || c == 'N' || c == 'I' || c == 'T' || c == 'F')
			return 1;
	}
	return 0;
}

static void grammar_vs_jsonc(const char *s, size_t len)
{
	char *norm = malloc(len ? len : 1);
	size_t nlen = 0;
	struct verr e;
	struct json_object *obj, *via_valid;
	bool ok = json_syntax_ok(s, len, norm, &nlen, NULL);

	via_valid = valid_json_object(s, len, &e);
	if (ok) {
		struct json_object *again;
		const char *out;
		size_t olen;

		PROPERTY(nlen <= len);
		PROPERTY(json_syntax_ok(norm, nlen, NULL, NULL, NULL));
		obj = jsonc_parse(norm, nlen, 0);
		PROPERTY(obj != NULL || (nlen >= 4 && memcmp(norm + strspn(norm, " \t\r\n"), "null", 4) == 0));
		PROPERTY((via_valid != NULL) == json_object_is_type(obj, json_type_object));
		if (via_valid)
			PROPERTY(json_object_equal(via_valid, obj));
		out = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN, &olen);
		PROPERTY(json_syntax_ok(out, olen, NULL, NULL, NULL));
		again = jsonc_parse(out, olen, 0);
		PROPERTY(again != NULL || obj == NULL);
		PROPERTY(json_object_equal(obj, again));
		json_object_put(again);
		json_object_put(obj);
	} else {
		PROPERTY(via_valid == NULL);
		PROPERTY(e.field && strcmp(e.field, "body") == 0);
		/* the other way round, for the strict subset */
		if (utf8_count(s, len) >= 0 && !jsonc_extension(s, len)) {
			obj = jsonc_parse(s, len, JSON_TOKENER_STRICT);
			PROPERTY(obj == NULL);
		}
	}
	json_object_put(via_valid);
	free(norm);
}

/* Code points drawn from the input, sent as escapes (surrogate pairs above
 * U+FFFF, either hex case) mixed with raw UTF-8, must come back exactly. */
static void escapes_round_trip(const uint8_t *data, size_t size)
{
	size_t n = size / 3, blen = 0, wlen = 0;
	char *body = malloc(16 + n * 12), *want = malloc(1 + n * 4);
	struct json_object *o, *v;
	struct verr e;

	blen += (size_t)sprintf(body, "{\"v\":\"");
	for (size_t i = 0; i < n; i++) {
		unsigned long cp = (((unsigned long)data[3 * i] << 16) | ((unsigned long)data[3 * i + 1] << 8) |
				    data[3 * i + 2]) % 0x110000;
		int style = data[3 * i] >> 5;
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp -= 0x800; /* no lone surrogates: they are invalid */
		wlen += fuzz_utf8_put(cp, want + wlen);
		if (style == 0 && cp >= 0x20 && cp != '"' && cp != '\\')
			blen += fuzz_utf8_put(cp, body + blen);
		else if (cp < 0x10000)
			blen += (size_t)sprintf(body + blen, style & 1 ? "\\u%04lX" : "\\u%04lx", cp);
		else
			blen += (size_t)sprintf(body + blen, style & 1 ? "\\u%04lX\\u%04lX" : "\\u%04lx\\u%04lx",
						0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
	}
	blen += (size_t)sprintf(body + blen, "\"}");
	o = valid_json_object(body, blen, &e);
	PROPERTY(o != NULL);
	PROPERTY(json_object_object_get_ex(o, "v", &v));
	PROPERTY((size_t)json_object_get_string_len(v) == wlen);
	PROPERTY(memcmp(json_object_get_string(v), want, wlen) == 0);
	json_object_put(o);
	free(body);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	grammar_vs_jsonc((const char *)data, size);
	escapes_round_trip(data, size);
	return 0;
}
