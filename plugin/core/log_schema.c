/*
 * Schema of the conversation log and its migrations.
 *
 * PRAGMA application_id marks the file as ours (so a stray database of
 * another program is refused instead of modified) and PRAGMA user_version
 * is the schema version.  Each migration runs in its own write transaction
 * that re-reads the version first, so two processes opening an old file at
 * once (plugin and branddm-admin) upgrade it exactly once.
 */
#include "branddm/i18n.h"
#include "log_internal.h"

/* "BDML" */
#define BDM_LOG_APPLICATION_ID 0x42444d4c

typedef struct {
	int version;
	const char *sql;
} Migration;

/* Append only: a released migration is never edited, as files in the wild
 * were made by it. */
static const Migration migrations[] = {
	{ 1,
	  /* One table for messages and events: they share one hash chain.
	   * personal_hash is set by an erase, in place of the blanked fields. */
	  "CREATE TABLE record ("
	  " id INTEGER PRIMARY KEY,"
	  " kind TEXT NOT NULL,"
	  " platform TEXT,"
	  " account TEXT,"
	  " conversation_id TEXT,"
	  " customer_id TEXT,"
	  " customer_name TEXT,"
	  " direction INTEGER,"
	  " text TEXT,"
	  " platform_message_id TEXT,"
	  " platform_time INTEGER NOT NULL DEFAULT 0,"
	  " logged_time INTEGER NOT NULL,"
	  " automated INTEGER NOT NULL DEFAULT 0,"
	  " template_name TEXT,"
	  " detail TEXT,"
	  " agent TEXT NOT NULL,"
	  " erased INTEGER NOT NULL DEFAULT 0,"
	  " personal_hash BLOB,"
	  " content_hash BLOB NOT NULL,"
	  " hash BLOB NOT NULL);"
	  /* The chain's head (newest record) and anchor (last purged record). */
	  "CREATE TABLE chain ("
	  " one INTEGER PRIMARY KEY CHECK (one = 1),"
	  " head_id INTEGER NOT NULL,"
	  " head_hash BLOB NOT NULL,"
	  " anchor_id INTEGER NOT NULL,"
	  " anchor_hash BLOB NOT NULL);"
	  "INSERT INTO chain VALUES (1, 0, zeroblob(32), 0, zeroblob(32));"
	  /* Hashes of delivered message ids: survive erase and purge. */
	  "CREATE TABLE seen (key BLOB PRIMARY KEY) WITHOUT ROWID;"
	  "CREATE TABLE state ("
	  " key TEXT PRIMARY KEY,"
	  " value TEXT NOT NULL,"
	  " updated INTEGER NOT NULL);" },
	{ 2,
	  /* The desk asks "has this customer written, and when last?" on every
	   * send; export and report read in time order. */
	  "CREATE INDEX record_customer ON record(platform, account, customer_id, direction);"
	  "CREATE INDEX record_conversation ON record(conversation_id);"
	  "CREATE INDEX record_time ON record(logged_time);" },
	{ 3,
	  /* No query uses it (erase and subject export find a customer's
	   * conversations by one scan), yet every append wrote one more page. */
	  "DROP INDEX IF EXISTS record_conversation;" },
	{ 4,
	  /* The desk only ever asks about a customer's inbound messages (has
	   * this customer written, and when last): an index of those alone
	   * answers both, and the brand's replies and desk events no longer
	   * write a page of it. */
	  "DROP INDEX IF EXISTS record_customer;"
	  "CREATE INDEX record_inbound ON record(platform, account, customer_id)"
	  " WHERE direction = 0 AND kind = 'message';" },
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == BDM_LOG_SCHEMA_VERSION);

static gboolean pragma_int(BdmLog *log, const char *sql, gint64 *value, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(log->db, sql, -1, &stmt, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		bdm_log_set_db_error(log, error, rc, _("cannot read the file header"));
		sqlite3_finalize(stmt);
		return FALSE;
	}
	*value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return TRUE;
}

gboolean bdm_log_schema_identify(BdmLog *log, int *version, GError **error)
{
	gint64 app_id, user_version, objects;

	/* The first read of the header is where SQLite notices a file that
	 * is not a database at all. */
	if (!pragma_int(log, "PRAGMA application_id", &app_id, error) ||
	    !pragma_int(log, "PRAGMA user_version", &user_version, error) ||
	    !pragma_int(log, "SELECT count(*) FROM sqlite_master", &objects, error))
		return FALSE;

	if (app_id == 0 && user_version == 0) {
		if (objects > 0) {
			g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG,
			            _("%s: not a BrandDM log (a database of another program)"),
			            log->path);
			return FALSE;
		}
		*version = 0;
		return TRUE;
	}
	if (app_id != BDM_LOG_APPLICATION_ID) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG,
		            _("%s: not a BrandDM log (application id %#x)"), log->path,
		            (unsigned)app_id);
		return FALSE;
	}
	if (user_version > BDM_LOG_SCHEMA_VERSION) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_VERSION,
		            _("%s: written by a newer BrandDM (log schema %d; this version "
		              "knows up to %d): upgrade BrandDM"),
		            log->path, (int)user_version, BDM_LOG_SCHEMA_VERSION);
		return FALSE;
	}
	if (user_version < 1) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG,
		            _("%s: not a BrandDM log (schema version %d)"), log->path,
		            (int)user_version);
		return FALSE;
	}
	*version = (int)user_version;
	return TRUE;
}

static gboolean apply_migration(BdmLog *log, const Migration *m, GError **error)
{
	gint64 current;
	char *stamp;
	gboolean ok;

	if (!bdm_log_begin_write_alone(log, error))
		return FALSE;
	/* Another process may have upgraded while we waited for the lock. */
	if (!pragma_int(log, "PRAGMA user_version", &current, error)) {
		bdm_log_rollback(log);
		return FALSE;
	}
	if (current >= m->version)
		return bdm_log_commit(log, error);

	stamp = g_strdup_printf("PRAGMA application_id = %d; PRAGMA user_version = %d;",
	                        BDM_LOG_APPLICATION_ID, m->version);
	ok = bdm_log_exec(log, m->sql, _("cannot upgrade the schema"), error) &&
	     bdm_log_exec(log, stamp, _("cannot upgrade the schema"), error);
	g_free(stamp);
	if (!ok) {
		bdm_log_rollback(log);
		return FALSE;
	}
	return bdm_log_commit(log, error);
}

gboolean bdm_log_schema_migrate(BdmLog *log, int target, GError **error)
{
	int version;
	gsize i;

	g_return_val_if_fail(target >= 0 && target <= BDM_LOG_SCHEMA_VERSION, FALSE);

	if (!bdm_log_schema_identify(log, &version, error))
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS(migrations); i++) {
		if (migrations[i].version <= version || migrations[i].version > target)
			continue;
		if (!apply_migration(log, &migrations[i], error))
			return FALSE;
	}
	return TRUE;
}
