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
#include "media.h"
#include "protocol_info.h"
#include "send.h"
#include "send_file.h"

/* A protocol of an account, or NULL when the account is not one of ours. */
static const BdmProtocol *protocol_of_account(PurpleAccount *account)
{
	const char *id = account ? purple_account_get_protocol_id(account) : NULL;
	PurplePlugin *prpl = id && g_str_has_prefix(id, "prpl-branddm-") ? purple_find_prpl(id) : NULL;

	return prpl ? prpl->extra : NULL;
}

/* Pidgin reads DATADIR/pixmaps/pidgin/protocols/{16,22,48}/<name>.png, which
 * `make install` fills; libpurple also names each account's chat-log folder
 * after it (purple_logs.c still visits the folders of older names). */
static const char *list_icon_of(const BdmProtocol *proto)
{
	return proto ? proto->list_icon : "branddm";
}

static GHashTable *text_table_of(const BdmProtocol *proto)
{
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);

	/* Pidgin shows it greyed in an empty Username field of Add Account. */
	if (proto && proto->module->username_label)
		g_hash_table_insert(table, "login_label", g_strdup(_(proto->module->username_label)));
	return table;
}

static const char *bdm_list_icon(PurpleAccount *account, PurpleBuddy *buddy)
{
	(void)buddy;
	return list_icon_of(protocol_of_account(account));
}

static GHashTable *bdm_account_text_table(PurpleAccount *account)
{
	return text_table_of(protocol_of_account(account));
}

/* Pidgin's Add Account dialog asks for the icon and the Username hint with
 * no account (pidgin_create_prpl_icon_from_prpl, add_login_options): the
 * callback alone must know its protocol.  Every protocol therefore gets
 * callbacks of its own, from a few slots; past them, the shared ones above
 * answer what an account can tell. */
#define BDM_PROTOCOL_SLOTS 8
static const BdmProtocol *slots[BDM_PROTOCOL_SLOTS];

#define BDM_SLOT_CALLBACKS(n)                                                         \
	static const char *slot_list_icon_##n(PurpleAccount *account, PurpleBuddy *buddy) \
	{                                                                             \
		(void)account;                                                        \
		(void)buddy;                                                          \
		return list_icon_of(slots[n]);                                        \
	}                                                                             \
	static GHashTable *slot_text_table_##n(PurpleAccount *account)                \
	{                                                                             \
		(void)account;                                                        \
		return text_table_of(slots[n]);                                       \
	}
BDM_SLOT_CALLBACKS(0)
BDM_SLOT_CALLBACKS(1)
BDM_SLOT_CALLBACKS(2)
BDM_SLOT_CALLBACKS(3)
BDM_SLOT_CALLBACKS(4)
BDM_SLOT_CALLBACKS(5)
BDM_SLOT_CALLBACKS(6)
BDM_SLOT_CALLBACKS(7)

static const struct {
	const char *(*list_icon)(PurpleAccount *, PurpleBuddy *);
	GHashTable *(*text_table)(PurpleAccount *);
} slot_callbacks[BDM_PROTOCOL_SLOTS] = {
	{ slot_list_icon_0, slot_text_table_0 }, { slot_list_icon_1, slot_text_table_1 },
	{ slot_list_icon_2, slot_text_table_2 }, { slot_list_icon_3, slot_text_table_3 },
	{ slot_list_icon_4, slot_text_table_4 }, { slot_list_icon_5, slot_text_table_5 },
	{ slot_list_icon_6, slot_text_table_6 }, { slot_list_icon_7, slot_text_table_7 },
};

static int take_slot(const BdmProtocol *p)
{
	int i;

	for (i = 0; i < BDM_PROTOCOL_SLOTS; i++) {
		if (slots[i] == NULL) {
			slots[i] = p;
			return i;
		}
	}
	return -1;
}

/* "branddm-<platform>" when the platform name is safe in a file name. */
static char *list_icon_name(const BdmModule *m)
{
	const char *allowed = "abcdefghijklmnopqrstuvwxyz0123456789_-";

	if (*m->platform == '\0' || m->platform[strspn(m->platform, allowed)] != '\0')
		return g_strdup("branddm");
	return g_strdup_printf("branddm-%s", m->platform);
}

char *bdm_customer_title(PurpleAccount *account, const char *name)
{
	const BdmProtocol *proto = protocol_of_account(account);

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
	/* Customers' files are fetched while their message waits: a slow CDN
	 * must not hold it for long (see media.h). */
	opts = g_list_append(opts, purple_account_option_int_new(_("Attachment download timeout (seconds)"),
	                                                         BDM_MEDIA_TIMEOUT_OPTION,
	                                                         BDM_MEDIA_TIMEOUT_DEFAULT_S));
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
	p->list_icon = list_icon_name(m);
	p->slot = take_slot(p);

	pi->struct_size = sizeof(PurplePluginProtocolInfo);
	/* SLASH_COMMANDS_NATIVE makes Pidgin say "Unknown command" for a typo like
	 * "/tpll" instead of sending it to the customer as text. */
	pi->options = OPT_PROTO_SLASH_COMMANDS_NATIVE;
	pi->protocol_options = bdm_protocol_options(m);
	pi->icon_spec.format = NULL;
	pi->list_icon = p->slot >= 0 ? slot_callbacks[p->slot].list_icon : bdm_list_icon;
	pi->status_types = bdm_status_types;
	pi->login = bdm_account_login;
	pi->close = bdm_account_close;
	pi->send_im = bdm_send_im;
	pi->send_typing = bdm_send_typing;
	/* Send File (menus, drag and drop) and the transfer window. */
	pi->can_receive_file = bdm_prpl_can_receive_file;
	pi->send_file = bdm_prpl_send_file;
	pi->new_xfer = bdm_prpl_new_xfer;
	/* tooltip_text, list_emblem and info->actions are the desk's to fill
	 * in, on "branddm-protocol-added". */
	pi->get_account_text_table = p->slot >= 0 ? slot_callbacks[p->slot].text_table
	                                          : bdm_account_text_table;

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
	if (p->slot >= 0)
		slots[p->slot] = NULL;
	g_free(p->summary);
	g_free(p->list_icon);
	if (p->handle)
		g_module_close(p->handle);
	g_free(p);
}
