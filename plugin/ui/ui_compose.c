/*
 * Putting desk text into the agent's compose box.  See ui_compose.h.
 */
#include <debug.h>
#include <signals.h>

#include "branddm/i18n.h"
#include "ui_compose.h"

#define DEBUG_CAT "branddm-ui"
#define INSERT_SIGNAL "branddm-compose-insert"

typedef struct {
	PurpleConversation *conv;
	char *text;
} BdmUiPendingInsert;

G_DEFINE_QUARK(branddm-ui-error-quark, bdm_ui_error)

static void pending_free(gpointer p)
{
	BdmUiPendingInsert *pending = p;

	g_free(pending->text);
	g_free(pending);
}

static gboolean flush_pending(gpointer data)
{
	BdmUiCompose *compose = data;
	BdmUiPendingInsert *pending;

	compose->flush_timer = 0;
	while ((pending = g_queue_pop_head(&compose->pending)) != NULL) {
		compose->insert(pending->conv, pending->text);
		pending_free(pending);
	}
	return FALSE;
}

/* Pidgin and Finch clear the entry after a /command returns, and /tpl emits
 * this signal while it runs: inserting now would be wiped at once.  So insert
 * from the main loop, just after the UI has finished with the command line. */
static void on_compose_insert(PurpleConversation *conv, const char *text, gpointer data)
{
	BdmUiCompose *compose = data;
	BdmUiPendingInsert *pending;

	if (conv == NULL || text == NULL || *text == '\0')
		return;
	pending = g_new0(BdmUiPendingInsert, 1);
	pending->conv = conv;
	pending->text = g_strdup(text);
	g_queue_push_tail(&compose->pending, pending);
	if (compose->flush_timer == 0)
		compose->flush_timer = purple_timeout_add(0, flush_pending, compose);
}

/* A conversation closed before its insert ran must not be touched. */
static void on_deleting_conversation(PurpleConversation *conv, gpointer data)
{
	BdmUiCompose *compose = data;
	GList *l = compose->pending.head;

	while (l != NULL) {
		GList *next = l->next;
		BdmUiPendingInsert *pending = l->data;
		if (pending->conv == conv) {
			pending_free(pending);
			g_queue_delete_link(&compose->pending, l);
		}
		l = next;
	}
}

gboolean bdm_ui_compose_start(BdmUiCompose *compose, PurplePlugin *plugin,
                              BdmUiInsertFunc insert, GError **error)
{
	PurplePlugin *desk = purple_plugins_find_with_id(BDM_UI_LOADER_ID);
	gulong id;

	if (desk == NULL || !purple_plugin_is_loaded(desk)) {
		g_set_error(error, BDM_UI_ERROR, BDM_UI_ERROR_NO_DESK,
		            _("The BrandDM plugin (%s) is not loaded."), BDM_UI_LOADER_ID);
		return FALSE;
	}
	compose->plugin = plugin;
	compose->insert = insert;
	g_queue_init(&compose->pending);
	compose->flush_timer = 0;
	id = purple_signal_connect(desk, INSERT_SIGNAL, plugin,
	                           PURPLE_CALLBACK(on_compose_insert), compose);
	if (id == 0) {
		g_set_error(error, BDM_UI_ERROR, BDM_UI_ERROR_NO_SIGNAL,
		            _("This version of BrandDM cannot insert templates into the "
		              "message box (it has no \"%s\" signal)."), INSERT_SIGNAL);
		compose->plugin = NULL;
		return FALSE;
	}
	purple_signal_connect(purple_conversations_get_handle(), "deleting-conversation", plugin,
	                      PURPLE_CALLBACK(on_deleting_conversation), compose);
	purple_debug_info(DEBUG_CAT, "compose box helper attached to %s\n", BDM_UI_LOADER_ID);
	return TRUE;
}

void bdm_ui_compose_stop(BdmUiCompose *compose)
{
	PurplePlugin *desk;

	if (compose->plugin == NULL)
		return;
	desk = purple_plugins_find_with_id(BDM_UI_LOADER_ID);
	/* The desk may already be gone: libpurple dropped its signals with it. */
	if (desk != NULL && purple_plugin_is_loaded(desk))
		purple_signal_disconnect(desk, INSERT_SIGNAL, compose->plugin,
		                         PURPLE_CALLBACK(on_compose_insert));
	purple_signal_disconnect(purple_conversations_get_handle(), "deleting-conversation",
	                         compose->plugin, PURPLE_CALLBACK(on_deleting_conversation));
	if (compose->flush_timer != 0)
		purple_timeout_remove(compose->flush_timer);
	g_queue_clear_full(&compose->pending, pending_free);
	compose->flush_timer = 0;
	compose->plugin = NULL;
}

void bdm_ui_translate_plugin_info(PurplePluginInfo *info)
{
	info->name = (char *)_(info->name);
	info->summary = (char *)_(info->summary);
	info->description = (char *)_(info->description);
}
