/*
 * Shared between the log*.c files only: the BdmLog struct, the prepared
 * statement cache, transactions and the hash-chain primitives.  Nothing
 * outside plugin/core/log*.c includes this header.
 */
#ifndef BRANDDM_LOG_INTERNAL_H
#define BRANDDM_LOG_INTERNAL_H

#include <sqlite3.h>

#include "log.h"
#include "log_read.h"

/** Length of a SHA-256 digest: every hash in the chain. */
#define BDM_HASH_LEN 32

/** Statements prepared once per connection: the hot paths of the plugin. */
typedef enum {
	BDM_STMT_SEEN_ADD,
	BDM_STMT_SEEN_HAS,
	BDM_STMT_HEAD_GET,
	BDM_STMT_HEAD_SET,
	BDM_STMT_RECORD_ADD,
	BDM_STMT_HAS_WRITTEN,
	BDM_STMT_LAST_INBOUND,
	BDM_STMT_STATE_GET,
	BDM_STMT_STATE_SET,
	BDM_STMT_STATE_DEL,
	BDM_STMT_COUNT
} BdmLogStmt;

struct BdmLog {
	sqlite3 *db;
	char *path;
	char *agent;
	gboolean readonly;
	gboolean in_batch;        /* bdm_log_batch_begin: writes share one transaction */
	gboolean batch_failed;    /* a write of the open batch failed: it keeps nothing */
	/* In a batch the chain row is moved once, at the commit: until then
	 * the newest head is here (head_pending). */
	gboolean head_pending;
	gint64 head_id;
	guint8 head_hash[BDM_HASH_LEN];
	sqlite3_stmt *stmt[BDM_STMT_COUNT];
};

/** SQL selecting the records about a customer: bind ?1 customer id and
 *  ?2 platform (NULL: any).  Shared by erase, subject export and cursors. */
#define BDM_LOG_ABOUT_CUSTOMER \
	"((customer_id = ?1 OR conversation_id IN (SELECT conversation_id FROM record" \
	" WHERE customer_id = ?1 AND conversation_id IS NOT NULL" \
	" AND (?2 IS NULL OR platform = ?2))) AND (?2 IS NULL OR platform = ?2))"

/** Set error to "<file>: <what>: <sqlite message>" with code, for
 *  failures of the connection's last call. */
void bdm_log_set_db_error(BdmLog *log, GError **error, int code, const char *what);

/** The cached statement `which`, reset and with bindings cleared;
 *  NULL (error set) when it cannot be prepared. */
sqlite3_stmt *bdm_log_stmt(BdmLog *log, BdmLogStmt which, GError **error);

/** Run SQL without results (several statements allowed).
 *  error names the file and `what`. */
gboolean bdm_log_exec(BdmLog *log, const char *sql, const char *what, GError **error);

/** Start one write: BEGIN IMMEDIATE (the write lock now, so the chain head
 *  read inside cannot change before the commit), or join the open batch. */
gboolean bdm_log_begin_write(BdmLog *log, GError **error);

/** bdm_log_begin_write for work that must commit on its own (erase, purge,
 *  schema upgrade): refused while a batch is open. */
gboolean bdm_log_begin_write_alone(BdmLog *log, GError **error);

/** End a write that succeeded: COMMIT (rolled back when that fails; TRUE
 *  only when committed), or leave it to the open batch's commit. */
gboolean bdm_log_commit(BdmLog *log, GError **error);

/** End a write that failed, ignoring errors (the caller reports the first
 *  failure): ROLLBACK, or mark the open batch failed so it keeps nothing. */
void bdm_log_rollback(BdmLog *log);

/** Copy the WAL into the database and empty it, so deleted text does not
 *  linger there; FALSE when another process's reader prevented it. */
gboolean bdm_log_truncate_wal(BdmLog *log);

/** Bind a string or NULL to parameter idx of stmt. */
int bdm_log_bind_text(sqlite3_stmt *stmt, int idx, const char *s);

/** Fill r from the current row of stmt, whose columns are
 *  BDM_LOG_RECORD_COLUMNS in order. */
void bdm_log_record_from_row(sqlite3_stmt *stmt, BdmLogRecord *r);

