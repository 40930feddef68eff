/*
 * The desk in libpurple's menus and buddy list.  See desk_actions.h.
 */
#include <string.h>

#include <account.h>
#include <debug.h>
#include <notify.h>
#include <util.h>

#include "branddm/i18n.h"
#include "desk_actions.h"
#include "desk_internal.h"

static void action_policy_summary(PurplePluginAction *action)
{
	char *summary = bdm_policy_summary(bdm_desk_policy());
	char *escaped = purple_markup_escape_text(summary, -1);
	char *html = purple_strreplace(escaped, "\n", "<br>");

	purple_notify_formatted(action->context, _("Policy summary"), _("BrandDM message policy"),
	                        NULL, html, NULL, NULL);
	g_free(html);
	g_free(escaped);
	g_free(summary);
}

static void action_open_log_folder(PurplePluginAction *action)
{
	char *uri = g_filename_to_uri(bdm_desk.config_dir, NULL, NULL);

	/* Finch cannot open a file manager: the folder is also named in the dialog. */
	purple_notify_uri(action->context, uri ? uri : bdm_desk.config_dir);
	purple_notify_info(action->context, _("Open log folder"), _("The conversation log is in:"),
	                   bdm_desk.log_path);
	g_free(uri);
}

GList *bdm_desk_protocol_actions(PurplePlugin *plugin, gpointer context)
{
	GList *actions = NULL;

	(void)plugin;
	(void)context;
	actions = g_list_append(actions, purple_plugin_action_new(_("Policy summary"),
	                                                          action_policy_summary));
	actions = g_list_append(actions, purple_plugin_action_new(_("Open log folder"),
	                                                          action_open_log_folder));
	return actions;
}

void bdm_desk_tooltip_text(PurpleBuddy *buddy, PurpleNotifyUserInfo *info, gboolean full)
{
	(void)buddy;
	(void)info;
	(void)full;
}

const char *bdm_desk_list_emblem(PurpleBuddy *buddy)
{
	(void)buddy;
	return NULL;
}
