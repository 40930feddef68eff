/*
 * Pre-send policy in libpurple: the "sending-im-msg" check, the same check
 * again in send_im, warnings overridden with /send-anyway, and the agent's
 * acknowledgement of a new policy version.
 *
 * A blocked or warned message is stopped by setting *message to NULL in
 * "sending-im-msg" (conversation.c then sends nothing and echoes nothing);
 * the agent is told in the conversation which rule fired on which part of
 * the text, under one heading: a block is an error, a warning a system
 * notice.  The text goes back into the message box to be edited rather than
 * repeated in the notice, where a long one would push the reason away.
 */
#include <string.h>

#include <account.h>
#include <cmds.h>
#include <conversation.h>
#include <core.h>
#include <debug.h>
#include <notify.h>
#include <request.h>
#include <util.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "desk_internal.h"
#include "module_call.h"
#include "policy.h"

#define DEBUG_CAT "branddm-policy"
#define ACK_STATE_KEY "policy_ack"
#define FINCH_UI "gnt-purple"    /* purple_core_get_ui() in Finch */

typedef struct {
	char *warned_text;     /* last text stopped by a warning */
	char *warned_rules;    /* JSON array of the rule ids that warned */
	char *override_text;   /* text the agent chose to send anyway, once */
} ConvPolicyState;

static struct {
	BdmPolicy *policy;
	GHashTable *convs;     /* "protocol\naccount\nwho" -> ConvPolicyState* */
	gboolean ack_request_open;
} pol;

static void conv_state_free(gpointer p)
{
	ConvPolicyState *s = p;
	g_free(s->warned_text);
	g_free(s->warned_rules);
	g_free(s->override_text);
	g_free(s);
}

char *bdm_desk_conv_key(PurpleAccount *account, const char *who)
{
	return g_strdup_printf("%s\n%s\n%s", purple_account_get_protocol_id(account),
	                       purple_account_get_username(account), purple_normalize(account, who));
}

static ConvPolicyState *conv_state(PurpleAccount *account, const char *who, gboolean create)
{
	char *key = bdm_desk_conv_key(account, who);
	ConvPolicyState *s = g_hash_table_lookup(pol.convs, key);

	if (s == NULL && create) {
		s = g_new0(ConvPolicyState, 1);
		g_hash_table_insert(pol.convs, key, s);
		return s;
	}
	g_free(key);
	return s;
}

const BdmPolicy *bdm_desk_policy(void)
{
	return pol.policy;
}

gboolean bdm_desk_policy_reload(char **message)
{
	GError *error = NULL;
	char *user_path = bdm_desk_user_path("policy.conf");
	char *system_path = bdm_desk_system_path("policy.conf");
	BdmPolicy *fresh;

	fresh = bdm_policy_load(system_path, user_path, &error);
	g_free(user_path);
	g_free(system_path);
	if (fresh == NULL) {
		/* The last good policy stays in force; never fall open. */
		if (message)
			*message = g_strdup_printf(_("The policy file could not be read, the previous "
			                             "policy stays in force: %s"), error->message);
		purple_debug_error(DEBUG_CAT, "policy not reloaded: %s\n", error->message);
		bdm_journal_event(NULL, "policy_error", NULL, NULL, error->message);
		g_error_free(error);
		if (pol.policy == NULL)
			pol.policy = bdm_policy_new_default();
		return FALSE;
	}
	bdm_policy_free(pol.policy);
	pol.policy = fresh;
	if (message)
		*message = g_strdup_printf(_("Policy loaded from %s (version %s)."),
		                           bdm_policy_source(fresh),
		                           bdm_policy_version(fresh) ? bdm_policy_version(fresh) : "-");
	purple_debug_info(DEBUG_CAT, "policy from %s, version %s\n", bdm_policy_source(fresh),
	                  bdm_policy_version(fresh) ? bdm_policy_version(fresh) : "-");
	return TRUE;
}

/* ---- acknowledgement ----------------------------------------------------- */

gboolean bdm_desk_policy_acknowledged(void)
{
	const char *version = bdm_policy_version(pol.policy);
	char *acked;
	gboolean ok;

	/* Built-in defaults carry no version: nothing for the agent to read. */
	if (version == NULL || *version == '\0')
		return TRUE;
	if (bdm_journal_log() == NULL)
		return FALSE;
	acked = bdm_log_state_get(bdm_journal_log(), ACK_STATE_KEY, NULL);
	ok = g_strcmp0(acked, version) == 0;
	g_free(acked);
	return ok;
}

