/*
 * The desk's shared state and the message hooks poll.c and send.c call.
 * See desk.h.
 */
#include <string.h>
#include <glib/gstdio.h>

#include <account.h>
#include <conversation.h>
#include <debug.h>
#include <notify.h>
#include <util.h>

#include "branddm/i18n.h"
#include "desk.h"
#include "desk_internal.h"

#define DEBUG_CAT "branddm-desk"
/* Tell the agent about a failing log at most this often. */
#define LOG_ALERT_INTERVAL_S 300

BdmDesk bdm_desk;

static gboolean start_from_loop(gpointer data);

typedef struct {
	char *name;
	char *args;
	PurpleCmdFunc func;
	char *help;
} CommandSpec;

static GPtrArray *command_specs;   /* CommandSpec*, registered for every protocol */
static GArray *command_ids;        /* PurpleCmdId, to unregister */
static GPtrArray *protocol_ids;    /* char*, BrandDM protocols registered so far */

static void command_spec_free(gpointer p)
{
	CommandSpec *c = p;
	g_free(c->name);
	g_free(c->args);
	g_free(c->help);
	g_free(c);
}

static void register_for(const CommandSpec *c, const char *protocol_id)
{
	/* PRPL_ONLY keeps BrandDM commands out of other accounts' conversations. */
	PurpleCmdId id = purple_cmd_register(c->name, c->args, PURPLE_CMD_P_PLUGIN,
	                                     PURPLE_CMD_FLAG_IM | PURPLE_CMD_FLAG_PRPL_ONLY |
	                                     PURPLE_CMD_FLAG_ALLOW_WRONG_ARGS,
	                                     protocol_id, c->func, c->help, NULL);
	g_array_append_val(command_ids, id);
}

void bdm_desk_add_command(const char *name, const char *args, PurpleCmdFunc func,
                          const char *help)
{
	CommandSpec *c = g_new0(CommandSpec, 1);
	guint i;

	c->name = g_strdup(name);
	c->args = g_strdup(args);
	c->func = func;
	c->help = g_strdup(help);
	g_ptr_array_add(command_specs, c);
	for (i = 0; i < protocol_ids->len; i++)
		register_for(c, g_ptr_array_index(protocol_ids, i));
}

void bdm_desk_protocol_added(const char *protocol_id)
{
	guint i;

	if (command_specs == NULL)
		return;
	g_ptr_array_add(protocol_ids, g_strdup(protocol_id));
	for (i = 0; i < command_specs->len; i++)
		register_for(g_ptr_array_index(command_specs, i), protocol_id);
}

void bdm_desk_alert_log_failure(BdmConn *conn, const char *what, const GError *error)
{
	gint64 now = bdm_now();
	char *secondary;

	purple_debug_error(DEBUG_CAT, "%s: %s\n", what, error ? error->message : "log not open");
	if (now - bdm_desk.last_log_alert < LOG_ALERT_INTERVAL_S)
		return;
	bdm_desk.last_log_alert = now;
	secondary = g_strdup_printf(_("%s\n\nIncoming messages are held and replies are refused "
	                              "until the log can be written again (check free disk space "
	                              "and the permissions of %s)."),
	                            error ? error->message : _("The conversation log is not open."),
	                            bdm_desk.log_path ? bdm_desk.log_path : "?");
	purple_notify_error(conn ? (void *)conn->gc : NULL, _("BrandDM conversation log"), what,
	                    secondary);
	g_free(secondary);
}

gboolean bdm_desk_log_available(BdmConn *conn)
{
	if (bdm_desk.log != NULL)
		return TRUE;
	bdm_desk_alert_log_failure(conn, _("The conversation log is not available."),
	                           bdm_desk.log_error);
	return FALSE;
}

