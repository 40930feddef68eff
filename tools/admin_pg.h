/*
 * branddm-admin's connections to the team database: connecting with a
 * timeout, saying which database without its password, and queries whose
 * errors are scrubbed of the password too (a terminal or a CI log is as
 * public as the log itself).  Blocking libpq: fine for a command-line tool.
 */
#ifndef BRANDDM_ADMIN_PG_H
#define BRANDDM_ADMIN_PG_H

#include <glib.h>
#include <libpq-fe.h>

#include "log_read.h"

/** One connection and what is needed to speak of it safely. */
typedef struct {
	PGconn *conn;
	char *shown;       /* the connection string, redacted */
	char **secrets;    /* password values given in it, to scrub from messages */
} BdmAdminPg;

/** TRUE when a --db argument names the team database rather than a log file:
 *  a postgresql:// or postgres:// URI, or keyword=value pairs not naming a file. */
gboolean bdm_admin_is_conninfo(const char *arg);

/** Connect (10 s timeout unless CONNINFO sets one); 0 connected, else the exit
 *  status (1 unreachable or refused, 2 malformed), the message given. */
int bdm_admin_pg_open(BdmAdminPg *db, const char *conninfo);

/** Close the connection and free db's strings.
 *  Safe on a zeroed or closed one. */
void bdm_admin_pg_close(BdmAdminPg *db);

/** text with every secret of db replaced by "***", stripped.
 *  g_free it. */
char *bdm_admin_pg_scrub(const BdmAdminPg *db, const char *text);

/** Run sql with n text parameters (NULL is SQL NULL); the result when it
 *  succeeded, else NULL and error "<db>: <what>: <server message>", scrubbed. */
PGresult *bdm_admin_pg_exec(BdmAdminPg *db, const char *sql, int n, const char *const *params,
                            const char *what, GError **error);

/** Run sql when no rows are wanted: TRUE when it succeeded, else FALSE with
 *  error as bdm_admin_pg_exec sets it. */
gboolean bdm_admin_pg_run(BdmAdminPg *db, const char *sql, int n, const char *const *params,
                          const char *what, GError **error);

/** Begin a read-only REPEATABLE READ transaction: one consistent snapshot
 *  for a long read while clients ship.  End it with bdm_admin_pg_rollback. */
gboolean bdm_admin_pg_snapshot(BdmAdminPg *db, GError **error);

/** End the open transaction keeping nothing; nothing happens when none is
 *  open.  Errors are ignored: the caller reports the first one. */
void bdm_admin_pg_rollback(BdmAdminPg *db);

/** Check that the database holds a team schema this BrandDM reads
 *  (version 2 or later, not newer); FALSE with error naming what to do. */
gboolean bdm_admin_pg_check_schema(BdmAdminPg *db, GError **error);

/** Decode a bytea column in hex output ("\x0a1b...") into out (len bytes);
 *  FALSE when it is NULL, malformed or of another length. */
gboolean bdm_admin_pg_bytea(const char *text, guint8 *out, gsize len);

/** Column col of row as text, NULL when SQL NULL.
 *  Owned by res. */
const char *bdm_admin_pg_text(const PGresult *res, int row, int col);

/** Column col of row as an integer, 0 when SQL NULL.
 *  For bigint and int columns in text output. */
gint64 bdm_admin_pg_int(const PGresult *res, int row, int col);

/** The columns every central-log query starts with, in this order.
 *  bdm_admin_pg_record reads them; queries may add more after. */
#define BDM_ADMIN_PG_RECORD_COLUMNS \
	"id, kind, platform, account, conversation_id, customer_id, customer_name, direction," \
	" text, platform_message_id, platform_time, logged_time, automated, template_name," \
	" detail, agent, erased"

/** Fill r from row's first 17 columns (BDM_ADMIN_PG_RECORD_COLUMNS); strings
 *  point into res, and NULL columns are NULL fields (a direction -1). */
void bdm_admin_pg_record(const PGresult *res, int row, BdmLogRecord *r);

#endif /* BRANDDM_ADMIN_PG_H */
