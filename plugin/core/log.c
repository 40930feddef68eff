/*
 * Opening and closing the conversation log, and the plumbing the other
 * log*.c files share: error reporting, the prepared-statement cache and
 * transactions.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "branddm/i18n.h"
#include "log_internal.h"

/* A writer waits this long for another process (e.g. branddm-admin erase)
 * to finish before giving up with "database is locked". */
#define BUSY_TIMEOUT_MS 10000

G_DEFINE_QUARK(bdm-log-error-quark, bdm_log_error)

static const char *const stmt_sql[BDM_STMT_COUNT] = {
	[BDM_STMT_SEEN_ADD] = "INSERT OR IGNORE INTO seen(key) VALUES (?1)",
	[BDM_STMT_SEEN_HAS] = "SELECT 1 FROM seen WHERE key = ?1",
	[BDM_STMT_HEAD_GET] =
		"SELECT head_id, head_hash, anchor_id, anchor_hash FROM chain WHERE one = 1",
	[BDM_STMT_HEAD_SET] = "UPDATE chain SET head_id = ?1, head_hash = ?2 WHERE one = 1",
	[BDM_STMT_RECORD_ADD] =
		"INSERT INTO record(id, kind, platform, account, conversation_id, customer_id,"
		" customer_name, direction, text, platform_message_id, platform_time,"
		" logged_time, automated, template_name, detail, agent, content_hash, hash)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
		" ?16, ?17, ?18)",
	[BDM_STMT_HAS_WRITTEN] =
		"SELECT 1 FROM record WHERE platform = ?1 AND account = ?2 AND customer_id = ?3"
		" AND direction = 0 AND kind = 'message' LIMIT 1",
	[BDM_STMT_LAST_INBOUND] =
		"SELECT max(CASE WHEN platform_time > 0 THEN platform_time ELSE logged_time END)"
		" FROM record WHERE platform = ?1 AND account = ?2 AND customer_id = ?3"
		" AND direction = 0 AND kind = 'message'",
	[BDM_STMT_STATE_GET] = "SELECT value FROM state WHERE key = ?1",
	[BDM_STMT_STATE_SET] =
		"INSERT INTO state(key, value, updated) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated = excluded.updated",
	[BDM_STMT_STATE_DEL] = "DELETE FROM state WHERE key = ?1",
};

static BdmLogError error_code_for(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return BDM_LOG_ERROR_NOT_LOG;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return BDM_LOG_ERROR_OPEN;
	default:
		return BDM_LOG_ERROR_DB;
	}
}

void bdm_log_set_db_error(BdmLog *log, GError **error, int code, const char *what)
{
	const char *detail = log->db ? sqlite3_errmsg(log->db) : sqlite3_errstr(code);

	if ((code & 0xff) == SQLITE_NOTADB || (code & 0xff) == SQLITE_CORRUPT)
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG,
		            _("%s: not a readable BrandDM log (%s)"), log->path, detail);
	else
		g_set_error(error, BDM_LOG_ERROR, error_code_for(code), "%s: %s: %s",
		            log->path, what, detail);
}

sqlite3_stmt *bdm_log_stmt(BdmLog *log, BdmLogStmt which, GError **error)
{
	sqlite3_stmt *stmt = log->stmt[which];
	int rc;

	if (stmt) {
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		return stmt;
	}
	rc = sqlite3_prepare_v2(log->db, stmt_sql[which], -1, &stmt, NULL);
	if (rc != SQLITE_OK) {
		bdm_log_set_db_error(log, error, rc, _("cannot prepare a query"));
		return NULL;
	}
	log->stmt[which] = stmt;
	return stmt;
}

gboolean bdm_log_exec(BdmLog *log, const char *sql, const char *what, GError **error)
{
	int rc = sqlite3_exec(log->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		bdm_log_set_db_error(log, error, rc, what);
		return FALSE;
	}
	return TRUE;
}

static gboolean refuse_readonly(BdmLog *log, GError **error)
{
	if (!log->readonly)
		return FALSE;
	g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID, _("%s: opened read-only"),
	            log->path);
	return TRUE;
}

/* SQLite rolls a whole transaction back by itself after some errors (disk
 * full, I/O): later statements would then commit one by one, outside the
 * batch the caller believes they are in. */
static gboolean batch_lost(BdmLog *log)
{
	return log->batch_failed || sqlite3_get_autocommit(log->db);
}

