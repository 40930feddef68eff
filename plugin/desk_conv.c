/*
 * Per-conversation desk state: tags, escalation, ticket, language, the
 * response-time clock and whether the out-of-hours acknowledgement went out.
 * See desk_features.h.
 *
 * The log's state table is the truth; this file keeps a write-through cache
 * of it, filled one brand account at a time, because Pidgin asks for a
 * buddy's emblem on every redraw.  Keys are
 * "conv/<platform>/<account>/<customer>/<field>", with the customer id as a
 * whole segment so that branddm-admin erase finds and deletes them.
 */
#include <string.h>

#include <account.h>
#include <debug.h>
#include <json-glib/json-glib.h>
#include <plugin.h>
#include <prpl.h>

#include "branddm/i18n.h"
#include "desk_features.h"

#define DEBUG_CAT "branddm-desk"
#define TAG_FIELD "tag/"

static struct {
	GHashTable *convs;    /* key prefix -> BdmDeskConv* */
	GHashTable *loaded;   /* "conv/<platform>/<account>/" read from the log */
} cache;

static void conv_free(gpointer p)
{
	BdmDeskConv *c = p;

	g_free(c->platform);
	g_free(c->account);
	g_free(c->customer);
	g_free(c->key_prefix);
	g_ptr_array_unref(c->tags);
	g_free(c->department);
	g_free(c->reason);
	g_free(c->trigger);
	g_free(c->ticket);
	g_free(c->language);
	g_free(c->customer_name);
	g_free(c->last_text);
	g_free(c);
}

static void ensure_cache(void)
{
	if (cache.convs != NULL)
		return;
	cache.convs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, conv_free);
	cache.loaded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void bdm_desk_conv_shutdown(void)
{
	if (cache.convs == NULL)
		return;
	g_hash_table_destroy(cache.convs);
	g_hash_table_destroy(cache.loaded);
	memset(&cache, 0, sizeof(cache));
}

static char *account_prefix(const char *platform, const char *account)
{
	return g_strdup_printf("conv/%s/%s/", platform, account);
}

/* The cached entry, created empty; never reads the log. */
static BdmDeskConv *cached(const char *platform, const char *account, const char *customer)
{
	char *prefix = g_strdup_printf("conv/%s/%s/%s/", platform, account, customer);
	BdmDeskConv *c = g_hash_table_lookup(cache.convs, prefix);

	if (c != NULL) {
		g_free(prefix);
		return c;
	}
	c = g_new0(BdmDeskConv, 1);
	c->platform = g_strdup(platform);
	c->account = g_strdup(account);
	c->customer = g_strdup(customer);
	c->key_prefix = prefix;
	c->tags = g_ptr_array_new_with_free_func(g_free);
	g_hash_table_insert(cache.convs, c->key_prefix, c);
	return c;
}

