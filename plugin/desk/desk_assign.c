/*
 * Who handles a conversation: /assign, /unassign, /handover, and in a team
 * the first human reply assigning the conversation to its author.  See
 * desk_features.h.
 *
 * The assignee is conversation state like a tag: stored (in a team, shared
 * by NOTIFY), logged as an event, shown in the buddy list ("@Alice Martin"
 * in the badge, "Assigned" in the tooltip), and checked by the policy rule
 * team.assigned_elsewhere before a colleague replies.
 */
#include <string.h>

#include <account.h>
#include <cmds.h>
#include <conversation.h>
#include <debug.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "host_signals.h"

#define DEBUG_CAT "branddm-desk"

/* Store conv's new assignee (NULL: nobody), log kind with note, tell the
 * agent and show it.  FALSE with *error when the store refused: nothing changed. */
static gboolean set_assignee(BdmConn *conn, BdmDeskConv *conv, const char *agent,
                             const char *kind, const char *note, char **error)
{
	GError *err = NULL;
	char *detail, *notice;
	char *before = g_strdup(conv->assigned);

	g_free(conv->assigned);
	conv->assigned = g_strdup(agent);
	if (!bdm_desk_conv_save(conv, BDM_CONV_ASSIGNED, &err)) {
		bdm_desk_conv_reload(conv);
		*error = g_strdup_printf(_("The assignment could not be saved, nothing changed: %s"),
		                         err->message);
		g_error_free(err);
		g_free(before);
		return FALSE;
	}
	detail = bdm_desk_json_detail("s:from", before, "s:to", agent, "s:by",
	                              bdm_desk_agent_name(), NULL);
	bdm_journal_event(conn, kind, conv->customer, detail, note);
	if (agent == NULL)
		notice = g_strdup(_("Nobody handles this conversation now."));
	else if (note != NULL)
		notice = g_strdup_printf(_("Handed over to %s: %s"), agent, note);
	else
		notice = g_strdup_printf(_("Assigned to %s."), agent);
	bdm_notice(conn, conv->customer, notice, PURPLE_MESSAGE_SYSTEM);
	bdm_desk_conv_refresh_alias(conv, conn->account);
	g_free(notice);
	g_free(detail);
	g_free(before);
	return TRUE;
}

static PurpleCmdRet cmd_assign(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                               gchar **error, void *data)
{
	BdmConn *conn;
	BdmDeskConv *conv = bdm_desk_command_conv(pconv, &conn, error);
	char *name;
	gboolean ok;

	(void)cmd;
	(void)data;
	if (conv == NULL)
		return PURPLE_CMD_RET_FAILED;
	name = g_strstrip(g_strdup(args[0] ? args[0] : ""));
	ok = set_assignee(conn, conv, *name ? name : bdm_desk_agent_name(), "assign", NULL, error);
	g_free(name);
	return ok ? PURPLE_CMD_RET_OK : PURPLE_CMD_RET_FAILED;
}

static PurpleCmdRet cmd_unassign(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                                 gchar **error, void *data)
{
	BdmConn *conn;
	BdmDeskConv *conv = bdm_desk_command_conv(pconv, &conn, error);

	(void)cmd;
	(void)args;
	(void)data;
	if (conv == NULL)
		return PURPLE_CMD_RET_FAILED;
	if (conv->assigned == NULL) {
		*error = g_strdup(_("Nobody handles this conversation."));
		return PURPLE_CMD_RET_FAILED;
	}
	return set_assignee(conn, conv, NULL, "unassign", NULL, error) ? PURPLE_CMD_RET_OK
	                                                              : PURPLE_CMD_RET_FAILED;
}

/* "/handover Bob Keller: customer wants a call back": the name ends at the
 * first ':' (names have spaces), the rest is the note. */
static PurpleCmdRet cmd_handover(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                                 gchar **error, void *data)
{
	BdmConn *conn;
	BdmDeskConv *conv = bdm_desk_command_conv(pconv, &conn, error);
	char *line, *colon, *note = NULL;
	gboolean ok = FALSE;

	(void)cmd;
	(void)data;
	if (conv == NULL)
		return PURPLE_CMD_RET_FAILED;
	line = g_strstrip(g_strdup(args[0] ? args[0] : ""));
	if ((colon = strchr(line, ':')) != NULL) {
		*colon = '\0';
		note = g_strstrip(colon + 1);
		g_strstrip(line);
	}
	if (*line == '\0')
		*error = g_strdup(_("Usage: /handover NAME[: NOTE]"));
	else
		ok = set_assignee(conn, conv, line, "handover", note && *note ? note : NULL, error);
	g_free(line);
	return ok ? PURPLE_CMD_RET_OK : PURPLE_CMD_RET_FAILED;
}

/* [team] assign = first_reply: a human reply to an unassigned conversation
 * makes its author the assignee, decided by the team database (two agents
 * answering at once: the first stored wins). */
static void on_reply_confirmed(PurpleAccount *account, const BdmDelivery *d, gpointer data)
{
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));
	BdmDeskConv *conv;

	(void)data;
	if (conn == NULL || d->automated || !bdm_desk_team_active() ||
	    bdm_desk_config_team_assign(bdm_desk_config()) != BDM_ASSIGN_FIRST_REPLY)
		return;
	conv = bdm_desk_conv_of(conn, d->customer_id);
	if (conv->assigned == NULL)
		bdm_desk_team_assign_first(conv);
}

void bdm_desk_assign_init(void)
{
	bdm_desk_add_command("assign", "s", cmd_assign,
	                     _("assign [NAME]: you (or NAME) handle this conversation."));
	bdm_desk_add_command("unassign", "", cmd_unassign,
	                     _("unassign: nobody handles this conversation."));
	bdm_desk_add_command("handover", "s", cmd_handover,
	                     _("handover NAME[: NOTE]: hand this conversation to a colleague."));
	purple_signal_connect(bdm_signals_handle(), BDM_SIGNAL_REPLY_CONFIRMED, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_reply_confirmed), NULL);
}
