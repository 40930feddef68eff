/*
 * Reply templates in the conversation window's menus, for the Pidgin and
 * Finch helper plugins (toolkit-free part).
 *
 * The menus list the template names; choosing one runs "/tpl NAME" in the
 * conversation exactly as if the agent had typed it, so the desk expands it
 * with the conversation's context, logs it and emits the insert signal that
 * ui_compose.c turns into text in the entry.
 */
#ifndef BRANDDM_UI_TEMPLATES_H
#define BRANDDM_UI_TEMPLATES_H

#include <glib.h>
#include <conversation.h>
#include <plugin.h>

#include "templates.h"

/** The template command the desk registers for BrandDM conversations. */
#define BDM_UI_TEMPLATE_COMMAND "tpl"

/** Per-plugin state of the "Templates" conversation menu.  Fields are private. */
typedef struct {
	PurplePlugin *plugin;         /* signal handle */
	gboolean mnemonic_labels;     /* the UI reads "_" in labels as a mnemonic */
} BdmUiTemplatesMenu;

/** TRUE when conv is an IM in which the desk's /tpl works: a BrandDM account's,
 *  with the templates command registered.  Only those get template menus. */
gboolean bdm_ui_has_templates(PurpleConversation *conv);

/** Read the template library from the files the desk reads.  NULL with error
 *  (naming file and line) when one is broken; an empty library when none exists. */
BdmTemplates *bdm_ui_templates_load(GError **error);

/** A menu label for template name: the name and its description, cut to a
 *  readable length, "_" doubled when mnemonic.  g_free it. */
char *bdm_ui_template_label(const BdmTemplates *templates, const char *name,
                            gboolean mnemonic);

/** Ask the desk to put template name into conv's entry by running "/tpl NAME";
 *  a refusal is written into the conversation.  FALSE when it was refused. */
gboolean bdm_ui_template_insert(PurpleConversation *conv, const char *name);

/** Add a "Templates" submenu to the extended menu of every conversation that
 *  has templates (Pidgin 2.x shows it under Options; Finch 2.x has none). */
void bdm_ui_templates_menu_connect(BdmUiTemplatesMenu *menu, PurplePlugin *plugin,
                                   gboolean mnemonic_labels);

/** Disconnect the menu and free what its items point to.
 *  The UI rebuilds its menus without it. */
void bdm_ui_templates_menu_disconnect(BdmUiTemplatesMenu *menu);

#endif /* BRANDDM_UI_TEMPLATES_H */
