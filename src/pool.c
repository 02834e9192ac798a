/* pool.c -- master: fork N workers, sleep in sigsuspend, reap and respawn,
 * forward TERM.  Workers stopped on purpose are not mistaken for crashes. */
#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "log.h"
#include "worker.h"

struct slot {
	pid_t pid;
	time_t started;
	bool retiring; /* sent TERM on purpose (HUP) */
};

static volatile sig_atomic_t got_term, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		return; /* only wakes sigsuspend: every wake reaps */
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static pid_t spawn(const struct conf *conf, int listen_fd, int index, const sigset_t *orig)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGCHLD, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigprocmask(SIG_SETMASK, orig, NULL);
		_exit(worker_run(conf, listen_fd, index));
	}
	if (pid < 0)
		log_error("fork: %s", strerror(errno));
	else
		log_info("worker %d started, pid %ld", index, (long)pid);
	return pid;
}

static int find_slot(const struct slot *slots, int n, pid_t pid)
{
	for (int i = 0; i < n; i++)
		if (slots[i].pid == pid)
			return i;
	return -1;
}

/* Reaps exited workers; returns how many are still alive. */
static int reap(struct slot *slots, int n, bool stopping)
{
	int status, alive = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		int i = find_slot(slots, n, pid);
		if (i < 0)
			continue;
		if (!stopping && !slots[i].retiring) {
			if (WIFSIGNALED(status))
				log_error("worker %d (pid %ld) killed by signal %d", i, (long)pid, WTERMSIG(status));
			else
				log_error("worker %d (pid %ld) exited with %d", i, (long)pid, WEXITSTATUS(status));
		}
		slots[i].pid = 0;
		slots[i].retiring = false;
	}
	for (int i = 0; i < n; i++)
		alive += slots[i].pid > 0;
	return alive;
}

static void stop_all(struct slot *slots, int n, int timeout)
{
	time_t deadline = time(NULL) + timeout;

	for (int i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
	while (reap(slots, n, true) > 0) {
		if (time(NULL) >= deadline) {
			log_warn("workers still running after %ds: killing", timeout);
			for (int i = 0; i < n; i++)
				if (slots[i].pid > 0)
					kill(slots[i].pid, SIGKILL);
			while (reap(slots, n, true) > 0)
				usleep(10000);
			break;
		}
		/* Wake on SIGCHLD, or every 100 ms to watch the deadline. */
		struct timespec ts = {0, 100000000L};
		sigset_t pending;
		sigemptyset(&pending);
		sigaddset(&pending, SIGCHLD);
		sigtimedwait(&pending, NULL, &ts);
	}
}

int pool_run(const struct conf *conf, int listen_fd)
{
	int n = conf->workers;
	struct slot *slots = xcalloc((size_t)n, sizeof(*slots));
	struct sigaction sa;
	sigset_t block, orig, empty;

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
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigemptyset(&empty);

	for (int i = 0; i < n; i++) {
		slots[i].pid = spawn(conf, listen_fd, i, &orig);
		slots[i].started = time(NULL);
	}
	log_info("master running with %d workers", n);
	while (!got_term) {
		sigsuspend(&empty);
		if (got_term)
			break;
		if (got_hup) {
			got_hup = 0;
			log_info("SIGHUP: replacing workers");
			for (int i = 0; i < n; i++) {
				if (slots[i].pid > 0) {
					slots[i].retiring = true;
					kill(slots[i].pid, SIGTERM);
				}
			}
		}
		reap(slots, n, false);
		for (int i = 0; i < n; i++) {
			if (slots[i].pid != 0)
				continue;
			/* A worker that dies at once (bad config, crash loop) is
			 * restarted at most once a second. */
			if (time(NULL) - slots[i].started < 1)
				sleep(1);
			slots[i].pid = spawn(conf, listen_fd, i, &orig);
			slots[i].started = time(NULL);
		}
	}
	log_info("stopping: waiting for in-flight requests");
	stop_all(slots, n, conf->shutdown_timeout);
	free(slots);
	log_info("stopped");
	return 0;
}
