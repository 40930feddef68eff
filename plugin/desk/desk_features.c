/*
 * Templates, escalation tagging and response-time targets in libpurple:
 * the configuration they share, and the features' reactions to what the
 * host announces (host_signals.h).  The features themselves live in
 * desk_templates.c, desk_escalation.c, desk_sla.c, desk_webhook.c and
 * desk_autoreply.c.
 */
#include <stdarg.h>
#include <string.h>

#include <account.h>
#include <connection.h>
#include <conversation.h>
#include <debug.h>
#include <notify.h>
#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "host_signals.h"

#define DEBUG_CAT "branddm-desk"
/* The key the UIs' compose-box helpers read (see tests/client/client.h). */
#define COMPOSE_KEY "branddm-compose"
/* Customer messages older than this are history, not work (see below). */
#define STALE_MESSAGE_S (7 * 24 * 3600)

static struct {
	BdmDeskConfig *config;
	BdmTemplates *templates;
	char *agent_name;
	GString *load_problems;   /* told to the agent once the UI is up */
} feat;

const BdmDeskConfig *bdm_desk_config(void)
{
	return feat.config;
}

const BdmTemplates *bdm_desk_templates(void)
{
	return feat.templates;
}

const char *bdm_desk_agent_name(void)
{
	return feat.agent_name;
}

static void note_problem(const char *text)
{
	purple_debug_error(DEBUG_CAT, "%s\n", text);
	if (feat.load_problems->len)
		g_string_append(feat.load_problems, "\n\n");
	g_string_append(feat.load_problems, text);
}

static void load_desk_config(void)
{
	char *system_path = bdm_desk_system_path("desk.conf");
	char *user_path = bdm_desk_user_path("desk.conf");
	GError *error = NULL;

	feat.config = bdm_desk_config_load(system_path, user_path, &error);
	if (feat.config == NULL) {
		/* Refused whole, never half-used; the defaults at least escalate
		 * legal threats, and the agent is told why settings are missing. */
		char *text = g_strdup_printf(_("The desk settings could not be read, built-in "
		                               "defaults are used instead: %s"), error->message);
		note_problem(text);
		bdm_journal_event(NULL, "desk_config_error", NULL, NULL, error->message);
		g_free(text);
		g_error_free(error);
		feat.config = bdm_desk_config_new_default();
	}
	g_free(user_path);
	g_free(system_path);
}

gboolean bdm_desk_templates_reload(char **message)
{
	char *system_path = bdm_desk_system_path("templates.conf");
	char *user_path = bdm_desk_user_path("templates.conf");
	GError *error = NULL;
	BdmTemplates *fresh = bdm_templates_load(system_path, user_path, &error);
	GPtrArray *names;

	g_free(user_path);
	g_free(system_path);
	if (fresh == NULL) {
		if (message)
			*message = g_strdup_printf(_("The templates could not be read, the previous "
			                             "templates stay in use: %s"), error->message);
		purple_debug_error(DEBUG_CAT, "templates not reloaded: %s\n", error->message);
		bdm_journal_event(NULL, "template_error", NULL, NULL, error->message);
		g_error_free(error);
		if (feat.templates == NULL)
			feat.templates = bdm_templates_load(NULL, NULL, NULL);
		return FALSE;
	}
	bdm_templates_free(feat.templates);
	feat.templates = fresh;
	names = bdm_templates_list(fresh, NULL);
	if (message)
		*message = g_strdup_printf(dngettext(GETTEXT_PACKAGE, "%u template loaded.",
		                                     "%u templates loaded.", names->len),
		                           names->len);
	g_ptr_array_unref(names);
	return TRUE;
}

static void connect_host(PurplePlugin *host);

void bdm_desk_features_init(void)
{
	const char *real = g_get_real_name();
	char *problem = NULL;

	memset(&feat, 0, sizeof(feat));
	feat.load_problems = g_string_new(NULL);
	load_desk_config();
	/* What the agent calls themselves ([team] agent) wins; GLib answers
	 * "Unknown" when the OS account has no real name. */
	if (bdm_desk_config_team_agent(feat.config) != NULL)
		feat.agent_name = g_strdup(bdm_desk_config_team_agent(feat.config));
	else
		feat.agent_name = g_strdup(real && *real && strcmp(real, "Unknown") != 0
		                           ? real : g_get_user_name());
	bdm_desk_conv_init();
	if (!bdm_desk_templates_reload(&problem))
		note_problem(problem);
	g_free(problem);
	/* A UI-specific helper puts the text into Pidgin's or Finch's entry. */
	purple_signal_register(bdm_desk.plugin, "branddm-compose-insert",
	                       purple_marshal_VOID__POINTER_POINTER, NULL, 2,
	                       purple_value_new(PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_CONVERSATION),
	                       purple_value_new(PURPLE_TYPE_STRING));
	bdm_desk_templates_init();
	bdm_desk_escalation_init();
	bdm_desk_assign_init();
	bdm_desk_history_init();
	bdm_desk_search_init();
	bdm_desk_sla_init();
	connect_host(bdm_signals_handle());
}

/* An account came online: show its conversations' badges and give the
 * response-time alerts that fell due while it was away. */
static void on_account_connected(PurpleAccount *account, gpointer data)
{
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));
	GPtrArray *convs;
	guint i;

	(void)data;
	if (conn == NULL)
		return;
	convs = bdm_desk_conv_list(bdm_conn_platform(conn), bdm_conn_account_id(conn));
	for (i = 0; i < convs->len; i++)
		bdm_desk_conv_refresh_alias(g_ptr_array_index(convs, i), conn->account);
	g_ptr_array_unref(convs);
	bdm_desk_sla_reschedule();
}

