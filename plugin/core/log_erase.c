/*
 * Erasure of one customer's personal data (GDPR article 17) without
 * breaking the hash chain.
 *
 * Each record about the customer keeps its non-personal fields (times,
 * direction, agent, account) and trades its personal fields for their hash
 * (personal_hash), so its content hash can still be recomputed.  Customer
 * and conversation ids become one random tombstone (the same in every
 * agent's log when the caller passes one), so reports still count one
 * conversation.
 * An "erase" record in the chain lists the blanked ids: blanking a record by
 * hand, without such a record, is reported by verification.
 *
 * secure_delete (set at open) overwrites the old cells, and a TRUNCATE
 * checkpoint drops the old pages from the WAL file.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "log_internal.h"

/* Detail members that describe the desk's decision, not the customer: kept
 * so reports still count blocks by rule and escalations by department. */
static const char *const detail_keep[] = {
	"rules", "spans", "department", "urgent", "trigger", "name", "locale", "level", "target",
	"verdict", "sent_elsewhere", "author",
};

/* A verdict's findings may quote what was found: only their rule ids are
 * kept, as the "rules" array reports read. */
static void keep_rules_of_findings(JsonObject *in, JsonObject *out)
{
	JsonNode *findings = json_object_get_member(in, "findings");
	JsonArray *rules;
	guint i;

	if (!findings || !JSON_NODE_HOLDS_ARRAY(findings) || json_object_has_member(out, "rules"))
		return;
	rules = json_array_new();
	for (i = 0; i < json_array_get_length(json_node_get_array(findings)); i++) {
		JsonNode *f = json_array_get_element(json_node_get_array(findings), i);
		JsonNode *rule = JSON_NODE_HOLDS_OBJECT(f)
		                 ? json_object_get_member(json_node_get_object(f), "rule") : NULL;
		JsonNode *severity = JSON_NODE_HOLDS_OBJECT(f)
		                     ? json_object_get_member(json_node_get_object(f), "severity")
		                     : NULL;

		if (!rule || !JSON_NODE_HOLDS_VALUE(rule) ||
		    json_node_get_value_type(rule) != G_TYPE_STRING)
			continue;
		/* Only what blocked: warnings alongside a block are not its rules. */
		if (severity && JSON_NODE_HOLDS_VALUE(severity) &&
		    json_node_get_value_type(severity) == G_TYPE_STRING &&
		    strcmp(json_node_get_string(severity), "block") != 0)
			continue;
		json_array_add_string_element(rules, json_node_get_string(rule));
	}
	json_object_set_array_member(out, "rules", rules);
}

typedef struct {
	gint64 id;
	guint8 personal[BDM_HASH_LEN];
	char *detail;
	char *message_id;
} Blanked;

static void blanked_clear(gpointer p)
{
	g_free(((Blanked *)p)->detail);
	g_free(((Blanked *)p)->message_id);
}

/* The platform message id is replaced by its seen-table hash: that links
 * nothing new (the seen table holds the same hash) and lets reports still
 * count a message once when several agents' logs hold it. */
static char *erased_message_id(const BdmLogRecord *r)
{
	guint8 key[BDM_HASH_LEN];
	char hex[2 * BDM_HASH_LEN + 1];

	if (!r->platform_message_id || !r->platform || !r->account)
		return NULL;
	bdm_log_seen_key(r->platform, r->account, r->platform_message_id, key);
	bdm_log_hash_hex(key, hex);
	return g_strconcat("erased:", hex, NULL);
}

