/*
 * branddm-pidgin.so: BrandDM's helper inside Pidgin.
 *
 * The desk in branddm.so is UI-free, so it cannot reach Pidgin's widgets.
 * This plugin puts the templates the desk expands into the conversation's
 * entry, and gives every BrandDM conversation a "Templates" toolbar button
 * and an Options > Templates menu.  The BrandDM loader loads it
 * when it runs under Pidgin (see plugin/loader.c).
 */
#include <gtk/gtk.h>

#include <debug.h>
#include <plugin.h>
#include <version.h>

#include <gtkconv.h>
#include <gtkplugin.h>

#include "branddm/i18n.h"
#include "ui_compose.h"
#include "ui_templates.h"

#define DEBUG_CAT "branddm-pidgin"
#define PLUGIN_ID "gtk-branddm-compose"
/* Object data: the toolbar's button, the button's menu, an item's template. */
#define BUTTON_KEY "branddm-templates-button"
#define MENU_KEY "branddm-templates-menu"
#define ITEM_CONV_KEY "branddm-conv"
#define ITEM_NAME_KEY "branddm-template"

typedef struct {
	BdmUiCompose compose;
	BdmUiTemplatesMenu menu;
} PidginHelper;

static void insert_into_entry(PurpleConversation *conv, const char *text)
{
	PidginConversation *gtkconv;

	if (!PIDGIN_IS_PIDGIN_CONVERSATION(conv) || PIDGIN_CONVERSATION(conv) == NULL)
		return;
	gtkconv = PIDGIN_CONVERSATION(conv);
	/* One window may hold several conversations with one contact: the text
	 * must go to the entry that sends to this customer. */
	if (gtkconv->active_conv != conv)
		pidgin_conv_switch_active_conversation(conv);
	/* Plain text at the cursor: the entry escapes it when it makes the
	 * message, so a "<" in a template reaches the customer as "<". */
	gtk_text_buffer_insert_at_cursor(gtkconv->entry_buffer, text, -1);
	gtk_widget_grab_focus(gtkconv->entry);
}

static void on_menu_item(GtkMenuItem *menu_item, gpointer data)
{
	PurpleConversation *conv = g_object_get_data(G_OBJECT(menu_item), ITEM_CONV_KEY);
	const char *name = g_object_get_data(G_OBJECT(menu_item), ITEM_NAME_KEY);

	(void)data;
	if (conv != NULL && g_list_find(purple_get_conversations(), conv) != NULL)
		bdm_ui_template_insert(conv, name);
}

static GtkWidget *build_menu(PurpleConversation *conv)
{
	GtkWidget *menu = gtk_menu_new();
	GError *error = NULL;
	BdmTemplates *templates = bdm_ui_templates_load(&error);
	GPtrArray *names;
	guint i;

	if (templates == NULL) {
		char *label = g_strdup_printf(_("Templates could not be read: %s"), error->message);
		GtkWidget *item = gtk_menu_item_new_with_label(label);
		gtk_widget_set_sensitive(item, FALSE);
		gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
		g_free(label);
		g_error_free(error);
		return menu;
	}
	names = bdm_templates_list(templates, NULL);
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *label = bdm_ui_template_label(templates, name, FALSE);
		GtkWidget *item = gtk_menu_item_new_with_label(label);
		g_object_set_data(G_OBJECT(item), ITEM_CONV_KEY, conv);
		g_object_set_data_full(G_OBJECT(item), ITEM_NAME_KEY, g_strdup(name), g_free);
		g_signal_connect(G_OBJECT(item), "activate", G_CALLBACK(on_menu_item), NULL);
		gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
		g_free(label);
	}
	if (names->len == 0) {
		GtkWidget *item = gtk_menu_item_new_with_label(_("(no templates)"));
		gtk_widget_set_sensitive(item, FALSE);
		gtk_menu_shell_append(GTK_MENU_SHELL(menu), item);
	}
	g_ptr_array_unref(names);
	bdm_templates_free(templates);
	return menu;
}

static void position_at_button(GtkMenu *menu, gint *x, gint *y, gboolean *push_in,
                               gpointer data)
{
	GtkWidget *button = data;
	GtkAllocation alloc;
	GtkRequisition req;

	gtk_widget_get_allocation(button, &alloc);
	gtk_widget_size_request(GTK_WIDGET(menu), &req);
	gdk_window_get_origin(gtk_widget_get_window(button), x, y);
	/* Above the button, right edges lined up (the button is at the right end
	 * of the toolbar): below it the menu would hide the entry it fills. */
	*x += alloc.x + alloc.width - req.width;
	*y += alloc.y - req.height;
	*push_in = TRUE;
}

