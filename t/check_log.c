/* check_log.c -- the log: identical-line rate limiting (fake clock), the
 * journal fields of a request entry (and nothing secret among them), the
 * stderr line format, and log_msg's limiting end to end on stderr. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "log.h"
#include "ratelimit.h"

/* A storm of one line every 5 ms for 5 s: the first, then one a second. */
START_TEST(test_storm)
{
	struct ratelimit rl = {0};
	unsigned long dropped, total_dropped = 0;
	double span, when[16];
	int written = 0;

	for (int i = 0; i < 1000; i++) {
		double now = 100.0 + i * 0.005;

		if (rl_admit(&rl, 1, "database connect failed: x", now, &dropped, &span)) {
			ck_assert_int_lt(written, 16);
			if (written == 0)
				ck_assert_uint_eq(dropped, 0);
			else
				ck_assert_uint_eq(dropped, 199); /* 200 a second, one of them written */
			when[written++] = now;
			total_dropped += dropped;
		}
	}
	ck_assert_int_eq(written, 5);
	for (int i = 1; i < written; i++)
		ck_assert(when[i] - when[i - 1] >= 1.0 && when[i] - when[i - 1] < 1.01);
	/* the tail of the storm is summarised once its second is over */
	int lvl;
	char text[64];
	ck_assert(!rl_pending(&rl, 104.99, &lvl, text, sizeof(text), &dropped, &span));
	ck_assert(rl_pending(&rl, 106.0, &lvl, text, sizeof(text), &dropped, &span));
	ck_assert_int_eq(lvl, 1);
	ck_assert_str_eq(text, "database connect failed: x");
	ck_assert_uint_eq(written + total_dropped + dropped, 1000);
	ck_assert(!rl_pending(&rl, 106.0, &lvl, text, sizeof(text), &dropped, &span));
	/* after a quiet second the line is written again at once, no count */
	ck_assert(rl_admit(&rl, 1, "database connect failed: x", 108.0, &dropped, &span));
	ck_assert_uint_eq(dropped, 0);
}
END_TEST

START_TEST(test_distinct_lines)
{
	struct ratelimit rl = {0};
	unsigned long dropped;
	double span;

	ck_assert(rl_admit(&rl, 0, "a", 1.0, &dropped, &span));
	ck_assert(rl_admit(&rl, 0, "b", 1.0, &dropped, &span));
	ck_assert(rl_admit(&rl, 1, "a", 1.0, &dropped, &span)); /* another level: another line */
	ck_assert(!rl_admit(&rl, 0, "a", 1.5, &dropped, &span));
	ck_assert(!rl_admit(&rl, 0, "b", 1.5, &dropped, &span));
	ck_assert(!rl_admit(&rl, 0, "b", 1.6, &dropped, &span));
	ck_assert(rl_admit(&rl, 0, "b", 2.1, &dropped, &span));
	ck_assert_uint_eq(dropped, 2);
	ck_assert(span > 1.09 && span < 1.11);
	ck_assert(rl_admit(&rl, 0, "a", 2.2, &dropped, &span));
	ck_assert_uint_eq(dropped, 1);
	/* more distinct lines than slots: each new one is still written */
	for (int i = 0; i < 3 * RL_SLOTS; i++) {
		char t[16];
		snprintf(t, sizeof(t), "line %d", i);
		ck_assert(rl_admit(&rl, 0, t, 3.0, &dropped, &span));
		ck_assert(!rl_admit(&rl, 0, t, 3.0, &dropped, &span));
	}
}
END_TEST

static const struct log_request full = {
	.trace_id = "req_0123456789abcdef0123456789abcdef",
	.method = "PATCH",
	.route = "/v1/music/:org/collections/:coll",
	.path = "/v1/music/org_acme/collections/mcoll_00000000abcd",
	.status = 200,
	.duration_us = 1234,
	.user_id = "usr_0123456789ab",
};

