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

/* The last n records of messages with customer on conn's account, oldest
 * first (a ring of n over the cursor: a long history streams through). */
static GPtrArray *last_messages(BdmConn *conn, const char *customer, guint n, GError **error)
{
	GPtrArray *ring = g_ptr_array_new_with_free_func(g_free);
	BdmLogQuery q = { 0 };
	BdmLogCursor *cursor;
	const BdmLogRecord *r;
	guint next = 0;

	q.platform = bdm_conn_platform(conn);
	q.account = bdm_conn_account_id(conn);
	q.customer_id = customer;
	cursor = bdm_log_cursor_new(bdm_journal_log(), &q, error);
	while (cursor != NULL && (r = bdm_log_cursor_next(cursor, error)) != NULL) {
		char *line;
		GDateTime *when;
		char *stamp;

		if (strcmp(r->kind, "message") != 0 || r->erased || r->text == NULL)
			continue;
		when = g_date_time_new_from_unix_local(r->platform_time > 0 ? r->platform_time
		                                                            : r->logged_time);
		stamp = when ? g_date_time_format(when, "%Y-%m-%d %H:%M") : g_strdup("?");
		/* TRANSLATORS: an earlier message shown by /history: time, who, text. */
		line = g_strdup_printf(_("[earlier, %s] %s: %s"), stamp,
		                       r->direction == BDM_DIR_OUT ? _("brand")
		                       : (r->customer_name ? r->customer_name : customer),
		                       r->text);
		g_free(stamp);
		if (when)
			g_date_time_unref(when);
		if (ring->len < n) {
			g_ptr_array_add(ring, line);
		} else {
			g_free(g_ptr_array_index(ring, next));
			g_ptr_array_index(ring, next) = line;
		}
		next = (next + 1) % n;
	}
	bdm_log_cursor_free(cursor);
	if (ring->len == n && next != 0) {
		/* Rotate so the oldest comes first. */
		GPtrArray *ordered = g_ptr_array_new_with_free_func(g_free);
		guint i;

		for (i = 0; i < n; i++)
			g_ptr_array_add(ordered, g_ptr_array_index(ring, (next + i) % n));
		g_ptr_array_set_free_func(ring, NULL);
		g_ptr_array_unref(ring);
		ring = ordered;
	}
	return ring;
}

static PurpleCmdRet cmd_history(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                                gchar **error, void *data)
{
	BdmConn *conn;
	BdmDeskConv *conv = bdm_desk_command_conv(pconv, &conn, error);
	GError *read_error = NULL;
	GPtrArray *lines;
	long n = HISTORY_DEFAULT;
	char *end = NULL;
	guint i;

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
		g_ptr_array_unref(lines);
		return PURPLE_CMD_RET_FAILED;
	}
	if (lines->len == 0)
		bdm_notice_write(pconv, _("No earlier messages with this customer in the log."),
		                 PURPLE_MESSAGE_SYSTEM);
	for (i = 0; i < lines->len; i++)
		bdm_notice_write(pconv, g_ptr_array_index(lines, i),
		                 PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_DELAYED);
	g_ptr_array_unref(lines);
	return PURPLE_CMD_RET_OK;
}

void bdm_desk_history_init(void)
{
	bdm_desk_add_command("history", "s", cmd_history,
	                     _("history [N]: show the last N messages with this customer from "
	                       "BrandDM's log (default 20)."));
}