static int compare_strings(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static void apply_escalation(BdmDeskConv *c, const char *json)
{
	JsonParser *parser = json_parser_new();
	JsonNode *root;
	JsonObject *o;

	if (!json_parser_load_from_data(parser, json, -1, NULL) ||
	    (root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		purple_debug_error(DEBUG_CAT, "%sescalation: unreadable state ignored\n", c->key_prefix);
		g_object_unref(parser);
		return;
	}
	o = json_node_get_object(root);
	g_free(c->department);
	g_free(c->reason);
	g_free(c->trigger);
	c->department = g_strdup(json_object_get_string_member_with_default(o, "department", NULL));
	c->reason = g_strdup(json_object_get_string_member_with_default(o, "reason", NULL));
	c->trigger = g_strdup(json_object_get_string_member_with_default(o, "trigger", NULL));
	c->escalated_at = json_object_get_int_member_with_default(o, "time", 0);
	g_object_unref(parser);
}

static void apply_sla(BdmDeskConv *c, const char *value)
{
	gint64 since = 0, alerted_since = 0;
	int urgent = 0, level = 0;

	if (sscanf(value, "%" G_GINT64_FORMAT " %d %d %" G_GINT64_FORMAT, &since, &urgent, &level,
	           &alerted_since) != 4 || since < 0 || level < BDM_SLA_NONE || level > BDM_SLA_BREACH) {
		purple_debug_error(DEBUG_CAT, "%ssla: unreadable state ignored\n", c->key_prefix);
		return;
	}
	c->sla.waiting_since = since;
	c->sla.urgent = urgent != 0;
	c->alerted.level = (BdmSlaLevel)level;
	c->alerted.waiting_since = alerted_since;
}

static void apply_field(BdmDeskConv *c, const char *field, const char *value)
{
	if (g_str_has_prefix(field, TAG_FIELD)) {
		g_ptr_array_add(c->tags, g_strdup(field + strlen(TAG_FIELD)));
		g_ptr_array_sort(c->tags, compare_strings);
	} else if (strcmp(field, "escalation") == 0) {
		apply_escalation(c, value);
	} else if (strcmp(field, "sla") == 0) {
		apply_sla(c, value);
	} else if (strcmp(field, "ticket") == 0) {
		g_free(c->ticket);
		c->ticket = g_strdup(value);
	} else if (strcmp(field, "lang") == 0) {
		g_free(c->language);
		c->language = g_strdup(value);
	} else if (strcmp(field, "name") == 0) {
		g_free(c->customer_name);
		c->customer_name = g_strdup(value);
	} else if (strcmp(field, "auto_reply") == 0) {
		c->auto_replied = TRUE;
	}
}

/* Read every conversation of one account once: afterwards a customer the
 * cache does not know has no state, and lookups never touch the disk. */
static void load_account(const char *platform, const char *account)
{
	char *prefix = account_prefix(platform, account);
	GHashTable *rows;
	GHashTableIter iter;
	gpointer key, value;
	GError *error = NULL;

	if (g_hash_table_contains(cache.loaded, prefix) || bdm_desk.log == NULL) {
		g_free(prefix);
		return;
	}
	rows = bdm_log_state_get_prefix(bdm_desk.log, prefix, &error);
	if (rows == NULL) {
		/* Not marked loaded: the next lookup tries again. */
		purple_debug_error(DEBUG_CAT, "cannot read the desk state of %s: %s\n", prefix,
		                   error ? error->message : "?");
		g_clear_error(&error);
		g_free(prefix);
		return;
	}
	g_hash_table_iter_init(&iter, rows);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		const char *rest = (const char *)key + strlen(prefix);
		/* Labels hold no '/', so the last "/tag/" (or else the last '/')
		 * ends the customer id even if an id ever contained a '/'. */
		const char *sep = g_strrstr(rest, "/" TAG_FIELD);
		char *customer;

		if (sep == NULL)
			sep = strrchr(rest, '/');
		if (sep == NULL || sep == rest)
			continue;
		customer = g_strndup(rest, sep - rest);
		apply_field(cached(platform, account, customer), sep + 1, value);
		g_free(customer);
	}
	g_hash_table_destroy(rows);
	g_hash_table_add(cache.loaded, prefix);
}

BdmDeskConv *bdm_desk_conv_get(const char *platform, const char *account, const char *customer)
{
	ensure_cache();
	load_account(platform, account);
	return cached(platform, account, customer);
}

BdmDeskConv *bdm_desk_conv_of(BdmConn *conn, const char *customer)
{
	return bdm_desk_conv_get(bdm_desk_platform(conn), bdm_desk_account_id(conn), customer);
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
	char *prefix = account_prefix(platform, account);
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

gboolean bdm_desk_conv_store(BdmDeskConv *conv, const char *field, const char *value,
                             GError **error)
{
	char *key;
	gboolean ok;

	if (bdm_desk.log == NULL) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN, "%s",
		            bdm_desk.log_error ? bdm_desk.log_error->message
		                               : _("The conversation log is not open."));
		return FALSE;
	}
	key = g_strconcat(conv->key_prefix, field, NULL);
	ok = bdm_log_state_set(bdm_desk.log, key, value, error);
	g_free(key);
	return ok;
}

static void add_string_or_null(JsonBuilder *b, const char *member, const char *value)
{
	json_builder_set_member_name(b, member);
	if (value != NULL)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

gboolean bdm_desk_conv_save_escalation(BdmDeskConv *conv, GError **error)
{
	JsonBuilder *b;
	JsonNode *root;
	char *json;
	gboolean ok;

	if (conv->department == NULL)
		return bdm_desk_conv_store(conv, "escalation", NULL, error);
	b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "department");
	json_builder_add_string_value(b, conv->department);
	add_string_or_null(b, "reason", conv->reason);
	add_string_or_null(b, "trigger", conv->trigger);
	json_builder_set_member_name(b, "time");
	json_builder_add_int_value(b, conv->escalated_at);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json = json_to_string(root, FALSE);
	ok = bdm_desk_conv_store(conv, "escalation", json, error);
	g_free(json);
	json_node_unref(root);
	g_object_unref(b);
	return ok;
}

gboolean bdm_desk_conv_save_sla(BdmDeskConv *conv, GError **error)
{
	char *value;
	gboolean ok;

	if (conv->sla.waiting_since == 0 && !conv->sla.urgent && conv->alerted.level == BDM_SLA_NONE)
		return bdm_desk_conv_store(conv, "sla", NULL, error);
	value = g_strdup_printf("%" G_GINT64_FORMAT " %d %d %" G_GINT64_FORMAT,
	                        conv->sla.waiting_since, conv->sla.urgent ? 1 : 0,
	                        (int)conv->alerted.level, conv->alerted.waiting_since);
	ok = bdm_desk_conv_store(conv, "sla", value, error);
	g_free(value);
	return ok;
}

