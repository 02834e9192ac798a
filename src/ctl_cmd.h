/* ctl_cmd.h -- mcollctl's commands, run once the command line is parsed. */
#ifndef MCOLL_CTL_CMD_H
#define MCOLL_CTL_CMD_H

#include "cli.h"
#include "conf.h"
#include "db.h"

/* Prints "mcollctl: " + the message on stderr; returns 1 (the exit status). */
int ctl_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs c's command (not check) on a connected db; returns the exit status. */
int ctl_run(struct db *db, const struct conf *conf, const struct cli *c);
/* mcollctl check: one "ok   ..." / "FAIL ..." line per check on stdout;
 * returns 0 when all pass, else 1. */
int ctl_check(const char *config_path);
/* mcollctl status: GET /status over the FastCGI listen socket, printed
 * for a terminal; returns the exit status. */
int ctl_status(const struct conf *conf);
/* track add --count / --titles (ctl_track_bulk.c). */
int ctl_track_add_bulk(struct db *db, const struct cli *a);

#endif
