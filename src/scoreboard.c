/* scoreboard.c -- the shared scoreboard region and what is read from it. */
#include "scoreboard.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"

struct scoreboard *sb_create(void)
{
	void *p = mmap(NULL, sizeof(struct scoreboard), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		log_error("scoreboard: mmap: %s", strerror(errno));
		return NULL;
	}
	return p; /* anonymous mappings are zero-filled */
}

void sb_destroy(struct scoreboard *sb)
{
	if (sb)
		munmap(sb, sizeof(*sb));
}

void sb_summarize(const struct scoreboard *sb, int n, struct sb_summary *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < n && i < SB_MAX_SLOTS; i++) {
		const struct sb_slot *s = &sb->slot[i];
		if (SB_GET(s->pid) <= 0)
			continue;
		out->workers++;
		switch (SB_GET(s->state)) {
		case SB_IDLE:
			out->idle++;
			break;
		case SB_BUSY:
			out->busy++;
			break;
		default:
			out->starting++;
			break;
		}
		out->connected += SB_GET(s->db_connected) != 0;
		out->requests += SB_GET(s->c.requests);
	}
}

bool sb_other_connected(const struct scoreboard *sb, int n, int self)
{
	for (int i = 0; i < n && i < SB_MAX_SLOTS; i++)
		if (i != self && SB_GET(sb->slot[i].pid) > 0 && SB_GET(sb->slot[i].db_connected))
			return true;
	return false;
}

double sb_mean_kept(const struct scoreboard *sb, int n)
{
	int workers = 0;
	long kept = 0;

	for (int i = 0; i < n && i < SB_MAX_SLOTS; i++)
		if (SB_GET(sb->slot[i].pid) > 0 && SB_GET(sb->slot[i].db_connected)) {
			workers++;
			kept += SB_GET(sb->slot[i].kept);
		}
	return workers ? (double)kept / workers : 0;
}

void sb_note_busy(struct scoreboard *sb, int n)
{
	int busy = 0, max;

	for (int i = 0; i < n && i < SB_MAX_SLOTS; i++)
		busy += SB_GET(sb->slot[i].pid) > 0 && SB_GET(sb->slot[i].state) == SB_BUSY;
	max = SB_GET(sb->h.max_busy);
	while (busy > max &&
	       !__atomic_compare_exchange_n(&sb->h.max_busy, &max, busy, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
}

static void add_counters(struct sb_counters *to, const struct sb_counters *from)
{
	to->accepted += SB_GET(from->accepted);
	to->requests += SB_GET(from->requests);
	to->status_2xx += SB_GET(from->status_2xx);
	to->status_4xx += SB_GET(from->status_4xx);
	to->status_5xx += SB_GET(from->status_5xx);
	to->slow += SB_GET(from->slow);
}

void sb_retire(struct scoreboard *sb, int i)
{
	struct sb_counters sum = sb->h.gone;

	add_counters(&sum, &sb->slot[i].c);
	SB_SET(sb->h.gone.accepted, sum.accepted);
	SB_SET(sb->h.gone.requests, sum.requests);
	SB_SET(sb->h.gone.status_2xx, sum.status_2xx);
	SB_SET(sb->h.gone.status_4xx, sum.status_4xx);
	SB_SET(sb->h.gone.status_5xx, sum.status_5xx);
	SB_SET(sb->h.gone.slow, sum.slow);
}

void sb_totals(const struct scoreboard *sb, int n, struct sb_counters *out)
{
	memset(out, 0, sizeof(*out));
	add_counters(out, &sb->h.gone);
	for (int i = 0; i < n && i < SB_MAX_SLOTS; i++)
		add_counters(out, &sb->slot[i].c);
}

void sb_count_status(struct sb_slot *s, int status)
{
	if (status >= 200 && status < 300)
		SB_INC(s->c.status_2xx);
	else if (status >= 400 && status < 500)
		SB_INC(s->c.status_4xx);
	else if (status >= 500 && status < 600)
		SB_INC(s->c.status_5xx);
}

int sb_status_text(const struct sb_summary *s, char *buf, size_t len)
{
	return snprintf(buf, len,
			"%d workers: %d busy, %d idle, %d starting; %d connected to the database",
			s->workers, s->busy, s->idle, s->starting, s->connected);
}
