/* respawn.h -- how soon the master restarts a worker slot that died. */
#ifndef MCOLL_RESPAWN_H
#define MCOLL_RESPAWN_H

/* A worker that lived less than this died "at once". */
#define RESPAWN_QUICK_MS 1000
/* Longest wait before a crash-looping slot is tried again. */
#define RESPAWN_MAX_DELAY_MS 10000

/* Consecutive quick deaths of a slot after one more death that came
 * `lived_ms` after the worker's start: a worker that lived long enough
 * resets the streak. */
int respawn_streak(int streak, long lived_ms);
/* Milliseconds to wait before restarting a slot with that streak: none for
 * the first two quick deaths, then 100 ms doubling up to the cap. */
long respawn_delay_ms(int streak);

#endif
