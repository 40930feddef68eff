/*
 * /history [N]: the last messages with this customer, from BrandDM's own
 * log, shown in the conversation as earlier messages, so an agent who meets
 * "any news?" sees what it is about.  They are notices: libpurple's own log
 * skips them, and nothing is sent.
 */
#include <stdlib.h>
#include <string.h>

#include <cmds.h>
#include <conversation.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "desk_internal.h"
#include "journal.h"
#include "log_read.h"
#include "notice.h"

#define HISTORY_DEFAULT 20
#define HISTORY_MAX 500

/* The last n messages with customer on conn's account as lines, oldest
 * first; the cursor streams, only n lines are kept. */
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
		GDateTime *when;
		char *stamp;

		if (strcmp(r->kind, "message") != 0 || r->erased || r->text == NULL)
			continue;
		when = g_date_time_new_from_unix_local(r->platform_time > 0 ? r->platform_time
		                                                            : r->logged_time);
		stamp = when ? g_date_time_format(when, "%Y-%m-%d %H:%M") : g_strdup("?");
		/* TRANSLATORS: an earlier message shown by /history: time, who, text. */
		g_queue_push_tail(lines, g_strdup_printf(_("[earlier, %s] %s: %s"), stamp,
		                                         r->direction == BDM_DIR_OUT ? _("brand")
		                                         : (r->customer_name ? r->customer_name
		                                                             : customer),
		                                         r->text));
		if (lines->length > n)
			g_free(g_queue_pop_head(lines));
		g_free(stamp);
		if (when)
			g_date_time_unref(when);
	}
	bdm_log_cursor_free(cursor);
	return lines;
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
	GList *l;

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
		g_queue_free_full(lines, g_free);
		return PURPLE_CMD_RET_FAILED;
	}
	if (g_queue_is_empty(lines))
		bdm_notice_write(pconv, _("No earlier messages with this customer in the log."),
		                 PURPLE_MESSAGE_SYSTEM);
	for (l = lines->head; l != NULL; l = l->next)
		bdm_notice_write(pconv, l->data, PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_DELAYED);
	g_queue_free_full(lines, g_free);
	return PURPLE_CMD_RET_OK;
}

void bdm_desk_history_init(void)
{
	bdm_desk_add_command("history", "s", cmd_history,
	                     _("history [N]: show the last N messages with this customer from "
	                       "BrandDM's log (default 20)."));
}