static void ack_accepted(gpointer data, int action)
{
	char *version = data;
	char *detail;
	GError *error = NULL;

	(void)action;
	pol.ack_request_open = FALSE;
	if (g_strcmp0(version, bdm_policy_version(pol.policy)) == 0 && bdm_journal_log() &&
	    bdm_log_state_set(bdm_journal_log(), ACK_STATE_KEY, version, &error)) {
		detail = g_strdup_printf("{\"version\":\"%s\"}", version);
		bdm_journal_event(NULL, "policy_ack", NULL, detail, NULL);
		g_free(detail);
	} else if (error) {
		purple_debug_error(DEBUG_CAT, "acknowledgement not stored: %s\n", error->message);
		g_error_free(error);
	}
	g_free(version);
}

static void ack_declined(gpointer data, int action)
{
	(void)action;
	pol.ack_request_open = FALSE;
	g_free(data);
}

/* A button label for the running UI.  Pidgin reads "_" as the mnemonic;
 * Finch's buttons show it as it is ("_Cancel"), so there it goes ("__" is
 * an underscore in both). */
static char *button_label(const char *mnemonic)
{
	GString *out;
	const char *p;

	if (g_strcmp0(purple_core_get_ui(), FINCH_UI) != 0)
		return g_strdup(mnemonic);
	out = g_string_new(NULL);
	for (p = mnemonic; *p != '\0'; p++) {
		if (*p == '_' && p[1] == '_')
			p++;
		else if (*p == '_')
			continue;
		g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

void bdm_desk_policy_ask_ack(BdmConn *conn)
{
	char *brief, *secondary, *primary, *cancel, *acknowledge;

	if (pol.ack_request_open)
		return;
	/* A few lines, not the whole policy: the dialog must fit an 80x24
	 * terminal and a laptop screen with its buttons in view. */
	brief = bdm_policy_brief(pol.policy);
	secondary = g_strdup_printf("%s%s", brief,
	                            _("Type /policy show in a conversation to read the whole "
	                              "policy."));
	/* Two lines: Finch does not wrap a label, and 80 columns must hold it. */
	primary = g_strdup_printf(_("The message policy has changed (version %s).\n"
	                            "Acknowledge it before sending."), bdm_policy_version(pol.policy));
	cancel = button_label(_("_Cancel"));
	acknowledge = button_label(_("I have read and _acknowledge the policy"));
	/* Headless or unanswered, the request never calls back: sending stays refused. */
	if (purple_request_action(bdm_desk.plugin, _("BrandDM message policy"), primary, secondary,
	                          1, conn->account, NULL, NULL,
	                          g_strdup(bdm_policy_version(pol.policy)), 2,
	                          cancel, G_CALLBACK(ack_declined),
	                          acknowledge, G_CALLBACK(ack_accepted)) != NULL)
		pol.ack_request_open = TRUE;
	g_free(acknowledge);
	g_free(cancel);
	g_free(primary);
	g_free(secondary);
	g_free(brief);
}

/* ---- the check ----------------------------------------------------------- */

static char *window_refusal(BdmConn *conn, const char *who, const char *text, gboolean automated)
{
	BdmSendInput in = { 0 };
	BdmError err = { 0 };
	char *why = NULL;

	in.recipient_id = who;
	in.text = text;
	in.last_customer_message = bdm_journal_last_customer_message(conn, who);
	in.allow_human_agent = purple_account_get_bool(conn->account, "human_agent", FALSE);
	in.automated = automated;
	conn->ctx.now = bdm_now();
	if (bdm_call_check_send(&conn->ctx, &in, &err) != 0 && err.cls == BDM_ERR_WINDOW)
		why = g_strdup(err.message ? err.message : _("The platform's reply window is closed."));
	bdm_error_clear(&err);
	return why;
}

BdmVerdict *bdm_desk_policy_check(BdmConn *conn, const char *who, const char *text,
                                  gboolean automated)
{
	const BdmModule *m = conn->proto->module;
	const BdmDeskConv *conv = bdm_desk_conv_of(conn, who);
	BdmCheckInput in = { 0 };
	BdmVerdict *v;
	char *window = window_refusal(conn, who, text, automated);

	in.text = text;
	in.platform = m->platform;
	in.account = bdm_conn_account_id(conn);
	in.agent = bdm_desk.agent;
	in.customer_has_written = bdm_journal_log() != NULL &&
		bdm_log_customer_has_written(bdm_journal_log(), m->platform, in.account, who);
	in.automated = automated;
	in.text_limit = m->text_limit;
	in.text_limit_in_bytes = m->text_limit_in_bytes;
	in.window_refusal = window;
	if (conv->assigned != NULL && strcmp(conv->assigned, bdm_desk_agent_name()) != 0)
		in.assigned_elsewhere = conv->assigned;
	v = bdm_policy_check(pol.policy, &in);
	g_free(window);
	return v;
}

/* The text of a finding, for the log: sensitive spans never reach the disk. */
static char *masked_text(const BdmVerdict *v, const char *text)
{
	char *copy = g_strdup(text);
	gsize len = strlen(copy);
	guint i;

	for (i = 0; i < v->findings->len; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);
		gsize j;
		if (!g_str_has_prefix(f->rule_id, "sensitive."))
			continue;
		for (j = f->start; j < f->end && j < len; j++)
			if (!g_ascii_isspace(copy[j]) && (copy[j] & 0x80) == 0)
				copy[j] = '*';
	}
	return copy;
}

static void log_verdict(BdmConn *conn, const char *who, const BdmVerdict *v, const char *text)
{
	char *json = bdm_verdict_to_json(v);
	char *masked = masked_text(v, text);

	bdm_journal_event(conn, v->level == BDM_VERDICT_BLOCK ? "block" : "warn", who, json, masked);
	g_free(masked);
	g_free(json);
}

static char *rules_json(const BdmVerdict *v)
{
	GString *s = g_string_new("[");
	guint i;

	for (i = 0; i < v->findings->len; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);
		g_string_append_printf(s, "%s\"%s\"", i ? "," : "", f->rule_id);
	}
	g_string_append_c(s, ']');
	return g_string_free(s, FALSE);
}

