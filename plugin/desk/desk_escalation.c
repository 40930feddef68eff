/*
 * Escalation and tags in a conversation: /escalate, /tag, /untag, /resolve
 * and the automatic triggers on customers' messages.  See desk_features.h.
 *
 * Every change is stored (the log's state) before it is shown, then logged
 * as an event, written into the conversation and put into the buddy's
 * alias; an escalation also goes to the department's webhook.
 */
#include <string.h>

#include <account.h>
#include <cmds.h>
#include <conversation.h>
#include <debug.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "escalation.h"

#define DEBUG_CAT "branddm-desk"

/* What is being escalated; strings are borrowed. */
typedef struct {
	const char *department;
	gboolean urgent;
	const char *reason;
	const char *trigger;     /* NULL when the agent escalated */
	const char *excerpt;     /* the customer's words, may be NULL */
} Escalation;

static void post_webhook(BdmConn *conn, BdmDeskConv *conv, const Escalation *e)
{
	const char *url = bdm_desk_config_webhook_url(bdm_desk_config(), e->department);
	BdmEscalationEvent ev = { 0 };

	if (url == NULL || *url == '\0')
		return;
	ev.department = e->department;
	ev.urgent = e->urgent;
	ev.reason = e->reason;
	ev.trigger = e->trigger;
	ev.platform = conv->platform;
	ev.account = conv->account;
	ev.customer_id = conv->customer;
	ev.customer_name = bdm_desk_conv_customer_name(conv, conn);
	ev.agent = bdm_desk.agent;
	ev.time = bdm_now();
	ev.excerpt = e->excerpt;
	bdm_desk_webhook_post(conn, conv, e->department, url, bdm_escalation_webhook_payload(&ev));
}

/* An escalation waiting for its ticket (the team database answers later);
 * the strings are its own. */
typedef struct {
	BdmDeskConv *conv;       /* the cache's: lives until the desk shuts down */
	char *department;
	gboolean urgent;
	char *reason;
	char *trigger;
	char *excerpt;
	gboolean answered;       /* the ticket (or a refusal) came */
	gboolean returned;       /* escalate() returned before that */
	char *error;             /* a refusal that came while escalate() still waited */
} PendingEscalation;

static void pending_free(PendingEscalation *p)
{
	g_free(p->department);
	g_free(p->reason);
	g_free(p->trigger);
	g_free(p->excerpt);
	g_free(p->error);
	g_free(p);
}

/* The ticket is there: store, log, show and announce the escalation.  FALSE
 * with *error (plain text for the agent) when it could not be stored. */
static gboolean finish_escalation(BdmConn *conn, BdmDeskConv *conv, const Escalation *e,
                                  char **error)
{
	GError *err = NULL;
	char *detail, *notice;

	g_free(conv->department);
	g_free(conv->reason);
	g_free(conv->trigger);
	conv->department = g_strdup(e->department);
	conv->reason = g_strdup(e->reason);
	conv->trigger = g_strdup(e->trigger);
	conv->escalated_at = bdm_now();
	if (!bdm_desk_conv_save(conv, BDM_CONV_ESCALATION, &err)) {
		bdm_desk_conv_reload(conv);
		*error = g_strdup_printf(_("The escalation could not be saved, nothing changed: %s"),
		                         err->message);
		g_error_free(err);
		return FALSE;
	}
	if (e->urgent)
		bdm_desk_sla_set_urgent(conv);
	detail = bdm_desk_json_detail("s:department", e->department, "b:urgent", e->urgent,
	                              "s:trigger", e->trigger, "s:ticket", conv->ticket, NULL);
	bdm_journal_event(conn, "escalate", conv->customer, detail, e->reason);
	g_free(detail);
	if (e->trigger != NULL)
		notice = g_strdup_printf(e->urgent ? _("Escalated to %s automatically, urgent: %s. "
		                                       "Ticket %s.")
		                                   : _("Escalated to %s automatically: %s. Ticket %s."),
		                         e->department, e->reason, conv->ticket);
	else
		notice = g_strdup_printf(e->urgent ? _("Escalated to %s, urgent: %s. Ticket %s.")
		                                   : _("Escalated to %s: %s. Ticket %s."),
		                         e->department, e->reason, conv->ticket);
	bdm_notice(conn, conv->customer, notice, PURPLE_MESSAGE_SYSTEM);
	g_free(notice);
	bdm_desk_conv_refresh_alias(conv, conn->account);
	post_webhook(conn, conv, e);
	return TRUE;
}

