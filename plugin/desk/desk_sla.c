/*
 * Response-time targets in libpurple: each conversation's clock, stored in
 * the log's state so a restart keeps it, and alerts when a customer has
 * waited warn_at percent of the target and when the target has passed.
 * See desk_features.h.
 *
 * One timer serves every conversation: bdm_sla_alert_due says when the
 * next level change happens, and nothing runs until then (no polling).
 * All time comes from bdm_now(), which tests shift through the
 * "set-clock-offset" IPC command; shifting it re-evaluates at once.
 */
#include <string.h>

#include <account.h>
#include <connection.h>
#include <debug.h>
#include <notify.h>
#include <plugin.h>

#include "branddm/i18n.h"
#include "desk_features.h"

#define DEBUG_CAT "branddm-sla"
/* Wake at least this often anyway: monotonic timers stand still while a
 * laptop sleeps, but the wall clock (and a customer's wait) does not. */
#define MAX_SLEEP_S 3600
/* Customers named in the pop-up: Finch does not scroll a message, and an
 * 80x24 terminal must still show its OK button. */
#define POPUP_MAX_LISTED 5
/* Refuse clock offsets beyond this: a typo, not a test. */
#define MAX_CLOCK_OFFSET_S (10 * 366 * 24 * 3600LL)

static struct {
	guint timer;    /* the next level change */
	guint soon;     /* a re-evaluation from the main loop */
} sla;

static void evaluate(void);

char *bdm_desk_format_duration(gint64 seconds)
{
	if (seconds < 0)
		seconds = 0;
	if (seconds < 60)
		return g_strdup_printf(_("%d s"), (int)seconds);
	if (seconds < 3600)
		return g_strdup_printf(_("%d min"), (int)(seconds / 60));
	if (seconds < 86400)
		return g_strdup_printf(_("%d h %02d min"), (int)(seconds / 3600),
		                       (int)(seconds % 3600 / 60));
	return g_strdup_printf(_("%d d %d h"), (int)(seconds / 86400), (int)(seconds % 86400 / 3600));
}

char *bdm_desk_format_stamp(gint64 t)
{
	GDateTime *dt = g_date_time_new_from_unix_local(t);
	char *text = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M") : g_strdup("?");

	if (dt)
		g_date_time_unref(dt);
	return text;
}

gint64 bdm_desk_record_time(const BdmLogRecord *r)
{
	return r->platform_time > 0 ? r->platform_time : r->logged_time;
}

static void save(BdmDeskConv *conv)
{
	GError *error = NULL;

	/* The clock keeps running in memory; only a restart would lose it. */
	if (!bdm_desk_conv_save(conv, BDM_CONV_SLA, &error)) {
		purple_debug_error(DEBUG_CAT, "%s/%s: response-time clock not stored: %s\n",
		                   conv->platform, conv->customer, error->message);
		g_error_free(error);
	}
}

void bdm_desk_sla_inbound(BdmDeskConv *conv, gint64 t)
{
	gint64 before = conv->sla.waiting_since;

	bdm_sla_state_inbound(&conv->sla, t);
	if (conv->sla.waiting_since == before)
		return;
	save(conv);
	bdm_desk_sla_reschedule();
}

void bdm_desk_sla_stop(BdmDeskConv *conv, gboolean resolve)
{
	if (conv->sla.waiting_since == 0 && (!resolve || !conv->sla.urgent))
		return;
	if (resolve) {
		bdm_sla_state_resolve(&conv->sla);
		memset(&conv->alerted, 0, sizeof(conv->alerted));
	} else {
		bdm_sla_state_outbound(&conv->sla);
	}
	save(conv);
	bdm_desk_sla_reschedule();
}

void bdm_desk_sla_set_urgent(BdmDeskConv *conv)
{
	if (conv->sla.urgent)
		return;
	conv->sla.urgent = TRUE;
	save(conv);
	bdm_desk_sla_reschedule();
}

static char *format_clock(gint64 t)
{
	GDateTime *dt = g_date_time_new_from_unix_local(t);
	char *text = dt ? g_date_time_format(dt, "%a %H:%M") : g_strdup("?");

	if (dt)
		g_date_time_unref(dt);
	return text;
}

