/*
 * Response-time targets: waiting periods, levels and alerts.
 *
 * The level is decided on business seconds, and the instants at which it
 * changes come from bdm_business_deadline(); because deadline() is the exact
 * inverse of elapsed(), "now >= warn_at" and "elapsed >= warn threshold"
 * never disagree, so a timer set for warn_at always finds the level changed.
 */
#include "branddm/i18n.h"
#include "sla.h"

void bdm_sla_state_inbound(BdmSlaState *state, gint64 t)
{
	if (t <= 0)
		return;
	if (state->waiting_since == 0 || t < state->waiting_since)
		state->waiting_since = t;
}

void bdm_sla_state_outbound(BdmSlaState *state)
{
	state->waiting_since = 0;
}

void bdm_sla_state_resolve(BdmSlaState *state)
{
	state->waiting_since = 0;
	state->urgent = FALSE;
}

BdmSlaStatus bdm_sla_evaluate(const BdmDeskConfig *cfg, const BdmSlaState *state, gint64 now)
{
	BdmSlaStatus status = { 0 };
	const BdmBusinessHours *hours;
	BdmCountMode mode;
	gint64 warn_amount;
	guint warn_percent;

	g_return_val_if_fail(cfg != NULL && state != NULL, status);

	if (state->waiting_since == 0)
		return status;
	hours = bdm_desk_config_business_hours(cfg);
	mode = bdm_desk_config_sla_mode(cfg, state->urgent);
	warn_percent = bdm_desk_config_sla_warn_percent(cfg);
	status.target = bdm_desk_config_sla_target(cfg, state->urgent);
	/* Rounded up, so "elapsed >= warn_amount" is "elapsed/target >= warn_at %". */
	warn_amount = (status.target * warn_percent + 99) / 100;
	status.elapsed = bdm_business_elapsed(hours, mode, state->waiting_since, now);
	status.warn_at = bdm_business_deadline(hours, mode, state->waiting_since, warn_amount);
	status.deadline = bdm_business_deadline(hours, mode, state->waiting_since, status.target);
	status.fraction = (double)status.elapsed / (double)status.target;
	if (status.elapsed >= status.target)
		status.level = BDM_SLA_BREACH;
	else if (status.elapsed >= warn_amount)
		status.level = BDM_SLA_WARN;
	else
		status.level = BDM_SLA_OK;
	return status;
}

gboolean bdm_sla_alert_due(const BdmDeskConfig *cfg, const BdmSlaState *state,
                           BdmSlaAlerted *alerted, gint64 now, BdmSlaLevel *level,
                           gint64 *next_change)
{
	BdmSlaStatus status = bdm_sla_evaluate(cfg, state, now);

	if (next_change != NULL) {
		if (status.level == BDM_SLA_OK)
			*next_change = status.warn_at;
		else if (status.level == BDM_SLA_WARN)
			*next_change = status.deadline;
		else
			*next_change = 0;
	}
	/* Alerts belong to one waiting period: a new one starts from scratch. */
	if (alerted->waiting_since != state->waiting_since) {
		alerted->level = BDM_SLA_NONE;
		alerted->waiting_since = state->waiting_since;
	}
	if (status.level < BDM_SLA_WARN || status.level <= alerted->level)
		return FALSE;
	alerted->level = status.level;
	if (level != NULL)
		*level = status.level;
	return TRUE;
}

/* One waiting item and what it is sorted by. */
typedef struct {
	gpointer item;
	gint64 deadline;
	gint64 waiting_since;
	gboolean urgent;
	guint order;           /* place in the input: ties keep it */
} DueItem;

static gint compare_due(gconstpointer a, gconstpointer b)
{
	const DueItem *x = a, *y = b;

	if (x->deadline != y->deadline)
		return x->deadline < y->deadline ? -1 : 1;
	if (x->urgent != y->urgent)
		return x->urgent ? -1 : 1;
	if (x->waiting_since != y->waiting_since)
		return x->waiting_since < y->waiting_since ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

GPtrArray *bdm_sla_sort_due(const BdmDeskConfig *cfg, const GPtrArray *items,
                            const BdmSlaState *(*get_state)(gconstpointer item), gint64 now)
{
	GArray *due = g_array_new(FALSE, FALSE, sizeof(DueItem));
	GPtrArray *sorted;
	guint i;

	for (i = 0; items != NULL && i < items->len; i++) {
		gpointer item = g_ptr_array_index(items, i);
		const BdmSlaState *state = get_state(item);
		DueItem d;

		if (state == NULL || state->waiting_since == 0)
			continue;
		d.item = item;
		d.deadline = bdm_sla_evaluate(cfg, state, now).deadline;
		d.waiting_since = state->waiting_since;
		d.urgent = state->urgent;
		d.order = i;
		g_array_append_val(due, d);
	}
	g_array_sort(due, compare_due);
	sorted = g_ptr_array_sized_new(due->len);
	for (i = 0; i < due->len; i++)
		g_ptr_array_add(sorted, g_array_index(due, DueItem, i).item);
	g_array_free(due, TRUE);
	return sorted;
}

const char *bdm_sla_level_name(BdmSlaLevel level)
{
	switch (level) {
	case BDM_SLA_OK:
		return _("OK");
	case BDM_SLA_WARN:
		return _("Warning");
	case BDM_SLA_BREACH:
		return _("Overdue");
	case BDM_SLA_NONE:
	default:
		return "";
	}
}
