/* auth.h -- the gate every endpoint passes: API key, membership of the
 * path's organization, USE_MUSIC_GENERATION. */
#ifndef MCOLL_AUTH_H
#define MCOLL_AUTH_H
#include <stdbool.h>

#include "req.h"

#include "db_entities.h"
#include "keyhash.h"

/* The API key of r, hashed into hash.  Answers 401 and returns false when
 * none is given or it cannot be one. */
bool auth_key_or_reply(struct req *r, unsigned char hash[KEYHASH_LEN]);
/* Decides on what the database said of the key (t->outcome, t->user_id)
 * for r's organization: sets r->user_id and returns true for a member with
 * the capability; otherwise answers 401 or 403 and returns false. */
bool auth_outcome_or_reply(struct req *r, const struct tx_auth *t);
/* The whole gate with its own statement, for the endpoints that do not
 * authenticate inside their own (the writes; a read refused before it
 * reads).  Answers 401, 403 or 503 and returns false, or returns true. */
bool auth_request(struct req *r);
bool auth_hashed_request(struct req *r, const unsigned char hash[KEYHASH_LEN]);

#endif
