/*
 * Putting desk text into the agent's compose box: the part of the Pidgin and
 * Finch helper plugins that does not depend on the UI toolkit.
 *
 * The desk (branddm.so) is UI-free: when the agent asks for a template it
 * expands it and emits "branddm-compose-insert" (PurpleConversation *conv,
 * const char *text) on the loader plugin's handle.  A helper plugin starts a
 * BdmUiCompose with a function that knows its UI's entry widget.
 */
#ifndef BRANDDM_UI_COMPOSE_H
#define BRANDDM_UI_COMPOSE_H

#include <glib.h>
#include <conversation.h>
#include <plugin.h>

/** Plugin id of the BrandDM loader, which owns the "branddm-compose-insert" signal. */
#define BDM_UI_LOADER_ID "core-branddm"

#define BDM_UI_ERROR (bdm_ui_error_quark())

/** Why a helper plugin could not attach to the desk. */
typedef enum {
	BDM_UI_ERROR_NO_DESK,     /* the BrandDM loader plugin is missing or not loaded */
	BDM_UI_ERROR_NO_SIGNAL    /* this BrandDM cannot insert templates (too old) */
} BdmUiError;

/** The GError domain of BdmUiError.
 *  Messages are translated and meant for the agent. */
GQuark bdm_ui_error_quark(void);

/** Puts text into conv's entry; called from the main loop, never while a
 *  /command is still running. */
typedef void (*BdmUiInsertFunc)(PurpleConversation *conv, const char *text);

/** One helper plugin's link to the desk.  Fields are private. */
typedef struct {
	PurplePlugin *plugin;     /* the helper: handle of its signal connections */
	BdmUiInsertFunc insert;
	GQueue pending;           /* BdmUiPendingInsert*, oldest first */
	guint flush_timer;        /* 0 when nothing is scheduled */
} BdmUiCompose;

/** Connect to the desk's insert signal and forget conversations as they close.
 *  FALSE with error when BrandDM is not loaded or has no such signal. */
gboolean bdm_ui_compose_start(BdmUiCompose *compose, PurplePlugin *plugin,
                              BdmUiInsertFunc insert, GError **error);

/** Disconnect and drop inserts not done yet; compose may be started again.
 *  Safe on a compose that never started. */
void bdm_ui_compose_stop(BdmUiCompose *compose);

/** Translate the helper's name, summary and description in place: the
 *  plugin list shows them as they are, and helpers are probed before
 *  branddm.so binds its text domain, so this is called on load. */
void bdm_ui_translate_plugin_info(PurplePluginInfo *info);

#endif /* BRANDDM_UI_COMPOSE_H */
