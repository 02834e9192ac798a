/* deadline.h -- how long a request waited for a worker, from the time
 * nginx handed it over (pure: no clock is read here). */
#ifndef MCOLL_DEADLINE_H
#define MCOLL_DEADLINE_H

enum qwait {
	QW_NONE,  /* no usable start time: absent or malformed */
	QW_OK,    /* *wait is the queue wait */
	QW_SKEW,  /* the clocks disagree: more than 1 s ahead, or an hour behind */
};

/* request_start is nginx's $msec ("1764590000.123": Unix seconds, up to six
 * decimals); wall_now is this host's Unix time.  *wait gets the seconds in
 * between when QW_OK (0 for a start slightly ahead), else 0. */
enum qwait deadline_queue_wait(const char *request_start, double wall_now, double *wait);

#endif
