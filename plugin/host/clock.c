/*
 * The shiftable clock.  See clock.h.
 */
#include "clock.h"

static gint64 clock_offset;

gint64 bdm_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC + clock_offset;
}

void bdm_clock_set_offset(gint64 offset)
{
	clock_offset = offset;
}
