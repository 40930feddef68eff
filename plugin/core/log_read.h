/*
 * Reading the conversation log back: a streaming cursor over records for
 * branddm-admin (export, report, subject access).  Rows come straight from
 * prepared statements, so a million records stream in constant memory.
 */
#ifndef BRANDDM_LOG_READ_H
#define BRANDDM_LOG_READ_H

#include <json-glib/json-glib.h>

#include "log.h"

/** Length of every hash of the chain (SHA-256). */
#define BDM_LOG_HASH_LEN 32

/** One stored record.  Strings point into the cursor and stay valid only
 *  until its next step; NULL means the field was not set. */
typedef struct {
	gint64 id;                        /* position in the hash chain */
	const char *kind;                 /* "message" or the event kind */
	const char *platform;
	const char *account;
	const char *conversation_id;
	const char *customer_id;
	const char *customer_name;
	int direction;                    /* BDM_DIR_IN, BDM_DIR_OUT, -1 for events */
	const char *text;
	const char *platform_message_id;
	gint64 platform_time;
	gint64 logged_time;
	gboolean automated;
	const char *template_name;
	const char *detail_json;          /* a JSON object as text */
	const char *agent;
	gboolean erased;                  /* personal fields blanked by an erase */
	/* Only with BdmLogQuery.with_hashes, else NULL; BDM_LOG_HASH_LEN bytes each,
	 * NULL too when the stored column is damaged (not that long). */
	const guint8 *personal_hash;      /* set by an erase */
	const guint8 *content_hash;
	const guint8 *hash;               /* the chain link */
} BdmLogRecord;

/** Which records a cursor returns and in what order. */
typedef struct {
	gboolean has_since;
	gint64 since;                /* logged_time >= since */
	gboolean has_until;
	gint64 until;                /* logged_time < until */
	const char *platform;        /* NULL: any */
	const char *account;         /* NULL: any */
	const char *customer_id;     /* records about this customer and their conversations */
	gboolean by_time;            /* order by (logged_time, id) instead of chain order */
	gint64 from_id;              /* id >= from_id; 0: from the start */
	guint limit;                 /* at most this many records; 0: all */
	gboolean with_hashes;        /* fill the records' hash fields */
} BdmLogQuery;

typedef struct BdmLogCursor BdmLogCursor;

/** Start reading the records q selects (NULL q: all, in chain order).
 *  Free with bdm_log_cursor_free before closing the log. */
BdmLogCursor *bdm_log_cursor_new(BdmLog *log, const BdmLogQuery *q, GError **error);

/** The next record, or NULL at the end and on error (then error is set).
 *  The record is owned by the cursor and overwritten by the next call. */
const BdmLogRecord *bdm_log_cursor_next(BdmLogCursor *cursor, GError **error);

/** Release a cursor; NULL is allowed.
 *  Ends the read transaction it held. */
void bdm_log_cursor_free(BdmLogCursor *cursor);

/** Every state key naming one of ids (NULL-terminated) as a whole segment,
 *  mapped to its value (new table of g_strdup'ed strings). */
GHashTable *bdm_log_state_find(BdmLog *log, const char *const *ids, GError **error);

/** Number of records in the log (for progress and sizing).
 *  -1 on error. */
gint64 bdm_log_count(BdmLog *log, GError **error);

/** A record's detail_json as an object owned by parser, or NULL when it is
 *  missing, not JSON or not an object (a forged log must not crash readers). */
JsonObject *bdm_log_detail_object(JsonParser *parser, const char *detail_json);

/** Hex form of a hash into out (65 bytes with the NUL): how hashes are
 *  printed, put in details and sent to the team database. */
void bdm_log_hash_hex(const guint8 hash[BDM_LOG_HASH_LEN], char out[2 * BDM_LOG_HASH_LEN + 1]);

/** The chain's anchor: id and hash of the last purged record (0 and zeros
 *  when never purged).  Where a copy of the chain elsewhere starts from. */
gboolean bdm_log_anchor(BdmLog *log, gint64 *anchor_id, guint8 anchor_hash[BDM_LOG_HASH_LEN],
                        GError **error);

/* ---- erasure and verification of records held elsewhere -------------------- *
 * The team database keeps copies of every agent's records (docs/LOG.md):
 * branddm-admin erases and verifies them there with the same rules. */

/** What an erase puts in place of a record's personal fields. */
typedef struct {
	guint8 personal_hash[BDM_LOG_HASH_LEN];  /* hash of the fields it blanks */
	char *detail;       /* the detail's non-personal members, NULL when none */
	char *message_id;   /* "erased:<seen hash>", NULL when it had no id */
} BdmLogErasure;

/** Fill *out with what erasing r keeps (its personal hash, the filtered
 *  detail, the erased message id); free with bdm_log_erasure_clear. */
void bdm_log_erasure_of(const BdmLogRecord *r, BdmLogErasure *out);

/** Free the strings of an erasure.
 *  Safe on a zeroed one. */
void bdm_log_erasure_clear(BdmLogErasure *erasure);

typedef struct BdmChainCheck BdmChainCheck;

/** Start checking a chain that begins after anchor (id, hash; NULL hash:
 *  zeros) into *result, which it clears first (bdm_log_verify_result_clear). */
BdmChainCheck *bdm_chain_check_new(BdmLogVerifyResult *result, gint64 anchor_id,
                                   const guint8 *anchor_hash);

/** Check the next record (in id order, with its hashes).  erase_covered: an
 *  erasure order held elsewhere accounts for its blanked fields. */
void bdm_chain_check_add(BdmChainCheck *check, const BdmLogRecord *r, gboolean erase_covered);

/** Finish the check and free it: with has_head, the records must end at head_id
 *  with head_hash; without, the last record is the head. */
void bdm_chain_check_end(BdmChainCheck *check, gboolean has_head, gint64 head_id,
                         const guint8 *head_hash);

#endif /* BRANDDM_LOG_READ_H */
