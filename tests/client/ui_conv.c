/*
 * bdm-testclient: conversation events (see ui_conv.h).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "ui_conv.h"

static char *die_on_write;

void bdm_conv_die_on_write(const char *text)
{
	g_free(die_on_write);
	die_on_write = g_strdup(text);
}

static const char *conv_type_name(PurpleConversation *conv)
{
	return purple_conversation_get_type(conv) == PURPLE_CONV_TYPE_CHAT ? "chat" : "im";
}

static void create_conversation(PurpleConversation *conv)
{
	JsonBuilder *builder = bdm_event_begin("conversation");

	bdm_event_add_account(builder, purple_conversation_get_account(conv));
	bdm_event_add_string(builder, "conv", purple_conversation_get_name(conv));
	bdm_event_add_string(builder, "type", conv_type_name(conv));
	bdm_event_emit(builder);
}

/* write_im and write_chat are left NULL on purpose: libpurple then routes
 * both through purple_conversation_write, which logs, runs the
 * "writing-*-msg" signals and computes the alias before calling this. */
static void write_conv(PurpleConversation *conv, const char *who, const char *alias,
                       const char *message, PurpleMessageFlags flags, time_t mtime)
{
	JsonBuilder *builder = bdm_event_begin("write");

	bdm_event_add_account(builder, purple_conversation_get_account(conv));
	bdm_event_add_string(builder, "conv", purple_conversation_get_name(conv));
	bdm_event_add_string(builder, "type", conv_type_name(conv));
	bdm_event_add_string(builder, "who", who);
	bdm_event_add_string(builder, "alias", alias);
	bdm_event_add_string(builder, "text", message);
	bdm_event_add_message_flags(builder, "flags", flags);
	bdm_event_add_int(builder, "time", (gint64)mtime);
	bdm_event_emit(builder);
	if (die_on_write && message && strstr(message, die_on_write)) {
		fflush(NULL);
		raise(SIGKILL);
	}
}

static PurpleConversationUiOps conv_ui_ops = {
	create_conversation,
	NULL,                   /* destroy_conversation: runs after libpurple freed
	                         * the name and data, so "deleting-conversation"
	                         * does that work */
	NULL,                   /* write_chat */
	NULL,                   /* write_im */
	write_conv,
	NULL,                   /* chat_add_users */
	NULL,                   /* chat_rename_user */
	NULL,                   /* chat_remove_users */
	NULL,                   /* chat_update_user */
	NULL,                   /* present */
	NULL,                   /* has_focus */
	NULL,                   /* custom_smiley_add */
	NULL,                   /* custom_smiley_write */
	NULL,                   /* custom_smiley_close */
	NULL,                   /* send_confirm: libpurple asks via the request API */
	NULL, NULL, NULL, NULL
};

PurpleConversationUiOps *bdm_conv_ui_ops(void)
{
	return &conv_ui_ops;
}

static void received_im_cb(PurpleAccount *account, char *sender, char *message,
                           PurpleConversation *conv, PurpleMessageFlags flags, gpointer data)
{
	JsonBuilder *builder = bdm_event_begin("received-im");

	(void)data;
	bdm_event_add_account(builder, account);
	bdm_event_add_string(builder, "who", sender);
	bdm_event_add_string(builder, "text", message);
	bdm_event_add_string(builder, "conv", conv ? purple_conversation_get_name(conv) : NULL);
	bdm_event_add_message_flags(builder, "flags", flags);
	bdm_event_emit(builder);
}

static void sent_im_cb(PurpleAccount *account, const char *receiver, const char *message,
                       gpointer data)
{
	JsonBuilder *builder = bdm_event_begin("sent-im");

	(void)data;
	bdm_event_add_account(builder, account);
	bdm_event_add_string(builder, "who", receiver);
	bdm_event_add_string(builder, "text", message);
	bdm_event_emit(builder);
}

static void deleting_conversation_cb(PurpleConversation *conv, gpointer data)
{
	JsonBuilder *builder = bdm_event_begin("conversation-closed");

	(void)data;
	bdm_event_add_account(builder, purple_conversation_get_account(conv));
	bdm_event_add_string(builder, "conv", purple_conversation_get_name(conv));
	bdm_event_emit(builder);

	/* The compose box belongs to the window that is going away. */
	g_free(purple_conversation_get_data(conv, BDM_COMPOSE_KEY));
	purple_conversation_set_data(conv, BDM_COMPOSE_KEY, NULL);
}

void bdm_conv_connect_signals(BdmClient *client)
{
	void *conversations = purple_conversations_get_handle();

	purple_signal_connect(conversations, "deleting-conversation", client,
	                      PURPLE_CALLBACK(deleting_conversation_cb), client);
	purple_signal_connect(conversations, "received-im-msg", client,
	                      PURPLE_CALLBACK(received_im_cb), client);
	purple_signal_connect(conversations, "sent-im-msg", client,
	                      PURPLE_CALLBACK(sent_im_cb), client);
}
