/*
 * Shipping log records to the team database (team schema version 2): the
 * statement a client runs for each batch and the batch's parameters.
 *
 * A batch goes up as ONE statement whose parameters are arrays (one per
 * column, unnest()ed by the server): one round trip and one transaction
 * per batch, so a client killed mid-batch leaves either all of it or none,
 * and ON CONFLICT DO NOTHING makes a batch sent again (after a lost reply
 * or a crash) change nothing.  The statement also counts the erasure
 * orders this chain has not applied yet and inserts nothing while there is
 * one: the client applies the orders first (team_schema_log.c).
 *
 * Pure C + GLib: the plugin sends the statement on its non-blocking link,
 * branddm-admin and the benchmarks reuse the encoding.
 */
#ifndef BRANDDM_TEAM_LOG_H
#define BRANDDM_TEAM_LOG_H

#include <glib.h>

#include "log_read.h"

/** Parameters of bdm_team_log_ship_sql: the chain id, then one array per column. */
#define BDM_TEAM_LOG_SHIP_PARAMS 22

/** Ship one batch: $1 the chain (uuid), $2... the column arrays.  One row:
 *  the number of unapplied erasure orders (nothing inserted when not 0). */
extern const char bdm_team_log_ship_sql[];

/** Register a chain: $1 chain, $2 agent, $3 anchor id, $4 anchor hash (hex).
 *  Does nothing when the chain is known. */
extern const char bdm_team_log_register_sql[];

/** The erasure orders chain $1 has not applied, oldest first:
 *  id, platform (NULL: all), customer_id, tombstone. */
extern const char bdm_team_log_orders_sql[];

/** Note that chain $2 (agent $3) applied order $1, blanking $4 local records.
 *  Does nothing when noted before. */
extern const char bdm_team_log_applied_sql[];

typedef struct BdmTeamLogBatch BdmTeamLogBatch;

/** An empty batch.
 *  Free with bdm_team_log_batch_free. */
BdmTeamLogBatch *bdm_team_log_batch_new(void);

/** Release a batch; NULL is allowed.
 *  Parameters it returned are freed too. */
void bdm_team_log_batch_free(BdmTeamLogBatch *batch);

/** Add a record read with its hashes (BdmLogQuery.with_hashes); records
 *  with damaged hashes go up with empty ones, for verification to name. */
void bdm_team_log_batch_add(BdmTeamLogBatch *batch, const BdmLogRecord *r);

/** Records in the batch.
 *  0 for a new batch. */
guint bdm_team_log_batch_len(const BdmTeamLogBatch *batch);

/** The id of the last record added.
 *  0 for an empty batch. */
gint64 bdm_team_log_batch_last_id(const BdmTeamLogBatch *batch);

/** The BDM_TEAM_LOG_SHIP_PARAMS text parameters for chain, owned by the
 *  batch (valid until it is freed or added to). */
const char *const *bdm_team_log_batch_params(BdmTeamLogBatch *batch, const char *chain);

/** Append s to buf as one element of a PostgreSQL array literal: quoted,
 *  with " and \ escaped; NULL becomes the unquoted NULL. */
void bdm_team_log_array_element(GString *buf, const char *s);

/** TRUE when r is a brand message its client saw by polling and did not
 *  send (detail "sent_elsewhere": true). */
gboolean bdm_team_log_sent_elsewhere(const BdmLogRecord *r);

#endif /* BRANDDM_TEAM_LOG_H */
