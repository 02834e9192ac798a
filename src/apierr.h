/* apierr.h -- the contract's error table: one enum, one row per error. */
#ifndef MCOLL_APIERR_H
#define MCOLL_APIERR_H

enum api_err {
	API_OK,
	API_UNAUTHENTICATED,
	API_FORBIDDEN,
	API_NOT_FOUND,
	API_METHOD_NOT_ALLOWED,
	API_TOO_LARGE,
	API_UNSUPPORTED_MEDIA,
	API_PRECONDITION_FAILED,
	API_INVALID,
	API_UNAVAILABLE,
	API_INTERNAL,
	API_IDEM_IN_USE,
	API_IDEM_REUSED,
	API_ERR__MAX
};

struct api_err_info {
	int status;
	const char *reason;  /* HTTP reason phrase */
	const char *code;
	const char *type;
	const char *message;
};

const struct api_err_info *api_err_info(enum api_err e);
/* Reason phrase for the success statuses the service uses. */
const char *http_reason(int status);

#endif
