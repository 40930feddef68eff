/*
 * A dummy libpurple protocol for testing bdm-testclient itself.
 *
 * It needs no network: login connects at once, send_im echoes the text back
 * after a short delay, and a few hooks (protocol actions, /commands, an IPC
 * command) exercise every path of the client.  Built as
 * build/tests/plugins/dummy.so; protocol id "prpl-bdmtest-dummy".
 *
 *   password "wrong"       login fails with authentication-failed
 *   option echo_prefix     string prepended to echoes (default "echo: ")
 *   option echo_delay_ms   echo delay in ms (default 50)
 *   option echo_enabled    bool, FALSE: sent messages vanish silently
 *   buddy "alice"          added at login, server alias "Alice Example"
 *   actions                "Ask a question" (request_action), "Ask for text"
 *                          (request_input), "Show notice" (notify_info),
 *                          "Drop connection" (network error), "Print to
 *                          stdout" (a stray printf the client must divert)
 *   /dummyecho TEXT        writes TEXT as a system message
 *   /dummycompose TEXT     puts TEXT in the compose box (BDM_COMPOSE_KEY)
 *   IPC "echo-args"        returns its three string arguments joined by "|"
 *   IPC "echo-one"         returns its one argument in brackets
 *   IPC "count-args"       returns an int: the client must refuse to call it
 */
#include <stdio.h>
#include <string.h>

#include <purple.h>

#include "client.h"

#define DUMMY_ID "prpl-bdmtest-dummy"
#define DUMMY_BUDDY "alice"
#define DUMMY_BUDDY_ALIAS "Alice Example"
#define DUMMY_GROUP "Dummy customers"

/* Per-connection state (gc->proto_data). */
typedef struct {
	PurpleConnection *gc;
	GSList *echoes;         /* PendingEcho* not yet delivered */
} DummyConnection;

/* One echo waiting for its timer. */
typedef struct {
	DummyConnection *conn;
	guint timer;
	char *who;
	char *text;
} PendingEcho;

/* Commands registered while the plugin is loaded. */
typedef struct {
	PurpleCmdId echo;
	PurpleCmdId compose;
} DummyCommands;

static DummyCommands dummy_commands;

static const char *dummy_list_icon(PurpleAccount *account, PurpleBuddy *buddy)
{
	(void)account;
	(void)buddy;
	return "dummy";
}

static GList *dummy_status_types(PurpleAccount *account)
{
	GList *types = NULL;

	(void)account;
	types = g_list_append(types, purple_status_type_new(PURPLE_STATUS_AVAILABLE,
		"available", NULL, TRUE));
	types = g_list_append(types, purple_status_type_new(PURPLE_STATUS_OFFLINE,
		"offline", NULL, TRUE));
	return types;
}

static void add_customer_buddy(PurpleConnection *gc)
{
	PurpleAccount *account = purple_connection_get_account(gc);
	PurpleGroup *group;
	PurpleBuddy *buddy;

	if (purple_find_buddy(account, DUMMY_BUDDY) == NULL) {
		group = purple_find_group(DUMMY_GROUP);
		if (group == NULL) {
			group = purple_group_new(DUMMY_GROUP);
			purple_blist_add_group(group, NULL);
		}
		buddy = purple_buddy_new(account, DUMMY_BUDDY, NULL);
		purple_blist_add_buddy(buddy, NULL, group, NULL);
	}
	serv_got_alias(gc, DUMMY_BUDDY, DUMMY_BUDDY_ALIAS);
}

static void dummy_login(PurpleAccount *account)
{
	PurpleConnection *gc = purple_account_get_connection(account);
	DummyConnection *conn = g_new0(DummyConnection, 1);

	conn->gc = gc;
	purple_connection_set_protocol_data(gc, conn);
	if (g_strcmp0(purple_account_get_password(account), "wrong") == 0) {
		purple_connection_error_reason(gc,
			PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
			"Incorrect password");
		return;
	}
	purple_connection_set_state(gc, PURPLE_CONNECTED);
	add_customer_buddy(gc);
}

static void pending_echo_free(PendingEcho *echo)
{
	if (echo->timer)
		purple_timeout_remove(echo->timer);
	g_free(echo->who);
	g_free(echo->text);
	g_free(echo);
}

static void dummy_close(PurpleConnection *gc)
{
	DummyConnection *conn = purple_connection_get_protocol_data(gc);

	/* Dialogs that would call back into this connection go with it. */
	purple_request_close_with_handle(gc);
	if (conn == NULL)
		return;
	g_slist_free_full(conn->echoes, (GDestroyNotify)pending_echo_free);
	g_free(conn);
	purple_connection_set_protocol_data(gc, NULL);
}

