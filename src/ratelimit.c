/* ratelimit.c -- identical-line rate limiting (see ratelimit.h). */
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

static uint64_t line_key(int level, const char *text)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(unsigned)level;

	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static double interval(const struct ratelimit *rl)
{
	return rl->interval > 0 ? rl->interval : 1.0;
}

bool rl_admit(struct ratelimit *rl, int level, const char *text, double now, unsigned long *dropped,
	      double *span)
{
	uint64_t key = line_key(level, text);
	struct rl_slot *s = NULL, *free_slot = NULL, *idle = NULL, *oldest = &rl->slot[0];

	*dropped = 0;
	*span = 0;
	for (int i = 0; i < RL_SLOTS && !s; i++) {
		struct rl_slot *t = &rl->slot[i];

		if (t->used && t->key == key)
			s = t;
		else if (!t->used && !free_slot)
			free_slot = t;
		else if (t->used && t->dropped == 0 && now - t->last >= interval(rl) && !idle)
			idle = t;
		else if (t->used && t->last < oldest->last)
			oldest = t;
	}
	/* a new line takes a free slot, else an idle one, else the oldest */
	if (!s) {
		s = free_slot ? free_slot : idle ? idle : oldest;
		s->used = true;
		s->key = key;
		s->level = level;
		s->last = now;
		s->dropped = 0;
		snprintf(s->text, sizeof(s->text), "%s", text);
		return true;
	}
	if (now - s->last < interval(rl)) {
		s->dropped++;
		return false;
	}
	*dropped = s->dropped;
	*span = now - s->last;
	s->dropped = 0;
	s->last = now;
	return true;
}

bool rl_pending(struct ratelimit *rl, double now, int *level, char *text, size_t len, unsigned long *dropped,
		double *span)
{
	for (int i = 0; i < RL_SLOTS; i++) {
		struct rl_slot *s = &rl->slot[i];

		if (!s->used || s->dropped == 0 || now - s->last < interval(rl))
			continue;
		*level = s->level;
		snprintf(text, len, "%s", s->text);
		*dropped = s->dropped;
		*span = now - s->last;
		s->dropped = 0;
		s->last = now;
		return true;
	}
	return false;
}
