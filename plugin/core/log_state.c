/*
 * Small key/value state kept next to the log: conversation tags, the
 * acknowledged policy version, poll cursors.  It lives in the same file so
 * that it is committed with the same durability, but outside the hash
 * chain because it changes in place.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "log_internal.h"

char *bdm_log_state_get(BdmLog *log, const char *key, GError **error)
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

gboolean bdm_log_state_set(BdmLog *log, const char *key, const char *value, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	g_return_val_if_fail(log != NULL && key != NULL, FALSE);
	if (log->readonly) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
		            _("%s: opened read-only"), log->path);
		return FALSE;
	}
	/* Outside a transaction the one statement commits itself: no BEGIN
	 * and COMMIT to pay for.  Inside one (a batch, an erase) it joins it. */
	if (log->in_batch && !bdm_log_begin_write(log, error))
		return FALSE;
	stmt = bdm_log_stmt(log, value ? BDM_STMT_STATE_SET : BDM_STMT_STATE_DEL, error);
	if (!stmt)
		return FALSE;
	bdm_log_bind_text(stmt, 1, key);
	if (value) {
		bdm_log_bind_text(stmt, 2, value);
		sqlite3_bind_int64(stmt, 3, bdm_log_now());
	}
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot save the state"));
		if (log->in_batch)
			bdm_log_rollback(log);
		return FALSE;
	}
	return TRUE;
}

/* Does key hold id as a whole segment?  Segments are separated by '/',
 * ':' or '|', so "tags/123/x" names 123 but neither 12 nor 1234. */
static gboolean key_names(const char *key, const char *id)
{
	gsize len = strlen(id);
	const char *p = key;

	if (len == 0)
		return FALSE;
	while ((p = strstr(p, id))) {
		gboolean starts = p == key || strchr("/:|", p[-1]);
		gboolean ends = p[len] == '\0' || strchr("/:|", p[len]);

		if (starts && ends)
			return TRUE;
		p++;
	}
	return FALSE;
}

static gboolean key_names_any(const char *key, const char *const *ids)
{
	for (; *ids; ids++)
		if (key_names(key, *ids))
			return TRUE;
	return FALSE;
}

/* Collect key -> value for the rows whose key passes match(). */
static GHashTable *state_select(BdmLog *log, gboolean (*match)(const char *key, gconstpointer arg),
                                gconstpointer arg, GError **error)
{
	GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(log->db, "SELECT key, value FROM state", -1, &stmt, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(stmt, 0);

		if (key && match(key, arg))
			g_hash_table_insert(table, g_strdup(key),
			                    g_strdup((const char *)sqlite3_column_text(stmt, 1)));
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot read the state"));
		g_hash_table_unref(table);
		return NULL;
	}
	return table;
}

static gboolean match_prefix(const char *key, gconstpointer prefix)
{
	return g_str_has_prefix(key, prefix);
}

static gboolean match_ids(const char *key, gconstpointer ids)
{
	return key_names_any(key, ids);
}

GHashTable *bdm_log_state_get_prefix(BdmLog *log, const char *prefix, GError **error)
{
	g_return_val_if_fail(log != NULL && prefix != NULL, NULL);
	return state_select(log, match_prefix, prefix, error);
}

GHashTable *bdm_log_state_find(BdmLog *log, const char *const *ids, GError **error)
{
	g_return_val_if_fail(log != NULL && ids != NULL, NULL);
	return state_select(log, match_ids, ids, error);
}

gboolean bdm_log_state_forget(BdmLog *log, const char *const *ids, guint *removed, GError **error)
{
	GHashTable *doomed = bdm_log_state_find(log, ids, error);
	GHashTableIter iter;
	gpointer key;
	gboolean ok = TRUE;

	*removed = 0;
	if (!doomed)
		return FALSE;
	g_hash_table_iter_init(&iter, doomed);
	while (ok && g_hash_table_iter_next(&iter, &key, NULL)) {
		ok = bdm_log_state_set(log, key, NULL, error);
		*removed += ok;
	}
	g_hash_table_unref(doomed);
	return ok;
}