static const char *const want_fields[] = {
	"PRIORITY=6",
	"SYSLOG_IDENTIFIER=mcolld",
	"MESSAGE=req_0123456789abcdef0123456789abcdef PATCH /v1/music/org_acme/collections/mcoll_00000000abcd"
	" 200 1.2ms user=usr_0123456789ab",
	"MCOLL_TRACE_ID=req_0123456789abcdef0123456789abcdef",
	"MCOLL_METHOD=PATCH",
	"MCOLL_ROUTE=/v1/music/:org/collections/:coll",
	"MCOLL_STATUS=200",
	"MCOLL_DURATION_US=1234",
	"MCOLL_USER_ID=usr_0123456789ab",
};

/* Exactly these fields, in this order, each a "NAME=value" iovec. */
START_TEST(test_request_fields)
{
	struct iovec iov[LOG_REQ_FIELDS];
	char buf[1024];
	int n = log_request_fields(&full, "mcolld", iov, buf, sizeof(buf));

	ck_assert_int_eq(n, (int)(sizeof(want_fields) / sizeof(want_fields[0])));
	for (int i = 0; i < n; i++) {
		ck_assert_uint_eq(iov[i].iov_len, strlen(want_fields[i]));
		ck_assert_mem_eq(iov[i].iov_base, want_fields[i], iov[i].iov_len);
	}
	ck_assert_int_eq(log_request_fields(&full, "mcolld", iov, buf, 100), -1);
}
END_TEST

/* Unauthenticated and unrouted: no MCOLL_USER_ID, route "-"; and no field
 * beyond the documented ones, whatever the request held. */
START_TEST(test_request_fields_minimal)
{
	static const char *const allowed[] = {"PRIORITY", "SYSLOG_IDENTIFIER", "MESSAGE", "MCOLL_TRACE_ID",
					      "MCOLL_METHOD", "MCOLL_ROUTE", "MCOLL_STATUS",
					      "MCOLL_DURATION_US", "MCOLL_USER_ID"};
	struct log_request q = {.trace_id = "req_x", .method = "GET", .path = "/nope", .status = 404,
				.duration_us = 7, .user_id = ""};
	struct iovec iov[LOG_REQ_FIELDS];
	char buf[1024], field[256];
	int n = log_request_fields(&q, "mcolld", iov, buf, sizeof(buf));

	ck_assert_int_eq(n, 8);
	for (int i = 0; i < n; i++) {
		bool ok = false;
		snprintf(field, sizeof(field), "%.*s", (int)iov[i].iov_len, (char *)iov[i].iov_base);
		for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
			if (strncmp(field, allowed[k], strlen(allowed[k])) == 0 && field[strlen(allowed[k])] == '=')
				ok = true;
		ck_assert_msg(ok, "unexpected field %s", field);
		ck_assert_ptr_null(strstr(field, "mck_"));
		ck_assert_ptr_null(strstr(field, "KEY"));
		ck_assert_ptr_null(strstr(field, "PASSWORD"));
		ck_assert_ptr_null(strstr(field, "BODY"));
	}
	ck_assert_mem_eq(iov[5].iov_base, "MCOLL_ROUTE=-", iov[5].iov_len);
	ck_assert_mem_eq(iov[2].iov_base, "MESSAGE=req_x GET /nope 404 0.0ms user=-", iov[2].iov_len);
}
END_TEST

START_TEST(test_request_line)
{
	char buf[512];
	size_t n = log_request_line(&full, 1764547200, "mcolld worker 2", 4242, buf, sizeof(buf));

	ck_assert_str_eq(buf, "2025-12-01T00:00:00Z info mcolld worker 2[4242]: "
			      "req_0123456789abcdef0123456789abcdef PATCH "
			      "/v1/music/org_acme/collections/mcoll_00000000abcd 200 1.2ms user=usr_0123456789ab\n");
	ck_assert_uint_eq(n, strlen(buf));
	/* truncated, it still ends the line */
	n = log_request_line(&full, 1764547200, "mcolld", 1, buf, 40);
	ck_assert_uint_eq(n, 39);
	ck_assert_int_eq(buf[38], '\n');
}
END_TEST

