/*
 * Response-time targets (SLA): how long a customer has been waiting for an
 * answer, measured in business time, against the urgent or normal target of
 * the desk configuration, and when to alert the agent about it.
 *
 * A conversation waits from the first customer message after the brand's
 * last reply until the next reply (or until it is resolved).  Every function
 * takes the current time as an argument, so the plugin passes time(NULL) and
 * the tests pass whatever instant they need; and the plugin can schedule one
 * timer for the next level change instead of polling.  Plain C + GLib.
 */
#ifndef BRANDDM_SLA_H
#define BRANDDM_SLA_H

#include <glib.h>

#include "desk_config.h"

/** How a waiting conversation stands against its target (ordered by severity). */
typedef enum {
	BDM_SLA_NONE = 0, /* nothing is waiting for an answer */
	BDM_SLA_OK,       /* waiting, below the warning threshold */
	BDM_SLA_WARN,     /* at or past [sla] warn_at percent of the target */
	BDM_SLA_BREACH    /* at or past the target */
} BdmSlaLevel;

/** Per-conversation state; zero-initialised means "nothing waiting, normal". */
typedef struct {
	gint64 waiting_since; /* oldest unanswered customer message, Unix s; 0: none */
	gboolean urgent;      /* urgent target (set by /escalate urgent or a trigger) */
} BdmSlaState;

/** The highest level already alerted, and for which waiting period.
 *  Zero-initialised means "never alerted". */
typedef struct {
	BdmSlaLevel level;
	gint64 waiting_since; /* the period's start; a new period forgets old alerts */
} BdmSlaAlerted;

/** Where a waiting conversation stands at one instant. */
typedef struct {
	BdmSlaLevel level;
	gint64 target;    /* business seconds allowed */
	gint64 elapsed;   /* business seconds waited so far */
	gint64 warn_at;   /* Unix time the level becomes WARN */
	gint64 deadline;  /* Unix time the level becomes BREACH */
	double fraction;  /* elapsed / target: 0.75 is 75 % */
} BdmSlaStatus;

/** A customer message sent at time t: starts the waiting period if none is
 *  running; a late-arriving older message moves the start back. */
void bdm_sla_state_inbound(BdmSlaState *state, gint64 t);

/** The brand replied: nothing is waiting any more.
 *  The urgent flag stays until the conversation is resolved. */
void bdm_sla_state_outbound(BdmSlaState *state);

/** The conversation was resolved: nothing waits and it is no longer urgent.
 *  The next customer message starts a fresh, normal period. */
void bdm_sla_state_resolve(BdmSlaState *state);

/** Where state stands at now against cfg's targets and business hours.
 *  level BDM_SLA_NONE (and all else zero) when nothing is waiting. */
BdmSlaStatus bdm_sla_evaluate(const BdmDeskConfig *cfg, const BdmSlaState *state, gint64 now);

/** TRUE when a WARN or BREACH alert is due at now: the level is above the one
 *  already alerted in this waiting period.  Then *level gets it and *alerted
 *  records it, so each level alerts once per period (a jump from OK straight
 *  to BREACH alerts once).  *next_change (may be NULL) gets the Unix time the
 *  level next changes by itself, 0 for never: the plugin's next timer. */
gboolean bdm_sla_alert_due(const BdmDeskConfig *cfg, const BdmSlaState *state,
                           BdmSlaAlerted *alerted, gint64 now, BdmSlaLevel *level,
                           gint64 *next_change);

/** The waiting items (any pointers; get_state gives each one's state), most
 *  urgent first: soonest deadline at now (overdue ones first), then urgent,
 *  then waiting longest, then in input order.  items is unchanged; unref the result. */
GPtrArray *bdm_sla_sort_due(const BdmDeskConfig *cfg, const GPtrArray *items,
                            const BdmSlaState *(*get_state)(gconstpointer item), gint64 now);

/** A short translated name of level for lists: "OK", "Warning", "Overdue".
 *  "" for BDM_SLA_NONE. */
const char *bdm_sla_level_name(BdmSlaLevel level);

#endif /* BRANDDM_SLA_H */
