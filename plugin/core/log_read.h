/*
 * Reading the conversation log back: a streaming cursor over records for
 * branddm-admin (export, report, subject access).  Rows come straight from
 * prepared statements, so a million records stream in constant memory.
 */
#ifndef BRANDDM_LOG_READ_H
#define BRANDDM_LOG_READ_H

#include <json-glib/json-glib.h>

#include "log.h"

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

#endif /* BRANDDM_LOG_READ_H */
