/*
 * Streaming records out of the log.  One prepared statement per cursor and
 * no copies: the record's strings point at SQLite's row buffer, which is
 * what keeps `branddm-admin export` close to the speed of sqlite3 itself.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "log_internal.h"

struct BdmLogCursor {
	BdmLog *log;
	sqlite3_stmt *stmt;
	BdmLogRecord record;
	gboolean with_hashes;
	gboolean done;
};

static const char *column_text(sqlite3_stmt *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

/* A hash column, NULL when absent or damaged (a hand-edited file). */
static const guint8 *hash_column(sqlite3_stmt *stmt, int col)
{
	const guint8 *blob = sqlite3_column_blob(stmt, col);

	return blob && sqlite3_column_bytes(stmt, col) == BDM_HASH_LEN ? blob : NULL;
}

void bdm_log_record_from_row(sqlite3_stmt *stmt, BdmLogRecord *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(stmt, 0);
	r->kind = column_text(stmt, 1);
	r->platform = column_text(stmt, 2);
	r->account = column_text(stmt, 3);
	r->conversation_id = column_text(stmt, 4);
	r->customer_id = column_text(stmt, 5);
	r->customer_name = column_text(stmt, 6);
	r->direction = sqlite3_column_type(stmt, 7) == SQLITE_NULL
	               ? -1 : sqlite3_column_int(stmt, 7);
	r->text = column_text(stmt, 8);
	r->platform_message_id = column_text(stmt, 9);
	r->platform_time = sqlite3_column_int64(stmt, 10);
	r->logged_time = sqlite3_column_int64(stmt, 11);
	r->automated = sqlite3_column_int(stmt, 12) != 0;
	r->template_name = column_text(stmt, 13);
	r->detail_json = column_text(stmt, 14);
	r->agent = column_text(stmt, 15);
	r->erased = sqlite3_column_int(stmt, 16) != 0;
	/* kind is NOT NULL in the schema, but a hand-edited file may break
	 * that; callers compare it with strcmp. */
	if (!r->kind)
		r->kind = "";
}

BdmLogCursor *bdm_log_cursor_new(BdmLog *log, const BdmLogQuery *q, GError **error)
{
	static const BdmLogQuery all = { 0 };
	GString *sql = g_string_new("SELECT " BDM_LOG_RECORD_COLUMNS);
	BdmLogCursor *cursor;
	sqlite3_stmt *stmt = NULL;
	int rc;

	g_return_val_if_fail(log != NULL, NULL);
	if (!q)
		q = &all;
	if (q->with_hashes)
		g_string_append(sql, ", personal_hash, content_hash, hash");
	g_string_append(sql, " FROM record WHERE 1");
	/* Fixed parameter numbers: ?1 customer, ?2 platform, ?3 since,
	 * ?4 until, ?5 account, ?6 first id, ?7 limit; only those used are bound. */
	if (q->customer_id)
		g_string_append(sql, " AND " BDM_LOG_ABOUT_CUSTOMER);
	else if (q->platform)
		g_string_append(sql, " AND platform = ?2");
	if (q->has_since)
		g_string_append(sql, " AND logged_time >= ?3");
	if (q->has_until)
		g_string_append(sql, " AND logged_time < ?4");
	if (q->account)
		g_string_append(sql, " AND account = ?5");
	if (q->from_id > 0)
		g_string_append(sql, " AND id >= ?6");
	g_string_append(sql, q->by_time ? " ORDER BY logged_time, id" : " ORDER BY id");
	if (q->limit > 0)
		g_string_append(sql, " LIMIT ?7");

	rc = sqlite3_prepare_v2(log->db, sql->str, (int)sql->len, &stmt, NULL);
	g_string_free(sql, TRUE);
	if (rc != SQLITE_OK) {
		bdm_log_set_db_error(log, error, rc, _("cannot read the records"));
		return NULL;
	}
	if (q->customer_id)
		bdm_log_bind_text(stmt, 1, q->customer_id);
	if (q->customer_id || q->platform)
		bdm_log_bind_text(stmt, 2, q->platform);
	if (q->has_since)
		sqlite3_bind_int64(stmt, 3, q->since);
	if (q->has_until)
		sqlite3_bind_int64(stmt, 4, q->until);
	if (q->account)
		bdm_log_bind_text(stmt, 5, q->account);
	if (q->from_id > 0)
		sqlite3_bind_int64(stmt, 6, q->from_id);
	if (q->limit > 0)
		sqlite3_bind_int64(stmt, 7, q->limit);

	cursor = g_new0(BdmLogCursor, 1);
	cursor->log = log;
	cursor->stmt = stmt;
	cursor->with_hashes = q->with_hashes;
	return cursor;
}

const BdmLogRecord *bdm_log_cursor_next(BdmLogCursor *cursor, GError **error)
{
	int rc;

	g_return_val_if_fail(cursor != NULL, NULL);
	if (cursor->done)
		return NULL;
	rc = sqlite3_step(cursor->stmt);
	if (rc == SQLITE_ROW) {
		bdm_log_record_from_row(cursor->stmt, &cursor->record);
		if (cursor->with_hashes) {
			cursor->record.personal_hash = hash_column(cursor->stmt, 17);
			cursor->record.content_hash = hash_column(cursor->stmt, 18);
			cursor->record.hash = hash_column(cursor->stmt, 19);
		}
		return &cursor->record;
	}
	cursor->done = TRUE;
	if (rc != SQLITE_DONE)
		bdm_log_set_db_error(cursor->log, error, rc, _("cannot read the records"));
	return NULL;
}

void bdm_log_cursor_free(BdmLogCursor *cursor)
{
	if (!cursor)
		return;
	sqlite3_finalize(cursor->stmt);
	g_free(cursor);
}

gint64 bdm_log_count(BdmLog *log, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gint64 n = -1;
	int rc;

	g_return_val_if_fail(log != NULL, -1);
	rc = sqlite3_prepare_v2(log->db, "SELECT count(*) FROM record", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	else
		bdm_log_set_db_error(log, error, rc, _("cannot count the records"));
	sqlite3_finalize(stmt);
	return n;
}

JsonObject *bdm_log_detail_object(JsonParser *parser, const char *detail_json)
{
	JsonNode *root;

	if (!detail_json || !json_parser_load_from_data(parser, detail_json, -1, NULL))
		return NULL;
	root = json_parser_get_root(parser);
	return root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
}

gboolean bdm_log_anchor(BdmLog *log, gint64 *anchor_id, guint8 anchor_hash[BDM_LOG_HASH_LEN],
                        GError **error)
{
	g_return_val_if_fail(log != NULL, FALSE);
	return bdm_log_head(log, NULL, NULL, anchor_id, anchor_hash, error);
}