/* The compose string belongs to the window; Pidgin and Finch do not know
 * the key, so free it here (the test client does too: both clear it). */
static void on_deleting_conversation(PurpleConversation *conv, gpointer data)
{
	(void)data;
	/* Before anything of conv is gone: its template dialogs call back into it. */
	bdm_desk_template_ask_close(conv);
	g_free(purple_conversation_get_data(conv, COMPOSE_KEY));
	purple_conversation_set_data(conv, COMPOSE_KEY, NULL);
}

void bdm_desk_compose_put(PurpleConversation *conv, const char *text)
{
	/* The UI owns the string from here; a previous one is ours to free. */
	g_free(purple_conversation_get_data(conv, COMPOSE_KEY));
	purple_conversation_set_data(conv, COMPOSE_KEY, g_strdup(text));
	purple_signal_emit(bdm_desk.plugin, "branddm-compose-insert", conv, text);
}

static void incoming_shown(BdmConn *conn, const char *customer_id, const char *text,
                           const char *message_id)
{
	BdmDeskConv *conv = bdm_desk_conv_of(conn, customer_id);
	gint64 sent = bdm_journal_last_customer_message(conn, customer_id);

	bdm_desk_conv_set_last_text(conv, text);
	if (conv->status == BDM_CONV_RESOLVED) {
		GError *error = NULL;

		/* The customer wrote again: a resolved conversation is open anew. */
		conv->status = BDM_CONV_OPEN;
		if (!bdm_desk_conv_save(conv, BDM_CONV_STATUS, &error)) {
			purple_debug_error(DEBUG_CAT, "reopening not stored: %s\n", error->message);
			g_error_free(error);
		}
	}
	if (sent <= 0)
		sent = bdm_now();
	/* The first poll of a new account delivers its whole history: messages
	 * no platform lets the brand answer any more (HUMAN_AGENT ends after
	 * 7 days) neither start a clock nor page a department. */
	if (bdm_now() - sent > STALE_MESSAGE_S)
		return;
	bdm_desk_sla_inbound(conv, sent);
	bdm_desk_escalation_incoming(conn, conv, text, message_id);
	bdm_desk_autoreply_incoming(conn, conv);
}

/* Customer messages start the clock and run the triggers and the
 * acknowledgement; a brand message seen by polling (another tool) is an
 * answer as much as one sent from here. */
static void on_message_shown(PurpleAccount *account, const BdmDelivery *d, gpointer data)
{
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));

	(void)data;
	if (conn == NULL)
		return;
	if (d->from_brand && !bdm_desk_team_automated(d))
		bdm_desk_sla_stop(bdm_desk_conv_of(conn, d->customer_id), FALSE);
	else
		incoming_shown(conn, d->customer_id, d->text, d->message_id);
}

/* A human reply went out: stop the customer's response-time clock.  An
 * automatic one does not answer the customer. */
static void on_reply_confirmed(PurpleAccount *account, const BdmDelivery *d, gpointer data)
{
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));

	(void)data;
	if (conn != NULL && !d->automated)
		bdm_desk_sla_stop(bdm_desk_conv_of(conn, d->customer_id), FALSE);
}

static void connect_host(PurplePlugin *host)
{
	purple_signal_connect(host, BDM_SIGNAL_ACCOUNT_CONNECTED, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_account_connected), NULL);
	purple_signal_connect(host, BDM_SIGNAL_MESSAGE_SHOWN, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_message_shown), NULL);
	purple_signal_connect(host, BDM_SIGNAL_REPLY_CONFIRMED, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_reply_confirmed), NULL);
}

void bdm_desk_features_connect_signals(void)
{
	bdm_desk_history_connect_signals();
	purple_signal_connect(purple_conversations_get_handle(), "deleting-conversation",
	                      bdm_desk.plugin, PURPLE_CALLBACK(on_deleting_conversation), NULL);
	if (feat.load_problems->len)
		purple_notify_error(bdm_desk.plugin, _("BrandDM desk settings"),
		                    _("Some desk settings could not be loaded."),
		                    feat.load_problems->str);
	g_string_truncate(feat.load_problems, 0);
}

void bdm_desk_features_shutdown(void)
{
	bdm_desk_search_shutdown();
	bdm_desk_webhook_shutdown();
	bdm_desk_sla_shutdown();
	bdm_desk_templates_shutdown();
	bdm_desk_conv_shutdown();
	purple_signal_unregister(bdm_desk.plugin, "branddm-compose-insert");
	bdm_templates_free(feat.templates);
	bdm_desk_config_free(feat.config);
	g_free(feat.agent_name);
	if (feat.load_problems)
		g_string_free(feat.load_problems, TRUE);
	memset(&feat, 0, sizeof(feat));
}

char *bdm_desk_json_detail(const char *first, ...)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	const char *spec;
	char *json;
	va_list ap;

	json_builder_begin_object(b);
	va_start(ap, first);
	for (spec = first; spec != NULL; spec = va_arg(ap, const char *)) {
		json_builder_set_member_name(b, spec + 2);
		if (spec[0] == 's') {
			const char *value = va_arg(ap, const char *);
			if (value != NULL)
				json_builder_add_string_value(b, value);
			else
				json_builder_add_null_value(b);
		} else if (spec[0] == 'i') {
			json_builder_add_int_value(b, va_arg(ap, gint64));
		} else {
			json_builder_add_boolean_value(b, va_arg(ap, gboolean));
		}
	}
	va_end(ap);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json = json_to_string(root, FALSE);
	json_node_unref(root);
	g_object_unref(b);
	return json;
}
