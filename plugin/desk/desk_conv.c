/*
 * Per-conversation desk state: tags, escalation, ticket, language, the
 * response-time clock and whether the out-of-hours acknowledgement went out.
 * See desk_features.h.
 *
 * The conversation-state store (core/conv_store.h) is the truth; this file
 * keeps a write-through cache of it, filled one brand account at a time,
 * because Pidgin asks for a buddy's emblem on every redraw.  A change the
 * store refuses is taken back (bdm_desk_conv_reload), so what the agent sees
 * is what is stored; only the response-time clock runs on in memory.
 */
#include <string.h>

#include <account.h>
#include <debug.h>
#include <plugin.h>
#include <prpl.h>

#include "branddm/i18n.h"
#include "desk_features.h"

#define DEBUG_CAT "branddm-desk"

static struct {
	BdmStore *store;
	GHashTable *convs;      /* "<platform>/<account>/<customer>" -> BdmDeskConv* */
	GHashTable *loaded;     /* "<platform>/<account>" read from the store */
	GHashTable *last_text;  /* BdmDeskConv* -> the customer's last message (memory only) */
} cache;

static void conv_free(gpointer p)
{
	bdm_conv_state_free(p);
}

void bdm_desk_conv_init(void)
{
	g_assert(cache.convs == NULL);
	/* The local store always: alone it is the truth, in a team the cache
	 * and outbox of the team's. */
	cache.store = bdm_desk_team_init(bdm_store_local_new(bdm_journal_log()));
	cache.convs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, conv_free);
	cache.loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	cache.last_text = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
}

static void ensure_cache(void)
{
	if (cache.convs == NULL)
		bdm_desk_conv_init();
}

void bdm_desk_conv_shutdown(void)
{
	bdm_desk_team_shutdown();
	if (cache.convs == NULL)
		return;
	/* The store first: a team store answers what still waits (with an
	 * error), and those answers may look at the cached conversations. */
	bdm_store_close(cache.store);
	cache.store = NULL;
	g_hash_table_destroy(cache.last_text);
	g_hash_table_destroy(cache.convs);
	g_hash_table_destroy(cache.loaded);
	memset(&cache, 0, sizeof(cache));
}

static char *conv_key(const char *platform, const char *account, const char *customer)
{
	return g_strdup_printf("%s/%s/%s", platform, account, customer);
}

/* The cached entry, created empty; never reads the store. */
static BdmDeskConv *cached(const char *platform, const char *account, const char *customer)
{
	char *key = conv_key(platform, account, customer);
	BdmDeskConv *c = g_hash_table_lookup(cache.convs, key);

	if (c != NULL) {
		g_free(key);
		return c;
	}
	c = bdm_conv_state_new(platform, account, customer);
	g_hash_table_insert(cache.convs, key, c);
	return c;
}

/* Read every conversation of one account once: afterwards a customer the
 * cache does not know has no state, and lookups never touch the disk. */
static void load_account(const char *platform, const char *account)
{
	char *key = g_strdup_printf("%s/%s", platform, account);
	GError *error = NULL;
	GPtrArray *list;
	guint i;

	if (g_hash_table_contains(cache.loaded, key) || bdm_journal_log() == NULL) {
		g_free(key);
		return;
	}
	list = cache.store->backend->list(cache.store, platform, account, BDM_LIST_ALL, &error);
	if (list == NULL) {
		/* Not marked loaded: the next lookup tries again. */
		purple_debug_error(DEBUG_CAT, "cannot read the desk state of %s: %s\n", key,
		                   error ? error->message : "?");
		g_clear_error(&error);
		g_free(key);
		return;
	}
	for (i = 0; i < list->len; i++) {
		BdmConvState *s = g_ptr_array_index(list, i);
		/* The cached entry keeps its address: other features hold it. */
		bdm_conv_state_move(cached(platform, account, s->customer), s);
		bdm_conv_state_free(s);
	}
	g_ptr_array_free(list, TRUE);
	g_hash_table_add(cache.loaded, key);
}

BdmDeskConv *bdm_desk_conv_get(const char *platform, const char *account, const char *customer)
{
	ensure_cache();
	load_account(platform, account);
	return cached(platform, account, customer);
}

BdmDeskConv *bdm_desk_conv_of(BdmConn *conn, const char *customer)
{
	return bdm_desk_conv_get(bdm_conn_platform(conn), bdm_conn_account_id(conn), customer);
}

const char *bdm_desk_account_platform(PurpleAccount *account)
{
	PurplePlugin *prpl = account ? purple_find_prpl(purple_account_get_protocol_id(account)) : NULL;
	const BdmProtocol *proto = prpl ? prpl->extra : NULL;

	/* Other loaders use plugin->extra too: ours points info at its own copy. */
	if (proto == NULL || prpl->info != &proto->info)
		return NULL;
	return proto->module->platform;
}

