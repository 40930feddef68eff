/*
 * Appending messages and events to the chain, and the questions the desk
 * asks on the hot path: was this message delivered, has this customer
 * written, and when last.
 *
 * Each append is its own BEGIN IMMEDIATE ... COMMIT, or part of the open
 * batch's: the write lock taken up front keeps the head we read unchanged
 * until we commit, even when branddm-admin writes to the same file, and the
 * COMMIT is what makes the "shown only after logged" promise true.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "log_internal.h"

/* Kinds only the log itself writes: an event claiming one of them would
 * confuse verification. */
static const char *const reserved_kinds[] = { "message", "erase", "purge" };

gboolean bdm_log_head(BdmLog *log, gint64 *head_id, guint8 *head_hash, gint64 *anchor_id,
                      guint8 *anchor_hash, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	/* Appends in a batch need only the head they moved themselves. */
	if (log->head_pending && anchor_id == NULL && anchor_hash == NULL) {
		if (head_id)
			*head_id = log->head_id;
		if (head_hash)
			memcpy(head_hash, log->head_hash, BDM_HASH_LEN);
		return TRUE;
	}
	stmt = bdm_log_stmt(log, BDM_STMT_HEAD_GET, error);
	if (!stmt)
		return FALSE;
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG,
			            _("%s: the chain head is missing"), log->path);
		else
			bdm_log_set_db_error(log, error, rc, _("cannot read the chain head"));
		sqlite3_reset(stmt);
		return FALSE;
	}
	if (sqlite3_column_bytes(stmt, 1) != BDM_HASH_LEN ||
	    sqlite3_column_bytes(stmt, 3) != BDM_HASH_LEN) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG,
		            _("%s: the chain head is damaged"), log->path);
		sqlite3_reset(stmt);
		return FALSE;
	}
	if (head_id)
		*head_id = log->head_pending ? log->head_id : sqlite3_column_int64(stmt, 0);
	if (head_hash)
		memcpy(head_hash, log->head_pending ? log->head_hash : sqlite3_column_blob(stmt, 1),
		       BDM_HASH_LEN);
	if (anchor_id)
		*anchor_id = sqlite3_column_int64(stmt, 2);
	if (anchor_hash)
		memcpy(anchor_hash, sqlite3_column_blob(stmt, 3), BDM_HASH_LEN);
	sqlite3_reset(stmt);
	return TRUE;
}

static gboolean set_head(BdmLog *log, gint64 head_id, const guint8 head_hash[BDM_HASH_LEN],
                         GError **error)
{
	sqlite3_stmt *stmt = bdm_log_stmt(log, BDM_STMT_HEAD_SET, error);
	int rc;

	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, head_id);
	sqlite3_bind_blob(stmt, 2, head_hash, BDM_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot move the chain head"));
		return FALSE;
	}
	return TRUE;
}

gboolean bdm_log_append(BdmLog *log, const BdmLogRecord *r, gint64 *id, GError **error)
{
	guint8 prev[BDM_HASH_LEN], content[BDM_HASH_LEN], hash[BDM_HASH_LEN];
	BdmLogRecord rec = *r;
	sqlite3_stmt *stmt;
	gint64 head_id;
	int rc;

	if (!bdm_log_head(log, &head_id, prev, NULL, NULL, error))
		return FALSE;
	rec.id = head_id + 1;
	bdm_log_hash_content(&rec, NULL, content);
	bdm_log_hash_link(prev, content, hash);

	stmt = bdm_log_stmt(log, BDM_STMT_RECORD_ADD, error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, rec.id);
	bdm_log_bind_text(stmt, 2, rec.kind);
	bdm_log_bind_text(stmt, 3, rec.platform);
	bdm_log_bind_text(stmt, 4, rec.account);
	bdm_log_bind_text(stmt, 5, rec.conversation_id);
	bdm_log_bind_text(stmt, 6, rec.customer_id);
	bdm_log_bind_text(stmt, 7, rec.customer_name);
	if (rec.direction >= 0)
		sqlite3_bind_int(stmt, 8, rec.direction);
	bdm_log_bind_text(stmt, 9, rec.text);
	bdm_log_bind_text(stmt, 10, rec.platform_message_id);
	sqlite3_bind_int64(stmt, 11, rec.platform_time);
	sqlite3_bind_int64(stmt, 12, rec.logged_time);
	sqlite3_bind_int(stmt, 13, rec.automated ? 1 : 0);
	bdm_log_bind_text(stmt, 14, rec.template_name);
	bdm_log_bind_text(stmt, 15, rec.detail_json);
	bdm_log_bind_text(stmt, 16, rec.agent);
	sqlite3_bind_blob(stmt, 17, content, BDM_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 18, hash, BDM_HASH_LEN, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot append a record"));
		return FALSE;
	}

	if (log->in_batch) {
		/* The chain row's page is written at the commit whatever it
		 * holds: one UPDATE then does for every record of the batch. */
		log->head_pending = TRUE;
		log->head_id = rec.id;
		memcpy(log->head_hash, hash, BDM_HASH_LEN);
	} else if (!set_head(log, rec.id, hash, error)) {
		return FALSE;
	}
	if (id)
		*id = rec.id;
	return TRUE;
}