static void set_batch_failed_error(BdmLog *log, GError **error)
{
	g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB,
	            _("%s: a write of this batch failed; nothing of the batch is kept"),
	            log->path);
}

gboolean bdm_log_begin_write(BdmLog *log, GError **error)
{
	if (refuse_readonly(log, error))
		return FALSE;
	if (!log->in_batch)
		return bdm_log_exec(log, "BEGIN IMMEDIATE", _("cannot start a transaction"), error);
	if (batch_lost(log)) {
		log->batch_failed = TRUE;
		set_batch_failed_error(log, error);
		return FALSE;
	}
	return TRUE;
}

gboolean bdm_log_begin_write_alone(BdmLog *log, GError **error)
{
	if (log->in_batch) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
		            _("%s: cannot do this inside a batch of writes"), log->path);
		return FALSE;
	}
	return bdm_log_begin_write(log, error);
}

gboolean bdm_log_commit(BdmLog *log, GError **error)
{
	if (log->in_batch)
		return TRUE;
	if (bdm_log_exec(log, "COMMIT", _("cannot commit"), error))
		return TRUE;
	bdm_log_rollback(log);
	return FALSE;
}

void bdm_log_rollback(BdmLog *log)
{
	if (log->in_batch) {
		log->batch_failed = TRUE;
		return;
	}
	if (!sqlite3_get_autocommit(log->db))
		sqlite3_exec(log->db, "ROLLBACK", NULL, NULL, NULL);
}

gboolean bdm_log_batch_begin(BdmLog *log, GError **error)
{
	g_return_val_if_fail(log != NULL, FALSE);
	if (log->in_batch) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID,
		            _("%s: a batch of writes is already open"), log->path);
		return FALSE;
	}
	if (!bdm_log_begin_write(log, error))
		return FALSE;
	log->in_batch = TRUE;
	log->batch_failed = FALSE;
	log->head_pending = FALSE;
	return TRUE;
}

gboolean bdm_log_batch_commit(BdmLog *log, GError **error)
{
	gboolean lost, head_written;

	g_return_val_if_fail(log != NULL && log->in_batch, FALSE);
	lost = batch_lost(log);
	head_written = !lost && bdm_log_head_flush(log, error);
	log->in_batch = FALSE;
	log->batch_failed = FALSE;
	log->head_pending = FALSE;
	if (!head_written) {
		bdm_log_rollback(log);
		if (lost)
			set_batch_failed_error(log, error);
		return FALSE;
	}
	return bdm_log_commit(log, error);
}

void bdm_log_batch_abort(BdmLog *log)
{
	if (log == NULL || !log->in_batch)
		return;
	log->in_batch = FALSE;
	log->batch_failed = FALSE;
	log->head_pending = FALSE;
	bdm_log_rollback(log);
}

gboolean bdm_log_in_batch(const BdmLog *log)
{
	return log->in_batch;
}

int bdm_log_bind_text(sqlite3_stmt *stmt, int idx, const char *s)
{
	if (!s)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, s, -1, SQLITE_STATIC);
}

gboolean bdm_log_truncate_wal(BdmLog *log)
{
	sqlite3_stmt *stmt = NULL;
	gboolean done = FALSE;

	if (sqlite3_prepare_v2(log->db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &stmt, NULL) ==
	    SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
		done = sqlite3_column_int(stmt, 0) == 0;
	sqlite3_finalize(stmt);
	return done;
}

gint64 bdm_log_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* A log copied in by hand or left by an old version may be readable by
 * others: take group and other access away from it and its WAL files
 * before SQLite opens them (SQLite copies the database's mode to new ones). */
static gboolean tighten_existing(const char *path, GError **error)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		char *file = g_strconcat(path, suffixes[i], NULL);
		GStatBuf st;
		gboolean ok = TRUE;

		if (g_lstat(file, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0077) != 0 &&
		    g_chmod(file, st.st_mode & 0700) != 0) {
			g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN,
			            _("%s: readable by other users and cannot be made private: %s"),
			            file, g_strerror(errno));
			ok = FALSE;
		}
		g_free(file);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}

/* SQLite would create the file with 0644 minus umask: customer messages
 * must not be readable by other local users, so create it ourselves.
 * SQLite gives the -wal and -shm files the database file's mode. */
