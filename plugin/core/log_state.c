/*
 * Small key/value state kept next to the log: conversation tags, the
 * acknowledged policy version, poll cursors.  It lives in the same file so
 * that it is committed with the same durability, but outside the hash
 * chain because it changes in place.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "log_internal.h"

char *
bdm_log_state_get(BdmLog *log, const char *key, GError **error)
{
	sqlite3_stmt *stmt;
	char *value = NULL;
	int rc;

	g_return_val_if_fail(log != NULL && key != NULL, NULL);
	stmt = bdm_log_stmt(log, BDM_STMT_STATE_GET, error);
	if (!stmt)
		return NULL;
	bdm_log_bind_text(stmt, 1, key);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		value = g_strdup((const char *)sqlite3_column_text(stmt, 0));
	else if (rc != SQLITE_DONE)
		bdm_log_set_db_error(log, error, rc, _("cannot read the state"));
	sqlite3_reset(stmt);
	return value;
}

gboolean
bdm_log_state_set(BdmLog *log, const char *key, const char *value, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	g_return_val_if_fail(log != NULL && key != NULL, FALSE);
	if (log->readonly) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
		            _("%s: opened read-only"), log->path);
		return FALSE;
	}
	stmt = bdm_log_stmt(log, value ? BDM_STMT_STATE_SET : BDM_STMT_STATE_DEL, error);
	if (!stmt)
		return FALSE;
	bdm_log_bind_text(stmt, 1, key);
	if (value) {
		bdm_log_bind_text(stmt, 2, value);
		sqlite3_bind_int64(stmt, 3, bdm_log_now());
	}
	/* Autocommit: one statement is its own durable transaction. */
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot save the state"));
		return FALSE;
	}
	return TRUE;
}

/* Collect key -> value for rows matching `where` with ?1 bound to arg. */
static GHashTable *
state_select(BdmLog *log, const char *where, const char *arg, GError **error)
{
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	char *sql = g_strdup_printf("SELECT key, value FROM state WHERE %s", where);
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(log->db, sql, -1, &stmt, NULL);
	g_free(sql);
	if (rc == SQLITE_OK) {
		bdm_log_bind_text(stmt, 1, arg);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			g_hash_table_insert(table,
			                    g_strdup((const char *)sqlite3_column_text(stmt, 0)),
			                    g_strdup((const char *)sqlite3_column_text(stmt, 1)));
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot read the state"));
		g_hash_table_unref(table);
		return NULL;
	}
	return table;
}

GHashTable *
bdm_log_state_get_prefix(BdmLog *log, const char *prefix, GError **error)
{
	g_return_val_if_fail(log != NULL && prefix != NULL, NULL);
	/* substr, not LIKE: prefixes may contain % and _. */
	return state_select(log, "substr(key, 1, length(?1)) = ?1", prefix, error);
}

GHashTable *
bdm_log_state_find(BdmLog *log, const char *needle, GError **error)
{
	g_return_val_if_fail(log != NULL && needle != NULL && *needle, NULL);
	return state_select(log, "instr(key, ?1) > 0", needle, error);
}
