/*
 * Earlier messages with a customer, from BrandDM's own log, shown in the
 * conversation before anything new: when a conversation opens ([desk]
 * history lines of them) and on /history [N].  An agent who meets "any
 * news?" sees what it is about.  They are notices: libpurple's own log
 * skips them, and nothing is sent.
 */
#include <stdlib.h>
#include <string.h>

#include <cmds.h>
#include <conversation.h>
#include <debug.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "desk_internal.h"
#include "journal.h"
#include "log_read.h"
#include "notice.h"
#include "poller.h"

#define DEBUG_CAT "branddm-desk"
#define HISTORY_DEFAULT 20
#define HISTORY_MAX 500

/* Who wrote r, as the history line names them. */
static const char *author_of(const BdmLogRecord *r, const char *customer)
{
	const char *brand = bdm_desk_config_brand(bdm_desk_config());

	if (r->direction == BDM_DIR_OUT)
		return brand != NULL ? brand : _("Brand");
	return r->customer_name != NULL ? r->customer_name : customer;
}

/* One earlier message as shown: its line and its own time. */
typedef struct {
	char *text;
	gint64 when;
} HistoryLine;

static void history_line_free(gpointer data)
{
	HistoryLine *line = data;

	g_free(line->text);
	g_free(line);
}

static char *history_text(const BdmLogRecord *r, const char *customer)
{
	char *stamp = bdm_desk_format_stamp(bdm_desk_record_time(r));
	char *line;

	if (r->direction == BDM_DIR_OUT && r->automated)
		/* TRANSLATORS: an earlier automatic reply: time, brand, text. */
		line = g_strdup_printf(_("[earlier, %s] %s (automatic): %s"), stamp,
		                       author_of(r, customer), r->text);
	else
		/* TRANSLATORS: an earlier message shown by /history: time, who, text. */
		line = g_strdup_printf(_("[earlier, %s] %s: %s"), stamp, author_of(r, customer),
		                       r->text);
	g_free(stamp);
	return line;
}

/* The last n messages with customer on conn's account as HistoryLines, oldest
 * first; the cursor streams, only n lines are kept.  Messages of the
 * delivery turn being shown are left out: they are about to appear anyway. */
static GQueue *last_messages(BdmConn *conn, const char *customer, guint n, GError **error)
{
	GQueue *lines = g_queue_new();
	BdmLogQuery q = { 0 };
	BdmLogCursor *cursor;
	const BdmLogRecord *r;

	q.platform = bdm_conn_platform(conn);
	q.account = bdm_conn_account_id(conn);
	q.customer_id = customer;
	cursor = bdm_log_cursor_new(bdm_journal_log(), &q, error);
	while (cursor != NULL && (r = bdm_log_cursor_next(cursor, error)) != NULL) {
		if (strcmp(r->kind, "message") != 0 || r->erased || r->text == NULL ||
		    bdm_poll_showing(conn, r->platform_message_id))
			continue;
		HistoryLine *line = g_new0(HistoryLine, 1);

		line->text = history_text(r, customer);
		line->when = bdm_desk_record_time(r);
		g_queue_push_tail(lines, line);
		if (lines->length > n)
			history_line_free(g_queue_pop_head(lines));
	}
	bdm_log_cursor_free(cursor);
	return lines;
}

static void write_lines(PurpleConversation *pconv, GQueue *lines)
{
	GList *l;

	for (l = lines->head; l != NULL; l = l->next) {
		const HistoryLine *line = l->data;

		bdm_notice_write_at(pconv, line->text, PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_DELAYED,
		                    (time_t)line->when);
	}
}

static PurpleCmdRet cmd_history(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                                gchar **error, void *data)
{
	BdmConn *conn;
	BdmDeskConv *conv = bdm_desk_command_conv(pconv, &conn, error);
	GError *read_error = NULL;
	GQueue *lines;
	long n = HISTORY_DEFAULT;
	char *end = NULL;

	(void)cmd;
	(void)data;
	if (conv == NULL)
		return PURPLE_CMD_RET_FAILED;
	if (args != NULL && args[0] != NULL && *g_strstrip(args[0]) != '\0') {
		n = strtol(args[0], &end, 10);
		if (*end != '\0' || n < 1 || n > HISTORY_MAX) {
			*error = g_strdup_printf(_("Usage: /history [N], N from 1 to %d."), HISTORY_MAX);
			return PURPLE_CMD_RET_FAILED;
		}
	}
	if (bdm_journal_log() == NULL) {
		*error = g_strdup(_("The conversation log is not open, so there is no history."));
		return PURPLE_CMD_RET_FAILED;
	}
	lines = last_messages(conn, conv->customer, (guint)n, &read_error);
	if (read_error != NULL) {
		*error = g_strdup_printf(_("The history cannot be read: %s"), read_error->message);
		g_error_free(read_error);
		g_queue_free_full(lines, history_line_free);
		return PURPLE_CMD_RET_FAILED;
	}
	if (g_queue_is_empty(lines))
		bdm_notice_write(pconv, _("No earlier messages with this customer in the log."),
		                 PURPLE_MESSAGE_SYSTEM);
	write_lines(pconv, lines);
	g_queue_free_full(lines, history_line_free);
	return PURPLE_CMD_RET_OK;
}

/* A conversation opened (a customer wrote, the agent opened it, an alert
 * needs it): what came before goes first, so nothing new arrives without
 * its context.  Quietly nothing when there is nothing to show. */
static void on_conversation_created(PurpleConversation *pconv, gpointer data)
{
	BdmConn *conn;
	guint n = bdm_desk_config_history_lines(bdm_desk_config());
	GError *error = NULL;
	GQueue *lines;

	(void)data;
	if (n == 0 || purple_conversation_get_type(pconv) != PURPLE_CONV_TYPE_IM ||
	    bdm_journal_log() == NULL)
		return;
	conn = bdm_conn_of(purple_conversation_get_gc(pconv));
	if (conn == NULL)
		return;
	lines = last_messages(conn, purple_conversation_get_name(pconv), n, &error);
	if (error != NULL) {
		purple_debug_warning(DEBUG_CAT, "history not shown: %s\n", error->message);
		g_error_free(error);
	} else {
		write_lines(pconv, lines);
	}
	g_queue_free_full(lines, history_line_free);
}

void bdm_desk_history_init(void)
{
	bdm_desk_add_command("history", "s", cmd_history,
	                     _("history [N]: show the last N messages with this customer from "
	                       "BrandDM's log (default 20)."));
}

void bdm_desk_history_connect_signals(void)
{
	purple_signal_connect(purple_conversations_get_handle(), "conversation-created",
	                      bdm_desk.plugin, PURPLE_CALLBACK(on_conversation_created), NULL);
}