static void on_button_clicked(GtkButton *button, gpointer data)
{
	PidginConversation *gtkconv = data;
	GtkWidget *old = g_object_get_data(G_OBJECT(button), MENU_KEY);
	GtkWidget *menu;

	/* Read the files on every click: an administrator's change shows at once. */
	if (old != NULL)
		gtk_widget_destroy(old);
	menu = build_menu(gtkconv->active_conv);
	gtk_menu_attach_to_widget(GTK_MENU(menu), GTK_WIDGET(button), NULL);
	g_object_set_data(G_OBJECT(button), MENU_KEY, menu);
	gtk_widget_show_all(menu);
	gtk_menu_popup(GTK_MENU(menu), NULL, NULL, position_at_button, button, 0,
	               gtk_get_current_event_time());
	gtk_menu_shell_select_first(GTK_MENU_SHELL(menu), FALSE);
}

static void add_button(PidginConversation *gtkconv)
{
	GtkWidget *button;

	if (gtkconv == NULL || gtkconv->toolbar == NULL ||
	    g_object_get_data(G_OBJECT(gtkconv->toolbar), BUTTON_KEY) != NULL ||
	    !bdm_ui_has_templates(gtkconv->active_conv))
		return;
	button = gtk_button_new_with_mnemonic(_("_Templates"));
	gtk_button_set_relief(GTK_BUTTON(button), GTK_RELIEF_NONE);
	gtk_widget_set_tooltip_text(button, _("Insert a reply template into the message box"));
	g_signal_connect(G_OBJECT(button), "clicked", G_CALLBACK(on_button_clicked), gtkconv);
	gtk_box_pack_end(GTK_BOX(gtkconv->toolbar), button, FALSE, FALSE, 0);
	g_object_set_data(G_OBJECT(gtkconv->toolbar), BUTTON_KEY, button);
	gtk_widget_show(button);
}

static void remove_button(PidginConversation *gtkconv)
{
	GtkWidget *button;

	if (gtkconv == NULL || gtkconv->toolbar == NULL)
		return;
	button = g_object_get_data(G_OBJECT(gtkconv->toolbar), BUTTON_KEY);
	if (button != NULL)
		gtk_widget_destroy(button);
	g_object_set_data(G_OBJECT(gtkconv->toolbar), BUTTON_KEY, NULL);
}

static void on_conversation_displayed(PidginConversation *gtkconv, gpointer data)
{
	(void)data;
	add_button(gtkconv);
}

static void for_each_pidgin_conversation(void (*fn)(PidginConversation *gtkconv))
{
	GList *l;

	for (l = purple_get_conversations(); l != NULL; l = l->next) {
		PurpleConversation *conv = l->data;
		if (PIDGIN_IS_PIDGIN_CONVERSATION(conv))
			fn(PIDGIN_CONVERSATION(conv));
	}
}

static gboolean plugin_load(PurplePlugin *plugin)
{
	PidginHelper *helper = g_new0(PidginHelper, 1);
	GError *error = NULL;

	if (!bdm_ui_compose_start(&helper->compose, plugin, insert_into_entry, &error)) {
		purple_debug_error(DEBUG_CAT, "not loaded: %s\n", error->message);
		g_error_free(error);
		g_free(helper);
		return FALSE;
	}
	/* Pidgin reads "_" in menu labels as a mnemonic. */
	bdm_ui_templates_menu_connect(&helper->menu, plugin, TRUE);
	purple_signal_connect(pidgin_conversations_get_handle(), "conversation-displayed", plugin,
	                      PURPLE_CALLBACK(on_conversation_displayed), helper);
	plugin->extra = helper;
	bdm_ui_translate_plugin_info(plugin->info);
	/* Windows opened before this plugin loaded get their button now. */
	for_each_pidgin_conversation(add_button);
	return TRUE;
}

static gboolean plugin_unload(PurplePlugin *plugin)
{
	PidginHelper *helper = plugin->extra;

	if (helper == NULL)
		return TRUE;
	purple_signal_disconnect(pidgin_conversations_get_handle(), "conversation-displayed",
	                         plugin, PURPLE_CALLBACK(on_conversation_displayed));
	for_each_pidgin_conversation(remove_button);
	bdm_ui_templates_menu_disconnect(&helper->menu);
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
	PIDGIN_PLUGIN_TYPE,
	0,
	NULL,                   /* dependencies, filled in init_plugin */
	PURPLE_PRIORITY_DEFAULT,
	PLUGIN_ID,
	N_("BrandDM for Pidgin"),
	BRANDDM_VERSION,
	N_("Reply templates in BrandDM conversations"),
	N_("Puts BrandDM reply templates into the message box (/tpl NAME, the Templates "
	   "button and Options > Templates). Loaded by BrandDM itself."),
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

PURPLE_INIT_PLUGIN(branddm_pidgin, init_plugin, info)
