/*
 * One libpurple protocol per protocol module.  See prpl.h.
 *
 * Every BrandDM protocol shares these callbacks; they find their module
 * through the connection's protocol plugin (plugin->extra).
 */
#include <string.h>

#include <accountopt.h>
#include <debug.h>
#include <status.h>
#include <version.h>

#include "branddm/i18n.h"
#include "conn.h"
#include "host_signals.h"
#include "module_load.h"
#include "protocol_info.h"
#include "send.h"

static const char *bdm_list_icon(PurpleAccount *account, PurpleBuddy *buddy)
{
	PurplePlugin *prpl = purple_find_prpl(purple_account_get_protocol_id(account));
	const BdmProtocol *proto = prpl ? prpl->extra : NULL;

	(void)buddy;
	/* Pidgin ships a facebook icon; the others fall back to its generic one. */
	if (proto && strcmp(proto->module->platform, "facebook") == 0)
		return "facebook";
	return "jabber";
}

char *bdm_customer_title(PurpleAccount *account, const char *name)
{
	const char *id = purple_account_get_protocol_id(account);
	PurplePlugin *prpl = g_str_has_prefix(id, "prpl-branddm-") ? purple_find_prpl(id) : NULL;
	const BdmProtocol *proto = prpl ? prpl->extra : NULL;

	if (proto == NULL)
		return g_strdup(name);
	/* TRANSLATORS: a customer's name and the platform they wrote on, as the
	 * buddy list and the conversation's title show them: "Ada Lovelace · X". */
	return g_strdup_printf(_("%s · %s"), name, bdm_module_platform_label(proto->module));
}

static GList *bdm_status_types(PurpleAccount *account)
{
	GList *types = NULL;

	(void)account;
	types = g_list_append(types, purple_status_type_new_full(PURPLE_STATUS_AVAILABLE, NULL,
	                                                         NULL, TRUE, TRUE, FALSE));
	types = g_list_append(types, purple_status_type_new_full(PURPLE_STATUS_OFFLINE, NULL,
	                                                         NULL, TRUE, TRUE, FALSE));
	return types;
}

static GHashTable *bdm_account_text_table(PurpleAccount *account)
{
	PurplePlugin *prpl = account ? purple_find_prpl(purple_account_get_protocol_id(account)) : NULL;
	const BdmProtocol *proto = prpl ? prpl->extra : NULL;
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	if (proto && proto->module->username_label)
		g_hash_table_insert(table, "login_label", g_strdup(_(proto->module->username_label)));
	return table;
}

/* Platforms get no typing indicator from us; colleagues may (the desk). */
static unsigned int bdm_send_typing(PurpleConnection *gc, const char *name, PurpleTypingState state)
{
	bdm_signals_emit_typing(purple_connection_get_account(gc), name, (guint)state);
	return 0;
}

static GList *bdm_protocol_options(const BdmModule *m)
{
	GList *opts = NULL;
	const BdmAccountOption *o;
	gboolean has_base = FALSE;

	for (o = m->options; o && o->key; o++) {
		PurpleAccountOption *opt = NULL;
		const char *label = _(o->label ? o->label : o->key);
		switch (o->type) {
		case BDM_OPT_STRING:
			opt = purple_account_option_string_new(label, o->key, o->default_string);
			break;
		case BDM_OPT_INT:
			opt = purple_account_option_int_new(label, o->key, o->default_int);
			break;
		case BDM_OPT_BOOL:
			opt = purple_account_option_bool_new(label, o->key, o->default_int != 0);
			break;
		}
		if (strcmp(o->key, "api_base") == 0)
			has_base = TRUE;
		if (opt)
			opts = g_list_append(opts, opt);
	}
	/* Every account needs the API base, for proxies and for our emulators. */
	if (!has_base)
		opts = g_list_prepend(opts, purple_account_option_string_new(_("API base URL"), "api_base",
		                                                            m->default_api_base));
	return opts;
}

BdmProtocol *bdm_protocol_new(const BdmModule *m, GModule *handle)
{
	BdmProtocol *p = g_new0(BdmProtocol, 1);
	PurplePluginProtocolInfo *pi = &p->prpl_info;
	PurplePluginInfo *info = &p->info;

	p->module = m;
	p->handle = handle;
	p->summary = g_strdup_printf(_("%s for brand customer service (BrandDM)"), m->name);

	pi->struct_size = sizeof(PurplePluginProtocolInfo);
	/* SLASH_COMMANDS_NATIVE makes Pidgin say "Unknown command" for a typo like
	 * "/tpll" instead of sending it to the customer as text. */
	pi->options = OPT_PROTO_SLASH_COMMANDS_NATIVE;
	pi->protocol_options = bdm_protocol_options(m);
	pi->icon_spec.format = NULL;
	pi->list_icon = bdm_list_icon;
	pi->status_types = bdm_status_types;
	pi->login = bdm_account_login;
	pi->close = bdm_account_close;
	pi->send_im = bdm_send_im;
	pi->send_typing = bdm_send_typing;
	/* tooltip_text, list_emblem and info->actions are the desk's to fill
	 * in, on "branddm-protocol-added". */
	pi->get_account_text_table = bdm_account_text_table;

	info->magic = PURPLE_PLUGIN_MAGIC;
	info->major_version = PURPLE_MAJOR_VERSION;
	info->minor_version = PURPLE_MINOR_VERSION;
	info->type = PURPLE_PLUGIN_PROTOCOL;
	info->priority = PURPLE_PRIORITY_DEFAULT;
	info->id = (char *)m->protocol_id;
	info->name = (char *)m->name;
	info->version = (char *)BRANDDM_VERSION;
	info->summary = p->summary;
	info->description = p->summary;
	info->author = (char *)"BrandDM";
	info->homepage = (char *)"";
	info->extra_info = pi;
	return p;
}

void bdm_protocol_free(BdmProtocol *p)
{
	if (p == NULL)
		return;
	g_list_free_full(p->prpl_info.protocol_options,
	                 (GDestroyNotify)purple_account_option_destroy);
	g_free(p->summary);
	if (p->handle)
		g_module_close(p->handle);
	g_free(p);
}
