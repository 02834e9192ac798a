/* pool.c -- the master: forks the workers into scoreboard slots, waits in
 * sigtimedwait (so it also wakes for the watchdog, STATUS= updates and
 * delayed respawns), reaps and respawns with a per-slot back-off, re-reads
 * the configuration on SIGHUP and replaces the workers one at a time, and
 * on SIGTERM stops so that nothing that reached the socket is lost. */
#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "handoff.h"
#include "log.h"
#include "respawn.h"
#include "scoreboard.h"
#include "worker.h"

#define READY_WAIT_MS 10000   /* longest wait for a new worker to be ready */
#define STATUS_EVERY_MS 1000  /* STATUS= is looked at once a second */

struct slot {
	pid_t pid;
	int64_t started;        /* monotonic ms */
	int64_t next_spawn;     /* monotonic ms: earliest restart when pid == 0 */
	unsigned gen;           /* configuration generation it runs */
	int streak;             /* consecutive quick deaths */
	bool retiring;          /* sent TERM on purpose (reload) */
};

struct pool {
	struct conf conf;       /* the running configuration (owned) */
	const char *path;
	struct listen_sock *ls;
	int handoff[2];         /* connections passed between workers */
	struct scoreboard *sb;
	struct slot slot[SB_MAX_SLOTS];
	int n;                  /* workers wanted */
	int nslots;             /* slots that may hold a worker */
	unsigned gen;
	bool ready, reloading;
	int replacing;          /* slot whose new worker we wait for, or -1 */
	int64_t replacing_since, started, next_status, next_watchdog;
	uint64_t watchdog_usec;
	char status[256];
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
	(void)sig; /* never runs: the signals are blocked and taken by sigtimedwait */
}

static void spawn(struct pool *p, int i)
{
	struct slot *s = &p->slot[i];
	pid_t pid, master = getpid();

	memset(&p->sb->slot[i], 0, sizeof(p->sb->slot[i]));
	SB_SET(p->sb->slot[i].state, SB_STARTING);
	SB_SET(p->sb->slot[i].route, -1);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		/* A worker outliving its master (killed) stops like on TERM. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != master)
			_exit(1);
		/* the signal mask stays blocked: worker_run sets its own */
		_exit(worker_run(&p->conf, p->ls->fd, p->handoff, i, p->sb));
	}
	s->retiring = false;
	s->started = mono_ms();
	s->gen = p->gen;
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		s->pid = 0;
		s->next_spawn = s->started + 1000;
		SB_SET(p->sb->slot[i].state, SB_FREE);
		return;
	}
	s->pid = pid;
	log_info("worker %d started, pid %ld", i, (long)pid);
}

static int find_slot(const struct pool *p, pid_t pid)
{
	for (int i = 0; i < p->nslots; i++)
		if (p->slot[i].pid == pid)
			return i;
	return -1;
}

/* Reaps exited workers and plans their restart; returns how many live. */
static int reap(struct pool *p, bool stopping)
{
	int status, alive = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int i = find_slot(p, pid);
		struct slot *s;
		int64_t now = mono_ms();
		if (i < 0)
			continue;
		s = &p->slot[i];
		if (!stopping && !s->retiring && SB_GET(p->sb->slot[i].recycling) && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0) {
			/* planned: max_requests reached; replaced at once */
			log_info("worker %d (pid %ld) recycled after %llu requests on %llu connections "
				 "(max_requests)", i, (long)pid,
				 (unsigned long long)SB_GET(p->sb->slot[i].c.requests),
				 (unsigned long long)SB_GET(p->sb->slot[i].c.accepted));
			SB_INC(p->sb->h.recycled);
			s->streak = 0;
			s->next_spawn = now;
		} else if (!stopping && !s->retiring) {
			if (WIFSIGNALED(status))
				log_error("worker %d (pid %ld) killed by signal %d", i, (long)pid, WTERMSIG(status));
			else
				log_error("worker %d (pid %ld) exited with %d", i, (long)pid, WEXITSTATUS(status));
			s->streak = respawn_streak(s->streak, (long)(now - s->started));
			s->next_spawn = now + respawn_delay_ms(s->streak);
			if (s->streak > 2)
				log_warn("worker %d died %d times in a row at once: next start in %ld ms", i,
					 s->streak, respawn_delay_ms(s->streak));
			SB_INC(p->sb->h.respawns);
		} else {
			s->next_spawn = now;
		}
		s->pid = 0;
		s->retiring = false;
		sb_retire(p->sb, i);
		memset(&p->sb->slot[i], 0, sizeof(p->sb->slot[i]));
	}
	for (int i = 0; i < p->nslots; i++)
		alive += p->slot[i].pid > 0;
	return alive;
}

