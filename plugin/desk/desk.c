/*
 * The desk's shared state, its /commands, and how it attaches to the host.
 * See desk.h.
 */
#include <string.h>

#include <account.h>
#include <debug.h>
#include <prpl.h>

#include "branddm/i18n.h"
#include "desk_actions.h"
#include "desk_features.h"
#include "desk_internal.h"
#include "hooks.h"
#include "host_signals.h"

#define DEBUG_CAT "branddm-desk"

BdmDesk bdm_desk;

static gboolean start_from_loop(gpointer data);

typedef struct {
	char *name;
	char *args;
	PurpleCmdFunc func;
	char *help;
} CommandSpec;

static GPtrArray *command_specs;   /* CommandSpec*, registered for every protocol */
static GArray *command_ids;        /* PurpleCmdId, to unregister */
static GPtrArray *protocols;       /* PurplePlugin*, BrandDM protocols decorated so far */

static const BdmHostHooks desk_hooks = {
	BDM_HOOKS_VERSION,
	bdm_desk_may_send,
	bdm_desk_buddy_alias,
	bdm_desk_take_template,
	bdm_desk_reply_author,
	bdm_desk_team_may_poll,
	bdm_desk_may_send_file,
};

static void command_spec_free(gpointer p)
{
	CommandSpec *c = p;

	g_free(c->name);
	g_free(c->args);
	g_free(c->help);
	g_free(c);
}

static void register_for(const CommandSpec *c, PurplePlugin *prpl)
{
	/* PRPL_ONLY keeps BrandDM commands out of other accounts' conversations. */
	PurpleCmdId id = purple_cmd_register(c->name, c->args, PURPLE_CMD_P_PLUGIN,
	                                     PURPLE_CMD_FLAG_IM | PURPLE_CMD_FLAG_PRPL_ONLY |
	                                     PURPLE_CMD_FLAG_ALLOW_WRONG_ARGS,
	                                     prpl->info->id, c->func, c->help, NULL);
	g_array_append_val(command_ids, id);
}

void bdm_desk_add_command(const char *name, const char *args, PurpleCmdFunc func,
                          const char *help)
{
	CommandSpec *c = g_new0(CommandSpec, 1);
	guint i;

	c->name = g_strdup(name);
	c->args = g_strdup(args);
	c->func = func;
	c->help = g_strdup(help);
	g_ptr_array_add(command_specs, c);
	for (i = 0; i < protocols->len; i++)
		register_for(c, g_ptr_array_index(protocols, i));
}

/* A module became a protocol: the desk's commands, buddy-list tooltip and
 * emblem, and Accounts-menu actions join it. */
static void on_protocol_added(PurplePlugin *prpl, gpointer data)
{
	PurplePluginProtocolInfo *pi = PURPLE_PLUGIN_PROTOCOL_INFO(prpl);
	guint i;

	(void)data;
	g_assert(pi != NULL);
	pi->tooltip_text = bdm_desk_tooltip_text;
	pi->list_emblem = bdm_desk_list_emblem;
	prpl->info->actions = bdm_desk_protocol_actions;
	g_ptr_array_add(protocols, prpl);
	for (i = 0; i < command_specs->len; i++)
		register_for(g_ptr_array_index(command_specs, i), prpl);
}

/* The loader may outlive the desk: leave its protocols as they were. */
static void undecorate(gpointer item, gpointer data)
{
	PurplePlugin *prpl = item;
	PurplePluginProtocolInfo *pi = PURPLE_PLUGIN_PROTOCOL_INFO(prpl);

	(void)data;
	pi->tooltip_text = NULL;
	pi->list_emblem = NULL;
	prpl->info->actions = NULL;
}

static void connect_signals(void)
{
	if (bdm_desk.signals_connected)
		return;
	bdm_desk.signals_connected = TRUE;
	bdm_desk_policy_connect_signals();
	bdm_desk_features_connect_signals();
}

static gboolean start_from_loop(gpointer data)
{
	(void)data;
	bdm_desk.start_timer = 0;
	connect_signals();
	return FALSE;
}

/* The UI may sign accounts on before the main loop runs: the desk's
 * libpurple signals (pre-send policy) must be connected before any reply. */
static void on_account_connecting(PurpleAccount *account, gpointer data)
{
	(void)account;
	(void)data;
	connect_signals();
}

gboolean bdm_desk_init(PurplePlugin *plugin)
{
	PurplePlugin *host = bdm_signals_handle();

	g_assert(host != NULL);
	memset(&bdm_desk, 0, sizeof(bdm_desk));
	command_specs = g_ptr_array_new_with_free_func(command_spec_free);
	command_ids = g_array_new(FALSE, TRUE, sizeof(PurpleCmdId));
	protocols = g_ptr_array_new();
	bdm_desk.plugin = plugin;
	bdm_desk.config_dir = g_build_filename(purple_user_dir(), "branddm", NULL);
	bdm_desk.agent = g_strdup(g_get_user_name());
	purple_signal_connect(host, BDM_SIGNAL_PROTOCOL_ADDED, plugin,
	                      PURPLE_CALLBACK(on_protocol_added), NULL);
	purple_signal_connect(host, BDM_SIGNAL_ACCOUNT_CONNECTING, plugin,
	                      PURPLE_CALLBACK(on_account_connecting), NULL);
	bdm_desk_policy_init();
	bdm_desk_policy_file_init();
	bdm_desk_features_init();
	bdm_desk_retention_init();
	if (!bdm_hooks_install(&desk_hooks)) {
		bdm_desk_shutdown();
		return FALSE;
	}
	/* Loaders load while libpurple probes plugins, before the conversation and
	 * buddy-list subsystems (and their signals) exist: connect once the core is
	 * up — from the main loop, or at the first login, whichever comes first. */
	bdm_desk.start_timer = purple_timeout_add(0, start_from_loop, NULL);
	return TRUE;
}

void bdm_desk_shutdown(void)
{
	guint i;

	bdm_hooks_install(NULL);
	for (i = 0; command_ids && i < command_ids->len; i++)
		purple_cmd_unregister(g_array_index(command_ids, PurpleCmdId, i));
	if (protocols)
		g_ptr_array_foreach(protocols, undecorate, NULL);
	g_clear_pointer(&command_ids, g_array_unref);
	g_clear_pointer(&command_specs, g_ptr_array_unref);
	g_clear_pointer(&protocols, g_ptr_array_unref);
	if (bdm_desk.start_timer)
		purple_timeout_remove(bdm_desk.start_timer);
	/* Our handlers, on the host's signals and libpurple's, go with the handle. */
	purple_signals_disconnect_by_handle(bdm_desk.plugin);
	bdm_desk_retention_shutdown();
	bdm_desk_features_shutdown();
	bdm_desk_policy_file_shutdown();
	bdm_desk_policy_shutdown();
	g_free(bdm_desk.config_dir);
	g_free(bdm_desk.agent);
	memset(&bdm_desk, 0, sizeof(bdm_desk));
}

char *bdm_desk_system_path(const char *file)
{
	/* Tests and packagers point this elsewhere; admins use SYSCONFDIR/branddm. */
	const char *dir = g_getenv("BRANDDM_SYSCONFDIR");

	return g_build_filename(dir ? dir : SYSCONFDIR "/branddm", file, NULL);
}

char *bdm_desk_user_path(const char *file)
{
	return g_build_filename(bdm_desk.config_dir, file, NULL);
}
