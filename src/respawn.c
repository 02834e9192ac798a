/* respawn.c -- the per-slot respawn back-off of the master (pure). */
#include "respawn.h"

int respawn_streak(int streak, long lived_ms)
{
	if (lived_ms >= RESPAWN_QUICK_MS)
		return 0;
	return streak < 1000 ? streak + 1 : streak;
}

long respawn_delay_ms(int streak)
{
	long d = 100;

	if (streak <= 2)
		return 0;
	for (int i = 3; i < streak && d < RESPAWN_MAX_DELAY_MS; i++)
		d *= 2;
	return d < RESPAWN_MAX_DELAY_MS ? d : RESPAWN_MAX_DELAY_MS;
}