/** The record columns bdm_log_record_from_row expects, in order. */
#define BDM_LOG_RECORD_COLUMNS \
	"id, kind, platform, account, conversation_id, customer_id, customer_name," \
	" direction, text, platform_message_id, platform_time, logged_time, automated," \
	" template_name, detail, agent, erased"

/** Delete every state key naming one of ids (NULL-terminated) as a whole
 *  segment; *removed gets the number.  Runs inside the caller's transaction. */
gboolean bdm_log_state_forget(BdmLog *log, const char *const *ids, guint *removed,
                              GError **error);

/* ---- schema (log_schema.c) ------------------------------------------------ */

/** Newest schema version this code writes. */
#define BDM_LOG_SCHEMA_VERSION 4

/** bdm_log_open_full, but upgrading a writable file only to schema
 *  `target`: how tests make files of an older BrandDM. */
BdmLog *bdm_log_open_schema(const char *path, const char *agent, BdmLogOpenFlags flags,
                            int target, GError **error);

/** Bring a writable database to schema `target` (tests pass an older one
 *  to build old files); refuses files from a newer BrandDM. */
gboolean bdm_log_schema_migrate(BdmLog *log, int target, GError **error);

/** Identify the file without writing: *version gets its schema version
 *  (0 for a new empty file); fails for foreign, corrupt and newer files. */
gboolean bdm_log_schema_identify(BdmLog *log, int *version, GError **error);

/* ---- untrusted files (log_untrusted.c) ------------------------------------- */

/** Harden the connection for a file from elsewhere: defensive mode, no
 *  triggers, views, trusted schema or mmap; FALSE when quick_check fails. */
gboolean bdm_log_distrust(BdmLog *log, GError **error);

/** FALSE (BDM_LOG_ERROR_BROKEN, naming them) when the file holds objects that
 *  schema `version` does not have, or lacks some it has. */
gboolean bdm_log_schema_check(BdmLog *log, int version, GError **error);

/* ---- chain (log_chain.c) ---------------------------------------------------- */

/** Hash of the personal fields of r (conversation, customer, text,
 *  message id, detail): what an erase keeps in place of the fields. */
void bdm_log_hash_personal(const BdmLogRecord *r, guint8 out[BDM_HASH_LEN]);

/** content_hash of r from its other fields and the personal hash
 *  (computed from r when personal is NULL). */
void bdm_log_hash_content(const BdmLogRecord *r, const guint8 *personal,
                          guint8 out[BDM_HASH_LEN]);

/** Chain link: SHA-256(prev || content). */
void bdm_log_hash_link(const guint8 prev[BDM_HASH_LEN], const guint8 content[BDM_HASH_LEN],
                       guint8 out[BDM_HASH_LEN]);


/* ---- appending (log_write.c) ----------------------------------------------- */

/** Append r (its id is ignored) at the head of the chain; must run inside
 *  bdm_log_begin_write.  *id gets the new record id. */
gboolean bdm_log_append(BdmLog *log, const BdmLogRecord *r, gint64 *id, GError **error);

/** Key of a delivered message in the seen table: a hash, because the table
 *  outlives erasure and so must hold nothing personal. */
void bdm_log_seen_key(const char *platform, const char *account, const char *message_id,
                      guint8 out[BDM_HASH_LEN]);

/** Read the chain head and anchor (id and hash) inside a transaction, the
 *  head as the open batch moved it.  Hash buffers may be NULL. */
gboolean bdm_log_head(BdmLog *log, gint64 *head_id, guint8 *head_hash,
                      gint64 *anchor_id, guint8 *anchor_hash, GError **error);

/** Write the head that appends of the open batch moved into the chain row.
 *  Called by bdm_log_batch_commit before its COMMIT; TRUE when none moved. */
gboolean bdm_log_head_flush(BdmLog *log, GError **error);

/** Current Unix time in seconds: the default logged_time. */
gint64 bdm_log_now(void);

/** Add to shas (a set of g_malloc'ed strings) every attachment digest a
 *  record's detail names; forged or malformed entries are skipped. */
void bdm_log_media_of_detail(const char *detail, GHashTable *shas);

/** Delete <log dir>/media/<sha>.* for each of shas no kept record names any
 *  more; call after the commit that dropped them.  Returns files deleted. */
guint bdm_log_media_delete(BdmLog *log, GHashTable *shas);

#endif /* BRANDDM_LOG_INTERNAL_H */
