/* migrate.h -- applies the numbered SQL files of migrations_dir once each. */
#ifndef MCOLL_MIGRATE_H
#define MCOLL_MIGRATE_H

#include "db.h"

/* Applies, in name order, every NNN_*.sql in dir not yet recorded in
 * schema_migrations, printing each applied name on stdout.  Returns 0, or
 * -1 after printing the reason on stderr. */
int migrate_run(struct db *db, const char *dir);

#endif