/* Slot i runs a worker of the current configuration that accepts. */
static bool slot_ready(const struct pool *p, int i)
{
	int st = SB_GET(p->sb->slot[i].state);

	return p->slot[i].pid > 0 && p->slot[i].gen == p->gen && (st == SB_IDLE || st == SB_BUSY);
}

static void set_nslots(struct pool *p)
{
	int top = p->n;

	for (int i = p->n; i < SB_MAX_SLOTS; i++)
		if (p->slot[i].pid > 0)
			top = i + 1;
	p->nslots = top;
	SB_SET(p->sb->h.nslots, top);
}

/* Starts what is missing and moves a reload on by one step. */
static void maintain(struct pool *p, int alive)
{
	int64_t now = mono_ms();
	int first = -1;

	for (int i = 0; i < p->n; i++) {
		if (p->slot[i].pid != 0)
			continue;
		if (now >= p->slot[i].next_spawn) {
			spawn(p, i);
			alive += p->slot[i].pid > 0;
		} else if (first < 0 || p->slot[i].next_spawn < p->slot[first].next_spawn) {
			first = i;
		}
	}
	/* The back-off never leaves the pool empty. */
	if (alive == 0 && first >= 0)
		spawn(p, first);
	set_nslots(p);
	if (!p->reloading)
		return;
	if (p->replacing >= 0) {
		if (!slot_ready(p, p->replacing) && now - p->replacing_since < READY_WAIT_MS)
			return;
		p->replacing = -1;
	}
	for (int i = 0; i < p->n; i++) {
		struct slot *s = &p->slot[i];
		if (s->pid > 0 && s->gen != p->gen && !s->retiring) {
			log_info("reload: retiring worker %d (pid %ld)", i, (long)s->pid);
			s->retiring = true;
			kill(s->pid, SIGTERM);
			p->replacing = i;
			p->replacing_since = now;
			return;
		}
	}
	for (int i = 0; i < p->nslots; i++)
		if (p->slot[i].retiring || (i < p->n && p->slot[i].pid > 0 && !slot_ready(p, i)))
			return;
	p->reloading = false;
	log_info("reload done: %d workers", p->n);
	sd_notify(0, "READY=1");
}

static void reload(struct pool *p)
{
	struct conf nc;
	char err[512], *keep;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
	if (conf_load(&nc, p->path, err, sizeof(err)) != 0) {
		conf_free(&nc);
		log_error("reload failed, the running configuration stays: %s", err);
		sd_notify(0, "READY=1");
		return;
	}
	if (strcmp(nc.listen, p->conf.listen) != 0 || nc.listen_mode != p->conf.listen_mode)
		log_warn("reload: listen/listen_mode changed (%s -> %s): the socket changes only "
			 "with a restart", p->conf.listen, nc.listen);
	/* The socket stays: keep what it was opened with. */
	keep = nc.listen;
	nc.listen = p->conf.listen;
	p->conf.listen = keep;
	nc.listen_mode = p->conf.listen_mode;
	conf_free(&p->conf);
	p->conf = nc;
	log_set_level((enum log_level)log_level_parse(p->conf.log_level));
	p->gen++;
	log_info("reload: %s read; replacing the workers one at a time (%d -> %d workers)", p->path,
		 p->n, p->conf.workers);
	p->n = p->conf.workers;
	for (int i = p->n; i < p->nslots; i++) {
		if (p->slot[i].pid > 0 && !p->slot[i].retiring) {
			log_info("reload: stopping worker %d (pid %ld): fewer workers", i,
				 (long)p->slot[i].pid);
			p->slot[i].retiring = true;
			kill(p->slot[i].pid, SIGTERM);
		}
	}
	p->reloading = true;
	p->replacing = -1;
}