/* Tell the agent in the conversation, and the log; breaches also go into
 * *overdue for one dialog per evaluation, however many there are. */
static void alert(BdmConn *conn, BdmDeskConv *conv, BdmSlaLevel level, gint64 now,
                  GString *overdue)
{
	const BdmDeskConfig *cfg = bdm_desk_config();
	BdmSlaStatus st = bdm_sla_evaluate(cfg, &conv->sla, now);
	const char *name = bdm_desk_conv_customer_name(conv, conn);
	char *waited = bdm_desk_format_duration(st.elapsed);
	char *target = bdm_desk_format_duration(st.target);
	char *due = format_clock(st.deadline);
	char *text, *detail;

	if (name == NULL)
		name = conv->customer;
	if (level == BDM_SLA_BREACH)
		text = g_strdup_printf(conv->sla.urgent
		                       ? _("Response time overdue: %s has been waiting %s; the urgent "
		                           "target is %s.")
		                       : _("Response time overdue: %s has been waiting %s; the target "
		                           "is %s."), name, waited, target);
	else
		text = g_strdup_printf(conv->sla.urgent
		                       ? _("Response time warning: %s has been waiting %s of the %s "
		                           "urgent target (%d %%); answer by %s.")
		                       : _("Response time warning: %s has been waiting %s of the %s "
		                           "target (%d %%); answer by %s."),
		                       name, waited, target, (int)(st.fraction * 100), due);
	bdm_notice(conn, conv->customer, text,
	           level == BDM_SLA_BREACH ? PURPLE_MESSAGE_ERROR : PURPLE_MESSAGE_SYSTEM);
	detail = bdm_desk_json_detail("s:level", level == BDM_SLA_BREACH ? "breach" : "warn",
	                              "i:target", st.target, "i:elapsed", st.elapsed,
	                              "b:urgent", conv->sla.urgent, NULL);
	bdm_journal_event(conn, "sla_alert", conv->customer, detail, NULL);
	if (level == BDM_SLA_BREACH)
		g_string_append_printf(overdue, "%s%s", overdue->len ? "\n" : "", text);
	g_free(detail);
	g_free(text);
	g_free(due);
	g_free(target);
	g_free(waited);
}

/* An alert goes to the agent handling the conversation, or to everyone while
 * nobody does. */
static gboolean assigned_elsewhere(const BdmDeskConv *conv)
{
	return conv->assigned != NULL && strcmp(conv->assigned, bdm_desk_agent_name()) != 0;
}

/* Alerts for one connected account; *next gets the earliest level change. */
static void evaluate_conn(BdmConn *conn, gint64 now, gint64 *next, GString *overdue)
{
	const BdmDeskConfig *cfg = bdm_desk_config();
	GPtrArray *convs = bdm_desk_conv_list(bdm_conn_platform(conn), bdm_conn_account_id(conn));
	guint i;

	for (i = 0; i < convs->len; i++) {
		BdmDeskConv *conv = g_ptr_array_index(convs, i);
		BdmSlaLevel level = BDM_SLA_NONE;
		gint64 change = 0;

		/* The buddy-list row says waiting, due soon or overdue. */
		bdm_desk_conv_refresh_alias(conv, conn->account);
		if (conv->sla.waiting_since == 0)
			continue;
		if (assigned_elsewhere(conv)) {
			/* The colleague's client alerts; this one only keeps time. */
			BdmSlaAlerted theirs = conv->alerted;

			bdm_sla_alert_due(cfg, &conv->sla, &theirs, now, &level, &change);
		} else if (bdm_sla_alert_due(cfg, &conv->sla, &conv->alerted, now, &level, &change)) {
			save(conv);
			alert(conn, conv, level, now, overdue);
		}
		if (change > 0 && (*next == 0 || change < *next))
			*next = change;
	}
	g_ptr_array_unref(convs);
}

static gboolean timer_cb(gpointer data)
{
	(void)data;
	sla.timer = 0;
	evaluate();
	return FALSE;
}

