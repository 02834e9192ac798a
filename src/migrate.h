/* migrate.h -- applies the numbered SQL files of migrations_dir once each. */
#ifndef MCOLL_MIGRATE_H
#define MCOLL_MIGRATE_H

#include "db.h"

/* Applies, in name order, every NNN_*.sql in dir not yet recorded in
 * schema_migrations, printing each applied name on stdout.  Returns 0, or
 * -1 after printing the reason on stderr. */
int migrate_run(struct db *db, const char *dir);
/* Checks that every migration of dir is applied: returns 0; 1 with the
 * names of those pending in pending (space-separated); -1 with the reason
 * (unreadable dir, database error).  *total gets the number of files. */
int migrate_check(struct db *db, const char *dir, size_t *total, char *pending, size_t len);

#endif