/* Runs fn with stderr on a temporary file; returns what it wrote. */
static char *capture_stderr(void (*fn)(void))
{
	char path[] = "/tmp/check_log.XXXXXX", *out;
	int fd = mkstemp(path), saved = dup(2);
	FILE *f;
	long len;

	ck_assert_int_ge(fd, 0);
	dup2(fd, 2);
	fn();
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	out = calloc(1, (size_t)len + 1);
	ck_assert_uint_eq(fread(out, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	unlink(path);
	return out;
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;

	for (const char *l = s; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t)(e - l) : strlen(l);
		char line[1024];
		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		if (strstr(line, needle))
			n++;
	}
	return n;
}

static void storm(void)
{
	unsetenv("JOURNAL_STREAM");
	log_set_tag("mcolld worker 1");
	log_set_level(LOG_LVL_INFO);
	for (int i = 0; i < 500; i++) {
		char trace[32];
		snprintf(trace, sizeof(trace), "req_%d", i);
		log_msg_trace(LOG_LVL_ERROR, trace, "database error %u: %s", 1146u, "no table");
		log_warn("database connect failed: %s", "refused");
	}
	for (int i = 0; i < 100; i++)
		log_info("worker %d started", i);
	usleep(1100 * 1000);
	log_info("after the storm");
}

START_TEST(test_log_msg_storm)
{
	char *out = capture_stderr(storm);

	ck_assert_int_eq(count_lines(out, "database error 1146: no table"), 2);
	ck_assert_int_eq(count_lines(out, "error mcolld worker 1["), 2);
	ck_assert_int_eq(count_lines(out, "]: req_0: database error 1146: no table"), 1);
	ck_assert_int_eq(count_lines(out, "database error 1146: no table (repeated 499 times in the last 1 s)"), 1);
	ck_assert_int_eq(count_lines(out, "warn mcolld worker 1["), 2);
	ck_assert_int_eq(count_lines(out, "database connect failed: refused (repeated 499 times in the last 1 s)"), 1);
	ck_assert_int_eq(count_lines(out, " started"), 100);
	ck_assert_int_eq(count_lines(out, "after the storm"), 1);
	/* the summaries come before the entry that flushed them */
	ck_assert(strstr(out, "(repeated") < strstr(out, "after the storm"));
	free(out);
}
END_TEST

/* A worker and its master share one count. */
static void two_processes(void)
{
	pid_t pid;

	unsetenv("JOURNAL_STREAM");
	log_set_tag("mcolld master");
	pid = fork();
	if (pid == 0) {
		log_set_tag("mcolld worker 0");
		for (int i = 0; i < 200; i++)
			log_error("worker %d died", 7);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	for (int i = 0; i < 200; i++)
		log_error("worker %d died", 7);
}

START_TEST(test_shared_between_processes)
{
	char *out = capture_stderr(two_processes);

	ck_assert_int_eq(count_lines(out, "worker 7 died"), 1);
	ck_assert_int_eq(count_lines(out, "error mcolld worker 0["), 1);
	free(out);
}
END_TEST

static void levels(void)
{
	unsetenv("JOURNAL_STREAM");
	log_set_tag("mcollctl");
	log_set_level(LOG_LVL_WARN);
	log_info("hidden");
	log_debug("hidden too");
	log_warn("shown");
	log_request(&full); /* info: below the level */
	log_set_level(LOG_LVL_INFO);
	log_request(&full);
}

START_TEST(test_levels_and_format)
{
	char *out = capture_stderr(levels);
	const char *l = strstr(out, " warn mcollctl[");

	ck_assert_ptr_null(strstr(out, "hidden"));
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(l - out, 20); /* after "YYYY-MM-DDTHH:MM:SSZ" */
	ck_assert_ptr_nonnull(strstr(out, "]: shown\n"));
	ck_assert_int_eq(count_lines(out, " info mcollctl["), 1);
	ck_assert_int_eq(count_lines(out, "]: req_0123456789abcdef0123456789abcdef PATCH "
					   "/v1/music/org_acme/collections/mcoll_00000000abcd 200 1.2ms "
					   "user=usr_0123456789ab"), 1);
	free(out);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_storm);
	tcase_add_test(tc, test_distinct_lines);
	tcase_add_test(tc, test_request_fields);
	tcase_add_test(tc, test_request_fields_minimal);
	tcase_add_test(tc, test_request_line);
	tcase_add_test(tc, test_log_msg_storm);
	tcase_add_test(tc, test_levels_and_format);
	tcase_add_test(tc, test_shared_between_processes);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(log_suite)