static void on_ticket(const char *ticket, const GError *error, gpointer data)
{
	PendingEscalation *p = data;
	Escalation e = { p->department, p->urgent, p->reason, p->trigger, p->excerpt };
	BdmConn *conn = bdm_desk_conv_connection(p->conv);
	char *refusal = NULL;

	if (ticket == NULL)
		refusal = g_strdup_printf(_("The escalation could not be saved, nothing changed: %s"),
		                          error->message);
	else if (conn == NULL)
		refusal = g_strdup(_("This account is not connected."));
	else
		finish_escalation(conn, p->conv, &e, &refusal);
	p->answered = TRUE;
	if (!p->returned) {
		/* escalate() is still waiting: it reports to its caller. */
		p->error = refusal;
		return;
	}
	if (refusal != NULL) {
		purple_debug_error(DEBUG_CAT, "%s: %s\n", p->conv->customer, refusal);
		if (conn != NULL)
			bdm_notice(conn, p->conv->customer, refusal, PURPLE_MESSAGE_ERROR);
		g_free(refusal);
	}
	pending_free(p);
}

/* Escalate conv as e says, once it has a ticket.  Alone the ticket comes at
 * once and a refusal is returned (FALSE, *error plain text); in a team it
 * may come later, and a later refusal is written into the conversation. */
static gboolean escalate(BdmDeskConv *conv, const Escalation *e, char **error)
{
	PendingEscalation *p = g_new0(PendingEscalation, 1);

	p->conv = conv;
	p->department = g_strdup(e->department);
	p->urgent = e->urgent;
	p->reason = g_strdup(e->reason);
	p->trigger = g_strdup(e->trigger);
	p->excerpt = g_strdup(e->excerpt);
	bdm_desk_conv_ensure_ticket(conv, on_ticket, p);
	if (!p->answered) {
		/* The team database answers later; on_ticket finishes and frees. */
		p->returned = TRUE;
		return TRUE;
	}
	*error = g_steal_pointer(&p->error);
	pending_free(p);
	return *error == NULL;
}

static PurpleCmdRet cmd_escalate(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                                 gchar **error, void *data)
{
	BdmEscalateArgs parsed = { 0 };
	Escalation e = { 0 };
	GError *err = NULL;
	BdmConn *conn;
	BdmDeskConv *conv = bdm_desk_command_conv(pconv, &conn, error);
	gboolean ok;

	(void)cmd;
	(void)data;
	if (conv == NULL)
		return PURPLE_CMD_RET_FAILED;
	if (!bdm_escalation_parse_args(args[0] ? args[0] : "", &parsed, &err) ||
	    !bdm_escalation_validate(bdm_desk_config(), parsed.department, NULL, &err)) {
		*error = g_strdup(err->message);
		g_error_free(err);
		bdm_escalate_args_clear(&parsed);
		return PURPLE_CMD_RET_FAILED;
	}
	e.department = parsed.department;
	e.urgent = parsed.urgent;
	e.reason = parsed.reason;
	e.excerpt = bdm_desk_conv_last_text(conv);
	ok = escalate(conv, &e, error);
	bdm_escalate_args_clear(&parsed);
	return ok ? PURPLE_CMD_RET_OK : PURPLE_CMD_RET_FAILED;
}

/* Tag or untag; trigger names the rule that did it, NULL for the agent. */
static gboolean change_tag(BdmConn *conn, BdmDeskConv *conv, const char *label, gboolean on,
                           const char *trigger, const char *why, char **error)
{
	GError *err = NULL;
	char *detail, *notice;

	if (!bdm_desk_conv_set_tag(conv, label, on, &err)) {
		*error = g_strdup_printf(_("The tag could not be saved, nothing changed: %s"),
		                         err->message);
		g_error_free(err);
		return FALSE;
	}
	detail = bdm_desk_json_detail("s:label", label, "s:trigger", trigger, NULL);
	bdm_journal_event(conn, on ? "tag" : "untag", conv->customer, detail, why);
	g_free(detail);
	if (trigger != NULL)
		notice = g_strdup_printf(_("Tagged “%s” automatically: %s."), label, why);
	else
		notice = g_strdup_printf(on ? _("Tagged “%s”.") : _("Tag “%s” removed."), label);
	bdm_notice(conn, conv->customer, notice, PURPLE_MESSAGE_SYSTEM);
	g_free(notice);
	bdm_desk_conv_refresh_alias(conv, conn->account);
	return TRUE;
}

static gboolean has_tag(const BdmDeskConv *conv, const char *label)
{
	guint i;

	for (i = 0; i < conv->tags->len; i++)
		if (strcmp(g_ptr_array_index(conv->tags, i), label) == 0)
			return TRUE;
	return FALSE;
}

