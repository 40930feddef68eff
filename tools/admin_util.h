/*
 * What every branddm-admin subcommand shares: option parsing, the list of
 * log files, time arguments, progress on stderr, and a buffered writer with
 * the escaping of JSON, CSV and HTML (hand-written: export streams a million
 * records, and building json-glib trees for each would cost most of the time).
 */
#ifndef BRANDDM_ADMIN_UTIL_H
#define BRANDDM_ADMIN_UTIL_H

#include <stdio.h>

#include <glib.h>

#include <json-glib/json-glib.h>

#include "log_read.h"

/* ---- command line ------------------------------------------------------- */

/** Parse argv with ctx (translated help, --help exits 0).  Returns -1 when
 *  the command should run, else the exit status (usage_status on errors). */
int bdm_admin_parse(GOptionContext *ctx, int *argc, char ***argv, int usage_status);

/** Print "branddm-admin: <message>" on stderr.
 *  Every failure message of the tool goes through here. */
void bdm_admin_fail(const char *format, ...) G_GNUC_PRINTF(1, 2);

/** The --db files given, or the default log (~/.purple/branddm/log.sqlite)
 *  when none was; a new NULL-terminated array (g_strfreev). */
char **bdm_admin_db_list(char **given);

/** The platform name the log stores for a --platform argument: "facebook"
 *  (also "messenger", "fb"), "instagram" ("ig"), "x" ("twitter"); NULL if unknown. */
const char *bdm_admin_platform_name(const char *given);

/** Resolve *platform (g_free'd string, may be NULL) in place with
 *  bdm_admin_platform_name; FALSE with a message listing the names when unknown. */
gboolean bdm_admin_resolve_platform(char **platform);

/** Parse a time argument: Unix seconds, ISO 8601 ("2026-11-21T10:00:00Z",
 *  offsets allowed, UTC when none) or a date ("2026-11-21", midnight UTC). */
gboolean bdm_admin_parse_time(const char *text, gint64 *out, GError **error);

/* ---- progress ------------------------------------------------------------- */

/** Progress of long work on stderr: only when stderr is a terminal or
 *  --progress asked for it, so redirected runs stay clean. */
typedef struct {
	gboolean enabled;
	const char *label;
	gint64 next;
} BdmProgress;

/** Start reporting under label ("export", "verify: FILE"); label is borrowed.
 *  forced is --progress. */
void bdm_progress_init(BdmProgress *p, const char *label, gboolean forced);

/** Note that done records are finished; prints every few tens of thousands.
 *  Cheap enough to call for every record. */
void bdm_progress_tick(BdmProgress *p, gint64 done);

/** Print the final count and end the line.
 *  Nothing when progress is off. */
void bdm_progress_end(BdmProgress *p, gint64 done);

/* ---- buffered output ------------------------------------------------------ */

/** A write buffer in front of a FILE, remembering the first write error. */
typedef struct {
	FILE *fp;
	char *buf;
	gsize len;
	gsize cap;
	int error;  /* errno of the first failed write, 0 when none */
} BdmOut;

/** Start buffering output to fp.
 *  Finish with bdm_out_close. */
void bdm_out_init(BdmOut *out, FILE *fp);

/** Flush, release the buffer and report a write error (disk full, closed
 *  pipe) as FALSE with error set; what names the output. */
gboolean bdm_out_close(BdmOut *out, const char *what, GError **error);

/** Append n bytes.
 *  Flushes when the buffer is full. */
void bdm_out_write(BdmOut *out, const char *data, gsize n);

/** Append a NUL-terminated string as it is.
 *  NULL appends nothing. */
void bdm_out_str(BdmOut *out, const char *s);

/** Append a printf-formatted string.
 *  For the rare lines that are not hot paths. */
void bdm_out_printf(BdmOut *out, const char *format, ...) G_GNUC_PRINTF(2, 3);

/** Append a decimal integer.
 *  Locale-independent. */
void bdm_out_int(BdmOut *out, gint64 v);

/** Append s as a JSON string with quotes, or null for NULL; invalid UTF-8
 *  (a damaged file) is replaced, so the output always parses. */
void bdm_out_json_string(BdmOut *out, const char *s);

/** Append s as one CSV field (RFC 4180 quoting; NULL is empty).  With
 *  guard, a leading = + - @ gets an apostrophe so spreadsheets show, not run, it. */
void bdm_out_csv_field(BdmOut *out, const char *s, gboolean guard);

/** Append s with &, <, >, " and ' escaped for HTML text and attributes.
 *  NULL appends nothing. */
void bdm_out_html(BdmOut *out, const char *s);

/** Append Unix time t as ISO 8601 in UTC ("2026-11-21T10:00:00Z").
 *  Fast: no allocation. */
void bdm_out_iso_time(BdmOut *out, gint64 t);

/* ---- records ---------------------------------------------------------------- */

/** "in", "out", or NULL for an event's direction.
 *  The spelling of every output format. */
const char *bdm_log_direction_name(int direction);

/** Append r's fields as JSON object members without braces ("id":..,
 *  "time":.., .., "erased":..); parser validates detail before it is embedded. */
void bdm_out_record_members(BdmOut *out, const BdmLogRecord *r, JsonParser *parser);

#endif /* BRANDDM_ADMIN_UTIL_H */