static char *filter_detail(const char *detail)
{
	JsonParser *parser;
	JsonObject *in, *out;
	JsonNode *root;
	char *result = NULL;
	gsize i;

	if (!detail)
		return NULL;
	parser = json_parser_new();
	if (json_parser_load_from_data(parser, detail, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		in = json_node_get_object(json_parser_get_root(parser));
		out = json_object_new();
		for (i = 0; i < G_N_ELEMENTS(detail_keep); i++)
			if (json_object_has_member(in, detail_keep[i]))
				json_object_set_member(out, detail_keep[i],
				                       json_node_copy(json_object_get_member(in,
				                                                             detail_keep[i])));
		keep_rules_of_findings(in, out);
		root = json_node_init_object(json_node_alloc(), out);
		result = json_to_string(root, FALSE);
		json_node_unref(root);
		json_object_unref(out);
	}
	g_object_unref(parser);
	return result;
}

void bdm_log_erasure_of(const BdmLogRecord *r, BdmLogErasure *out)
{
	bdm_log_hash_personal(r, out->personal_hash);
	out->detail = filter_detail(r->detail_json);
	out->message_id = erased_message_id(r);
}

void bdm_log_erasure_clear(BdmLogErasure *erasure)
{
	g_free(erasure->detail);
	g_free(erasure->message_id);
	erasure->detail = erasure->message_id = NULL;
}

/* Read every not yet erased record about the customer before changing any:
 * the selection itself depends on the ids being blanked. */
static gboolean collect(BdmLog *log, const char *platform, const char *customer_id, GArray *blanked,
                        GHashTable *conversations, GHashTable *media, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(log->db, "SELECT " BDM_LOG_RECORD_COLUMNS " FROM record"
	                        " WHERE erased = 0 AND " BDM_LOG_ABOUT_CUSTOMER " ORDER BY id",
	                        -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		bdm_log_bind_text(stmt, 1, customer_id);
		bdm_log_bind_text(stmt, 2, platform);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			BdmLogRecord r;
			BdmLogErasure e;
			Blanked b;

			bdm_log_record_from_row(stmt, &r);
			bdm_log_media_of_detail(r.detail_json, media);
			bdm_log_erasure_of(&r, &e);
			b.id = r.id;
			memcpy(b.personal, e.personal_hash, BDM_HASH_LEN);
			b.detail = e.detail;
			b.message_id = e.message_id;
			g_array_append_val(blanked, b);
			if (r.conversation_id)
				g_hash_table_add(conversations, g_strdup(r.conversation_id));
		}
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot find the customer's records"));
		return FALSE;
	}
	return TRUE;
}

static gboolean blank(BdmLog *log, GArray *blanked, const char *tombstone, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	guint i;
	int rc;

	rc = sqlite3_prepare_v2(log->db,
	                        "UPDATE record SET"
	                        " conversation_id = CASE WHEN conversation_id IS NULL"
	                        "  THEN NULL ELSE ?2 END,"
	                        " customer_id = CASE WHEN customer_id IS NULL THEN NULL ELSE ?2 END,"
	                        " customer_name = NULL, text = NULL, platform_message_id = ?5,"
	                        " detail = ?3, personal_hash = ?4, erased = 1 WHERE id = ?1",
	                        -1, &stmt, NULL);
	for (i = 0; rc == SQLITE_OK && i < blanked->len; i++) {
		Blanked *b = &g_array_index(blanked, Blanked, i);

		sqlite3_bind_int64(stmt, 1, b->id);
		bdm_log_bind_text(stmt, 2, tombstone);
		bdm_log_bind_text(stmt, 3, b->detail);
		sqlite3_bind_blob(stmt, 4, b->personal, BDM_HASH_LEN, SQLITE_STATIC);
		bdm_log_bind_text(stmt, 5, b->message_id);
		rc = sqlite3_step(stmt);
		sqlite3_reset(stmt);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_OK) {
		bdm_log_set_db_error(log, error, rc, _("cannot blank a record"));
		return FALSE;
	}
	return TRUE;
}

/* State keys naming the customer or one of their conversations (tags,
 * notes) are personal too. */
static gboolean forget_state(BdmLog *log, const char *customer_id, GHashTable *conversations,
                             guint *removed, GError **error)
{
	GPtrArray *ids = g_ptr_array_new();
	GHashTableIter iter;
	gpointer conversation;
	gboolean ok;

	g_ptr_array_add(ids, (gpointer)customer_id);
	g_hash_table_iter_init(&iter, conversations);
	while (g_hash_table_iter_next(&iter, &conversation, NULL))
		g_ptr_array_add(ids, conversation);
	g_ptr_array_add(ids, NULL);
	ok = bdm_log_state_forget(log, (const char *const *)ids->pdata, removed, error);
	g_ptr_array_unref(ids);
	return ok;
}

