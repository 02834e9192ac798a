/* dbhosts.h -- the database addresses of the db_hosts key: a list of
 * unix socket paths and host[:port] entries (pure: parsing only). */
#ifndef MCOLL_DBHOSTS_H
#define MCOLL_DBHOSTS_H

#define DB_TARGETS_MAX 16

struct db_target {
	char host[256];   /* TCP host ("" for a socket) */
	int port;         /* TCP port */
	char socket[256]; /* unix socket path ("" for TCP) */
};

/* Parses list ("127.0.0.1:3311, 127.0.0.1:3312, /run/mysqld/b.sock"):
 * entries separated by commas (white space around them is ignored); an
 * entry starting with '/' is a unix socket path; otherwise host, host:port
 * or [ipv6]:port, the port default_port when absent.  Fills out (at most
 * max entries) and returns how many; -1 for an empty entry, a bad port, an
 * entry too long, white space inside one, or more than max entries.  An
 * empty or blank list gives 0. */
int db_targets_parse(const char *list, int default_port, struct db_target *out, int max);

#endif
