/*
 * branddm-finch.so: BrandDM's helper inside Finch.
 *
 * The desk in branddm.so is UI-free, so it cannot reach Finch's widgets.
 * This plugin puts the templates the desk expands into the conversation's
 * entry and adds a Templates menu to BrandDM conversation windows (F10).
 * The BrandDM loader loads it when it runs under Finch (see plugin/loader.c).
 */
#include <string.h>

#include <debug.h>
#include <plugin.h>
#include <version.h>

#include <gntentry.h>
#include <gntmenu.h>
#include <gntmenuitem.h>
#include <finch.h>
#include <gntconv.h>
#include <gntplugin.h>

#include "branddm/i18n.h"
#include "ui_compose.h"
#include "ui_templates.h"

#define DEBUG_CAT "branddm-finch"
#define PLUGIN_ID "gnt-branddm-compose"
/* Object data: a conversation's "Templates" menu item; a template item's
 * conversation and template name. */
#define MENU_ITEM_KEY "branddm-templates-item"
#define ITEM_CONV_KEY "branddm-conv"
#define ITEM_NAME_KEY "branddm-template"

typedef struct {
	BdmUiCompose compose;
} FinchHelper;

static FinchConv *finch_conv_of(PurpleConversation *conv)
{
	if (purple_conversation_get_ui_ops(conv) != finch_conv_get_ui_ops())
		return NULL;
	return FINCH_CONV(conv);
}

static void insert_into_entry(PurpleConversation *conv, const char *text)
{
	FinchConv *fc;
	GntEntry *entry;
	const char *current;
	char *combined;

	fc = finch_conv_of(conv);
	if (fc == NULL || fc->entry == NULL)
		return;
	/* One window may hold several conversations with one contact: the text
	 * must go to the entry that sends to this customer. */
	if (fc->active_conv != conv)
		finch_conversation_set_active(conv);
	entry = GNT_ENTRY(fc->entry);
	current = gnt_entry_get_text(entry);
	/* GntEntry has no "insert at cursor": what the agent already typed stays
	 * in front, with a space so two sentences do not run together. */
	if (current == NULL || *current == '\0')
		combined = g_strdup(text);
	else if (g_ascii_isspace(current[strlen(current) - 1]))
		combined = g_strconcat(current, text, NULL);
	else
		combined = g_strconcat(current, " ", text, NULL);
	/* The entry is one line: a line break would hide the rest of the text
	 * from the agent.  Finch sends the entry as escaped text, in which
	 * libpurple turns a line break into a space anyway. */
	g_strdelimit(combined, "\r\n", ' ');
	gnt_entry_set_text(entry, combined);
	g_free(combined);
}

static void on_template_chosen(GntMenuItem *item, gpointer data)
{
	PurpleConversation *conv = g_object_get_data(G_OBJECT(item), ITEM_CONV_KEY);
	const char *name = g_object_get_data(G_OBJECT(item), ITEM_NAME_KEY);

	(void)data;
	/* The window's menu may outlive the conversation it was built for. */
	if (conv != NULL && g_list_find(purple_get_conversations(), conv) != NULL)
		bdm_ui_template_insert(conv, name);
}

/* Items without a callback do nothing when chosen: GNT's "insensitive". */
static void add_inert_item(GntWidget *menu, const char *label)
{
	gnt_menu_add_item(GNT_MENU(menu), gnt_menuitem_new(label));
}

static void fill_templates_menu(GntMenuItem *templates_item, PurpleConversation *conv)
{
	GntWidget *menu = gnt_menu_new(GNT_MENU_POPUP);
	GError *error = NULL;
	BdmTemplates *templates = bdm_ui_templates_load(&error);
	GPtrArray *names;
	guint i;

	if (templates == NULL) {
		char *label = g_strdup_printf(_("Templates could not be read: %s"), error->message);
		add_inert_item(menu, label);
		g_free(label);
		g_error_free(error);
		gnt_menuitem_set_submenu(templates_item, GNT_MENU(menu));
		return;
	}
	names = bdm_templates_list(templates, NULL);
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *label = bdm_ui_template_label(templates, name, FALSE);
		GntMenuItem *item = gnt_menuitem_new(label);
		g_object_set_data(G_OBJECT(item), ITEM_CONV_KEY, conv);
		g_object_set_data_full(G_OBJECT(item), ITEM_NAME_KEY, g_strdup(name), g_free);
		gnt_menuitem_set_callback(item, on_template_chosen, NULL);
		gnt_menu_add_item(GNT_MENU(menu), item);
		g_free(label);
	}
	if (names->len == 0)
		add_inert_item(menu, _("(no templates)"));
	g_ptr_array_unref(names);
	bdm_templates_free(templates);
	/* Replaces (and destroys) the previous list. */
	gnt_menuitem_set_submenu(templates_item, GNT_MENU(menu));
}

/* Read the files each time the menu opens: an administrator's change shows
 * without restarting Finch.  The window's menu dies with its FinchConv. */