static char *one_word(const char *arg)
{
	char *word = g_strstrip(g_strdup(arg ? arg : ""));

	if (*word == '\0' || strpbrk(word, " \t") != NULL) {
		g_free(word);
		return NULL;
	}
	return word;
}

static PurpleCmdRet cmd_tag(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                            gchar **error, void *data)
{
	gboolean on = strcmp(cmd, "tag") == 0;
	BdmConn *conn;
	BdmDeskConv *conv = bdm_desk_command_conv(pconv, &conn, error);
	char *label;
	GError *err = NULL;
	gboolean ok = TRUE;

	(void)data;
	if (conv == NULL)
		return PURPLE_CMD_RET_FAILED;
	if ((label = one_word(args[0])) == NULL) {
		*error = g_strdup(on ? _("Usage: /tag LABEL") : _("Usage: /untag LABEL"));
		return PURPLE_CMD_RET_FAILED;
	}
	if (on && !bdm_escalation_validate(bdm_desk_config(), NULL, label, &err)) {
		*error = g_strdup(err->message);
		g_error_free(err);
		ok = FALSE;
	} else if (on == has_tag(conv, label)) {
		/* Untagging what a reload removed from [labels] still works. */
		*error = on ? g_strdup_printf(_("This conversation is already tagged “%s”."), label)
		            : g_strdup_printf(_("This conversation is not tagged “%s”."), label);
		ok = FALSE;
	} else {
		ok = change_tag(conn, conv, label, on, NULL, NULL, error);
	}
	g_free(label);
	return ok ? PURPLE_CMD_RET_OK : PURPLE_CMD_RET_FAILED;
}

static PurpleCmdRet cmd_resolve(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                                gchar **error, void *data)
{
	BdmConn *conn;
	BdmDeskConv *conv = bdm_desk_command_conv(pconv, &conn, error);
	char *name = NULL, *closing = NULL, *locale = NULL, *detail;
	char *department, *ticket;
	PurpleCmdRet ret = PURPLE_CMD_RET_FAILED;
	GError *err = NULL;

	(void)cmd;
	(void)data;
	if (conv == NULL)
		return PURPLE_CMD_RET_FAILED;
	if (args[0] && *g_strstrip(args[0]) && (name = one_word(args[0])) == NULL) {
		*error = g_strdup(_("Usage: /resolve [CLOSING-TEMPLATE]"));
		return PURPLE_CMD_RET_FAILED;
	}
	/* Expanded before anything changes: {ticket} still has its value, and a
	 * broken template leaves the conversation as it was. */
	if (name && (closing = bdm_desk_template_expand(conn, conv, name, FALSE, &locale,
	                                                &err)) == NULL) {
		*error = g_strdup_printf(_("Not resolved: %s"), err->message);
		g_error_free(err);
		g_free(name);
		return PURPLE_CMD_RET_FAILED;
	}
	/* One transaction: the escalation, its ticket, the clock and the
	 * acknowledgement go together, or the conversation stays as it was. */
	department = g_steal_pointer(&conv->department);
	ticket = g_steal_pointer(&conv->ticket);
	g_clear_pointer(&conv->reason, g_free);
	g_clear_pointer(&conv->trigger, g_free);
	conv->escalated_at = 0;
	bdm_sla_state_resolve(&conv->sla);
	memset(&conv->alerted, 0, sizeof(conv->alerted));
	conv->auto_replied = FALSE;
	conv->status = BDM_CONV_RESOLVED;
	/* The case is closed: the customer's next message is anybody's. */
	g_clear_pointer(&conv->assigned, g_free);
	if (!bdm_desk_conv_save(conv, BDM_CONV_ESCALATION | BDM_CONV_TICKET | BDM_CONV_SLA |
	                        BDM_CONV_AUTO_REPLY | BDM_CONV_STATUS | BDM_CONV_ASSIGNED,
	                        &err)) {
		*error = g_strdup_printf(_("The resolution could not be saved, nothing changed: %s"),
		                         err->message);
		g_error_free(err);
		bdm_desk_conv_reload(conv);
		goto out;
	}
	bdm_desk_sla_reschedule();
	detail = bdm_desk_json_detail("s:department", department, "s:ticket", ticket,
	                              "s:template", name, NULL);
	bdm_journal_event(conn, "resolve", conv->customer, detail, NULL);
	g_free(detail);
	bdm_notice(conn, conv->customer, ticket ? _("Resolved; the escalation, its ticket and "
	                                            "the response-time clock are cleared.")
	                                        : _("Resolved; the response-time clock is "
	                                            "cleared."), PURPLE_MESSAGE_SYSTEM);
	bdm_desk_conv_refresh_alias(conv, conn->account);
	if (closing) {
		bdm_desk_template_remember(conv, name, closing);
		bdm_desk_send_as_agent(pconv, closing);
	}
	ret = PURPLE_CMD_RET_OK;
out:
	g_free(department);
	g_free(ticket);
	g_free(closing);
	g_free(locale);
	g_free(name);
	return ret;
}

