/*
 * bdm-testclient: conversation and buddy-list commands (see commands.h).
 *
 * "send" and "command" do what pressing Enter in Pidgin does, one each:
 * send goes through purple_conv_im_send (so every "sending-im-msg" handler
 * runs), command through purple_cmd_do_command.  The client never turns a
 * "/text" into a command by itself; a test decides which path it means.
 */
#include "commands.h"
#include "event.h"
#include "ui_blist.h"
#include "ui_conv.h"

/* The IM conversation with args' "who" on args' account; created when
 * create is TRUE, as typing to someone in the buddy list would. */
static PurpleConversation *arg_im(JsonObject *args, gboolean create, GError **error)
{
	PurpleAccount *account = bdm_arg_account(args, error);
	PurpleConversation *conv;
	const char *who;

	if (account == NULL || (who = bdm_arg_string(args, "who", error)) == NULL)
		return NULL;
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, who, account);
	if (conv == NULL && create)
		conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, account, who);
	if (conv == NULL)
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "no conversation with \"%s\"", who);
	return conv;
}

static void add_conv(JsonBuilder *result, PurpleConversation *conv)
{
	bdm_event_add_account(result, purple_conversation_get_account(conv));
	bdm_event_add_string(result, "conv", purple_conversation_get_name(conv));
}

static gboolean cmd_send(BdmClient *client, JsonObject *args, JsonBuilder *result, GError **error)
{
	gboolean from_compose = FALSE, html = FALSE;
	PurpleConversation *conv;
	const char *text;
	char *message;

	(void)client;
	/* The entry is greyed out in Pidgin while offline; refusing here keeps
	 * a test from believing a message went out when libpurple dropped it. */
	if (bdm_arg_connection(args, error) == NULL ||
	    !bdm_arg_string_opt(args, "text", &text, error) ||
	    !bdm_arg_bool_opt(args, "compose", &from_compose, error) ||
	    !bdm_arg_bool_opt(args, "html", &html, error))
		return FALSE;
	if ((text == NULL) == !from_compose) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "give either \"text\" or \"compose\": true");
		return FALSE;
	}
	if ((conv = arg_im(args, TRUE, error)) == NULL)
		return FALSE;
	if (from_compose) {
		/* Enter sends and empties the box; an empty box sends nothing. */
		message = purple_conversation_get_data(conv, BDM_COMPOSE_KEY);
		purple_conversation_set_data(conv, BDM_COMPOSE_KEY, NULL);
		if (message == NULL || *message == '\0') {
			g_free(message);
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
			            "the compose box is empty");
			return FALSE;
		}
	} else if (html) {
		message = g_strdup(text);
	} else {
		/* What the UIs' entries do with typed text: "<soon>" is text, not markup. */
		message = purple_markup_escape_text(text, -1);
	}
	add_conv(result, conv);
	bdm_event_add_string(result, "text", message);
	purple_conv_im_send(PURPLE_CONV_IM(conv), message);
	g_free(message);
	return TRUE;
}

static const char *cmd_status_name(PurpleCmdStatus status)
{
	switch (status) {
	case PURPLE_CMD_STATUS_OK:
		return "ok";
	case PURPLE_CMD_STATUS_FAILED:
		return "failed";
	case PURPLE_CMD_STATUS_NOT_FOUND:
		return "not-found";
	case PURPLE_CMD_STATUS_WRONG_ARGS:
		return "wrong-args";
	case PURPLE_CMD_STATUS_WRONG_PRPL:
		return "wrong-prpl";
	case PURPLE_CMD_STATUS_WRONG_TYPE:
		return "wrong-type";
	}
	return "unknown";
}

/* ok:true means the command line reached libpurple; whether libpurple ran
 * it is "status" (and "cmd_error"), since tests check refusals too. */
