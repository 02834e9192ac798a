/* auth.h -- the gate every endpoint passes: API key, membership of the
 * path's organization, USE_MUSIC_GENERATION. */
#ifndef MCOLL_AUTH_H
#define MCOLL_AUTH_H
#include <stdbool.h>

#include "req.h"

/* Authenticates and authorizes r for its organization.  On success sets
 * r->user_id and returns true; otherwise it has answered 401, 403 or 503
 * and returns false. */
bool auth_request(struct req *r);

#endif
