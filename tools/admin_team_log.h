/*
 * branddm-admin on the team database's central log: verifying every
 * agent's shipped chain, comparing an agent's log file with its shipped
 * copy, erasing a customer centrally with an order for every client, and
 * listing which clients applied each order (docs/LOG.md).
 */
#ifndef BRANDDM_ADMIN_TEAM_LOG_H
#define BRANDDM_ADMIN_TEAM_LOG_H

#include "admin_source.h"

/** Verify every chain in the team database, one line each; broken chains
 *  are remembered for bdm_admin_team_compare.  0 intact, 1 broken, 2 unreadable. */
int bdm_admin_team_verify(BdmAdminSource *team, gboolean progress_forced);

/** Compare the log file at path (open as log) with the copy its client
 *  shipped to team; names the first difference and which side changed.  0, 1 or 2. */
int bdm_admin_team_compare(BdmAdminSource *team, const char *path, BdmLog *log);

/** The newest record of log's chain that its client shipped to team, 0 when
 *  none (or never shipped); -1 with the message given when unreadable. */
gint64 bdm_admin_team_shipped_up_to(BdmAdminSource *team, BdmLog *log);

/** Erase customer (on platform, NULL: all) centrally with tombstone and
 *  leave an erasure order for every client; prints what it did.  FALSE on error. */
gboolean bdm_admin_team_erase(BdmAdminSource *team, const char *platform, const char *customer,
                              const char *tombstone, gboolean dry_run);

/** Print every erasure order and which agents' clients applied it.
 *  0, or 1 when the database cannot be read. */
int bdm_admin_team_erase_status(BdmAdminSource *team);

#endif /* BRANDDM_ADMIN_TEAM_LOG_H */