static gboolean cmd_command(BdmClient *client, JsonObject *args, JsonBuilder *result,
                            GError **error)
{
	PurpleConversation *conv;
	PurpleCmdStatus status;
	char *cmd_error = NULL, *markup;
	const char *line;

	(void)client;
	if ((line = bdm_arg_string(args, "line", error)) == NULL ||
	    (conv = arg_im(args, TRUE, error)) == NULL)
		return FALSE;
	if (line[0] == '/') {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "\"line\" is the command without its leading \"/\"");
		return FALSE;
	}
	/* Pidgin passes the plain text and the entry's markup; for typed
	 * text the markup is the escaped text. */
	markup = g_markup_escape_text(line, -1);
	status = purple_cmd_do_command(conv, line, markup, &cmd_error);
	add_conv(result, conv);
	bdm_event_add_string(result, "status", cmd_status_name(status));
	bdm_event_add_string(result, "cmd_error", cmd_error);
	g_free(cmd_error);
	g_free(markup);
	return TRUE;
}

static gboolean cmd_conversations(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                  GError **error)
{
	GList *item;

	(void)client;
	(void)args;
	(void)error;
	json_builder_set_member_name(result, "conversations");
	json_builder_begin_array(result);
	for (item = purple_get_conversations(); item; item = item->next) {
		PurpleConversation *conv = item->data;

		json_builder_begin_object(result);
		add_conv(result, conv);
		bdm_event_add_string(result, "title", purple_conversation_get_title(conv));
		bdm_event_add_string(result, "type",
			purple_conversation_get_type(conv) == PURPLE_CONV_TYPE_CHAT ? "chat" : "im");
		bdm_event_add_string(result, "compose",
			purple_conversation_get_data(conv, BDM_COMPOSE_KEY));
		json_builder_end_object(result);
	}
	json_builder_end_array(result);
	return TRUE;
}

/* What Pidgin and Finch draw from the protocol for a buddy-list row: its
 * emblem and its tooltip's label/value pairs. */
static void add_buddy_decorations(JsonBuilder *result, PurpleBuddy *buddy)
{
	PurpleAccount *account = purple_buddy_get_account(buddy);
	PurplePlugin *prpl = purple_find_prpl(purple_account_get_protocol_id(account));
	PurplePluginProtocolInfo *info = prpl ? PURPLE_PLUGIN_PROTOCOL_INFO(prpl) : NULL;
	PurpleNotifyUserInfo *tooltip;
	GList *l;

	if (info == NULL)
		return;
	bdm_event_add_string(result, "emblem", info->list_emblem ? info->list_emblem(buddy) : NULL);
	json_builder_set_member_name(result, "tooltip");
	json_builder_begin_object(result);
	tooltip = purple_notify_user_info_new();
	if (info->tooltip_text)
		info->tooltip_text(buddy, tooltip, TRUE);
	for (l = purple_notify_user_info_get_entries(tooltip); l != NULL; l = l->next) {
		const char *label = purple_notify_user_info_entry_get_label(l->data);
		const char *value = purple_notify_user_info_entry_get_value(l->data);

		if (label != NULL)
			bdm_event_add_string(result, label, value);
	}
	purple_notify_user_info_destroy(tooltip);
	json_builder_end_object(result);
}

static gboolean cmd_buddies(BdmClient *client, JsonObject *args, JsonBuilder *result,
                            GError **error)
{
	PurpleBlistNode *node;

	(void)client;
	(void)args;
	(void)error;
	json_builder_set_member_name(result, "buddies");
	json_builder_begin_array(result);
	for (node = purple_blist_get_root(); node; node = purple_blist_node_next(node, TRUE)) {
		if (!PURPLE_BLIST_NODE_IS_BUDDY(node))
			continue;
		json_builder_begin_object(result);
		bdm_blist_add_buddy(result, (PurpleBuddy *)node);
		add_buddy_decorations(result, (PurpleBuddy *)node);
		json_builder_end_object(result);
	}
	json_builder_end_array(result);
	return TRUE;
}

static gboolean cmd_compose_get(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                GError **error)
{
	PurpleConversation *conv = arg_im(args, FALSE, error);

	(void)client;
	if (conv == NULL)
		return FALSE;
	add_conv(result, conv);
	bdm_event_add_string(result, "text",
		purple_conversation_get_data(conv, BDM_COMPOSE_KEY));
	return TRUE;
}

/* Close an IM window as the agent would: libpurple destroys the conversation
 * ("deleting-conversation" first), and what plugins hung on it must go. */