gboolean bdm_log_head_flush(BdmLog *log, GError **error)
{
	if (!log->head_pending)
		return TRUE;
	log->head_pending = FALSE;
	return set_head(log, log->head_id, log->head_hash, error);
}

void bdm_log_seen_key(const char *platform, const char *account, const char *message_id,
                      guint8 out[BDM_HASH_LEN])
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	const char *parts[] = { "branddm/seen/1", platform, account, message_id };
	gsize i, len = BDM_HASH_LEN;

	for (i = 0; i < G_N_ELEMENTS(parts); i++) {
		guint32 n = GUINT32_TO_BE((guint32)strlen(parts[i]));

		g_checksum_update(sum, (const guchar *)&n, sizeof n);
		g_checksum_update(sum, (const guchar *)parts[i], strlen(parts[i]));
	}
	g_checksum_get_digest(sum, out, &len);
	g_checksum_free(sum);
}

static gboolean require(BdmLog *log, const char *value, const char *field, GError **error)
{
	if (value && *value)
		return TRUE;
	g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
	            _("%s: cannot log a record without %s"), log->path, field);
	return FALSE;
}

/* Mark the message delivered; *fresh is FALSE when it already was. */
static gboolean mark_seen(BdmLog *log, const BdmLogMessage *m, gboolean *fresh, GError **error)
{
	guint8 key[BDM_HASH_LEN];
	sqlite3_stmt *stmt = bdm_log_stmt(log, BDM_STMT_SEEN_ADD, error);
	int rc;

	if (!stmt)
		return FALSE;
	bdm_log_seen_key(m->platform, m->account, m->platform_message_id, key);
	sqlite3_bind_blob(stmt, 1, key, sizeof key, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot record a delivered message"));
		return FALSE;
	}
	*fresh = sqlite3_changes(log->db) > 0;
	return TRUE;
}

static gboolean check_detail(BdmLog *log, const char *detail, GError **error);

gboolean bdm_log_message(BdmLog *log, const BdmLogMessage *m, gboolean *inserted, GError **error)
{
	BdmLogRecord r = { 0 };
	gboolean fresh = TRUE;

	g_return_val_if_fail(log != NULL && m != NULL, FALSE);
	if (inserted)
		*inserted = FALSE;
	if (!require(log, m->platform, "platform", error) ||
	    !require(log, m->account, "account", error) ||
	    !require(log, m->customer_id, "customer_id", error))
		return FALSE;
	if (!m->text || (m->direction != BDM_DIR_IN && m->direction != BDM_DIR_OUT)) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
		            _("%s: cannot log a message without text and direction"), log->path);
		return FALSE;
	}
	if (!check_detail(log, m->detail_json, error))
		return FALSE;

	if (!bdm_log_begin_write(log, error))
		return FALSE;
	if (m->platform_message_id && *m->platform_message_id) {
		if (!mark_seen(log, m, &fresh, error)) {
			bdm_log_rollback(log);
			return FALSE;
		}
		if (!fresh)   /* nothing was written: end the write as it is */
			return bdm_log_commit(log, error);
	}

	r.kind = "message";
	r.platform = m->platform;
	r.account = m->account;
	r.conversation_id = m->conversation_id;
	r.customer_id = m->customer_id;
	r.customer_name = m->customer_name;
	r.direction = m->direction;
	r.text = m->text;
	r.platform_message_id = m->platform_message_id && *m->platform_message_id
	                        ? m->platform_message_id : NULL;
	r.platform_time = m->platform_time;
	r.logged_time = m->logged_time ? m->logged_time : bdm_log_now();
	r.automated = m->automated;
	r.template_name = m->template_name;
	r.detail_json = m->detail_json;
	r.agent = log->agent;
	if (!bdm_log_append(log, &r, NULL, error)) {
		bdm_log_rollback(log);
		return FALSE;
	}
	if (!bdm_log_commit(log, error))
		return FALSE;
	if (inserted)
		*inserted = TRUE;
	return TRUE;
}

