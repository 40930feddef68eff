/*
 * Where branddm-admin reads records from: an agent's log file or the team
 * database's central log, named by the same --db option and read through one
 * cursor, so every subcommand treats both alike and may mix them.
 *
 * From the team database every chain's records come with the chain's agent
 * name (the [team] agent of the client that shipped it) and a customer
 * message or reply several clients logged comes once: the copy of the
 * client that sent it, else the first logged (docs/LOG.md).
 */
#ifndef BRANDDM_ADMIN_SOURCE_H
#define BRANDDM_ADMIN_SOURCE_H

#include "admin_pg.h"
#include "log_read.h"

typedef struct BdmAdminSource BdmAdminSource;
typedef struct BdmAdminCursor BdmAdminCursor;

/** Open a --db argument read-only (writable for erase): a log file, or the
 *  team database (bdm_admin_is_conninfo).  NULL with *status and a message given. */
BdmAdminSource *bdm_admin_source_open(const char *arg, gboolean writable, int *status);

/** Close a source; NULL is allowed.
 *  Cursors on it must be freed first. */
void bdm_admin_source_close(BdmAdminSource *src);

/** The log file's path, or the team database's connection string redacted.
 *  Owned by src. */
const char *bdm_admin_source_name(const BdmAdminSource *src);

/** The open log file, NULL for the team database.
 *  Owned by src. */
BdmLog *bdm_admin_source_log(BdmAdminSource *src);

/** The team database's connection, NULL for a file.
 *  Owned by src. */
BdmAdminPg *bdm_admin_source_pg(BdmAdminSource *src);

/** Start reading the records q selects (by_time, since, until, platform,
 *  account, customer_id; NULL: all).  Free with bdm_admin_cursor_free. */
BdmAdminCursor *bdm_admin_cursor_new(BdmAdminSource *src, const BdmLogQuery *q, GError **error);

/** The next record, or NULL at the end and on error (error set); owned by
 *  the cursor until the next call. */
const BdmLogRecord *bdm_admin_cursor_next(BdmAdminCursor *cursor, GError **error);

/** Where the last record came from: the file's path, or "team:<chain id>".
 *  Owned by the cursor until the next call. */
const char *bdm_admin_cursor_origin(const BdmAdminCursor *cursor);

/** Release a cursor; NULL is allowed.
 *  Ends the transaction it read in. */
void bdm_admin_cursor_free(BdmAdminCursor *cursor);

#endif /* BRANDDM_ADMIN_SOURCE_H */
