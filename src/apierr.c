/* apierr.c -- status, code, type and message of every error the API gives. */
#include "apierr.h"

#include <stddef.h>

static const struct api_err_info table[API_ERR__MAX] = {
	[API_OK] = {200, "OK", "OK", "", ""},
	[API_UNAUTHENTICATED] = {401, "Unauthorized", "AUTHENTICATION_REQUIRED", "authentication_error",
				 "Authentication required. Please provide a valid API key."},
	[API_FORBIDDEN] = {403, "Forbidden", "INSUFFICIENT_PERMISSIONS", "authorization_error",
			   "You do not have permission to perform this action."},
	[API_NOT_FOUND] = {404, "Not Found", "RESOURCE_NOT_FOUND", "client_error",
			   "The requested resource was not found."},
	[API_METHOD_NOT_ALLOWED] = {405, "Method Not Allowed", "METHOD_NOT_ALLOWED", "client_error",
				    "The HTTP method is not allowed for this resource."},
	[API_TOO_LARGE] = {413, "Payload Too Large", "PAYLOAD_TOO_LARGE", "client_error",
			   "The request payload is too large."},
	[API_UNSUPPORTED_MEDIA] = {415, "Unsupported Media Type", "UNSUPPORTED_MEDIA_TYPE", "client_error",
				   "The request payload must be sent as application/json."},
	[API_PRECONDITION_FAILED] = {412, "Precondition Failed", "PRECONDITION_FAILED", "client_error",
				     "The resource has been modified since it was read."},
	[API_INVALID] = {422, "Unprocessable Entity", "VALIDATION_ERROR", "validation_error",
			 "The request payload is invalid."},
	[API_UNAVAILABLE] = {503, "Service Unavailable", "SERVICE_UNAVAILABLE", "server_error",
			     "The service is temporarily unavailable. Please retry later."},
	[API_INTERNAL] = {500, "Internal Server Error", "INTERNAL_ERROR", "server_error",
			  "An unexpected error occurred."},
	[API_IDEM_IN_USE] = {409, "Conflict", "IDEMPOTENCY_KEY_IN_USE", "client_error",
			     "A request with this idempotency key is still being processed."},
	[API_IDEM_REUSED] = {422, "Unprocessable Entity", "IDEMPOTENCY_KEY_REUSED", "client_error",
			     "The idempotency key was already used for a different request."},
};

const struct api_err_info *api_err_info(enum api_err e)
{
	if ((int)e < 0 || e >= API_ERR__MAX)
		e = API_INTERNAL;
	return &table[e];
}

const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 304:
		return "Not Modified";
	default:
		for (size_t i = 0; i < API_ERR__MAX; i++)
			if (table[i].status == status)
				return table[i].reason;
		return "Unknown";
	}
}
