/*
 * Opening a log collected from elsewhere (BDM_LOG_OPEN_UNTRUSTED), as
 * SQLite advises for database files from an untrusted source
 * (https://www.sqlite.org/security.html): defensive mode, no trusted
 * schema, no memory mapping, triggers and views off, a quick integrity
 * check, and a schema that must be exactly the log's own.  A trigger
 * planted in a collected file could otherwise copy erased text into a
 * table of its own during `erase`, and be called "intact" by `verify`.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "log_internal.h"

/* What each schema version holds, besides SQLite's own autoindex of
 * state's primary key: "<type> <name>", sorted. */
static const char *const objects_v1[] = {
	"index sqlite_autoindex_state_1", "table chain", "table record", "table seen",
	"table state", NULL
};
static const char *const objects_v2[] = {
	"index record_conversation", "index record_customer", "index record_time",
	"index sqlite_autoindex_state_1", "table chain", "table record", "table seen",
	"table state", NULL
};
static const char *const objects_v3[] = {
	"index record_customer", "index record_time", "index sqlite_autoindex_state_1",
	"table chain", "table record", "table seen", "table state", NULL
};
static const char *const objects_v4[] = {
	"index record_inbound", "index record_time", "index sqlite_autoindex_state_1",
	"table chain", "table record", "table seen", "table state", NULL
};
static const char *const *const objects_of_version[] = {
	NULL, objects_v1, objects_v2, objects_v3, objects_v4
};

G_STATIC_ASSERT(G_N_ELEMENTS(objects_of_version) == BDM_LOG_SCHEMA_VERSION + 1);

gboolean bdm_log_distrust(BdmLog *log, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	const char *result = NULL;
	int rc;

	/* Each call can only fail on a bad argument; the pragmas below would
	 * then still be in force. */
	sqlite3_db_config(log->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(log->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(log->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_db_config(log->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (!bdm_log_exec(log, "PRAGMA trusted_schema = OFF; PRAGMA mmap_size = 0",
	                  _("cannot configure"), error))
		return FALSE;
	rc = sqlite3_prepare_v2(log->db, "PRAGMA quick_check(1)", -1, &stmt, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
		result = (const char *)sqlite3_column_text(stmt, 0);
	if (rc != SQLITE_ROW) {
		bdm_log_set_db_error(log, error, rc, _("cannot check the file's integrity"));
		sqlite3_finalize(stmt);
		return FALSE;
	}
	if (g_strcmp0(result, "ok") != 0) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG,
		            _("%s: the file is damaged: %s"), log->path, result ? result : "?");
		sqlite3_finalize(stmt);
		return FALSE;
	}
	sqlite3_finalize(stmt);
	return TRUE;
}

gboolean bdm_log_schema_check(BdmLog *log, int version, GError **error)
{
	const char *const *expected;
	GString *foreign = g_string_new(NULL), *missing = g_string_new(NULL);
	sqlite3_stmt *stmt = NULL;
	guint found = 0, i;
	gboolean ok = FALSE;
	int rc;

	g_return_val_if_fail(version >= 1 && version <= BDM_LOG_SCHEMA_VERSION, FALSE);
	expected = objects_of_version[version];
	rc = sqlite3_prepare_v2(log->db, "SELECT type || ' ' || name FROM sqlite_master"
	                        " ORDER BY 1", -1, &stmt, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *object = (const char *)sqlite3_column_text(stmt, 0);
		gboolean ours = FALSE;

		for (i = 0; expected[i] && !ours; i++)
			ours = g_strcmp0(object, expected[i]) == 0;
		if (ours) {
			found++;
		} else {
			g_string_append_printf(foreign, "%s\"%s\"", foreign->len ? ", " : "",
			                       object ? object : "?");
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		bdm_log_set_db_error(log, error, rc, _("cannot read the schema"));
		goto out;
	}
	for (i = 0; expected[i]; i++)
		;
	if (found < i)
		g_string_append(missing, _("objects of the log are missing"));
	if (foreign->len > 0)
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_BROKEN,
		            _("%s: tampered: objects that are not the log's own: %s"), log->path,
		            foreign->str);
	else if (missing->len > 0)
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_BROKEN, _("%s: tampered: %s"),
		            log->path, missing->str);
	else
		ok = TRUE;
out:
	g_string_free(missing, TRUE);
	g_string_free(foreign, TRUE);
	return ok;
}
