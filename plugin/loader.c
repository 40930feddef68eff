/*
 * branddm.so: a libpurple plugin *loader* for BrandDM protocol modules.
 *
 * Why a loader: libpurple loads accounts.xml right after probing plugin
 * files, and a standard plugin is loaded later still; a protocol registered
 * from a standard plugin's load() is too late, and saved accounts come back
 * broken after a restart.  Loaders are loaded during the probe, and libpurple
 * then probes every file with the loader's extension (".bdm") in the plugin
 * search paths — so our protocols exist before accounts load.
 *
 * The loader wires the two layers: the protocol host (plugin/host/: modules,
 * connections, HTTP, polling, sending, the delivery journal) and the desk
 * (plugin/desk/), which listens to the host's signals.  See docs/INTERNALS.md.
 */
#include <string.h>

#include <debug.h>
#include <plugin.h>
#include <core.h>       /* after plugin.h: it needs GLib's types */
#include <version.h>

#include "branddm/i18n.h"
#include "desk.h"
#include "host_signals.h"
#include "http.h"
#include "i18n_init.h"
#include "journal.h"
#include "purple_logs.h"
#include "module_load.h"
#include "protocol_info.h"

#define DEBUG_CAT "branddm"

/* Every BdmProtocol probe_module made and destroy_module has not freed yet.
 * At quit libpurple unloads the loader before destroying the modules, then
 * finds no loaded loader for them and never calls destroy_module: the
 * loader's own destroy frees what is left (see loader_destroy). */
static GList *live_protocols;

static gboolean probe_module(PurplePlugin *plugin)
{
	GModule *handle = NULL;
	char *why = NULL;
	const BdmModule *m = bdm_module_open(plugin->path, &handle, &why);
	BdmProtocol *proto;

	if (m == NULL) {
		/* Refused with a reason, never loaded half-way. */
		purple_debug_error(DEBUG_CAT, "refusing protocol module %s: %s\n", plugin->path, why);
		g_free(why);
		return FALSE;
	}
	if (purple_find_prpl(m->protocol_id) != NULL) {
		purple_debug_error(DEBUG_CAT, "refusing protocol module %s: protocol %s is already "
		                   "loaded from another file\n", plugin->path, m->protocol_id);
		g_module_close(handle);
		return FALSE;
	}
	proto = bdm_protocol_new(m, handle);
	live_protocols = g_list_prepend(live_protocols, proto);
	plugin->info = &proto->info;
	plugin->extra = proto;
	purple_debug_info(DEBUG_CAT, "protocol module %s: %s (%s, ABI %d)\n", plugin->path,
	                  m->protocol_id, m->name, m->abi_version);
	/* Non-native plugins register themselves; libpurple then loads protocols. */
	if (!purple_plugin_register(plugin))
		return FALSE;
	bdm_signals_emit_protocol_added(plugin);
	return TRUE;
}

static gboolean load_module(PurplePlugin *plugin)
{
	return plugin->extra != NULL;
}

static gboolean unload_module(PurplePlugin *plugin)
{
	(void)plugin;
	return TRUE;
}

static void destroy_module(PurplePlugin *plugin)
{
	live_protocols = g_list_remove(live_protocols, plugin->extra);
	bdm_protocol_free(plugin->extra);
	plugin->extra = NULL;
	plugin->info = NULL;
}

/* ---- UI helpers (plugin/ui/, owned by the UI work) ---------------------
 * Pidgin and Finch load a standard plugin only when their prefs list it, so
 * BrandDM's helper for the running UI (templates into the message box) would
 * wait for the agent to find it in a plugin list.  Load it from the main
 * loop, once every plugin file has been probed. */
static guint ui_helper_timer;

