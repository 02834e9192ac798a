/* log_probe.c -- writes a known set of log entries (a request, an error
 * about a request, a storm of one warning) for t/journal-test.py, which
 * reads them back from a real systemd-journald. */
#include "log.h"

int main(void)
{
	struct log_request q = {
		.trace_id = "req_0123456789abcdef0123456789abcdef",
		.method = "DELETE",
		.route = "/v1/music/:org/collections/:coll/tracks/:track",
		.path = "/v1/music/org_probe/collections/mcoll_00000000abcd/tracks/mtrack_00000000abcd",
		.status = 200,
		.duration_us = 4321,
		.user_id = "usr_0123456789ab",
	};
	struct log_request anon = {
		.trace_id = "req_fedcba9876543210fedcba9876543210",
		.method = "GET",
		.path = "/nowhere",
		.status = 404,
		.duration_us = 17,
		.user_id = "",
	};

	log_set_tag("mcolld worker 0");
	log_request(&q);
	log_request(&anon);
	log_msg_trace(LOG_LVL_ERROR, q.trace_id, "database error %u: %s", 1146u, "no such table");
	for (int i = 0; i < 100; i++)
		log_warn("database connect failed: %s", "probe");
	log_info("probe done");
	return 0;
}
