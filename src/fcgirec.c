/* fcgirec.c -- FastCGI output records (FCGI_STDOUT, FCGI_END_REQUEST and
 * the let-go record), built into one buffer for one write. */
#include "fcgirec.h"

enum { V1 = 1, END_REQUEST = 3, STDOUT = 6, STDERR = 7 };

const unsigned char fcgirec_let_go[8] = {V1, STDERR, 0, 1, 0, 0, 0, 0};

static void header(struct jw *out, int type, unsigned id, size_t len, size_t pad)
{
	const char h[8] = {V1,
			   (char)type,
			   (char)((id >> 8) & 0xff),
			   (char)(id & 0xff),
			   (char)((len >> 8) & 0xff),
			   (char)(len & 0xff),
			   (char)pad,
			   0};

	jw_raw(out, h, sizeof(h));
}

void fcgirec_stdout(struct jw *out, unsigned id, const char *a, size_t alen, const char *b, size_t blen)
{
	static const char zeros[8];
	size_t total = alen + blen, done = 0;

	while (done < total) {
		size_t n = total - done < FCGIREC_CHUNK ? total - done : FCGIREC_CHUNK;
		size_t pad = (8 - n % 8) % 8, from_a = 0;

		header(out, STDOUT, id, n, pad);
		if (done < alen) {
			from_a = alen - done < n ? alen - done : n;
			jw_raw(out, a + done, from_a);
		}
		if (n > from_a)
			jw_raw(out, b + (done + from_a - alen), n - from_a);
		jw_raw(out, zeros, pad);
		done += n;
	}
}

size_t fcgirec_end(struct jw *out, unsigned id, bool let_go)
{
	/* appStatus 0 (four bytes), FCGI_REQUEST_COMPLETE, three reserved */
	static const char body[8] = {0};
	size_t start = out->len;

	header(out, STDOUT, id, 0, 0);
	header(out, END_REQUEST, id, sizeof(body), 0);
	jw_raw(out, body, sizeof(body));
	if (let_go)
		jw_raw(out, (const char *)fcgirec_let_go, sizeof(fcgirec_let_go));
	return out->len - start;
}
