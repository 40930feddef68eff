/*
 * Reply templates in the conversation window's menus.  See ui_templates.h.
 */
#include <string.h>

#include <account.h>
#include <cmds.h>
#include <debug.h>
#include <signals.h>
#include <util.h>

#include "branddm/i18n.h"
#include "ui_templates.h"

#define DEBUG_CAT "branddm-ui"
/* Where menu items keep what they point to, freed with the conversation. */
#define MENU_ITEMS_KEY "branddm-ui-template-items"
/* Long descriptions make menus wider than the window. */
#define LABEL_DESCRIPTION_MAX 48

/* What one "Templates" menu item needs when chosen.  Finch hands nested
 * items their parent action instead of the conversation, so the item keeps
 * the conversation itself. */
typedef struct {
	PurpleConversation *conv;
	char *name;
} MenuItem;

static void menu_item_free(gpointer p)
{
	MenuItem *item = p;

	g_free(item->name);
	g_free(item);
}

gboolean bdm_ui_has_templates(PurpleConversation *conv)
{
	GList *cmds, *l;
	gboolean found = FALSE;

	if (conv == NULL || purple_conversation_get_type(conv) != PURPLE_CONV_TYPE_IM)
		return FALSE;
	/* purple_cmd_list() filters by the conversation's protocol, so this is
	 * also "is it a BrandDM account". */
	cmds = purple_cmd_list(conv);
	for (l = cmds; l != NULL && !found; l = l->next)
		found = strcmp(l->data, BDM_UI_TEMPLATE_COMMAND) == 0;
	g_list_free(cmds);
	return found;
}

BdmTemplates *bdm_ui_templates_load(GError **error)
{
	/* The desk's own rule (plugin/desk.c, bdm_desk_system_path and
	 * bdm_desk_user_path): the administrator's file, then the agent's. */
	const char *sysconf = g_getenv("BRANDDM_SYSCONFDIR");
	char *system_path = g_build_filename(sysconf ? sysconf : SYSCONFDIR "/branddm",
	                                     "templates.conf", NULL);
	char *user_path = g_build_filename(purple_user_dir(), "branddm", "templates.conf", NULL);
	BdmTemplates *templates = bdm_templates_load(system_path, user_path, error);

	g_free(user_path);
	g_free(system_path);
	return templates;
}

char *bdm_ui_template_label(const BdmTemplates *templates, const char *name,
                            gboolean mnemonic)
{
	const char *description = bdm_template_description(templates, name);
	GString *label = g_string_new(name);
	gsize i;

	if (description != NULL && *description != '\0') {
		g_string_append(label, " — ");
		if (g_utf8_strlen(description, -1) > LABEL_DESCRIPTION_MAX) {
			const char *cut = g_utf8_offset_to_pointer(description, LABEL_DESCRIPTION_MAX - 1);
			g_string_append_len(label, description, cut - description);
			g_string_append(label, "…");
		} else {
			g_string_append(label, description);
		}
	}
	/* No mnemonic is meant: "out_of_hours" must not show as "outof hours". */
	for (i = 0; mnemonic && i < label->len; i++) {
		if (label->str[i] == '_')
			g_string_insert_c(label, i++, '_');
	}
	return g_string_free(label, FALSE);
}

static void write_error(PurpleConversation *conv, const char *text)
{
	purple_conversation_write(conv, NULL, text, PURPLE_MESSAGE_ERROR | PURPLE_MESSAGE_NO_LOG,
	                          time(NULL));
}

gboolean bdm_ui_template_insert(PurpleConversation *conv, const char *name)
{
	char *line = g_strdup_printf("%s %s", BDM_UI_TEMPLATE_COMMAND, name);
	char *markup = g_markup_escape_text(line, -1);
	char *error = NULL;
	PurpleCmdStatus status = purple_cmd_do_command(conv, line, markup, &error);
	gboolean ok = status == PURPLE_CMD_STATUS_OK;

	if (status == PURPLE_CMD_STATUS_FAILED) {
		char *text = g_markup_escape_text(error ? error : _("The template could not be "
		                                                    "inserted."), -1);
		write_error(conv, text);
		g_free(text);
	} else if (!ok) {
		write_error(conv, _("Templates are not available in this conversation."));
	}
	g_free(error);
	g_free(markup);
	g_free(line);
	return ok;
}

