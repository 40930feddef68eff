/*
 * Retention: deleting old records without making the rest unverifiable.
 *
 * Only a prefix of the chain can go (everything up to the first record
 * that is still young enough): the hash of the last deleted record becomes
 * the anchor from which verification starts, and a "purge" record appended
 * to the chain confirms that anchor, so deleting old records by hand (and
 * moving the anchor) is still detected.
 */
#include <inttypes.h>
#include <string.h>

#include "branddm/i18n.h"
#include "log_internal.h"

/* The id of the last record to delete: the one before the first record
 * logged at or after older_than, or the head when all are older. */
static gboolean find_cut(BdmLog *log, gint64 older_than, gint64 head_id, gint64 *last,
                         GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(log->db, "SELECT min(id) FROM record WHERE logged_time >= ?1", -1,
	                        &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, older_than);
		rc = sqlite3_step(stmt);
	}
	if (rc == SQLITE_ROW) {
		*last = sqlite3_column_type(stmt, 0) == SQLITE_NULL
		        ? head_id : sqlite3_column_int64(stmt, 0) - 1;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_OK) {
		bdm_log_set_db_error(log, error, rc, _("cannot find old records"));
		return FALSE;
	}
	return TRUE;
}

static gboolean record_hash(BdmLog *log, gint64 id, guint8 hash[BDM_HASH_LEN], GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok = FALSE;
	int rc;

	rc = sqlite3_prepare_v2(log->db, "SELECT hash FROM record WHERE id = ?1", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, id);
		rc = sqlite3_step(stmt);
	}
	if (rc == SQLITE_ROW && sqlite3_column_bytes(stmt, 0) == BDM_HASH_LEN) {
		memcpy(hash, sqlite3_column_blob(stmt, 0), BDM_HASH_LEN);
		ok = TRUE;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_BROKEN,
		            _("%s: record %" PRId64 " is missing or damaged; run "
		              "\"branddm-admin verify\""), log->path, id);
	} else {
		bdm_log_set_db_error(log, error, rc, _("cannot read a record"));
	}
	sqlite3_finalize(stmt);
	return ok;
}

static gboolean delete_prefix(BdmLog *log, gint64 last, const guint8 anchor[BDM_HASH_LEN],
                              guint *removed, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(log->db, "DELETE FROM record WHERE id <= ?1", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, last);
		rc = sqlite3_step(stmt);
		*removed = (guint)sqlite3_changes(log->db);
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (rc == SQLITE_DONE)
		rc = sqlite3_prepare_v2(log->db, "UPDATE chain SET anchor_id = ?1, anchor_hash = ?2"
		                        " WHERE one = 1", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, last);
		sqlite3_bind_blob(stmt, 2, anchor, BDM_HASH_LEN, SQLITE_STATIC);
		rc = sqlite3_step(stmt);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot delete old records"));
		return FALSE;
	}
	return TRUE;
}

/* The attachments named by the records about to be purged. */
static gboolean media_of_prefix(BdmLog *log, gint64 last, GHashTable *media, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(log->db, "SELECT detail FROM record WHERE id <= ?1 AND"
	                        " detail LIKE '%\"attachments\"%'", -1, &stmt, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, last);
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			bdm_log_media_of_detail((const char *)sqlite3_column_text(stmt, 0), media);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot read old records"));
		return FALSE;
	}
	return TRUE;
}

static gboolean append_purge_record(BdmLog *log, gint64 older_than, guint removed, gint64 anchor_id,
                                    const guint8 anchor[BDM_HASH_LEN], GError **error)
{
	char hex[2 * BDM_HASH_LEN + 1];
	BdmLogRecord r = { 0 };
	char *detail;
	gboolean ok;

	bdm_log_hash_hex(anchor, hex);
	detail = g_strdup_printf("{\"older_than\":%" G_GINT64_FORMAT ",\"removed\":%u,"
	                         "\"anchor_id\":%" G_GINT64_FORMAT ",\"anchor_hash\":\"%s\"}",
	                         older_than, removed, anchor_id, hex);
	r.kind = "purge";
	r.direction = -1;
	r.logged_time = bdm_log_now();
	r.detail_json = detail;
	r.agent = log->agent;
	ok = bdm_log_append(log, &r, NULL, error);
	g_free(detail);
	return ok;
}

gboolean bdm_log_purge(BdmLog *log, gint64 older_than, guint *removed, GError **error)
{
	guint8 anchor[BDM_HASH_LEN];
	gint64 head_id = 0, anchor_id = 0, last = 0;
	GHashTable *media;
	guint n = 0;

	g_return_val_if_fail(log != NULL, FALSE);
	if (removed)
		*removed = 0;
	if (!bdm_log_begin_write_alone(log, error))
		return FALSE;
	media = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!bdm_log_head(log, &head_id, NULL, &anchor_id, NULL, error) ||
	    !find_cut(log, older_than, head_id, &last, error))
		goto fail;
	if (last <= anchor_id) {
		bdm_log_rollback(log);
		g_hash_table_unref(media);
		return TRUE;
	}
	if (!media_of_prefix(log, last, media, error) ||
	    !record_hash(log, last, anchor, error) ||
	    !delete_prefix(log, last, anchor, &n, error) ||
	    !append_purge_record(log, older_than, n, last, anchor, error))
		goto fail;
	if (!bdm_log_commit(log, error)) {
		g_hash_table_unref(media);
		return FALSE;
	}
	bdm_log_media_delete(log, media);
	g_hash_table_unref(media);
	bdm_log_truncate_wal(log);
	if (removed)
		*removed = n;
	return TRUE;

fail:
	bdm_log_rollback(log);
	g_hash_table_unref(media);
	return FALSE;
}