/* {"tombstone":..,"platform":..,"records":[[first,last],..],"state_entries":n} */
static char *erase_detail(GArray *blanked, const char *tombstone, const char *platform, guint state)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;
	char *text;
	guint i = 0;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tombstone");
	json_builder_add_string_value(b, tombstone);
	json_builder_set_member_name(b, "platform");
	if (platform)
		json_builder_add_string_value(b, platform);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "records");
	json_builder_begin_array(b);
	while (i < blanked->len) {
		gint64 first = g_array_index(blanked, Blanked, i).id, last = first;

		while (++i < blanked->len && g_array_index(blanked, Blanked, i).id == last + 1)
			last++;
		json_builder_begin_array(b);
		json_builder_add_int_value(b, first);
		json_builder_add_int_value(b, last);
		json_builder_end_array(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "state_entries");
	json_builder_add_int_value(b, state);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	text = json_to_string(root, FALSE);
	json_node_unref(root);
	g_object_unref(b);
	return text;
}

static gboolean append_erase_record(BdmLog *log, GArray *blanked, const char *tombstone,
                                    const char *platform, guint state, GError **error)
{
	BdmLogRecord r = { 0 };
	char *detail = erase_detail(blanked, tombstone, platform, state);
	gboolean ok;

	r.kind = "erase";
	r.platform = platform;
	r.customer_id = tombstone;
	r.direction = -1;
	r.logged_time = bdm_log_now();
	r.detail_json = detail;
	r.agent = log->agent;
	ok = bdm_log_append(log, &r, NULL, error);
	g_free(detail);
	return ok;
}

char *bdm_log_forget_key(const char *customer_id)
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	char *key;

	g_checksum_update(sum, (const guchar *)"branddm/forget/1", sizeof "branddm/forget/1");
	g_checksum_update(sum, (const guchar *)customer_id, (gssize)strlen(customer_id));
	key = g_strconcat("forget/", g_checksum_get_string(sum), NULL);
	g_checksum_free(sum);
	return key;
}

char *bdm_log_new_tombstone(void)
{
	/* Random, not derived from the id: a hash of the id could be matched
	 * by anyone who knows the id, which would undo the erasure. */
	return g_strdup_printf("erased-%08x%08x", g_random_int(), g_random_int());
}

gboolean bdm_log_erase_customer(BdmLog *log, const char *platform, const char *customer_id,
                                const char *tombstone_in, BdmLogEraseResult *result, GError **error)
{
	GArray *blanked = g_array_new(FALSE, FALSE, sizeof(Blanked));
	GHashTable *conversations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *media = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	BdmLogEraseResult res = { 0 };
	char *tombstone;
	gboolean ok;

	g_return_val_if_fail(log != NULL, FALSE);
	if (!customer_id || !*customer_id) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
		            _("%s: no customer id to erase"), log->path);
		g_array_unref(blanked);
		g_hash_table_unref(conversations);
		g_hash_table_unref(media);
		return FALSE;
	}
	g_array_set_clear_func(blanked, blanked_clear);
	tombstone = tombstone_in ? g_strdup(tombstone_in) : bdm_log_new_tombstone();

	ok = bdm_log_begin_write_alone(log, error);
	if (ok) {
		/* The marker asks the plugin to clear libpurple's own copies
		 * (chat logs, buddy) when it next runs: see purple_logs.h. */
		char *forget = bdm_log_forget_key(customer_id);

		ok = collect(log, platform, customer_id, blanked, conversations, media, error) &&
		     blank(log, blanked, tombstone, error) &&
		     forget_state(log, customer_id, conversations, &res.state_entries, error) &&
		     bdm_log_state_set(log, forget, "1", error);
		g_free(forget);
		if (ok && (blanked->len > 0 || res.state_entries > 0))
			ok = append_erase_record(log, blanked, tombstone, platform,
			                         res.state_entries, error);
		if (ok)
			ok = bdm_log_commit(log, error);
		else
			bdm_log_rollback(log);
	}
	if (ok) {
		res.records = blanked->len;
		/* The files go once the records naming them are blanked for good. */
		res.media_files = bdm_log_media_delete(log, media);
		res.wal_truncated = bdm_log_truncate_wal(log);
		if (result)
			*result = res;
	}
	g_free(tombstone);
	g_array_unref(blanked);
	g_hash_table_unref(conversations);
	g_hash_table_unref(media);
	return ok;
}
