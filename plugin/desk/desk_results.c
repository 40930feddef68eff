/*
 * Openable lists in libpurple's search-results window.  See desk_results.h.
 *
 * The button callback gets a row as its strings only (Pidgin rebuilds it
 * from its list store), so each row keeps a copy of its cells beside the
 * conversation it stands for, and a pressed row is found by its cells.
 * Rows with equal cells name the same conversation, so the first match is
 * right.
 */
#include <string.h>

#include <conversation.h>
#include <core.h>
#include <notify.h>

#include "branddm/i18n.h"
#include "conn.h"
#include "desk_features.h"
#include "desk_results.h"

typedef struct {
	char *platform;
	char *account;
	char *customer;
	char **cells;
} ResultRow;

struct BdmResults {
	guint n_columns;
	char **columns;
	GPtrArray *rows;   /* ResultRow* */
};

static void row_free(gpointer data)
{
	ResultRow *row = data;

	g_free(row->platform);
	g_free(row->account);
	g_free(row->customer);
	g_strfreev(row->cells);
	g_free(row);
}

BdmResults *bdm_desk_results_new(const char *const *columns)
{
	BdmResults *results = g_new0(BdmResults, 1);

	results->columns = g_strdupv((char **)columns);
	results->n_columns = g_strv_length(results->columns);
	results->rows = g_ptr_array_new_with_free_func(row_free);
	return results;
}

void bdm_desk_results_add_row(BdmResults *results, const char *platform, const char *account,
                              const char *customer, const char *const *cells)
{
	ResultRow *row = g_new0(ResultRow, 1);
	guint i;

	row->platform = g_strdup(platform);
	row->account = g_strdup(account);
	row->customer = g_strdup(customer);
	row->cells = g_new0(char *, results->n_columns + 1);
	for (i = 0; i < results->n_columns; i++) {
		const char *cell = cells[i] != NULL ? cells[i] : "";

		/* One line per cell: a table row has no room for a customer's paragraphs. */
		row->cells[i] = g_strdelimit(g_utf8_make_valid(cell, -1), "\r\n\t", ' ');
	}
	g_ptr_array_add(results->rows, row);
}

guint bdm_desk_results_count(const BdmResults *results)
{
	return results->rows->len;
}

void bdm_desk_results_free(BdmResults *results)
{
	if (results == NULL)
		return;
	g_strfreev(results->columns);
	g_ptr_array_unref(results->rows);
	g_free(results);
}

gboolean bdm_desk_open_conversation(const char *platform, const char *account,
                                    const char *customer)
{
	BdmConn *conn = bdm_desk_connection_of(platform, account);
	PurpleConversation *conv;

	if (conn == NULL)
		return FALSE;
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, customer, conn->account);
	if (conv == NULL)
		conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, conn->account, customer);
	purple_conversation_present(conv);
	return TRUE;
}

static gboolean cells_equal(char **cells, GList *pressed)
{
	guint i;

	for (i = 0; cells[i] != NULL; i++, pressed = pressed->next)
		if (pressed == NULL || g_strcmp0(cells[i], pressed->data) != 0)
			return FALSE;
	return pressed == NULL;
}

static void on_open(PurpleConnection *gc, GList *pressed, gpointer data)
{
	BdmResults *results = data;
	guint i;

	for (i = 0; i < results->rows->len; i++) {
		ResultRow *row = g_ptr_array_index(results->rows, i);

		if (!cells_equal(row->cells, pressed))
			continue;
		if (!bdm_desk_open_conversation(row->platform, row->account, row->customer))
			purple_notify_error(gc, _("Open conversation"),
			                    _("That conversation's account is not connected."),
			                    _("Connect the account, then open the conversation again."));
		return;
	}
}

gboolean bdm_desk_results_ui_reverses(void)
{
	return g_strcmp0(purple_core_get_ui(), "gnt-purple") == 0;
}

static void on_closed(gpointer data)
{
	bdm_desk_results_free(data);
}

void bdm_desk_results_show(BdmResults *results, PurpleConnection *gc, const char *title,
                           const char *primary, const char *secondary)
{
	PurpleNotifyUiOps *ops = purple_notify_get_ui_ops();
	PurpleNotifySearchResults *table;
	guint i;

	if (gc == NULL || ops == NULL || ops->notify_searchresults == NULL) {
		bdm_desk_results_free(results);
		return;
	}
	table = purple_notify_searchresults_new();
	for (i = 0; i < results->n_columns; i++)
		purple_notify_searchresults_column_add(table,
			purple_notify_searchresults_column_new(results->columns[i]));
	for (i = 0; i < results->rows->len; i++) {
		/* Finch 2.x puts each search-results row at the top of its table,
		 * so it gets them last first: both clients show the same order. */
		guint at = bdm_desk_results_ui_reverses() ? results->rows->len - 1 - i : i;
		ResultRow *row = g_ptr_array_index(results->rows, at);
		GList *cells = NULL;
		guint c;

		for (c = 0; c < results->n_columns; c++)
			cells = g_list_append(cells, g_strdup(row->cells[c]));
		purple_notify_searchresults_row_add(table, cells);
	}
	purple_notify_searchresults_button_add(table, PURPLE_NOTIFY_BUTTON_IM, on_open);
	/* The UI owns table now; on_closed frees results when the window goes
	 * (at once when the UI did not keep one open). */
	purple_notify_searchresults(gc, title, primary, secondary, table, on_closed, results);
}