static gboolean cmd_conv_close(BdmClient *client, JsonObject *args, JsonBuilder *result,
                               GError **error)
{
	PurpleConversation *conv = arg_im(args, FALSE, error);

	(void)client;
	if (conv == NULL)
		return FALSE;
	add_conv(result, conv);
	purple_conversation_destroy(conv);
	return TRUE;
}

static gboolean cmd_compose_set(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                GError **error)
{
	PurpleConversation *conv;
	const char *text;

	(void)client;
	if (!bdm_arg_string_opt(args, "text", &text, error) ||
	    (conv = arg_im(args, TRUE, error)) == NULL)
		return FALSE;
	g_free(purple_conversation_get_data(conv, BDM_COMPOSE_KEY));
	purple_conversation_set_data(conv, BDM_COMPOSE_KEY, g_strdup(text));
	add_conv(result, conv);
	bdm_event_add_string(result, "text", text);
	return TRUE;
}

/* What another plugin, or libpurple's own away auto-reply, does: straight to
 * serv_send_im, past every "sending-im-msg" handler.  Protocols must still
 * apply their own checks; the result reports serv_send_im's return value. */
static gboolean cmd_serv_send(BdmClient *client, JsonObject *args, JsonBuilder *result,
                              GError **error)
{
	PurpleConnection *gc;
	const char *who, *text;
	gboolean auto_reply = FALSE;
	int ret;

	(void)client;
	if ((gc = bdm_arg_connection(args, error)) == NULL ||
	    (who = bdm_arg_string(args, "who", error)) == NULL ||
	    (text = bdm_arg_string(args, "text", error)) == NULL ||
	    !bdm_arg_bool_opt(args, "auto_reply", &auto_reply, error))
		return FALSE;
	ret = serv_send_im(gc, who, text, auto_reply ? PURPLE_MESSAGE_AUTO_RESP : 0);
	json_builder_set_member_name(result, "returned");
	json_builder_add_int_value(result, ret);
	return TRUE;
}

/* What Pidgin and Finch do while the agent types in a conversation:
 * serv_send_typing with PURPLE_TYPING, then PURPLE_NOT_TYPING. */
static gboolean cmd_typing(BdmClient *client, JsonObject *args, JsonBuilder *result,
                           GError **error)
{
	PurpleConnection *gc;
	const char *who;
	gboolean typing = TRUE;

	(void)client;
	(void)result;
	if ((gc = bdm_arg_connection(args, error)) == NULL ||
	    (who = bdm_arg_string(args, "who", error)) == NULL ||
	    !bdm_arg_bool_opt(args, "typing", &typing, error))
		return FALSE;
	serv_send_typing(gc, who, typing ? PURPLE_TYPING : PURPLE_NOT_TYPING);
	return TRUE;
}

/* Crash right after a given message reaches the screen (see ui_conv.h). */
static gboolean cmd_die_on_write(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                 GError **error)
{
	const char *text;

	(void)client;
	(void)result;
	if ((text = bdm_arg_string(args, "text", error)) == NULL)
		return FALSE;
	bdm_conv_die_on_write(text);
	return TRUE;
}

/* The agent opens a conversation from the buddy list (double-click). */
static gboolean cmd_conv_open(BdmClient *client, JsonObject *args, JsonBuilder *result,
                              GError **error)
{
	PurpleConversation *conv;

	(void)client;
	if ((conv = arg_im(args, TRUE, error)) == NULL)
		return FALSE;
	add_conv(result, conv);
	return TRUE;
}

const BdmCommand bdm_conv_commands[] = {
	{ "conv-open", cmd_conv_open },
	{ "conv-close", cmd_conv_close },
	{ "send", cmd_send },
	{ "serv-send", cmd_serv_send },
	{ "command", cmd_command },
	{ "conversations", cmd_conversations },
	{ "buddies", cmd_buddies },
	{ "compose-get", cmd_compose_get },
	{ "compose-set", cmd_compose_set },
	{ "die-on-write", cmd_die_on_write },
	{ "typing", cmd_typing },
	{ NULL, NULL }
};