static gboolean deliver_echo(gpointer data)
{
	PendingEcho *echo = data;
	DummyConnection *conn = echo->conn;
	PurpleAccount *account = purple_connection_get_account(conn->gc);
	char *text;

	echo->timer = 0;
	conn->echoes = g_slist_remove(conn->echoes, echo);
	text = g_strconcat(purple_account_get_string(account, "echo_prefix", "echo: "),
	                   echo->text, NULL);
	serv_got_im(conn->gc, echo->who, text, PURPLE_MESSAGE_RECV, time(NULL));
	g_free(text);
	pending_echo_free(echo);
	return FALSE;
}

static int dummy_send_im(PurpleConnection *gc, const char *who, const char *message,
                         PurpleMessageFlags flags)
{
	DummyConnection *conn = purple_connection_get_protocol_data(gc);
	PurpleAccount *account = purple_connection_get_account(gc);
	int delay = purple_account_get_int(account, "echo_delay_ms", 50);
	PendingEcho *echo;

	(void)flags;
	if (!purple_account_get_bool(account, "echo_enabled", TRUE))
		return 1;
	echo = g_new0(PendingEcho, 1);
	echo->conn = conn;
	echo->who = g_strdup(who);
	echo->text = g_strdup(message);
	echo->timer = purple_timeout_add(delay > 0 ? (guint)delay : 0, deliver_echo, echo);
	conn->echoes = g_slist_prepend(conn->echoes, echo);
	return 1;
}

/* ---- protocol actions --------------------------------------------------- */

static void colour_chosen(gpointer data, int index)
{
	PurpleConnection *gc = data;
	char *primary = g_strdup_printf("You picked %s", index == 0 ? "Red" : "Blue");

	purple_notify_info(gc, "Answer", primary, NULL);
	g_free(primary);
}

static void ask_question(PurplePluginAction *action)
{
	PurpleConnection *gc = action->context;

	purple_request_action(gc, "Question", "Pick a colour", "Red or blue?", 1,
	                      purple_connection_get_account(gc), NULL, NULL, gc, 2,
	                      "Red", G_CALLBACK(colour_chosen),
	                      "Blue", G_CALLBACK(colour_chosen));
}

static void text_entered(gpointer data, const char *text)
{
	purple_notify_info(data, "Answer", "You typed", text);
}

static void ask_text(PurplePluginAction *action)
{
	PurpleConnection *gc = action->context;

	purple_request_input(gc, "Question", "Type something", NULL, "default text",
	                     FALSE, FALSE, NULL, "OK", G_CALLBACK(text_entered),
	                     "Cancel", NULL, purple_connection_get_account(gc),
	                     NULL, NULL, gc);
}

static void show_notice(PurplePluginAction *action)
{
	purple_notify_info(action->context, "Notice", "Dummy notice",
	                   "<b>bold</b> & \"quoted\"");
}

static void drop_connection(PurplePluginAction *action)
{
	purple_connection_error_reason(action->context,
		PURPLE_CONNECTION_ERROR_NETWORK_ERROR, "Dummy connection dropped");
}

static void print_to_stdout(PurplePluginAction *action)
{
	(void)action;
	printf("stray output from the dummy protocol\n");
	fflush(stdout);
}

static GList *dummy_actions(PurplePlugin *plugin, gpointer context)
{
	GList *actions = NULL;

	(void)plugin;
	(void)context;
	actions = g_list_append(actions, purple_plugin_action_new("Ask a question", ask_question));
	actions = g_list_append(actions, purple_plugin_action_new("Ask for text", ask_text));
	actions = g_list_append(actions, NULL);  /* a separator, as Pidgin shows it */
	actions = g_list_append(actions, purple_plugin_action_new("Show notice", show_notice));
	actions = g_list_append(actions, purple_plugin_action_new("Drop connection", drop_connection));
	actions = g_list_append(actions, purple_plugin_action_new("Print to stdout", print_to_stdout));
	return actions;
}

/* ---- commands and IPC --------------------------------------------------- */

static PurpleCmdRet echo_cmd(PurpleConversation *conv, const char *cmd, char **args, char **error,
                             void *data)
{
	(void)cmd;
	(void)error;
	(void)data;
	purple_conversation_write(conv, NULL, args[0], PURPLE_MESSAGE_SYSTEM, time(NULL));
	return PURPLE_CMD_RET_OK;
}

static PurpleCmdRet compose_cmd(PurpleConversation *conv, const char *cmd, char **args,
                                char **error, void *data)
{
	(void)cmd;
	(void)data;
	if (args[0][0] == '\0') {
		*error = g_strdup("nothing to compose");
		return PURPLE_CMD_RET_FAILED;
	}
	g_free(purple_conversation_get_data(conv, BDM_COMPOSE_KEY));
	purple_conversation_set_data(conv, BDM_COMPOSE_KEY, g_strdup(args[0]));
	return PURPLE_CMD_RET_OK;
}

/* libpurple 2.14 has no POINTER__POINTER_POINTER_POINTER marshaller; a
 * three-string IPC command brings its own, like this one.  Marshallers
 * pass the signal data as an extra last argument (NULL for IPC). */