/* "/tpll greeting": a command typed wrong must never reach a customer, even
 * from a UI that would send unknown commands as text. */
static char *mistyped_command(const char *text)
{
	const char *p = text + 1;

	if (text[0] != '/' || !g_ascii_isalpha(*p))
		return NULL;
	while (g_ascii_isalnum(*p) || *p == '-' || *p == '_')
		p++;
	if (*p != '\0' && !g_ascii_isspace(*p))
		return NULL;
	return g_strndup(text, p - text);
}

/* A refusal that is not a policy verdict, kept like every block: rule is the
 * id reports count it under.  Not the text: nobody checked what it holds. */
static void log_refusal(BdmConn *conn, const char *who, const char *kind, const char *rule,
                        const char *text)
{
	char *detail = g_strdup_printf("{\"verdict\":\"block\",\"findings\":[{\"rule\":\"%s\","
	                               "\"severity\":\"block\"}],\"length\":%" G_GSIZE_FORMAT "}",
	                               rule, strlen(text));

	bdm_journal_event(conn, kind, who, detail, NULL);
	g_free(detail);
}

/* The notice of a stopped verdict: one heading, the findings, what next.
 * put_back: the text is back in the agent's message box. */
static char *verdict_notice(const BdmVerdict *v, const char *text, gboolean put_back)
{
	char *description = bdm_verdict_describe(v, text), *notice;
	const char *heading, *next;

	if (v->level == BDM_VERDICT_WARN) {
		heading = _("⚠ Check before sending: this message was not sent yet.");
		next = put_back ? _("Your message is back in the message box: change it, or "
		                    "replace it with /send-anyway and your reason to send it "
		                    "unchanged.")
		                : _("To send it unchanged, type /send-anyway followed by your "
		                    "reason.");
	} else {
		heading = _("Not sent: this message breaks the message policy.");
		next = put_back ? _("Your message is back in the message box: correct it and "
		                    "send it again.")
		                : "";
	}
	notice = g_strdup_printf("%s\n%s%s", heading, description, next);
	g_strchomp(notice);
	g_free(description);
	return notice;
}

/* Decide; on refusal *why explains in plain words and *flags says how to
 * show it (a warning is a notice, anything else an error).  record: the
 * agent typed it in a conversation ("sending-im-msg"), so the refusal is
 * logged and the text goes back into the message box.  Consumes an override. */