static gboolean create_private_file(const char *path, GError **error)
{
	char *dir = g_path_get_dirname(path);
	int fd;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		int saved = errno;

		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN,
		            _("%s: cannot create directory %s: %s"), path, dir, g_strerror(saved));
		g_free(dir);
		return FALSE;
	}
	g_free(dir);
	fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return TRUE;
	}
	if (errno == EEXIST)
		return tighten_existing(path, error);
	g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN, _("%s: cannot create: %s"),
	            path, g_strerror(errno));
	return FALSE;
}

static gboolean set_journal_wal(BdmLog *log, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok = FALSE;
	int rc;

	rc = sqlite3_prepare_v2(log->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(stmt, 0);

		ok = mode && g_ascii_strcasecmp(mode, "wal") == 0;
		if (!ok)
			g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB,
			            _("%s: cannot switch to WAL journal (got \"%s\")"), log->path,
			            mode ? mode : "");
	} else {
		bdm_log_set_db_error(log, error, rc, _("cannot set the journal mode"));
	}
	sqlite3_finalize(stmt);
	return ok;
}

BdmLog *bdm_log_open_schema(const char *path, const char *agent, BdmLogOpenFlags flags, int target,
                            GError **error)
{
	gboolean readonly = (flags & BDM_LOG_OPEN_READONLY) != 0;
	BdmLog *log;
	int version = 0;
	int rc;

	g_return_val_if_fail(path != NULL && *path != '\0', NULL);

	if ((flags & BDM_LOG_OPEN_CREATE) && !readonly) {
		if (!create_private_file(path, error))
			return NULL;
	} else if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN, _("%s: no such file"), path);
		return NULL;
	}
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_OPEN, _("%s: is a directory"), path);
		return NULL;
	}

	log = g_new0(BdmLog, 1);
	log->path = g_strdup(path);
	log->agent = g_strdup(agent && *agent ? agent : g_get_user_name());
	log->readonly = readonly;

	rc = sqlite3_open_v2(path, &log->db,
	                     readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		bdm_log_set_db_error(log, error, rc, _("cannot open"));
		bdm_log_close(log);
		return NULL;
	}
	sqlite3_extended_result_codes(log->db, 1);
	sqlite3_busy_timeout(log->db, BUSY_TIMEOUT_MS);
	if ((flags & BDM_LOG_OPEN_UNTRUSTED) && !bdm_log_distrust(log, error))
		goto fail;

	/* secure_delete: erased and purged text must not linger in free pages.
	 * synchronous=NORMAL with WAL: a commit survives a killed process. */
	if (!bdm_log_exec(log, "PRAGMA secure_delete = ON", _("cannot configure"), error) ||
	    !bdm_log_schema_identify(log, &version, error))
		goto fail;
	if ((flags & BDM_LOG_OPEN_UNTRUSTED) && version > 0 &&
	    !bdm_log_schema_check(log, version, error))
		goto fail;
	if (readonly) {
		if (version > 0)
			return log;
		g_set_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG,
		            _("%s: not a BrandDM log (empty file)"), path);
		goto fail;
	}
	/* Only now, with the file known to be ours (or new), change it. */
	if (!set_journal_wal(log, error) ||
	    !bdm_log_exec(log, "PRAGMA synchronous = NORMAL", _("cannot configure"), error) ||
	    !bdm_log_schema_migrate(log, target, error))
		goto fail;
	return log;

fail:
	bdm_log_close(log);
	return NULL;
}

BdmLog *bdm_log_open_full(const char *path, const char *agent, BdmLogOpenFlags flags,
                          GError **error)
{
	return bdm_log_open_schema(path, agent, flags, BDM_LOG_SCHEMA_VERSION, error);
}

BdmLog *bdm_log_open(const char *path, const char *agent, GError **error)
{
	return bdm_log_open_full(path, agent, BDM_LOG_OPEN_CREATE, error);
}

void bdm_log_close(BdmLog *log)
{
	int i;

	if (!log)
		return;
	bdm_log_batch_abort(log);
	for (i = 0; i < BDM_STMT_COUNT; i++)
		sqlite3_finalize(log->stmt[i]);
	if (log->db)
		sqlite3_close_v2(log->db);
	g_free(log->path);
	g_free(log->agent);
	g_free(log);
}

const char *bdm_log_path(const BdmLog *log)
{
	return log->path;
}
