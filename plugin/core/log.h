/*
 * The conversation log: every message and desk event, in one SQLite file
 * per agent (<purple user dir>/branddm/log.sqlite), linked into a SHA-256
 * hash chain so that editing or deleting a record is detectable.
 *
 * Every write is committed before the call returns (WAL journal,
 * synchronous=NORMAL: a killed process loses nothing that was reported as
 * logged), or, inside a batch, when bdm_log_batch_commit returns: that is
 * what lets the plugin show a message only after it is on disk and never
 * show it twice.  The scheme is described in docs/LOG.md.
 *
 * Plain C + GLib + SQLite: no libpurple, so the plugin, branddm-admin and
 * the unit tests all link the same code.
 */
#ifndef BRANDDM_LOG_H
#define BRANDDM_LOG_H

#include <glib.h>

typedef struct BdmLog BdmLog;

#define BDM_LOG_ERROR (bdm_log_error_quark())

/** Why a log call failed; the GError message always names the file. */
typedef enum {
	BDM_LOG_ERROR_OPEN,     /* missing, unreadable or not creatable */
	BDM_LOG_ERROR_NOT_LOG,  /* not SQLite, corrupt, or another program's database */
	BDM_LOG_ERROR_VERSION,  /* written by a newer BrandDM */
	BDM_LOG_ERROR_INVALID,  /* a bad argument: missing field, malformed JSON */
	BDM_LOG_ERROR_DB,       /* SQLite failed (disk full, locked too long, ...) */
	BDM_LOG_ERROR_BROKEN    /* verification found a tampered or missing record */
} BdmLogError;

/** Error domain of every function here.
 *  Codes are BdmLogError. */
GQuark bdm_log_error_quark(void);

/** How bdm_log_open_full opens a file. */
typedef enum {
	BDM_LOG_OPEN_CREATE = 1 << 0,   /* create the file (0600) and its directory (0700) */
	BDM_LOG_OPEN_READONLY = 1 << 1, /* never write: for reports, export, verify */
	/* A file from elsewhere (branddm-admin): defensive mode, no triggers or
	 * views, an integrity check, and any object that is not the log's own
	 * refused (BDM_LOG_ERROR_BROKEN, naming it) */
	BDM_LOG_OPEN_UNTRUSTED = 1 << 2
} BdmLogOpenFlags;

/** Open (creating if needed) the log at path and upgrade its schema; agent
 *  is the OS user name recorded in every record (NULL: the current user). */
BdmLog *bdm_log_open(const char *path, const char *agent, GError **error);

/** bdm_log_open with explicit flags: without CREATE a missing file is an
 *  error; READONLY never writes and accepts any schema it can read. */
BdmLog *bdm_log_open_full(const char *path, const char *agent, BdmLogOpenFlags flags,
                          GError **error);

/** Close the database and free log; NULL is allowed.  Every write outside
 *  a batch was committed when it returned; an open batch is dropped. */
void bdm_log_close(BdmLog *log);

/** The path the log was opened with.
 *  Owned by log. */
const char *bdm_log_path(const BdmLog *log);

/* ---- group commit ---------------------------------------------------------- *
 * A commit costs a write of every page the transaction changed, whatever
 * it holds: a poll that brings many messages logs them far faster as one
 * transaction.  Between bdm_log_batch_begin and bdm_log_batch_commit every
 * write (messages, events, state) joins one transaction and returns as soon
 * as it is in it: nothing of the batch is on disk, or seen by another
 * process, until the commit returns TRUE, and a failed batch keeps nothing.
 * Readers on this connection see the batch's writes at once.  A batch holds
 * the write lock: begin and commit it within one main-loop turn.
 * Erase and purge are refused inside a batch. */

/** Open a batch: the writes that follow are committed together.
 *  Fails on a read-only log, with a batch already open, or a busy file. */
gboolean bdm_log_batch_begin(BdmLog *log, GError **error);

/** Commit the open batch.  FALSE, keeping none of it, when a write in it
 *  failed at the database (later writes fail at once) or the commit did. */
gboolean bdm_log_batch_commit(BdmLog *log, GError **error);

/** Drop the open batch and everything written in it.
 *  Does nothing when no batch is open; NULL is allowed. */
void bdm_log_batch_abort(BdmLog *log);

/** TRUE between bdm_log_batch_begin and its commit or abort.
 *  For assertions and callers that must not nest batches. */
gboolean bdm_log_in_batch(const BdmLog *log);

/* ---- messages and events ------------------------------------------------ */

typedef enum { BDM_DIR_IN = 0, BDM_DIR_OUT = 1 } BdmDirection;

/** One message as the plugin saw it; strings are borrowed for the call. */
typedef struct {
	const char *platform;             /* module name, e.g. "messenger" */
	const char *account;              /* brand account id */
	const char *conversation_id;      /* may be NULL */
	const char *customer_id;
	const char *customer_name;        /* may be NULL */
	BdmDirection direction;
	const char *text;
	const char *platform_message_id;  /* may be NULL for a failed send */
	gint64 platform_time;             /* Unix seconds from the platform, 0 unknown */
	gint64 logged_time;               /* Unix seconds, 0 = now */
	gboolean automated;               /* sent by an auto-reply, not a person */
	const char *template_name;        /* may be NULL */
	const char *detail_json;          /* a JSON object, may be NULL; a brand message
	                                   * this client did not send has
	                                   * {"sent_elsewhere":true[,"author":NAME]} */
} BdmLogMessage;

