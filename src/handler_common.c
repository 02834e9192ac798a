/* handler_common.c -- validation and failure answers shared by handlers. */
#include <stdio.h>
#include <string.h>

#include "etag.h"
#include "alloc.h"
#include "handlers.h"
#include "resp.h"

bool page_or_reply(struct req *r, long def_limit, long max_limit, struct page *pg)
{
	const char *bad = query_page(r->query, def_limit, max_limit, pg);
	struct verr e;

	if (!bad)
		return true;
	e.field = bad;
	if (strcmp(bad, "limit") == 0)
		snprintf(e.msg, sizeof(e.msg), "limit must be an integer between 1 and %ld", max_limit);
	else
		snprintf(e.msg, sizeof(e.msg), "offset must be an integer between 0 and %ld", OFFSET_MAX);
	resp_invalid(r, &e);
	return false;
}

bool handler_authenticates(enum route_id id)
{
	return id == R_COLL_LIST || id == R_COLL_GET || id == R_TRACKS_LIST;
}

bool handler_public(enum route_id id)
{
	return id == R_HEALTHZ || id == R_STATUS;
}

bool page_or_auth_reply(struct req *r, const unsigned char *hash, long def_limit, long max_limit,
			struct page *pg)
{
	if (!query_page(r->query, def_limit, max_limit, pg))
		return true;
	if (auth_hashed_request(r, hash))
		page_or_reply(r, def_limit, max_limit, pg);
	return false;
}

bool coll_ref_or_reply(struct req *r, struct coll_ref *ref)
{
	const char *id = r->route.param[P_COLL];

	ref->org = r->route.param[P_ORG];
	ref->user = r->user_id;
	ref->id = id;
	if (id && id_valid_collection(id, strlen(id)))
		return true;
	resp_collection_not_found(r);
	return false;
}

bool failure_replied(struct req *r, enum dbrc rc, enum tx_outcome outcome, const char *track_id,
		     size_t track_len)
{
	struct json_object *d;
	struct verr e = {0};

	if (rc != DB_OK) {
		resp_db_error(r, rc);
		return true;
	}
	switch (outcome) {
	case TXO_OK:
	case TXO_NOOP:
		return false;
	case TXO_NOT_FOUND:
		resp_collection_not_found(r);
		break;
	case TXO_TRACK_NOT_FOUND:
		d = json_object_new_object();
		json_object_object_add(d, "track_id", track_id ? json_object_new_string_len(track_id, (int)track_len)
								     : json_object_new_string(""));
		resp_error(r, API_NOT_FOUND, "Music track not found in this organization", d);
		break;
	case TXO_BAD_COVER:
		e.field = "cover_track_id";
		snprintf(e.msg, sizeof(e.msg), "cover_track_id must name an existing track in this organization");
		resp_invalid(r, &e);
		break;
	case TXO_PRECONDITION:
		resp_precondition_failed(r);
		break;
	case TXO_FULL:
		e.field = "track_id";
		snprintf(e.msg, sizeof(e.msg), "Collection cannot hold more than %d tracks", COLLECTION_MAX_TRACKS);
		resp_invalid(r, &e);
		break;
	}
	return true;
}

char *etag_header(long long version)
{
	char tag[ETAG_MAX];

	return xasprintf("ETag: %s\r\n", etag_collection(version, tag));
}

void etag_after_write(struct req *r, enum dbrc rc, enum tx_outcome outcome, long long version)
{
	if (rc == DB_OK && (outcome == TXO_OK || outcome == TXO_NOOP || outcome == TXO_PRECONDITION))
		etag_collection(version, r->etag);
}

bool not_modified_replied(struct req *r, const char *etag)
{
	snprintf(r->etag, sizeof(r->etag), "%s", etag);
	if (!etag_none_match_hits(req_param(r, "HTTP_IF_NONE_MATCH"), r->etag))
		return false;
	resp_not_modified(r);
	return true;
}