static gboolean check_detail(BdmLog *log, const char *detail, GError **error)
{
	JsonParser *parser;
	GError *parse_error = NULL;
	gboolean ok;

	if (!detail)
		return TRUE;
	parser = json_parser_new();
	ok = json_parser_load_from_data(parser, detail, -1, &parse_error) &&
	     JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser));
	if (!ok)
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
		            _("%s: record detail is not a JSON object: %s"), log->path,
		            parse_error ? parse_error->message : _("another JSON value"));
	g_clear_error(&parse_error);
	g_object_unref(parser);
	return ok;
}

gboolean bdm_log_event(BdmLog *log, const BdmLogEvent *e, GError **error)
{
	BdmLogRecord r = { 0 };
	gsize i;

	g_return_val_if_fail(log != NULL && e != NULL, FALSE);
	if (!require(log, e->kind, "kind", error))
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS(reserved_kinds); i++) {
		if (strcmp(e->kind, reserved_kinds[i]) == 0) {
			g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
			            _("%s: event kind \"%s\" is reserved"), log->path, e->kind);
			return FALSE;
		}
	}
	if (!check_detail(log, e->detail_json, error))
		return FALSE;

	r.kind = e->kind;
	r.platform = e->platform;
	r.account = e->account;
	r.conversation_id = e->conversation_id;
	r.customer_id = e->customer_id;
	r.direction = -1;
	r.text = e->text;
	r.logged_time = e->logged_time ? e->logged_time : bdm_log_now();
	r.detail_json = e->detail_json;
	r.agent = log->agent;
	if (!bdm_log_begin_write(log, error))
		return FALSE;
	if (!bdm_log_append(log, &r, NULL, error)) {
		bdm_log_rollback(log);
		return FALSE;
	}
	return bdm_log_commit(log, error);
}

gboolean bdm_log_seen(BdmLog *log, const char *platform, const char *account,
                      const char *platform_message_id)
{
	guint8 key[BDM_HASH_LEN];
	sqlite3_stmt *stmt;
	gboolean seen;

	g_return_val_if_fail(log != NULL, FALSE);
	if (!platform || !account || !platform_message_id || !*platform_message_id)
		return FALSE;
	stmt = bdm_log_stmt(log, BDM_STMT_SEEN_HAS, NULL);
	if (!stmt)
		return FALSE;
	bdm_log_seen_key(platform, account, platform_message_id, key);
	sqlite3_bind_blob(stmt, 1, key, sizeof key, SQLITE_STATIC);
	seen = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return seen;
}

static sqlite3_stmt *customer_query(BdmLog *log, BdmLogStmt which, const char *platform,
                                    const char *account, const char *customer_id)
{
	sqlite3_stmt *stmt;

	if (!platform || !account || !customer_id)
		return NULL;
	stmt = bdm_log_stmt(log, which, NULL);
	if (!stmt)
		return NULL;
	bdm_log_bind_text(stmt, 1, platform);
	bdm_log_bind_text(stmt, 2, account);
	bdm_log_bind_text(stmt, 3, customer_id);
	return stmt;
}

gboolean bdm_log_customer_has_written(BdmLog *log, const char *platform, const char *account,
                                      const char *customer_id)
{
	sqlite3_stmt *stmt;
	gboolean found;

	g_return_val_if_fail(log != NULL, FALSE);
	stmt = customer_query(log, BDM_STMT_HAS_WRITTEN, platform, account, customer_id);
	if (!stmt)
		return FALSE;
	found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return found;
}

gint64 bdm_log_last_customer_message(BdmLog *log, const char *platform, const char *account,
                                     const char *customer_id)
{
	sqlite3_stmt *stmt;
	gint64 when = 0;

	g_return_val_if_fail(log != NULL, 0);
	stmt = customer_query(log, BDM_STMT_LAST_INBOUND, platform, account, customer_id);
	if (!stmt)
		return 0;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		when = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	return when;
}