/* READY=1, STATUS= when it changed, WATCHDOG=1 when due. */
static void notify(struct pool *p)
{
	int64_t now = mono_ms();

	if (!p->ready) {
		bool all = true;
		for (int i = 0; i < p->n; i++)
			all = all && slot_ready(p, i);
		if (all || now - p->started > READY_WAIT_MS) {
			p->ready = true;
			sd_notify(0, "READY=1");
			log_info("ready: accepting with %d workers", p->n);
		}
	}
	if (now >= p->next_status) {
		struct sb_summary sum;
		char text[sizeof(p->status)];
		sb_summarize(p->sb, p->nslots, &sum);
		sb_status_text(&sum, text, sizeof(text));
		if (strcmp(text, p->status) != 0) {
			memcpy(p->status, text, sizeof(text));
			sd_notifyf(0, "STATUS=%s", text);
		}
		p->next_status = now + STATUS_EVERY_MS;
	}
	if (p->watchdog_usec && now >= p->next_watchdog) {
		sd_notify(0, "WATCHDOG=1");
		p->next_watchdog = now + (int64_t)(p->watchdog_usec / 2000);
	}
}

/* Milliseconds until the master has something to do without a signal. */
static int64_t next_wake(const struct pool *p)
{
	int64_t now = mono_ms(), t = p->next_status;

	if (p->watchdog_usec && p->next_watchdog < t)
		t = p->next_watchdog;
	for (int i = 0; i < p->n; i++)
		if (p->slot[i].pid == 0 && p->slot[i].next_spawn < t)
			t = p->slot[i].next_spawn;
	if ((p->reloading || !p->ready) && now + 20 < t)
		t = now + 20; /* watch new workers become ready */
	return t > now ? t - now : 0;
}

static void stop_all(struct pool *p)
{
	int64_t deadline = mono_ms() + (int64_t)p->conf.shutdown_timeout * 1000;

	for (int i = 0; i < p->nslots; i++)
		if (p->slot[i].pid > 0)
			kill(p->slot[i].pid, SIGTERM);
	while (reap(p, true) > 0) {
		struct timespec ts = {0, 100000000L};
		sigset_t chld;
		if (mono_ms() >= deadline) {
			log_warn("workers still running after %ds: killing", p->conf.shutdown_timeout);
			for (int i = 0; i < p->nslots; i++)
				if (p->slot[i].pid > 0)
					kill(p->slot[i].pid, SIGKILL);
			while (reap(p, true) > 0)
				usleep(10000);
			break;
		}
		/* Wake on SIGCHLD, or every 100 ms to watch the deadline. */
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigtimedwait(&chld, NULL, &ts);
	}
}

int pool_run(struct conf *conf, const char *path, struct listen_sock *ls)
{
	struct pool *p = calloc(1, sizeof(*p));
	struct sigaction sa;
	sigset_t block;
	int rc = 0;

	if (!p)
		return 1;
	p->conf = *conf;
	memset(conf, 0, sizeof(*conf)); /* the pool owns it now */
	p->path = path;
	p->ls = ls;
	p->n = p->conf.workers;
	p->replacing = -1;
	p->started = mono_ms();
	p->handoff[0] = p->handoff[1] = -1;
	if (!(p->sb = sb_create()) || handoff_create(p->handoff) != 0) {
		rc = 1;
		goto out;
	}
	SB_SET(p->sb->h.start_time, (int64_t)time(NULL));
	if (sd_watchdog_enabled(0, &p->watchdog_usec) <= 0)
		p->watchdog_usec = 0;
	log_set_tag("mcolld master");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL);

	maintain(p, 0);
	log_info("master running with %d workers%s", p->n,
		 p->watchdog_usec ? ", systemd watchdog on" : "");
	for (;;) {
		int64_t ms;
		struct timespec ts;
		int sig;

		notify(p);
		ms = next_wake(p);
		ts.tv_sec = (time_t)(ms / 1000);
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		sig = sigtimedwait(&block, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP)
			reload(p);
		maintain(p, reap(p, false));
	}
	sd_notify(0, "STOPPING=1");
	if (ls->from_systemd) {
		/* systemd keeps the socket: what is queued waits for the next
		 * instance.  Workers finish their request and leave the rest. */
		log_info("stopping: finishing in-flight requests (the queue stays with systemd)");
	} else {
		/* No new connection can join a unix socket's queue once its path
		 * is gone; the workers then drain the queue before they exit. */
		listen_unlink(ls);
		SB_SET(p->sb->h.drain, 1);
		log_info("stopping: finishing in-flight and queued requests");
	}
	stop_all(p);
	log_info("stopped");
out:
	for (int i = 0; i < 2; i++)
		if (p->handoff[i] >= 0)
			close(p->handoff[i]);
	sb_destroy(p->sb);
	conf_free(&p->conf);
	free(p);
	return rc;
}