BdmDeskConv *bdm_desk_conv_of_account(PurpleAccount *account, const char *customer)
{
	const char *platform = bdm_desk_account_platform(account);

	if (platform == NULL || customer == NULL)
		return NULL;
	return bdm_desk_conv_get(platform, purple_account_get_username(account), customer);
}

GPtrArray *bdm_desk_conv_list(const char *platform, const char *account)
{
	char *prefix = g_strdup_printf("%s/%s/", platform, account);
	GPtrArray *list = g_ptr_array_new();
	GHashTableIter iter;
	gpointer key, value;

	ensure_cache();
	load_account(platform, account);
	g_hash_table_iter_init(&iter, cache.convs);
	while (g_hash_table_iter_next(&iter, &key, &value))
		if (g_str_has_prefix(key, prefix))
			g_ptr_array_add(list, value);
	g_free(prefix);
	return list;
}

/* The store's verdict on conv, for an agent: the log's own reason when it is
 * not open, so "disk full" and "not open" read differently. */
static gboolean store_open(GError **error)
{
	const GError *why = bdm_journal_error();

	if (bdm_journal_log() != NULL)
		return TRUE;
	g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN, "%s",
	            why ? why->message : _("The conversation log is not open."));
	return FALSE;
}

void bdm_desk_conv_reload(BdmDeskConv *conv)
{
	BdmConvState *fresh = bdm_conv_state_new(conv->platform, conv->account, conv->customer);
	GError *error = NULL;

	if (store_open(&error) &&
	    cache.store->backend->load(cache.store, conv->platform, conv->account, conv->customer,
	                               fresh, &error))
		bdm_conv_state_move(conv, fresh);
	else
		purple_debug_error(DEBUG_CAT, "%s: desk state not reloaded: %s\n", conv->customer,
		                   error->message);
	g_clear_error(&error);
	bdm_conv_state_free(fresh);
}

gboolean bdm_desk_conv_save(BdmDeskConv *conv, guint fields, GError **error)
{
	ensure_cache();
	return store_open(error) && cache.store->backend->save(cache.store, conv, fields, error);
}

gboolean bdm_desk_conv_set_tag(BdmDeskConv *conv, const char *label, gboolean on,
                               GError **error)
{
	if (!bdm_conv_state_set_tag(conv, label, on))
		return TRUE;
	if (bdm_desk_conv_save(conv, BDM_CONV_TAGS, error))
		return TRUE;
	/* A tag the store did not take is not shown either. */
	bdm_conv_state_set_tag(conv, label, !on);
	return FALSE;
}

void bdm_desk_conv_ensure_ticket(BdmDeskConv *conv, BdmTicketDone done, gpointer data)
{
	GError *error = NULL;

	ensure_cache();
	if (conv->ticket != NULL) {
		done(conv->ticket, NULL, data);
	} else if (!store_open(&error)) {
		done(NULL, error, data);
		g_error_free(error);
	} else {
		bdm_store_assign_ticket(cache.store, conv, done, data);
	}
}

void bdm_desk_conv_claim(BdmDeskConv *conv, const char *action, BdmClaimDone done,
                         gpointer data)
{
	GError *error = NULL;

	ensure_cache();
	if (store_open(&error)) {
		bdm_store_claim(cache.store, conv, action, bdm_now(), done, data);
		return;
	}
	done(BDM_CLAIM_ERROR, error, data);
	g_error_free(error);
}

BdmDeskConv *bdm_desk_command_conv(PurpleConversation *pconv, BdmConn **conn, gchar **error)
{
	PurpleAccount *account = purple_conversation_get_account(pconv);
	BdmDeskConv *conv = bdm_desk_conv_of_account(account, purple_conversation_get_name(pconv));

	*conn = bdm_conn_of(purple_account_get_connection(account));
	if (conv == NULL) {
		*error = g_strdup(_("This works in BrandDM conversations only."));
		return NULL;
	}
	/* Every change is logged with its account: that needs the connection. */
	if (*conn == NULL) {
		*error = g_strdup(_("This account is not connected."));
		return NULL;
	}
	return conv;
}

BdmConn *bdm_desk_connection_of(const char *platform, const char *account)
{
	GList *l;

	for (l = purple_connections_get_all(); l != NULL; l = l->next) {
		BdmConn *conn = bdm_conn_of(l->data);

		if (conn != NULL && conn->connected && strcmp(bdm_conn_platform(conn), platform) == 0 &&
		    strcmp(bdm_conn_account_id(conn), account) == 0)
			return conn;
	}
	return NULL;
}