static gboolean decide(BdmConn *conn, const char *who, const char *text, gboolean automated,
                       gboolean record, char **why, int *flags)
{
	ConvPolicyState *state = conv_state(conn->account, who, FALSE);
	BdmVerdict *v;
	gboolean ok = FALSE;

	*why = NULL;
	*flags = PURPLE_MESSAGE_ERROR;
	{
		char *cmd = mistyped_command(text);
		if (cmd != NULL) {
			*why = g_strdup_printf(_("Not sent: \"%s\" looks like a mistyped command, not a "
			                         "message for the customer. Type /help for the commands; "
			                         "to send text that starts with \"/\", rephrase it."), cmd);
			g_free(cmd);
			if (record)
				log_refusal(conn, who, "refuse", "desk.mistyped_command", text);
			return FALSE;
		}
	}
	if (!bdm_journal_writable(conn)) {
		*why = g_strdup(_("Not sent: the conversation log cannot be written, and every reply "
		                  "must be logged. Ask your administrator."));
		return FALSE;
	}
	if (!bdm_policy_agent_may_send(pol.policy, conn->proto->module->platform,
	                               bdm_conn_account_id(conn), bdm_desk.agent)) {
		*why = g_strdup(_("Not sent: you are not authorised to send on this account; it is "
		                  "read-only for you."));
		if (record)
			log_refusal(conn, who, "block", "agent.unauthorised", text);
		return FALSE;
	}
	if (!automated && !bdm_desk_policy_acknowledged()) {
		bdm_desk_policy_ask_ack(conn);
		*why = g_strdup(_("Not sent: the message policy has changed. Acknowledge it in the "
		                  "dialog that opened (or type /policy ack), then send again."));
		if (record)
			log_refusal(conn, who, "refuse", "policy.not_acknowledged", text);
		return FALSE;
	}
	v = bdm_desk_policy_check(conn, who, text, automated);
	if (v->level == BDM_VERDICT_ALLOW) {
		ok = TRUE;
	} else if (v->level == BDM_VERDICT_WARN && state && state->override_text &&
	           strcmp(state->override_text, text) == 0) {
		ok = TRUE;
		if (!record) {
			/* send_im is the last check: the override is used up. */
			g_free(state->override_text);
			state->override_text = NULL;
		}
	} else {
		if (v->level == BDM_VERDICT_WARN) {
			ConvPolicyState *s = conv_state(conn->account, who, TRUE);
			g_free(s->warned_text);
			g_free(s->warned_rules);
			s->warned_text = g_strdup(text);
			s->warned_rules = rules_json(v);
			/* Not an error: the agent may send it; Pidgin shows errors in red. */
			*flags = PURPLE_MESSAGE_SYSTEM;
		}
		*why = verdict_notice(v, text, record);
		if (record)
			log_verdict(conn, who, v, text);
	}
	bdm_verdict_free(v);
	return ok;
}

gboolean bdm_desk_may_send(BdmConn *conn, const char *who, const char *text,
                           gboolean automated, char **why)
{
	int flags;

	/* Recorded when "sending-im-msg" stopped it; here only bypassing paths arrive. */
	return decide(conn, who, text, automated, FALSE, why, &flags);
}

static gboolean on_sending_im(PurpleAccount *account, const char *who, char **message,
                              gpointer data)
{
	PurpleConnection *gc = purple_account_get_connection(account);
	BdmConn *conn = bdm_conn_of(gc);
	char *text, *why = NULL;
	int flags;

	(void)data;
	if (conn == NULL || message == NULL || *message == NULL)
		return FALSE;
	text = purple_markup_strip_html(*message);
	g_strstrip(text);
	if (*text != '\0' && !decide(conn, who, text, FALSE, TRUE, &why, &flags)) {
		PurpleConversation *conv = bdm_conversation_with(conn, who);

		g_free(*message);
		*message = NULL;
		bdm_notice_write(conv, why, flags);
		/* Pidgin and Finch empty the entry once this signal returns; the
		 * helpers insert from the main loop, after that. */
		bdm_desk_compose_put(conv, text);
		g_free(why);
	}
	g_free(text);
	return FALSE;
}

/* ---- commands ------------------------------------------------------------ */

