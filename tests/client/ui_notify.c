/*
 * bdm-testclient: notifications as events (see ui_notify.h).
 */
#include <string.h>

#include "client.h"
#include "event.h"
#include "ui_notify.h"

static JsonBuilder *notify_begin(const char *type, const char *title, const char *primary,
                                 const char *secondary)
{
	JsonBuilder *builder = bdm_event_begin("notify");

	bdm_event_add_string(builder, "type", type);
	bdm_event_add_string(builder, "title", title);
	bdm_event_add_string(builder, "primary", primary);
	bdm_event_add_string(builder, "secondary", secondary);
	return builder;
}

static void *notify_message(PurpleNotifyMsgType type, const char *title, const char *primary,
                            const char *secondary)
{
	const char *name = type == PURPLE_NOTIFY_MSG_ERROR ? "error" :
	                   type == PURPLE_NOTIFY_MSG_WARNING ? "warning" : "info";

	bdm_event_emit(notify_begin(name, title, primary, secondary));
	return NULL;
}

static void *notify_email(PurpleConnection *gc, const char *subject, const char *from,
                          const char *to, const char *url)
{
	JsonBuilder *builder = notify_begin("email", subject, from, to);

	bdm_event_add_account(builder, gc ? purple_connection_get_account(gc) : NULL);
	bdm_event_add_string(builder, "url", url);
	bdm_event_emit(builder);
	return NULL;
}

static void *notify_emails(PurpleConnection *gc, size_t count, gboolean detailed,
                           const char **subjects, const char **froms, const char **tos,
                           const char **urls)
{
	JsonBuilder *builder = notify_begin("emails", NULL, NULL, NULL);

	(void)detailed;
	(void)subjects;
	(void)froms;
	(void)tos;
	(void)urls;
	bdm_event_add_account(builder, gc ? purple_connection_get_account(gc) : NULL);
	bdm_event_add_int(builder, "count", (gint64)count);
	bdm_event_emit(builder);
	return NULL;
}

static void *notify_formatted(const char *title, const char *primary, const char *secondary,
                              const char *text)
{
	JsonBuilder *builder = notify_begin("formatted", title, primary, secondary);

	bdm_event_add_string(builder, "text", text);
	bdm_event_emit(builder);
	return NULL;
}

/* Columns and rows as arrays of strings: a protocol's "search" output is
 * what the agent reads, so the test gets all of it. */
static void add_search_results(JsonBuilder *builder, PurpleNotifySearchResults *results)
{
	GList *item, *cell;

	json_builder_set_member_name(builder, "columns");
	json_builder_begin_array(builder);
	for (item = results->columns; item; item = item->next) {
		PurpleNotifySearchColumn *column = item->data;

		json_builder_add_string_value(builder, column->title ? column->title : "");
	}
	json_builder_end_array(builder);
	json_builder_set_member_name(builder, "rows");
	json_builder_begin_array(builder);
	for (item = results->rows; item; item = item->next) {
		json_builder_begin_array(builder);
		for (cell = item->data; cell; cell = cell->next) {
			char *valid = g_utf8_make_valid(cell->data ? cell->data : "", -1);

			json_builder_add_string_value(builder, valid);
			g_free(valid);
		}
		json_builder_end_array(builder);
	}
	json_builder_end_array(builder);
}

/* An open search-results window: it stays until libpurple closes it, and
 * the test presses its buttons with the "search-button" command. */
typedef struct {
	guint id;
	PurpleConnection *gc;
	PurpleNotifySearchResults *results;
	gpointer user_data;
} SearchWindow;

static struct {
	GHashTable *windows;   /* id -> SearchWindow* */
	guint last_id;
} search;

static const char *button_name(const PurpleNotifySearchButton *button)
{
	switch (button->type) {
	case PURPLE_NOTIFY_BUTTON_LABELED: return button->label ? button->label : "";
	case PURPLE_NOTIFY_BUTTON_CONTINUE: return "continue";
	case PURPLE_NOTIFY_BUTTON_ADD: return "add";
	case PURPLE_NOTIFY_BUTTON_INFO: return "info";
	case PURPLE_NOTIFY_BUTTON_IM: return "im";
	case PURPLE_NOTIFY_BUTTON_JOIN: return "join";
	case PURPLE_NOTIFY_BUTTON_INVITE: return "invite";
	}
	return "?";
}

