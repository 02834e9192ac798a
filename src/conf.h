/* conf.h -- the configuration file shared by mcolld and mcollctl. */
#ifndef MCOLL_CONF_H
#define MCOLL_CONF_H
#include <stddef.h>

struct conf {
	char *listen;           /* unix socket path or host:port */
	int listen_mode;        /* permissions of a unix socket */
	int workers;            /* pre-forked worker processes */
	char *db_host;
	int db_port;
	char *db_socket;
	char *db_hosts;          /* "a:3306, b:3306, /x.sock": several nodes (dbhosts.h) */
	char *db_user;
	char *db_password;
	char *db_password_file;
	char *db_name;
	char *log_level;
	long body_limit;        /* bytes */
	char *migrations_dir;
	int shutdown_timeout;   /* seconds */
	int request_timeout;    /* seconds from nginx's hand-off to the answer */
	int lock_wait_timeout;  /* seconds a statement waits for a row lock */
	int max_requests;       /* a worker is replaced after this many; 0: never */
	int slowlog_ms;         /* requests slower than this are logged; 0: off */
};

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define CONF_DEFAULT_PATH SYSCONFDIR "/mcoll/mcoll.conf"
#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

/* Sets every key to its default. */
void conf_defaults(struct conf *c);
/* Parses text (the file's contents) into c.  On error returns -1 and writes
 * a message naming the line into err. */
int conf_parse(struct conf *c, const char *text, char *err, size_t errlen);
/* Reads and parses path, then resolves the password (MCOLL_DB_PASSWORD,
 * then db_password_file, then db_password).  Returns 0 or -1 with err. */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen);
void conf_free(struct conf *c);

#endif
