/* ctl_status.c -- mcollctl status: reads GET /status from mcolld over the
 * configured FastCGI `listen` socket (the page the nginx site serves to
 * loopback clients) and prints it for a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ctl_cmd.h"
#include "fcgi_client.h"

#define STATUS_TIMEOUT_MS 5000

static long long num(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : 0;
}

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return "-";
	return json_object_get_string(v);
}

static void print_status(struct json_object *s)
{
	struct json_object *cls = NULL, *procs = NULL;

	json_object_object_get_ex(s, "requests_by_class", &cls);
	json_object_object_get_ex(s, "processes", &procs);
	printf("start time:     %s (up %lld s)\n", str(s, "start_time"), num(s, "uptime_s"));
	printf("pool size:      %lld\n", num(s, "pool_size"));
	printf("workers:        %lld (busy %lld, idle %lld, starting %lld; %lld connected to the database)\n",
	       num(s, "workers"), num(s, "busy"), num(s, "idle"), num(s, "starting"), num(s, "db_connected"));
	printf("max busy:       %lld\n", num(s, "max_busy"));
	printf("accepted:       %lld\n", num(s, "accepted"));
	printf("requests:       %lld (2xx %lld, 4xx %lld, 5xx %lld)\n", num(s, "requests"), num(cls, "2xx"),
	       num(cls, "4xx"), num(cls, "5xx"));
	printf("slow requests:  %lld\n", num(s, "slow_requests"));
	printf("respawns:       %lld\n", num(s, "respawns"));
	printf("recycled:       %lld\n", num(s, "recycled"));
	printf("\n%-5s %-8s %-9s %-9s %-10s %s\n", "SLOT", "PID", "STATE", "REQUESTS", "RUNNING", "ROUTE");
	for (size_t i = 0; procs && i < json_object_array_length(procs); i++) {
		struct json_object *p = json_object_array_get_idx(procs, i), *ms;
		char running[32] = "-";

		if (json_object_object_get_ex(p, "request_ms", &ms) && !json_object_is_type(ms, json_type_null))
			snprintf(running, sizeof(running), "%lld ms", (long long)json_object_get_int64(ms));
		printf("%-5lld %-8lld %-9s %-9lld %-10s %s\n", num(p, "slot"), num(p, "pid"), str(p, "state"),
		       num(p, "requests"), running, str(p, "route"));
	}
}

int ctl_status(const struct conf *conf)
{
	char err[512], *answer = NULL, *body;
	size_t len;
	int status = 0, rc = 1;
	struct json_object *s = NULL;

	if (fcgi_client_get(conf->listen, "/status", STATUS_TIMEOUT_MS, &answer, &len, err, sizeof(err)) != 0)
		return ctl_die("status: %s", err);
	body = strstr(answer, "\r\n\r\n");
	if (strncmp(answer, "Status: ", 8) == 0)
		status = atoi(answer + 8);
	if (!body || !(s = json_tokener_parse(body + 4))) {
		ctl_die("status: not a status page from %s", conf->listen);
		goto out;
	}
	if (status != 200) {
		struct json_object *e = NULL;
		json_object_object_get_ex(s, "error", &e);
		ctl_die("status: %d %s", status, str(e, "system_message"));
		goto out;
	}
	print_status(s);
	rc = 0;
out:
	json_object_put(s);
	free(answer);
	return rc;
}