/** Append a message and commit it (or add it to the open batch).  *inserted is FALSE,
 *  nothing written, when (platform, account, platform_message_id) was logged before. */
gboolean bdm_log_message(BdmLog *log, const BdmLogMessage *m, gboolean *inserted,
                         GError **error);

/** TRUE when this platform message was delivered before, even if it was
 *  erased or purged since; FALSE for unknown ids and on database errors. */
gboolean bdm_log_seen(BdmLog *log, const char *platform, const char *account,
                      const char *platform_message_id);

/** A desk event; strings are borrowed for the call. */
typedef struct {
	const char *kind;             /* "block", "warn", "escalate", ... (not "message") */
	const char *platform;         /* may be NULL for desk-wide events */
	const char *account;          /* may be NULL */
	const char *conversation_id;  /* may be NULL */
	const char *customer_id;      /* may be NULL */
	const char *detail_json;      /* a JSON object, may be NULL */
	const char *text;             /* may be NULL, e.g. the blocked text */
	gint64 logged_time;           /* Unix seconds, 0 = now */
} BdmLogEvent;

/** Append an event and commit it (or add it to the open batch).  Fails on an empty or reserved kind
 *  ("message", "erase", "purge") and on detail_json that is not an object. */
gboolean bdm_log_event(BdmLog *log, const BdmLogEvent *e, GError **error);

/** TRUE when an inbound message from this customer on this account is in
 *  the log (erased and purged messages no longer count). */
gboolean bdm_log_customer_has_written(BdmLog *log, const char *platform, const char *account,
                                      const char *customer_id);

/** platform_time of the customer's newest inbound message (logged_time when
 *  the platform gave none); 0 when there is none. */
gint64 bdm_log_last_customer_message(BdmLog *log, const char *platform, const char *account,
                                     const char *customer_id);

/* ---- small persistent state ---------------------------------------------- *
 * Keys about a customer or conversation should hold its id as a whole
 * segment between '/', ':' or '|' (e.g. "tags/<conversation id>/billing"):
 * that is how erase and subject-export find them. */

/** The value stored under key (g_free it), or NULL when unset.
 *  On a database error returns NULL and sets error. */
char *bdm_log_state_get(BdmLog *log, const char *key, GError **error);

/** Store value under key (NULL deletes it), committed before returning (or
 *  with the open batch).  State is mutable and therefore outside the hash chain. */
gboolean bdm_log_state_set(BdmLog *log, const char *key, const char *value, GError **error);

/** Every key starting with prefix mapped to its value (a new table of
 *  g_strdup'ed strings), e.g. all tags of one conversation; NULL on error. */
GHashTable *bdm_log_state_get_prefix(BdmLog *log, const char *prefix, GError **error);

/* ---- retention, erasure, verification ------------------------------------ */

/** Delete the oldest records, up to the first one logged at or after
 *  older_than, keep the last deleted hash as the chain's anchor, and log a
 *  "purge" event.  *removed gets the number of deleted records. */
gboolean bdm_log_purge(BdmLog *log, gint64 older_than, guint *removed, GError **error);

/** What bdm_log_erase_customer did. */
typedef struct {
	guint records;        /* records whose personal fields were blanked */
	guint state_entries;  /* state keys naming the customer, deleted */
	gboolean wal_truncated; /* FALSE: another process kept old pages in the WAL */
	guint media_files;    /* attachment files of the customer's deleted (log dir/media) */
} BdmLogEraseResult;

/** Blank text, names and ids of every record about customer_id (on one platform,
 *  or all when NULL); ids become tombstone (NULL: a new one).  Chain stays valid. */
gboolean bdm_log_erase_customer(BdmLog *log, const char *platform, const char *customer_id,
                                const char *tombstone, BdmLogEraseResult *result,
                                GError **error);

/** The state key an erase leaves for customer_id: "forget/<hash>", so the
 *  plugin clears libpurple's copies (chat logs, buddy) without the id kept. */
char *bdm_log_forget_key(const char *customer_id);

/** A new random id to put in place of an erased customer's ids (g_free):
 *  pass the same one to every agent's log so reports still see one customer. */
char *bdm_log_new_tombstone(void);

/** Result of a full verification. */
typedef struct {
	gint64 records;          /* records present */
	gint64 head_id;          /* id of the newest record, anchor id when empty */
	char head_hash[65];      /* its chain hash in hex: record it elsewhere */
	gint64 anchor_id;        /* last purged record id, 0 when never purged */
	gint64 first_broken_id;  /* 0 when intact */
	gint64 broken;           /* number of problems found */
	char *problem;           /* what is wrong at first_broken_id (g_free) */
} BdmLogVerifyResult;

/** Called every few thousand records during long work.
 *  done counts records so far. */
typedef void (*BdmLogProgressFunc)(gint64 done, gpointer user_data);

/** Check the whole chain into *result (free with bdm_log_verify_result_clear).
 *  Returns FALSE only when the file could not be read; check first_broken_id. */
gboolean bdm_log_verify_full(BdmLog *log, BdmLogVerifyResult *result,
                             BdmLogProgressFunc progress, gpointer user_data,
                             GError **error);

/** Release what bdm_log_verify_full put into result.
 *  The struct itself is the caller's. */
void bdm_log_verify_result_clear(BdmLogVerifyResult *result);

/** FALSE with *first_broken_id and a BDM_LOG_ERROR_BROKEN error when the
 *  chain is broken (*first_broken_id 0 when the file was unreadable). */
gboolean bdm_log_verify(BdmLog *log, gint64 *first_broken_id, GError **error);

#endif /* BRANDDM_LOG_H */
