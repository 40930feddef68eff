/*
 * Business hours: when the support desk is open, and how much "business
 * time" lies between two instants.  Response-time targets are counted in
 * business time (urgent: business hours; normal: business days), so a
 * message sent on Friday evening is not overdue on Saturday morning.
 * Plain C + GLib; time-zone aware through GTimeZone.
 */
#ifndef BRANDDM_BUSINESS_HOURS_H
#define BRANDDM_BUSINESS_HOURS_H

#include <glib.h>

typedef struct BdmBusinessHours BdmBusinessHours;

/** How elapsed time is counted against a target. */
typedef enum {
	BDM_COUNT_BUSINESS_HOURS = 0, /* only seconds inside opening hours count */
	BDM_COUNT_BUSINESS_DAYS       /* whole days count, except closed days and holidays */
} BdmCountMode;

/** Monday to Friday, 09:00 to 17:00, in the local time zone, no holidays.
 *  Never fails; free with bdm_business_hours_free(). */
BdmBusinessHours *bdm_business_hours_new_default(void);

/** Read a [group] of kf (keys: timezone, days, open, close, holidays).
 *  Missing keys take the defaults; a bad value is a GError naming the key. */
BdmBusinessHours *bdm_business_hours_from_keyfile(GKeyFile *kf, const char *group,
                                                  GError **error);

/** Release business hours; NULL is allowed. */
void bdm_business_hours_free(BdmBusinessHours *bh);

/** TRUE when the desk is open at Unix time t.
 *  Closed days and holidays are never open. */
gboolean bdm_business_hours_is_open(const BdmBusinessHours *bh, gint64 t);

/** Business seconds from `from` to `to` (Unix seconds) counted by mode.
 *  Returns 0 when to <= from. */
gint64 bdm_business_elapsed(const BdmBusinessHours *bh, BdmCountMode mode,
                            gint64 from, gint64 to);

/** The Unix time at which `amount` business seconds, counted by mode, have
 *  passed since start: the deadline of a response-time target. */
gint64 bdm_business_deadline(const BdmBusinessHours *bh, BdmCountMode mode,
                             gint64 start, gint64 amount);

#endif /* BRANDDM_BUSINESS_HOURS_H */