static void on_template_chosen(gpointer object, gpointer data)
{
	MenuItem *item = data;

	(void)object;
	/* The menu may outlive the conversation it was built for. */
	if (g_list_find(purple_get_conversations(), item->conv) == NULL)
		return;
	bdm_ui_template_insert(item->conv, item->name);
}

static void free_menu_items(PurpleConversation *conv)
{
	GPtrArray *items = purple_conversation_get_data(conv, MENU_ITEMS_KEY);

	if (items != NULL)
		g_ptr_array_unref(items);
	purple_conversation_set_data(conv, MENU_ITEMS_KEY, NULL);
}

static GList *template_actions(BdmUiTemplatesMenu *menu, PurpleConversation *conv)
{
	GError *error = NULL;
	BdmTemplates *templates = bdm_ui_templates_load(&error);
	GPtrArray *items, *names;
	GList *children = NULL;
	guint i;

	if (templates == NULL) {
		/* Shown greyed out, so the agent sees why the list is missing. */
		char *label = g_strdup_printf(_("Templates could not be read: %s"), error->message);
		purple_debug_error(DEBUG_CAT, "templates menu: %s\n", error->message);
		children = g_list_append(NULL, purple_menu_action_new(label, NULL, NULL, NULL));
		g_free(label);
		g_error_free(error);
		return children;
	}
	/* Pidgin destroys the old menu before asking again: the old items are unused now. */
	free_menu_items(conv);
	items = g_ptr_array_new_with_free_func(menu_item_free);
	purple_conversation_set_data(conv, MENU_ITEMS_KEY, items);
	names = bdm_templates_list(templates, NULL);
	for (i = 0; i < names->len; i++) {
		MenuItem *item = g_new0(MenuItem, 1);
		char *label = bdm_ui_template_label(templates, g_ptr_array_index(names, i),
		                                    menu->mnemonic_labels);
		item->conv = conv;
		item->name = g_strdup(g_ptr_array_index(names, i));
		g_ptr_array_add(items, item);
		children = g_list_append(children, purple_menu_action_new(label,
		                         PURPLE_CALLBACK(on_template_chosen), item, NULL));
		g_free(label);
	}
	if (names->len == 0)
		children = g_list_append(children, purple_menu_action_new(_("(no templates)"), NULL,
		                                                          NULL, NULL));
	g_ptr_array_unref(names);
	bdm_templates_free(templates);
	return children;
}

static void on_extended_menu(PurpleConversation *conv, GList **list, gpointer data)
{
	BdmUiTemplatesMenu *menu = data;

	if (!bdm_ui_has_templates(conv))
		return;
	/* No mnemonic: Pidgin's Options menu has "Show Formatting _Toolbars". */
	*list = g_list_append(*list, purple_menu_action_new(_("Templates"), NULL, NULL,
	                                                    template_actions(menu, conv)));
}

static void on_deleting_conversation(PurpleConversation *conv, gpointer data)
{
	(void)data;
	free_menu_items(conv);
}

void bdm_ui_templates_menu_connect(BdmUiTemplatesMenu *menu, PurplePlugin *plugin,
                                   gboolean mnemonic_labels)
{
	void *conversations = purple_conversations_get_handle();

	menu->plugin = plugin;
	menu->mnemonic_labels = mnemonic_labels;
	purple_signal_connect(conversations, "conversation-extended-menu", plugin,
	                      PURPLE_CALLBACK(on_extended_menu), menu);
	purple_signal_connect(conversations, "deleting-conversation", plugin,
	                      PURPLE_CALLBACK(on_deleting_conversation), menu);
}

void bdm_ui_templates_menu_disconnect(BdmUiTemplatesMenu *menu)
{
	void *conversations = purple_conversations_get_handle();
	GList *l;

	if (menu->plugin == NULL)
		return;
	purple_signal_disconnect(conversations, "conversation-extended-menu", menu->plugin,
	                         PURPLE_CALLBACK(on_extended_menu));
	purple_signal_disconnect(conversations, "deleting-conversation", menu->plugin,
	                         PURPLE_CALLBACK(on_deleting_conversation));
	for (l = purple_get_conversations(); l != NULL; l = l->next)
		free_menu_items(l->data);
	menu->plugin = NULL;
}