static void
marshal_POINTER__POINTER_POINTER_POINTER(PurpleCallback cb, va_list args,
                                         void *data, void **return_val)
{
	void *first = va_arg(args, void *);
	void *second = va_arg(args, void *);
	void *third = va_arg(args, void *);
	void *answer;

	answer = ((void *(*)(void *, void *, void *, void *))cb)(first, second,
	                                                         third, data);
	if (return_val != NULL)
		*return_val = answer;
}

static char *ipc_echo_args(const char *a, const char *b, const char *c, void *data)
{
	(void)data;
	return g_strdup_printf("%s|%s|%s", a ? a : "(null)", b ? b : "(null)",
	                       c ? c : "(null)");
}

static char *ipc_echo_one(const char *a, void *data)
{
	(void)data;
	return g_strdup_printf("[%s]", a ? a : "(null)");
}

static int ipc_count_args(const char *a, const char *b, const char *c, void *data)
{
	(void)data;
	return (a != NULL) + (b != NULL) + (c != NULL);
}

static gboolean dummy_load(PurplePlugin *plugin)
{
	PurpleCmdFlag flags = PURPLE_CMD_FLAG_IM | PURPLE_CMD_FLAG_PRPL_ONLY;

	dummy_commands.echo = purple_cmd_register("dummyecho", "s", PURPLE_CMD_P_PRPL,
		flags, DUMMY_ID, echo_cmd, "dummyecho &lt;text&gt;: show text", NULL);
	dummy_commands.compose = purple_cmd_register("dummycompose", "s", PURPLE_CMD_P_PRPL,
		flags, DUMMY_ID, compose_cmd, "dummycompose &lt;text&gt;: fill the entry", NULL);
	purple_plugin_ipc_register(plugin, "echo-args", PURPLE_CALLBACK(ipc_echo_args),
		marshal_POINTER__POINTER_POINTER_POINTER,
		purple_value_new(PURPLE_TYPE_STRING), 3,
		purple_value_new(PURPLE_TYPE_STRING), purple_value_new(PURPLE_TYPE_STRING),
		purple_value_new(PURPLE_TYPE_STRING));
	purple_plugin_ipc_register(plugin, "echo-one", PURPLE_CALLBACK(ipc_echo_one),
		purple_marshal_POINTER__POINTER, purple_value_new(PURPLE_TYPE_STRING), 1,
		purple_value_new(PURPLE_TYPE_STRING));
	purple_plugin_ipc_register(plugin, "count-args", PURPLE_CALLBACK(ipc_count_args),
		purple_marshal_INT__POINTER_POINTER_POINTER, purple_value_new(PURPLE_TYPE_INT),
		3, purple_value_new(PURPLE_TYPE_STRING), purple_value_new(PURPLE_TYPE_STRING),
		purple_value_new(PURPLE_TYPE_STRING));
	return TRUE;
}

static gboolean dummy_unload(PurplePlugin *plugin)
{
	purple_cmd_unregister(dummy_commands.echo);
	purple_cmd_unregister(dummy_commands.compose);
	purple_plugin_ipc_unregister_all(plugin);
	return TRUE;
}

static PurplePluginProtocolInfo dummy_prpl_info = {
	.options = 0,
	.icon_spec = NO_BUDDY_ICONS,
	.list_icon = dummy_list_icon,
	.status_types = dummy_status_types,
	.login = dummy_login,
	.close = dummy_close,
	.send_im = dummy_send_im,
	.struct_size = sizeof(PurplePluginProtocolInfo),
};

static PurplePluginInfo dummy_info = {
	.magic = PURPLE_PLUGIN_MAGIC,
	.major_version = PURPLE_MAJOR_VERSION,
	.minor_version = PURPLE_MINOR_VERSION,
	.type = PURPLE_PLUGIN_PROTOCOL,
	.priority = PURPLE_PRIORITY_DEFAULT,
	.id = DUMMY_ID,
	.name = "BrandDM test dummy",
	.version = "1",
	.summary = "Echoing protocol for the BrandDM test client",
	.description = "Connects without a network and echoes every message back.",
	.author = "BrandDM",
	.homepage = "",
	.load = dummy_load,
	.unload = dummy_unload,
	.extra_info = &dummy_prpl_info,
	.actions = dummy_actions,
};

static void dummy_init(PurplePlugin *plugin)
{
	PurpleAccountOption *option;
	GList *options = NULL;

	(void)plugin;
	option = purple_account_option_string_new("Echo prefix", "echo_prefix", "echo: ");
	options = g_list_append(options, option);
	option = purple_account_option_int_new("Echo delay (ms)", "echo_delay_ms", 50);
	options = g_list_append(options, option);
	option = purple_account_option_bool_new("Echo messages", "echo_enabled", TRUE);
	options = g_list_append(options, option);
	dummy_prpl_info.protocol_options = options;
}

PURPLE_INIT_PLUGIN(bdmtest_dummy, dummy_init, dummy_info)
