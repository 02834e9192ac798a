/* auth.c -- key -> user -> membership -> capability. */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include "authkey.h"
#include "resp.h"

/* Organization ids are "org_" + [A-Za-z0-9_-]; anything else cannot exist
 * and is answered like an organization the caller is not a member of. */
static bool org_id_plausible(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 5 || n > 64 || strncmp(s, "org_", 4) != 0)
		return false;
	for (size_t i = 4; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

bool auth_key_or_reply(struct req *r, unsigned char hash[KEYHASH_LEN])
{
	const char *key;
	size_t len;

	if (authkey_extract(req_param(r, "HTTP_X_API_KEY"), req_param(r, "HTTP_AUTHORIZATION"), &key,
			    &len) != 0 ||
	    len > 256 || keyhash(key, len, hash) != 0) {
		resp_error(r, API_UNAUTHENTICATED, "Missing or invalid authorization header", NULL);
		return false;
	}
	return true;
}

bool auth_outcome_or_reply(struct req *r, const struct tx_auth *t)
{
	if (t->outcome != AUTH_UNKNOWN_KEY)
		snprintf(r->user_id, sizeof(r->user_id), "%s", t->user_id);
	switch (t->outcome) {
	case AUTH_UNKNOWN_KEY:
		resp_error(r, API_UNAUTHENTICATED, "Missing or invalid authorization header", NULL);
		return false;
	case AUTH_NOT_MEMBER:
		resp_error(r, API_FORBIDDEN, "Caller is not a member of this organization", NULL);
		return false;
	case AUTH_NO_CAPABILITY:
		resp_error(r, API_FORBIDDEN, "Missing USE_MUSIC_GENERATION capability", NULL);
		return false;
	case AUTH_OK:
		break;
	}
	if (!org_id_plausible(t->org)) {
		resp_error(r, API_FORBIDDEN, "Caller is not a member of this organization", NULL);
		return false;
	}
	return true;
}

bool auth_hashed_request(struct req *r, const unsigned char hash[KEYHASH_LEN])
{
	struct tx_auth t = {.key_hash = hash, .org = r->route.param[P_ORG]};
	enum dbrc rc = db_txn(r->db, TXN_NONE, tx_auth, &t);

	if (rc != DB_OK) {
		resp_db_error(r, rc);
		return false;
	}
	return auth_outcome_or_reply(r, &t);
}

bool auth_request(struct req *r)
{
	unsigned char hash[KEYHASH_LEN];

	return auth_key_or_reply(r, hash) && auth_hashed_request(r, hash);
}