gboolean bdm_desk_init(PurplePlugin *plugin)
{
	GError *error = NULL;
	char *dir = g_build_filename(purple_user_dir(), "branddm", NULL);

	memset(&bdm_desk, 0, sizeof(bdm_desk));
	command_specs = g_ptr_array_new_with_free_func(command_spec_free);
	command_ids = g_array_new(FALSE, TRUE, sizeof(PurpleCmdId));
	protocol_ids = g_ptr_array_new_with_free_func(g_free);
	bdm_desk.plugin = plugin;
	bdm_desk.config_dir = dir;
	bdm_desk.log_path = g_build_filename(dir, "log.sqlite", NULL);
	bdm_desk.agent = g_strdup(g_get_user_name());
	bdm_desk.log = bdm_log_open(bdm_desk.log_path, bdm_desk.agent, &error);
	if (bdm_desk.log == NULL) {
		/* Keep loading: protocols must exist, and the agent must be told why
		 * nothing can be sent.  Every send and delivery checks the log. */
		purple_debug_error(DEBUG_CAT, "cannot open the conversation log: %s\n", error->message);
		bdm_desk.log_error = error;
	}
	bdm_desk_policy_init();
	bdm_desk_features_init();
	bdm_desk_retention_init();
	/* Loaders load while libpurple probes plugins, before the conversation and
	 * buddy-list subsystems (and their signals) exist: connect once the core is
	 * up — from the main loop, or at the first login, whichever comes first. */
	bdm_desk.start_timer = purple_timeout_add(0, start_from_loop, NULL);
	return TRUE;
}

static void connect_signals(void)
{
	if (bdm_desk.signals_connected)
		return;
	bdm_desk.signals_connected = TRUE;
	bdm_desk_policy_connect_signals();
	bdm_desk_features_connect_signals();
}

static gboolean start_from_loop(gpointer data)
{
	(void)data;
	bdm_desk.start_timer = 0;
	connect_signals();
	return FALSE;
}

void bdm_desk_ensure_started(void)
{
	if (bdm_desk.plugin != NULL)
		connect_signals();
}

void bdm_desk_shutdown(void)
{
	guint i;

	for (i = 0; command_ids && i < command_ids->len; i++)
		purple_cmd_unregister(g_array_index(command_ids, PurpleCmdId, i));
	if (command_ids)
		g_array_free(command_ids, TRUE);
	if (command_specs)
		g_ptr_array_free(command_specs, TRUE);
	if (protocol_ids)
		g_ptr_array_free(protocol_ids, TRUE);
	command_ids = NULL;
	command_specs = NULL;
	protocol_ids = NULL;
	if (bdm_desk.start_timer)
		purple_timeout_remove(bdm_desk.start_timer);
	/* Signals die with their handle: libpurple drops a plugin's handlers on unload. */
	purple_signals_disconnect_by_handle(bdm_desk.plugin);
	bdm_desk_retention_shutdown();
	bdm_desk_features_shutdown();
	bdm_desk_policy_shutdown();
	bdm_log_close(bdm_desk.log);
	if (bdm_desk.log_error)
		g_error_free(bdm_desk.log_error);
	g_free(bdm_desk.log_path);
	g_free(bdm_desk.config_dir);
	g_free(bdm_desk.agent);
	memset(&bdm_desk, 0, sizeof(bdm_desk));
}

char *bdm_desk_system_path(const char *file)
{
	/* Tests and packagers point this elsewhere; admins use SYSCONFDIR/branddm. */
	const char *dir = g_getenv("BRANDDM_SYSCONFDIR");
	return g_build_filename(dir ? dir : SYSCONFDIR "/branddm", file, NULL);
}

char *bdm_desk_user_path(const char *file)
{
	return g_build_filename(bdm_desk.config_dir, file, NULL);
}

const char *bdm_desk_platform(BdmConn *conn)
{
	return conn->proto->module->platform;
}

const char *bdm_desk_account_id(BdmConn *conn)
{
	return purple_account_get_username(conn->account);
}

gboolean bdm_desk_seen(BdmConn *conn, const char *message_id)
{
	if (bdm_desk.log == NULL || message_id == NULL)
		return FALSE;
	if (bdm_desk_display_interrupted(conn, message_id))
		return FALSE;
	return bdm_log_seen(bdm_desk.log, bdm_desk_platform(conn), bdm_desk_account_id(conn),
	                    message_id);
}

const char *bdm_desk_customer_name(BdmConn *conn, const char *customer_id)
{
	return g_hash_table_lookup(conn->customer_names, customer_id);
}

BdmRecordResult bdm_desk_record_incoming(BdmConn *conn, const BdmMessage *msg,
                                         const char *customer_name)
{
	BdmLogMessage lm = { 0 };
	GError *error = NULL;
	gboolean inserted = FALSE;

	if (!bdm_desk_log_available(conn))
		return BDM_RECORD_FAILED;
	lm.platform = bdm_desk_platform(conn);
	lm.account = bdm_desk_account_id(conn);
	lm.conversation_id = msg->conversation_id;
	lm.customer_id = msg->sender_id;
	lm.customer_name = customer_name;
	lm.direction = BDM_DIR_IN;
	lm.text = msg->text ? msg->text : "";
	lm.platform_message_id = msg->id;
	lm.platform_time = msg->created;
	lm.logged_time = bdm_now();
	if (!bdm_log_message(bdm_desk.log, &lm, &inserted, &error)) {
		bdm_desk_alert_log_failure(conn,
		                           _("A customer message could not be written to the log."),
		                           error);
		g_error_free(error);
		return BDM_RECORD_FAILED;
	}
	return inserted ? BDM_RECORD_NEW : BDM_RECORD_DUPLICATE;
}