/* The pop-up's text: the first few alerts, then how many more there are
 * (each is in its conversation as well). */
static char *popup_text(const char *overdue)
{
	char **lines = g_strsplit(overdue, "\n", -1);
	guint count = g_strv_length(lines);
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < count && i < POPUP_MAX_LISTED; i++)
		g_string_append_printf(out, "%s%s", i ? "\n" : "", lines[i]);
	if (count > POPUP_MAX_LISTED) {
		guint more = count - POPUP_MAX_LISTED;

		g_string_append_c(out, '\n');
		g_string_append_printf(out, dngettext(GETTEXT_PACKAGE,
		                                      "…and %u more customer: see the conversations.",
		                                      "…and %u more customers: see the conversations.",
		                                      more), more);
	}
	g_strfreev(lines);
	return g_string_free(out, FALSE);
}

static void evaluate(void)
{
	GString *overdue = g_string_new(NULL);
	gint64 now = bdm_now(), next = 0;
	GList *l;

	if (sla.timer) {
		purple_timeout_remove(sla.timer);
		sla.timer = 0;
	}
	/* Offline accounts wait for "signed-on": an alert needs a conversation. */
	for (l = purple_connections_get_all(); l != NULL; l = l->next) {
		BdmConn *conn = bdm_conn_of(l->data);
		if (conn != NULL && conn->connected)
			evaluate_conn(conn, now, &next, overdue);
	}
	if (overdue->len > 0) {
		char *text = popup_text(overdue->str);

		purple_notify_warning(bdm_desk.plugin, _("BrandDM response times"),
		                      _("Customers are waiting longer than the response-time target."),
		                      text);
		g_free(text);
	}
	g_string_free(overdue, TRUE);
	if (next > 0)
		sla.timer = purple_timeout_add_seconds((guint)CLAMP(next - now, 1, MAX_SLEEP_S),
		                                       timer_cb, NULL);
}

static gboolean soon_cb(gpointer data)
{
	(void)data;
	sla.soon = 0;
	evaluate();
	return FALSE;
}

void bdm_desk_sla_reschedule(void)
{
	/* Not now: a poll cycle delivers a customer's message and the brand's
	 * reply to it in one go, and the reply must stop the clock before
	 * anything alerts. */
	if (sla.soon == 0)
		sla.soon = purple_timeout_add(0, soon_cb, NULL);
}

/* Test and diagnostic hook: shift bdm_now() by a number of seconds, e.g.
 * {"cmd":"plugin-ipc","plugin":"core-branddm","command":"set-clock-offset",
 * "args":["7200"]}; answers "ok" or "error: ...". */
static char *ipc_set_clock_offset(const char *offset, void *data)
{
	gint64 value = 0;
	GError *error = NULL;
	char *answer;

	(void)data;
	if (offset == NULL || !g_ascii_string_to_signed(offset, 10, -MAX_CLOCK_OFFSET_S,
	                                                MAX_CLOCK_OFFSET_S, &value, &error)) {
		answer = g_strdup_printf("error: %s", error ? error->message : "no offset given");
		g_clear_error(&error);
		return answer;
	}
	purple_debug_warning(DEBUG_CAT, "clock offset set to %" G_GINT64_FORMAT " s\n", value);
	bdm_clock_set_offset(value);
	evaluate();
	bdm_desk_retention_run();
	return g_strdup("ok");
}

void bdm_desk_sla_init(void)
{
	memset(&sla, 0, sizeof(sla));
	purple_plugin_ipc_register(bdm_desk.plugin, "set-clock-offset",
	                           PURPLE_CALLBACK(ipc_set_clock_offset),
	                           purple_marshal_POINTER__POINTER,
	                           purple_value_new(PURPLE_TYPE_STRING), 1,
	                           purple_value_new(PURPLE_TYPE_STRING));
}

void bdm_desk_sla_shutdown(void)
{
	if (sla.timer)
		purple_timeout_remove(sla.timer);
	if (sla.soon)
		purple_timeout_remove(sla.soon);
	purple_plugin_ipc_unregister(bdm_desk.plugin, "set-clock-offset");
	memset(&sla, 0, sizeof(sla));
}
