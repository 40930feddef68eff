/*
 * The one clock of BrandDM's time decisions (polling, reply windows,
 * response-time targets), with an offset tests can shift.
 */
#ifndef BRANDDM_CLOCK_H
#define BRANDDM_CLOCK_H

#include <glib.h>

/** Current time in Unix seconds, shifted by the test clock offset if any.
 *  Every BrandDM time decision goes through this. */
gint64 bdm_now(void);

/** Shift bdm_now() by offset seconds: the injectable clock for tests.
 *  0 restores the real time. */
void bdm_clock_set_offset(gint64 offset);

#endif /* BRANDDM_CLOCK_H */