static PurpleCmdRet cmd_send_anyway(PurpleConversation *conv, const gchar *cmd, gchar **args,
                                    gchar **error, void *data)
{
	PurpleAccount *account = purple_conversation_get_account(conv);
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));
	const char *who = purple_conversation_get_name(conv);
	ConvPolicyState *state = conv_state(account, who, FALSE);
	char *reason, *detail, *rules;
	BdmVerdict *v;

	(void)cmd;
	(void)data;
	if (conn == NULL) {
		*error = g_strdup(_("This account is not connected."));
		return PURPLE_CMD_RET_FAILED;
	}
	if (state == NULL || state->warned_text == NULL) {
		*error = g_strdup(_("There is no warned message to send in this conversation."));
		return PURPLE_CMD_RET_FAILED;
	}
	reason = g_strstrip(g_strdup(args[0] ? args[0] : ""));
	if (*reason == '\0') {
		g_free(reason);
		*error = g_strdup(_("Give a reason: /send-anyway <reason>"));
		return PURPLE_CMD_RET_FAILED;
	}
	/* Only a warning can be overridden; re-check in case the policy changed. */
	v = bdm_desk_policy_check(conn, who, state->warned_text, FALSE);
	if (v->level == BDM_VERDICT_BLOCK) {
		bdm_verdict_free(v);
		g_free(reason);
		*error = g_strdup(_("This message is blocked by the policy and cannot be sent anyway."));
		return PURPLE_CMD_RET_FAILED;
	}
	bdm_verdict_free(v);
	rules = state->warned_rules ? state->warned_rules : g_strdup("[]");
	state->warned_rules = NULL;
	{
		char *reason_json = g_strescape(reason, NULL);
		detail = g_strdup_printf("{\"rules\":%s,\"reason\":\"%s\"}", rules, reason_json);
		g_free(reason_json);
	}
	if (!bdm_journal_event(conn, "override", who, detail, state->warned_text)) {
		g_free(detail);
		g_free(rules);
		g_free(reason);
		*error = g_strdup(_("The override could not be logged, so the message was not sent."));
		return PURPLE_CMD_RET_FAILED;
	}
	g_free(detail);
	g_free(rules);
	g_free(reason);
	g_free(state->override_text);
	state->override_text = state->warned_text;
	state->warned_text = NULL;
	bdm_desk_send_as_agent(conv, state->override_text);
	return PURPLE_CMD_RET_OK;
}

static PurpleCmdRet cmd_policy(PurpleConversation *conv, const gchar *cmd, gchar **args,
                               gchar **error, void *data)
{
	const char *sub = args[0] ? args[0] : "";
	char *text = NULL;

	(void)cmd;
	(void)data;
	if (*sub == '\0' || strcmp(sub, "show") == 0) {
		text = bdm_policy_summary(pol.policy);
	} else if (strcmp(sub, "reload") == 0) {
		bdm_desk_policy_reload(&text);
	} else if (strcmp(sub, "ack") == 0) {
		const char *version = bdm_policy_version(pol.policy);
		if (version == NULL || *version == '\0' || bdm_desk_policy_acknowledged()) {
			text = g_strdup(_("Nothing to acknowledge: the policy in force is acknowledged."));
		} else {
			ack_accepted(g_strdup(version), 1);
			text = g_strdup_printf(_("Policy version %s acknowledged."), version);
		}
	} else {
		*error = g_strdup(_("Usage: /policy [show|reload|ack]"));
		return PURPLE_CMD_RET_FAILED;
	}
	bdm_notice_write(conv, text, PURPLE_MESSAGE_SYSTEM);
	g_free(text);
	return PURPLE_CMD_RET_OK;
}

void bdm_desk_policy_register_commands(void)
{
	bdm_desk_add_command("send-anyway", "s", cmd_send_anyway,
	                     _("send-anyway &lt;reason&gt;: send the message the policy warned "
	                       "about, recording your reason."));
	bdm_desk_add_command("policy", "w", cmd_policy,
	                     _("policy [show|reload|ack]: show the message policy, reload it, or "
	                       "acknowledge a new version."));
}

void bdm_desk_policy_init(void)
{
	pol.convs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, conv_state_free);
	bdm_desk_policy_reload(NULL);
	bdm_desk_policy_register_commands();
}

void bdm_desk_policy_connect_signals(void)
{
	purple_signal_connect(purple_conversations_get_handle(), "sending-im-msg", bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_sending_im), NULL);
}

void bdm_desk_policy_shutdown(void)
{
	if (pol.ack_request_open)
		purple_request_close_with_handle(bdm_desk.plugin);
	bdm_policy_free(pol.policy);
	g_hash_table_destroy(pol.convs);
	memset(&pol, 0, sizeof(pol));
}
