/*
 * The "local" store, reading: state rows back into BdmConvState.  See
 * conv_store_local.c for the key layout.  Unreadable values are ignored
 * (noted with g_debug), never fatal: one broken row must not hide the rest.
 */
#define G_LOG_DOMAIN "branddm-store"

#include <stdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "conv_store_local.h"

static gboolean is_segment(const char *start, const char *end, const char *word)
{
	gsize len = strlen(word);

	return (gsize)(end - start) == len && strncmp(start, word, len) == 0;
}

/* Split "<customer>/<field>", the key after "conv/<platform>/<account>/".
 * Labels and actions hold no '/', so the field is the last segment, or the
 * last two after "tag" or "claim": a customer id holding '/' stays whole. */
static gboolean split_key(const char *rest, char **customer, const char **field)
{
	const char *last = strrchr(rest, '/');
	const char *start, *sep;

	if (last == NULL || last == rest)
		return FALSE;
	for (start = last; start > rest && start[-1] != '/'; start--)
		;
	sep = last;
	if (start > rest + 1 &&
	    (is_segment(start, last, "tag") || is_segment(start, last, "claim")))
		sep = start - 1;
	*customer = g_strndup(rest, sep - rest);
	*field = sep + 1;
	return TRUE;
}

static void replace(char **field, const char *value)
{
	g_free(*field);
	*field = g_strdup(value);
}

/* A string member, NULL when absent, null or anything else. */
static const char *string_member(JsonObject *o, const char *name)
{
	JsonNode *node = json_object_get_member(o, name);

	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

static void apply_escalation(BdmConvState *state, const char *key, const char *json)
{
	JsonParser *parser = json_parser_new();
	JsonNode *root, *time;
	JsonObject *o = NULL;

	root = json_parser_load_from_data(parser, json, -1, NULL) ? json_parser_get_root(parser)
	                                                          : NULL;
	if (root != NULL && JSON_NODE_HOLDS_OBJECT(root))
		o = json_node_get_object(root);
	/* A broken row must not cost the rest of the conversation's state. */
	if (o == NULL || string_member(o, "department") == NULL) {
		g_debug("%s: unreadable value ignored", key);
		g_object_unref(parser);
		return;
	}
	replace(&state->department, string_member(o, "department"));
	replace(&state->reason, string_member(o, "reason"));
	replace(&state->trigger, string_member(o, "trigger"));
	time = json_object_get_member(o, "time");
	if (time != NULL && JSON_NODE_HOLDS_VALUE(time) &&
	    json_node_get_value_type(time) == G_TYPE_INT64)
		state->escalated_at = json_node_get_int(time);
	g_object_unref(parser);
}

static void apply_sla(BdmConvState *state, const char *key, const char *value)
{
	gint64 since = 0, alerted_since = 0;
	int urgent = 0, level = 0;

	if (sscanf(value, "%" G_GINT64_FORMAT " %d %d %" G_GINT64_FORMAT, &since, &urgent, &level,
	           &alerted_since) != 4 ||
	    since < 0 || level < BDM_SLA_NONE || level > BDM_SLA_BREACH) {
		g_debug("%s: unreadable value ignored", key);
		return;
	}
	state->sla.waiting_since = since;
	state->sla.urgent = urgent != 0;
	state->alerted.level = (BdmSlaLevel)level;
	state->alerted.waiting_since = alerted_since;
}

/* Fields this version does not know are skipped: a newer one may add some. */
static void apply_field(BdmConvState *state, const char *field, const char *value,
                        const char *key)
{
	if (g_str_has_prefix(field, TAG_FIELD)) {
		if (field[strlen(TAG_FIELD)] != '\0')
			bdm_conv_state_set_tag(state, field + strlen(TAG_FIELD), TRUE);
	} else if (strcmp(field, "escalation") == 0) {
		apply_escalation(state, key, value);
	} else if (strcmp(field, "sla") == 0) {
		apply_sla(state, key, value);
	} else if (strcmp(field, "ticket") == 0) {
		replace(&state->ticket, value);
	} else if (strcmp(field, "lang") == 0) {
		replace(&state->language, value);
	} else if (strcmp(field, "name") == 0) {
		replace(&state->customer_name, value);
	} else if (strcmp(field, "assigned") == 0) {
		replace(&state->assigned, value);
	} else if (strcmp(field, "status") == 0) {
		state->status = strcmp(value, "resolved") == 0 ? BDM_CONV_RESOLVED : BDM_CONV_OPEN;
	} else if (strcmp(field, AUTO_REPLY) == 0) {
		state->auto_replied = TRUE;
	}
}

GHashTable *bdm_store_local_read(BdmLog *log, const char *platform, const char *account,
                               const char *only, GError **error)
{
	char *account_prefix = g_strconcat("conv/", platform, "/", account, "/", NULL);
	char *prefix = only != NULL ? g_strconcat(account_prefix, only, "/", NULL)
	                            : g_strdup(account_prefix);
	GHashTable *rows = bdm_log_state_get_prefix(log, prefix, error);
	GHashTable *states = NULL;
	GHashTableIter iter;
	gpointer key, value;

	if (rows == NULL)
		goto out;
	states = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	                               (GDestroyNotify)bdm_conv_state_free);
	g_hash_table_iter_init(&iter, rows);
	while (g_hash_table_iter_next(&iter, &key, &value)) {
		BdmConvState *state;
		const char *field;
		char *customer;

		if (!split_key((const char *)key + strlen(account_prefix), &customer, &field))
			continue;
		state = g_hash_table_lookup(states, customer);
		if (state == NULL) {
			state = bdm_conv_state_new(platform, account, customer);
			g_hash_table_insert(states, state->customer, state);
		}
		apply_field(state, field, value, key);
		g_free(customer);
	}
	g_hash_table_destroy(rows);
out:
	g_free(prefix);
	g_free(account_prefix);
	return states;
}