static gboolean find_tag(const BdmDeskConv *conv, const char *label, guint *index)
{
	guint i;

	for (i = 0; i < conv->tags->len; i++)
		if (strcmp(g_ptr_array_index(conv->tags, i), label) == 0) {
			if (index)
				*index = i;
			return TRUE;
		}
	return FALSE;
}

gboolean bdm_desk_conv_set_tag(BdmDeskConv *conv, const char *label, gboolean on,
                               GError **error)
{
	char *field = g_strconcat(TAG_FIELD, label, NULL);
	char *when = g_strdup_printf("%" G_GINT64_FORMAT, bdm_now());
	guint index;
	gboolean ok;

	/* The disk first: a tag the log did not take is not shown either. */
	ok = bdm_desk_conv_store(conv, field, on ? when : NULL, error);
	if (ok && on && !find_tag(conv, label, NULL)) {
		g_ptr_array_add(conv->tags, g_strdup(label));
		g_ptr_array_sort(conv->tags, compare_strings);
	} else if (ok && !on && find_tag(conv, label, &index)) {
		g_ptr_array_remove_index(conv->tags, index);
	}
	g_free(when);
	g_free(field);
	return ok;
}

gboolean bdm_desk_conv_ensure_ticket(BdmDeskConv *conv, GError **error)
{
	char *counter_key, *counter, *upper, *next, *ticket;
	guint64 n = 0;
	gboolean ok;

	if (conv->ticket != NULL)
		return TRUE;
	if (bdm_desk.log == NULL) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN, "%s",
		            _("The conversation log is not open."));
		return FALSE;
	}
	counter_key = g_strconcat("ticket_seq/", conv->platform, NULL);
	counter = bdm_log_state_get(bdm_desk.log, counter_key, error);
	if (counter == NULL && error && *error) {
		g_free(counter_key);
		return FALSE;
	}
	if (counter != NULL)
		n = g_ascii_strtoull(counter, NULL, 10);
	next = g_strdup_printf("%" G_GUINT64_FORMAT, n + 1);
	upper = g_ascii_strup(conv->platform, -1);
	ticket = g_strdup_printf("%s-%" G_GUINT64_FORMAT, upper, n + 1);
	/* The counter first: a crash in between wastes a number, never reuses one. */
	ok = bdm_log_state_set(bdm_desk.log, counter_key, next, error) &&
	     bdm_desk_conv_store(conv, "ticket", ticket, error);
	if (ok)
		conv->ticket = g_steal_pointer(&ticket);
	g_free(ticket);
	g_free(upper);
	g_free(next);
	g_free(counter);
	g_free(counter_key);
	return ok;
}

const char *bdm_desk_conv_customer_name(BdmDeskConv *conv, BdmConn *conn)
{
	const char *name = conn ? bdm_desk_customer_name(conn, conv->customer) : NULL;

	if (name != NULL && *name != '\0')
		return name;
	return conv->customer_name;
}

char *bdm_desk_conv_badge(const BdmDeskConv *conv)
{
	GString *s = g_string_new(NULL);
	guint i;

	if (conv->department)
		g_string_append(s, conv->department);
	if (conv->sla.urgent)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", _("urgent"));
	for (i = 0; i < conv->tags->len; i++)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "",
		                       (const char *)g_ptr_array_index(conv->tags, i));
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
	char *badge, *alias;

	if (buddy == NULL)
		return;
	badge = bdm_desk_conv_badge(conv);
	/* Without a known name the id is the base: never the old alias, which
	 * would stack "[vip] [vip]". */
	alias = g_strconcat(name ? name : conv->customer, badge, NULL);
	if (g_strcmp0(purple_buddy_get_server_alias(buddy), alias) != 0)
		purple_blist_server_alias_buddy(buddy, alias);
	g_free(alias);
	g_free(badge);
}

char *bdm_desk_buddy_alias(BdmConn *conn, const char *customer_id, const char *name)
{
	BdmDeskConv *conv = bdm_desk_conv_of(conn, customer_id);
	char *badge = bdm_desk_conv_badge(conv);
	char *alias;

	if (name != NULL && *name != '\0' && g_strcmp0(conv->customer_name, name) != 0) {
		GError *error = NULL;
		/* Kept so the badge has a base after a restart, before any poll. */
		if (!bdm_desk_conv_store(conv, "name", name, &error)) {
			purple_debug_error(DEBUG_CAT, "customer name not stored: %s\n", error->message);
			g_clear_error(&error);
		}
		g_free(conv->customer_name);
		conv->customer_name = g_strdup(name);
	}
	alias = g_strconcat(name ? name : customer_id, badge, NULL);
	g_free(badge);
	return alias;
}