static void search_window_free(gpointer data)
{
	SearchWindow *w = data;

	purple_notify_searchresults_free(w->results);
	g_free(w);
}

static void *notify_searchresults(PurpleConnection *gc, const char *title, const char *primary,
                                  const char *secondary, PurpleNotifySearchResults *results,
                                  gpointer user_data)
{
	JsonBuilder *builder = notify_begin("searchresults", title, primary, secondary);
	SearchWindow *w = g_new0(SearchWindow, 1);
	GList *item;

	if (search.windows == NULL)
		search.windows = g_hash_table_new_full(NULL, NULL, NULL, search_window_free);
	w->id = ++search.last_id;
	w->gc = gc;
	w->results = results;
	w->user_data = user_data;
	g_hash_table_insert(search.windows, GUINT_TO_POINTER(w->id), w);
	bdm_event_add_int(builder, "notify_id", w->id);
	bdm_event_add_account(builder, gc ? purple_connection_get_account(gc) : NULL);
	add_search_results(builder, results);
	json_builder_set_member_name(builder, "buttons");
	json_builder_begin_array(builder);
	for (item = results->buttons; item; item = item->next)
		json_builder_add_string_value(builder, button_name(item->data));
	json_builder_end_array(builder);
	bdm_event_emit(builder);
	return w;
}

static void close_notify(PurpleNotifyType type, void *ui_handle)
{
	SearchWindow *w = ui_handle;
	JsonBuilder *builder;

	if (type != PURPLE_NOTIFY_SEARCHRESULTS || w == NULL || search.windows == NULL)
		return;
	builder = bdm_event_begin("notify-closed");
	bdm_event_add_int(builder, "notify_id", w->id);
	bdm_event_emit(builder);
	g_hash_table_remove(search.windows, GUINT_TO_POINTER(w->id));
}

gboolean bdm_notify_search_button(guint id, const char *name, guint row, GError **error)
{
	SearchWindow *w = search.windows ? g_hash_table_lookup(search.windows,
	                                                       GUINT_TO_POINTER(id)) : NULL;
	GList *item, *cells;

	if (w == NULL) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "no open search results %u", id);
		return FALSE;
	}
	cells = g_list_nth_data(w->results->rows, row);
	if (cells == NULL) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "search results %u have no row %u", id, row);
		return FALSE;
	}
	for (item = w->results->buttons; item; item = item->next) {
		PurpleNotifySearchButton *button = item->data;

		if (strcmp(button_name(button), name) == 0) {
			/* As Pidgin does: the row is handed over as its strings. */
			button->callback(w->gc, cells, w->user_data);
			return TRUE;
		}
	}
	g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
	            "search results %u have no button \"%s\"", id, name);
	return FALSE;
}

void bdm_notify_shutdown(void)
{
	if (search.windows != NULL)
		g_hash_table_destroy(search.windows);
	search.windows = NULL;
}

static void *notify_userinfo(PurpleConnection *gc, const char *who, PurpleNotifyUserInfo *user_info)
{
	JsonBuilder *builder = notify_begin("userinfo", NULL, who, NULL);
	char *text = purple_notify_user_info_get_text_with_newline(user_info, "\n");

	bdm_event_add_account(builder, gc ? purple_connection_get_account(gc) : NULL);
	bdm_event_add_string(builder, "text", text);
	bdm_event_emit(builder);
	g_free(text);
	return NULL;
}

static void *notify_uri(const char *uri)
{
	JsonBuilder *builder = notify_begin("uri", NULL, NULL, NULL);

	bdm_event_add_string(builder, "uri", uri);
	bdm_event_emit(builder);
	return NULL;
}

static PurpleNotifyUiOps notify_ui_ops = {
	notify_message,
	notify_email,
	notify_emails,
	notify_formatted,
	notify_searchresults,
	NULL,                   /* notify_searchresults_new_rows: results are closed */
	notify_userinfo,
	notify_uri,
	close_notify,           /* only search results stay open */
	NULL, NULL, NULL, NULL
};

PurpleNotifyUiOps *bdm_notify_ui_ops(void)
{
	return &notify_ui_ops;
}