static gboolean load_ui_helper(gpointer data)
{
	const char *ui = purple_core_get_ui();
	const char *id = NULL;
	PurplePlugin *helper;

	(void)data;
	ui_helper_timer = 0;
	if (g_strcmp0(ui, "gtk-gaim") == 0)
		id = "gtk-branddm-compose";
	else if (g_strcmp0(ui, "gnt-purple") == 0)
		id = "gnt-branddm-compose";
	helper = id ? purple_plugins_find_with_id(id) : NULL;
	if (helper != NULL && !purple_plugin_is_loaded(helper) && !purple_plugin_load(helper))
		purple_debug_error(DEBUG_CAT, "UI helper %s did not load: %s\n", id,
		                   helper->error ? helper->error : "see above");
	return FALSE;
}
/* ---- end of UI helpers ------------------------------------------------- */

static gboolean loader_load(PurplePlugin *plugin)
{
	bdm_i18n_init(plugin->path);
	if (!bdm_http_init())
		return FALSE;
	/* The host first: the desk connects to its signals and writes through
	 * its journal. */
	bdm_signals_register(plugin);
	bdm_journal_open(g_get_user_name());
	bdm_purple_logs_init(plugin);
	if (!bdm_desk_init(plugin)) {
		bdm_journal_close();
		bdm_signals_unregister();
		bdm_http_shutdown();
		return FALSE;
	}
	ui_helper_timer = purple_timeout_add(0, load_ui_helper, NULL);   /* UI helpers */
	return TRUE;
}

static gboolean loader_unload(PurplePlugin *plugin)
{
	GList *l, *next;

	(void)plugin;
	if (ui_helper_timer != 0)                                          /* UI helpers */
		purple_timeout_remove(ui_helper_timer);
	ui_helper_timer = 0;
	/* libpurple unloads plugins in load order, loaders first; a module unloaded
	 * after its loader is gone stays on the loaded list and is later freed
	 * there.  Unload ours now, while libpurple can still find their loader. */
	for (l = purple_plugins_get_loaded(); l != NULL; l = next) {
		PurplePlugin *p = l->data;
		next = l->next;
		if (!p->native_plugin && p->path && g_str_has_suffix(p->path, "." BDM_MODULE_EXTENSION))
			purple_plugin_unload(p);
	}
	bdm_desk_shutdown();
	bdm_journal_close();
	bdm_signals_unregister();
	bdm_http_shutdown();
	return TRUE;
}

/* libpurple destroys the plugins of a loader's extension before the loader
 * itself, so no module's plugin->info points into these any more. */
static void loader_destroy(PurplePlugin *plugin)
{
	(void)plugin;
	g_list_free_full(live_protocols, (GDestroyNotify)bdm_protocol_free);
	live_protocols = NULL;
}

static PurplePluginLoaderInfo loader_info = {
	NULL,           /* exts, filled in init_plugin */
	probe_module,
	load_module,
	unload_module,
	destroy_module,
	NULL, NULL, NULL, NULL
};

static PurplePluginInfo info = {
	PURPLE_PLUGIN_MAGIC,
	PURPLE_MAJOR_VERSION,
	PURPLE_MINOR_VERSION,
	PURPLE_PLUGIN_LOADER,
	NULL,
	0,
	NULL,
	PURPLE_PRIORITY_DEFAULT,
	"core-branddm",
	"BrandDM",
	BRANDDM_VERSION,
	N_("Answer brand direct messages (Facebook, Instagram, X) as a support desk"),
	N_("Loads BrandDM protocol modules and adds templates, pre-send policy checks, "
	   "escalation tagging and a tamper-evident conversation log."),
	"BrandDM",
	"",
	loader_load,
	loader_unload,
	loader_destroy,
	NULL,
	&loader_info,
	NULL,
	NULL,
	NULL, NULL, NULL, NULL
};

static void init_plugin(PurplePlugin *plugin)
{
	(void)plugin;
	/* Runs at probe time even if never loaded: no signals here (see loader_load). */
	loader_info.exts = g_list_append(NULL, (gpointer)BDM_MODULE_EXTENSION);
}

PURPLE_INIT_PLUGIN(branddm, init_plugin, info)