/* Run the triggers on text (the winner of the message's claim, in a team). */
static void run_triggers(BdmConn *conn, BdmDeskConv *conv, const char *text)
{
	GPtrArray *matches = bdm_escalation_match_triggers(bdm_desk_config(), text);
	guint i;

	for (i = 0; i < matches->len; i++) {
		const BdmEscalationMatch *m = g_ptr_array_index(matches, i);
		char *why = g_strdup_printf(_("keyword “%s” (rule %s)"), m->keyword, m->trigger);
		char *error = NULL;

		if (m->tag && !has_tag(conv, m->tag))
			change_tag(conn, conv, m->tag, TRUE, m->trigger, why, &error);
		/* One escalation per department: "refund" in every message of a
		 * thread must not page billing each time. */
		if (error == NULL && m->department && g_strcmp0(conv->department, m->department) != 0) {
			Escalation e = { m->department, m->urgent, why, m->trigger, text };
			escalate(conv, &e, &error);
		} else if (error == NULL && m->urgent && !conv->sla.urgent) {
			char *notice = g_strdup_printf(_("Marked urgent automatically: %s."), why);
			char *detail = bdm_desk_json_detail("s:department", conv->department,
			                                    "b:urgent", TRUE, "s:trigger", m->trigger,
			                                    NULL);
			bdm_desk_sla_set_urgent(conv);
			bdm_journal_event(conn, "escalate", conv->customer, detail, why);
			bdm_notice(conn, conv->customer, notice, PURPLE_MESSAGE_SYSTEM);
			bdm_desk_conv_refresh_alias(conv, conn->account);
			g_free(detail);
			g_free(notice);
		}
		if (error != NULL) {
			purple_debug_error(DEBUG_CAT, "trigger %s: %s\n", m->trigger, error);
			bdm_notice(conn, conv->customer, error, PURPLE_MESSAGE_ERROR);
			g_free(error);
		}
		g_free(why);
	}
	g_ptr_array_unref(matches);
}

/* A message's triggers in a team: whoever claimed the message runs them. */
typedef struct {
	BdmDeskConv *conv;
	char *text;
} PendingTriggers;

static void on_message_claimed(BdmClaimResult result, const GError *error, gpointer data)
{
	PendingTriggers *p = data;
	BdmConn *conn = bdm_desk_conv_connection(p->conv);

	if (result == BDM_CLAIM_ERROR)
		purple_debug_error(DEBUG_CAT, "triggers of a message from %s not run: %s\n",
		                   p->conv->customer, error->message);
	else if (result == BDM_CLAIM_WON && conn != NULL)
		run_triggers(conn, p->conv, p->text);
	g_free(p->text);
	g_free(p);
}

void bdm_desk_escalation_incoming(BdmConn *conn, BdmDeskConv *conv, const char *text,
                                  const char *message_id)
{
	PendingTriggers *p;
	char *action;

	/* Alone, this client is the only one to act. */
	if (!bdm_desk_team_active() || message_id == NULL) {
		run_triggers(conn, conv, text);
		return;
	}
	/* Every client of the team sees the message: one runs its triggers (and
	 * pages the department) and the others see the result by NOTIFY. */
	p = g_new0(PendingTriggers, 1);
	p->conv = conv;
	p->text = g_strdup(text);
	action = g_strconcat("triggers:", message_id, NULL);
	g_strdelimit(action, "/", '_');
	bdm_desk_conv_claim(conv, action, on_message_claimed, p);
	g_free(action);
}

void bdm_desk_escalation_init(void)
{
	bdm_desk_add_command("escalate", "s", cmd_escalate,
	                     _("escalate DEPARTMENT [urgent] REASON: hand this conversation to a "
	                       "department (and its webhook); urgent sets the urgent response "
	                       "target."));
	bdm_desk_add_command("tag", "s", cmd_tag, _("tag LABEL: tag this conversation."));
	bdm_desk_add_command("untag", "s", cmd_tag, _("untag LABEL: remove a tag."));
	bdm_desk_add_command("resolve", "s", cmd_resolve,
	                     _("resolve [CLOSING-TEMPLATE]: close the escalation and the "
	                       "response-time clock, optionally sending a closing template."));
}