BdmConn *bdm_desk_conv_connection(const BdmDeskConv *conv)
{
	return bdm_desk_connection_of(conv->platform, conv->account);
}

void bdm_desk_conv_changed_elsewhere(const char *platform, const char *account,
                                     const char *customer)
{
	char *account_key = g_strdup_printf("%s/%s", platform, account);
	gboolean loaded = cache.convs != NULL && g_hash_table_contains(cache.loaded, account_key);
	BdmDeskConv *conv;
	BdmConn *conn;

	g_free(account_key);
	/* An account not read yet reads the store, which has it already. */
	if (!loaded)
		return;
	conv = cached(platform, account, customer);
	bdm_desk_conv_reload(conv);
	conn = bdm_desk_conv_connection(conv);
	if (conn != NULL)
		bdm_desk_conv_refresh_alias(conv, conn->account);
	bdm_desk_sla_reschedule();
}

const char *bdm_desk_conv_last_text(BdmDeskConv *conv)
{
	return cache.last_text ? g_hash_table_lookup(cache.last_text, conv) : NULL;
}

void bdm_desk_conv_set_last_text(BdmDeskConv *conv, const char *text)
{
	ensure_cache();
	g_hash_table_replace(cache.last_text, conv, g_strdup(text));
}

const char *bdm_desk_conv_customer_name(BdmDeskConv *conv, BdmConn *conn)
{
	const char *name = conn ? bdm_conn_customer_name(conn, conv->customer) : NULL;

	if (name != NULL && *name != '\0')
		return name;
	return conv->customer_name;
}

char *bdm_desk_conv_badge(const BdmDeskConv *conv)
{
	GString *s = g_string_new(NULL);
	guint i;

	/* First, so a narrow Finch list still shows who needs an answer. */
	if (conv->sla.waiting_since != 0) {
		BdmSlaStatus st = bdm_sla_evaluate(bdm_desk_config(), &conv->sla, bdm_now());

		g_string_append(s, st.level == BDM_SLA_BREACH ? _("overdue")
		                   : st.level == BDM_SLA_WARN ? _("due soon") : _("waiting"));
	}
	if (conv->department)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", conv->department);
	if (conv->sla.urgent)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", _("urgent"));
	for (i = 0; i < conv->tags->len; i++)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "",
		                       (const char *)g_ptr_array_index(conv->tags, i));
	/* Who handles it, so colleagues see it before they answer. */
	if (conv->assigned != NULL)
		g_string_append_printf(s, "%s@%s", s->len ? ", " : "", conv->assigned);
	if (s->len == 0)
		return g_string_free(s, FALSE);
	g_string_prepend(s, " [");
	g_string_append_c(s, ']');
	return g_string_free(s, FALSE);
}

void bdm_desk_conv_refresh_alias(BdmDeskConv *conv, PurpleAccount *account)
{
	PurpleBuddy *buddy = purple_find_buddy(account, conv->customer);
	PurpleConnection *gc = purple_account_get_connection(account);
	const char *name = bdm_desk_conv_customer_name(conv, bdm_conn_of(gc));
	char *badge, *title, *alias;

	if (buddy == NULL)
		return;
	badge = bdm_desk_conv_badge(conv);
	/* Without a known name the id is the base: never the old alias, which
	 * would stack "[vip] [vip]". */
	title = bdm_customer_title(account, name ? name : conv->customer);
	alias = g_strconcat(title, badge, NULL);
	if (g_strcmp0(purple_buddy_get_server_alias(buddy), alias) != 0)
		purple_blist_server_alias_buddy(buddy, alias);
	g_free(alias);
	g_free(title);
	g_free(badge);
}

char *bdm_desk_buddy_alias(BdmConn *conn, const char *customer_id, const char *name)
{
	BdmDeskConv *conv = bdm_desk_conv_of(conn, customer_id);
	char *badge, *title, *alias;

	if (name != NULL && *name != '\0' && g_strcmp0(conv->customer_name, name) != 0) {
		GError *error = NULL;

		/* Kept so the badge has a base after a restart, before any poll. */
		g_free(conv->customer_name);
		conv->customer_name = g_strdup(name);
		if (!bdm_desk_conv_save(conv, BDM_CONV_NAME, &error)) {
			purple_debug_error(DEBUG_CAT, "customer name not stored: %s\n", error->message);
			g_clear_error(&error);
		}
	}
	badge = bdm_desk_conv_badge(conv);
	title = bdm_customer_title(conn->account, name ? name : customer_id);
	alias = g_strconcat(title, badge, NULL);
	g_free(title);
	g_free(badge);
	return alias;
}