BdmRecordResult bdm_desk_record_outgoing(BdmConn *conn, const char *customer_id,
                                         const char *text, const char *message_id,
                                         gint64 platform_time, gboolean automated)
{
	BdmLogMessage lm = { 0 };
	GError *error = NULL;
	gboolean inserted = FALSE;

	if (!bdm_desk_log_available(conn))
		return BDM_RECORD_FAILED;
	lm.platform = bdm_desk_platform(conn);
	lm.account = bdm_desk_account_id(conn);
	lm.customer_id = customer_id;
	lm.customer_name = bdm_desk_customer_name(conn, customer_id);
	lm.direction = BDM_DIR_OUT;
	lm.text = text ? text : "";
	lm.platform_message_id = message_id;
	lm.platform_time = platform_time;
	lm.logged_time = bdm_now();
	lm.automated = automated;
	lm.template_name = bdm_desk_take_template(conn, customer_id, text);
	if (!bdm_log_message(bdm_desk.log, &lm, &inserted, &error)) {
		bdm_desk_alert_log_failure(conn, _("A sent reply could not be written to the log."),
		                           error);
		g_error_free(error);
		return BDM_RECORD_FAILED;
	}
	if (inserted && !automated)
		bdm_desk_reply_sent(conn, customer_id);
	return inserted ? BDM_RECORD_NEW : BDM_RECORD_DUPLICATE;
}

gint64 bdm_desk_last_customer_message(BdmConn *conn, const char *customer_id)
{
	if (bdm_desk.log == NULL)
		return 0;
	return bdm_log_last_customer_message(bdm_desk.log, bdm_desk_platform(conn),
	                                     bdm_desk_account_id(conn), customer_id);
}

gboolean bdm_desk_log_event(BdmConn *conn, const char *kind, const char *customer_id,
                            const char *detail_json, const char *text)
{
	BdmLogEvent ev = { 0 };
	GError *error = NULL;

	if (!bdm_desk_log_available(conn))
		return FALSE;
	ev.kind = kind;
	ev.platform = conn ? bdm_desk_platform(conn) : NULL;
	ev.account = conn ? bdm_desk_account_id(conn) : NULL;
	ev.customer_id = customer_id;
	ev.detail_json = detail_json;
	ev.text = text;
	ev.logged_time = bdm_now();
	if (!bdm_log_event(bdm_desk.log, &ev, &error)) {
		bdm_desk_alert_log_failure(conn, _("A desk event could not be written to the log."),
		                           error);
		g_error_free(error);
		return FALSE;
	}
	return TRUE;
}

void bdm_desk_send_failed(BdmConn *conn, const char *customer_id, const char *text,
                          const BdmError *err)
{
	char *detail = g_strdup_printf("{\"class\":%d,\"code\":%d,\"subcode\":%d}",
	                               err->cls, err->code, err->subcode);
	bdm_desk_log_event(conn, "send_error", customer_id, detail, text);
	g_free(detail);
}

PurpleConversation *bdm_desk_conversation(BdmConn *conn, const char *who)
{
	PurpleConversation *conv =
		purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, who, conn->account);
	if (conv == NULL)
		conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, conn->account, who);
	return conv;
}

char *bdm_desk_text_to_html(const char *text)
{
	char *escaped = purple_markup_escape_text(text ? text : "", -1);
	char *html = purple_strreplace(escaped, "\n", "<br>");

	g_free(escaped);
	return html;
}

void bdm_desk_write_text(PurpleConversation *conv, const char *text, int flags)
{
	char *html = bdm_desk_text_to_html(text);

	/* Our notices are not the conversation: libpurple's own log skips them. */
	purple_conversation_write(conv, NULL, html, (PurpleMessageFlags)flags | PURPLE_MESSAGE_NO_LOG,
	                          time(NULL));
	g_free(html);
}

void bdm_desk_notice(BdmConn *conn, const char *who, const char *text, int flags)
{
	bdm_desk_write_text(bdm_desk_conversation(conn, who), text, flags);
}
