/* jsonsyntax.c -- recursive-descent recogniser for RFC 8259 JSON text, and
 * the normalised copy of it that json-c is given to build the tree. */
#include "jsonsyntax.h"

#include <string.h>

#include "utf8.h"

struct cur {
	const char *s;
	size_t len, i;
	char *out;        /* when set: receives the normalised copy of s */
	size_t o;         /* bytes written to out */
	size_t copied;    /* s[0..copied) is already in out */
	size_t key_nuls;  /* \u0000 escapes seen in object keys */
};

/* Replaces s[from..i) in the copy with rep[0..n) (n <= i - from). */
static void rewrite(struct cur *c, size_t from, const char *rep, size_t n)
{
	if (!c->out)
		return;
	memcpy(c->out + c->o, c->s + c->copied, from - c->copied);
	c->o += from - c->copied;
	memcpy(c->out + c->o, rep, n);
	c->o += n;
	c->copied = c->i;
}

static void ws(struct cur *c)
{
	while (c->i < c->len &&
	       (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r'))
		c->i++;
}

static bool lit(struct cur *c, const char *word)
{
	size_t n = strlen(word);

	if (c->len - c->i < n || memcmp(c->s + c->i, word, n) != 0)
		return false;
	c->i += n;
	return true;
}

static bool digit(const struct cur *c)
{
	return c->i < c->len && c->s[c->i] >= '0' && c->s[c->i] <= '9';
}

static bool number(struct cur *c)
{
	if (c->i < c->len && c->s[c->i] == '-')
		c->i++;
	if (!digit(c))
		return false;
	if (c->s[c->i] == '0')
		c->i++;
	else
		while (digit(c))
			c->i++;
	if (c->i < c->len && c->s[c->i] == '.') {
		c->i++;
		if (!digit(c))
			return false;
		while (digit(c))
			c->i++;
	}
	if (c->i < c->len && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
		c->i++;
		if (c->i < c->len && (c->s[c->i] == '+' || c->s[c->i] == '-'))
			c->i++;
		if (!digit(c))
			return false;
		while (digit(c))
			c->i++;
	}
	return true;
}

static int hex4(const struct cur *c, size_t at)
{
	int v = 0;

	if (c->len - at < 4)
		return -1;
	for (size_t k = 0; k < 4; k++) {
		char h = c->s[at + k];
		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= h - '0';
		else if (h >= 'a' && h <= 'f')
			v |= h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			v |= h - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string; \u escapes must pair surrogates correctly.  In the copy, a
 * surrogate pair becomes the code point's four UTF-8 bytes: json-c 0.16
 * tests the decoded code point with 16-bit surrogate masks and so turns
 * U+1D800-U+1DFFF, U+2D800-U+2DFFF, ... U+10D800-U+10DFFF into U+FFFD.
 * In an object key a \u0000 is counted and becomes \u0001 in the copy:
 * parsed keys are C strings, and a key cut short at the NUL would alias a
 * field. */
static bool string(struct cur *c, bool key)
{
	if (c->i >= c->len || c->s[c->i] != '"')
		return false;
	c->i++;
	while (c->i < c->len) {
		unsigned char ch = (unsigned char)c->s[c->i];
		size_t start = c->i;
		if (ch == '"') {
			c->i++;
			return true;
		}
		if (ch < 0x20)
			return false;
		if (ch != '\\') {
			c->i++;
			continue;
		}
		if (++c->i >= c->len)
			return false;
		ch = (unsigned char)c->s[c->i];
		if (strchr("\"\\/bfnrt", ch) && ch) {
			c->i++;
			continue;
		}
		if (ch != 'u')
			return false;
		int u = hex4(c, c->i + 1);
		if (u < 0)
			return false;
		c->i += 5;
		if (key && u == 0) {
			c->key_nuls++;
			rewrite(c, start, "\\u0001", 6);
		}
		if (u >= 0xDC00 && u <= 0xDFFF)
			return false; /* lone low surrogate */
		if (u >= 0xD800 && u <= 0xDBFF) {
			int lo;
			unsigned long cp;
			char utf8[4];
			if (c->len - c->i < 6 || c->s[c->i] != '\\' || c->s[c->i + 1] != 'u')
				return false;
			lo = hex4(c, c->i + 2);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return false;
			c->i += 6;
			cp = 0x10000 + (((unsigned long)u - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
			utf8[0] = (char)(0xF0 | (cp >> 18));
			utf8[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
			utf8[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
			utf8[3] = (char)(0x80 | (cp & 0x3F));
			rewrite(c, start, utf8, 4);
		}
	}
	return false;
}

static bool value(struct cur *c, int depth);

static bool container(struct cur *c, int depth, char open, char close, bool object)
{
	if (depth > JSON_MAX_DEPTH)
		return false;
	c->i++; /* open */
	(void)open;
	ws(c);
	if (c->i < c->len && c->s[c->i] == close) {
		c->i++;
		return true;
	}
	for (;;) {
		ws(c);
		if (object) {
			if (!string(c, true))
				return false;
			ws(c);
			if (c->i >= c->len || c->s[c->i] != ':')
				return false;
			c->i++;
		}
		if (!value(c, depth))
			return false;
		ws(c);
		if (c->i >= c->len)
			return false;
		if (c->s[c->i] == close) {
			c->i++;
			return true;
		}
		if (c->s[c->i] != ',')
			return false;
		c->i++;
	}
}

static bool value(struct cur *c, int depth)
{
	ws(c);
	if (c->i >= c->len)
		return false;
	switch (c->s[c->i]) {
	case '{':
		return container(c, depth + 1, '{', '}', true);
	case '[':
		return container(c, depth + 1, '[', ']', false);
	case '"':
		return string(c, false);
	case 't':
		return lit(c, "true");
	case 'f':
		return lit(c, "false");
	case 'n':
		return lit(c, "null");
	default:
		return number(c);
	}
}

bool json_syntax_ok(const char *s, size_t len, char *out, size_t *outlen, size_t *key_nuls)
{
	struct cur c = {s, len, 0, out, 0, 0, 0};
	bool ok = utf8_count(s, len) >= 0 && value(&c, 0);

	if (ok) {
		ws(&c);
		ok = c.i == len;
	}
	if (ok && out) {
		rewrite(&c, len, "", 0);
		*outlen = c.o;
	}
	if (key_nuls)
		*key_nuls = c.key_nuls;
	return ok;
}
