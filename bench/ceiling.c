/* ceiling.c -- the FastCGI transport ceiling for dev/bench: pre-forked
 * libfcgi workers on one unix socket answering every request with the same
 * fixed body, no database, no parsing.  Whatever mcolld adds on top of
 * nginx + FastCGI shows as the distance to this.
 *
 *   ceiling SOCKET WORKERS BODY_FILE     (SIGTERM stops it and its workers)
 */
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void serve(int fd, const char *resp, int len)
{
	FCGX_Request req;

	signal(SIGTERM, SIG_DFL);
	FCGX_InitRequest(&req, fd, 0);
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(resp, len, req.out);
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	static char body[65536], resp[70000];
	pid_t pids[64];
	int n, fd, len;
	size_t blen;
	FILE *f;

	if (argc != 4 || (n = atoi(argv[2])) < 1 || n > 64 || !(f = fopen(argv[3], "r"))) {
		fprintf(stderr, "usage: ceiling SOCKET WORKERS(1-64) BODY_FILE\n");
		return 2;
	}
	blen = fread(body, 1, sizeof(body) - 1, f);
	fclose(f);
	len = snprintf(resp, sizeof(resp),
		       "Status: 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
		       "Content-Length: %zu\r\n\r\n%.*s", blen, (int)blen, body);
	FCGX_Init();
	unlink(argv[1]);
	if ((fd = FCGX_OpenSocket(argv[1], 1024)) < 0 || chmod(argv[1], 0666) != 0) {
		perror(argv[1]);
		return 1;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (int i = 0; i < n; i++)
		if ((pids[i] = fork()) == 0)
			serve(fd, resp, len);
	while (!stop)
		pause();
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	unlink(argv[1]);
	return 0;
}