static void on_templates_menu_opened(GntMenuItem *templates_item, gpointer data)
{
	FinchConv *fc = data;

	fill_templates_menu(templates_item, fc->active_conv);
}

/* Finch 2.x has no extended conversation menu: add a top-level one.  A
 * window may hold several conversations with one contact: one menu, filled
 * for whichever is active when it opens. */
static void add_templates_menu(PurpleConversation *conv)
{
	FinchConv *fc = finch_conv_of(conv);
	GntMenuItem *templates_item;

	if (fc == NULL || fc->menu == NULL || !bdm_ui_has_templates(conv))
		return;
	/* Still there after an unload and load again: GNT cannot remove it. */
	templates_item = g_object_get_data(G_OBJECT(fc->menu), MENU_ITEM_KEY);
	if (templates_item == NULL) {
		templates_item = gnt_menuitem_new(_("Templates"));
		gnt_menu_add_item(GNT_MENU(fc->menu), templates_item);
		g_object_set_data(G_OBJECT(fc->menu), MENU_ITEM_KEY, templates_item);
	}
	g_signal_handlers_disconnect_by_func(G_OBJECT(templates_item),
	                                     G_CALLBACK(on_templates_menu_opened), fc);
	g_signal_connect(G_OBJECT(templates_item), "activate",
	                 G_CALLBACK(on_templates_menu_opened), fc);
	fill_templates_menu(templates_item, fc->active_conv);
}

/* GNT menus cannot drop an item: leave "Templates" empty and inert. */
static void empty_templates_menu(PurpleConversation *conv)
{
	FinchConv *fc = finch_conv_of(conv);
	GntMenuItem *templates_item;

	if (fc == NULL || fc->menu == NULL)
		return;
	templates_item = g_object_get_data(G_OBJECT(fc->menu), MENU_ITEM_KEY);
	if (templates_item == NULL)
		return;
	g_signal_handlers_disconnect_by_func(G_OBJECT(templates_item),
	                                     G_CALLBACK(on_templates_menu_opened), fc);
	gnt_menuitem_set_submenu(templates_item, NULL);
}

static void on_conversation_created(PurpleConversation *conv, gpointer data)
{
	(void)data;
	add_templates_menu(conv);
}

static gboolean plugin_load(PurplePlugin *plugin)
{
	FinchHelper *helper = g_new0(FinchHelper, 1);
	GError *error = NULL;
	GList *l;

	if (!bdm_ui_compose_start(&helper->compose, plugin, insert_into_entry, &error)) {
		purple_debug_error(DEBUG_CAT, "not loaded: %s\n", error->message);
		g_error_free(error);
		g_free(helper);
		return FALSE;
	}
	/* Finch creates the window before libpurple announces the conversation. */
	purple_signal_connect(purple_conversations_get_handle(), "conversation-created", plugin,
	                      PURPLE_CALLBACK(on_conversation_created), helper);
	/* Windows opened before this plugin loaded get their menu now. */
	for (l = purple_get_conversations(); l != NULL; l = l->next)
		add_templates_menu(l->data);
	plugin->extra = helper;
	bdm_ui_translate_plugin_info(plugin->info);
	return TRUE;
}

static gboolean plugin_unload(PurplePlugin *plugin)
{
	FinchHelper *helper = plugin->extra;
	GList *l;

	if (helper == NULL)
		return TRUE;
	purple_signal_disconnect(purple_conversations_get_handle(), "conversation-created",
	                         plugin, PURPLE_CALLBACK(on_conversation_created));
	for (l = purple_get_conversations(); l != NULL; l = l->next)
		empty_templates_menu(l->data);
	bdm_ui_compose_stop(&helper->compose);
	g_free(helper);
	plugin->extra = NULL;
	return TRUE;
}

static PurplePluginInfo info = {
	PURPLE_PLUGIN_MAGIC,
	PURPLE_MAJOR_VERSION,
	PURPLE_MINOR_VERSION,
	PURPLE_PLUGIN_STANDARD,
	FINCH_PLUGIN_TYPE,
	0,
	NULL,                   /* dependencies, filled in init_plugin */
	PURPLE_PRIORITY_DEFAULT,
	PLUGIN_ID,
	N_("BrandDM for Finch"),
	BRANDDM_VERSION,
	N_("Reply templates in BrandDM conversations"),
	N_("Puts BrandDM reply templates into the message box (/tpl NAME and the conversation "
	   "window's Templates menu, F10). Loaded by BrandDM itself."),
	"BrandDM",
	"",
	plugin_load,
	plugin_unload,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL, NULL, NULL, NULL
};

static void init_plugin(PurplePlugin *plugin)
{
	(void)plugin;
	/* libpurple loads the desk first and unloads this plugin before it. */
	info.dependencies = g_list_append(NULL, (gpointer)BDM_UI_LOADER_ID);
}

PURPLE_INIT_PLUGIN(branddm_finch, init_plugin, info)
