/*
 * bdm-testclient: notifications as events (see ui_notify.h).
 */
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

static void *notify_searchresults(PurpleConnection *gc, const char *title, const char *primary,
                                  const char *secondary, PurpleNotifySearchResults *results,
                                  gpointer user_data)
{
	JsonBuilder *builder = notify_begin("searchresults", title, primary, secondary);

	(void)user_data;
	bdm_event_add_account(builder, gc ? purple_connection_get_account(gc) : NULL);
	add_search_results(builder, results);
	bdm_event_emit(builder);
	/* The UI owns the results (Pidgin frees them when its window closes);
	 * ours closes now. */
	purple_notify_searchresults_free(results);
	return NULL;
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
	NULL,                   /* close_notify: nothing stays open */
	NULL, NULL, NULL, NULL
};

PurpleNotifyUiOps *bdm_notify_ui_ops(void)
{
	return &notify_ui_ops;
}
