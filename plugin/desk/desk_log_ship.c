/*
 * Shipping this client's conversation log to the team database, and
 * applying the erasure orders administrators leave there (docs/LOG.md).
 *
 * The local log is the outbox: "ship/next" in its state is the first record
 * not yet confirmed by the server.  One batch is on the wire at a time; it
 * is read, encoded and sent from one main-loop turn, and the next batch
 * waits for the answer, so a backlog of any size drains without stalling
 * the client.  A batch whose answer was lost is sent again: the server
 * ignores the rows it has (team_log.h), so nothing is doubled.
 *
 * Erasure orders come before records: the ship statement refuses to insert
 * while this chain has an order it did not apply, and the client then
 * applies the orders to its own log and state before shipping on.
 */
#include <stdlib.h>
#include <string.h>

#include <connection.h>
#include <debug.h>
#include <notify.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "journal.h"
#include "purple_logs.h"
#include "team_log.h"

#define DEBUG_CAT "branddm-ship"

/* Records per statement: large enough that a round trip carries a lot,
 * small enough that reading and encoding one batch takes a millisecond or two. */
#define BATCH_RECORDS 500
/* Without news from the log, look for new records this often. */
#define TICK_MS 1000
/* After a refusal by the server (read-only, disk full, privileges):
 * retry after this long, doubling up to the maximum. */
#define RETRY_FIRST_S 2
#define RETRY_MAX_S 300

#define KEY_CHAIN "ship/chain"
#define KEY_NEXT "ship/next"

typedef enum {
	SHIP_IDLE,         /* nothing on the wire */
	SHIP_REGISTERING,  /* making the chain known to the server */
	SHIP_ORDERS,       /* reading or applying erasure orders */
	SHIP_BATCH         /* a batch on the wire */
} ShipState;

static struct {
	BdmTeamDb *db;          /* the desk's link; not owned */
	char *chain;            /* this log's chain id (uuid) */
	gint64 next;            /* first record not confirmed by the server */
	gboolean registered;    /* the server knows the chain (this session) */
	gboolean orders_checked; /* orders read since the link came up */
	ShipState state;
	BdmTeamLogBatch *batch; /* on the wire */
	guint tick;
	guint idle;
	gint64 retry_at;        /* monotonic µs; 0: no wait */
	guint retry_s;
	gboolean told;          /* the agent was told shipping fails */
	guint generation;       /* bumped at shutdown and link loss: stale answers are ignored */
} ship;

static void kick(void);

static gboolean state_int(const char *key, gint64 *out)
{
	char *value = bdm_log_state_get(bdm_journal_log(), key, NULL);
	char *end = NULL;

	if (value == NULL)
		return FALSE;
	*out = g_ascii_strtoll(value, &end, 10);
	if (end == value || *end != '\0' || *out < 0) {
		g_free(value);
		return FALSE;
	}
	g_free(value);
	return TRUE;
}

/* The chain id of this log: made once, kept in the log itself, so a copied
 * or restored log file continues the same chain. */
static char *chain_id(void)
{
	BdmLog *log = bdm_journal_log();
	char *chain = bdm_log_state_get(log, KEY_CHAIN, NULL);
	GError *error = NULL;

	if (chain != NULL && g_uuid_string_is_valid(chain))
		return chain;
	g_free(chain);
	chain = g_uuid_string_random();
	if (!bdm_log_state_set(log, KEY_CHAIN, chain, &error)) {
		purple_debug_error(DEBUG_CAT, "cannot keep the chain id: %s\n", error->message);
		g_error_free(error);
		g_free(chain);
		return NULL;
	}
	return chain;
}

/* A refusal the agent should know about, once until shipping works again. */
static void shipping_failed(const char *why)
{
	char *secondary;

	purple_debug_error(DEBUG_CAT, "shipping the log failed: %s\n", why);
	ship.retry_s = ship.retry_s ? MIN(ship.retry_s * 2, RETRY_MAX_S) : RETRY_FIRST_S;
	ship.retry_at = g_get_monotonic_time() + (gint64)ship.retry_s * G_USEC_PER_SEC;
	if (ship.told)
		return;
	ship.told = TRUE;
	secondary = g_strdup_printf(_("%s\n\nThe conversation log is kept on this computer and "
	                              "sent to the team database when it accepts it again; "
	                              "BrandDM keeps retrying."), why);
	purple_notify_warning(bdm_desk.plugin, _("BrandDM team"),
	                      _("The team database does not accept the conversation log."),
	                      secondary);
	g_free(secondary);
}

static void shipping_works(void)
{
	if (ship.told)
		purple_debug_info(DEBUG_CAT, "the team database accepts the log again\n");
	ship.told = FALSE;
	ship.retry_s = 0;
	ship.retry_at = 0;
}

/* A query's answer: FALSE when it is stale or failed (then handled here). */
static gboolean answer_ok(const char *error, gpointer data)
{
	if (GPOINTER_TO_UINT(data) != ship.generation)
		return FALSE;
	ship.state = SHIP_IDLE;
	if (error == NULL)
		return TRUE;
	/* Cut off with the link: sent again once it is back (never doubled). */
	if (strcmp(error, BDM_TEAM_DB_CONNECTION_LOST) == 0)
		purple_debug_warning(DEBUG_CAT, "link lost mid-query: will resend\n");
	else
		shipping_failed(error);
	return FALSE;
}

static void query(ShipState state, const char *sql, int n, const char *const *params,
                  BdmTeamDbResultFunc cb)
{
	ship.state = state;
	bdm_team_db_query(ship.db, sql, n, params, cb, GUINT_TO_POINTER(ship.generation));
}

/* ---- erasure orders ---------------------------------------------------------- */

/* The customer's conversations this client shows are read again (now
 * empty), and libpurple's own copies go. */
static void forget_customer(const char *platform, const char *customer)
{
	GList *l;

	bdm_purple_forget_customer(platform, customer);
	for (l = purple_connections_get_all(); l != NULL; l = l->next) {
		BdmConn *conn = bdm_conn_of(l->data);

		if (conn == NULL || (platform != NULL && strcmp(platform, bdm_conn_platform(conn)) != 0))
			continue;
		bdm_desk_conv_changed_elsewhere(bdm_conn_platform(conn), bdm_conn_account_id(conn),
		                                customer);
	}
}

static void on_applied(const PGresult *res, const char *error, gpointer data)
{
	(void)res;
	if (answer_ok(error, data))
		kick();
}

static void on_orders(const PGresult *res, const char *error, gpointer data)
{
	GError *erase_error = NULL;
	int i;

	if (!answer_ok(error, data))
		return;
	for (i = 0; i < PQntuples(res); i++) {
		const char *platform = PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1);
		BdmLogEraseResult result = { 0 };
		char records[24];
		const char *params[4];

		if (!bdm_log_erase_customer(bdm_journal_log(), platform, PQgetvalue(res, i, 2),
		                            PQgetvalue(res, i, 3), &result, &erase_error)) {
			shipping_failed(erase_error->message);
			g_error_free(erase_error);
			return;
		}
		purple_debug_info(DEBUG_CAT, "erasure order %s applied: %u records, %u state entries\n",
		                  PQgetvalue(res, i, 0), result.records, result.state_entries);
		forget_customer(platform, PQgetvalue(res, i, 2));
		g_snprintf(records, sizeof records, "%u", result.records);
		params[0] = PQgetvalue(res, i, 0);
		params[1] = ship.chain;
		params[2] = bdm_desk_agent_name();
		params[3] = records;
		/* Queued in order: the last one's answer moves on. */
		bdm_team_db_query(ship.db, bdm_team_log_applied_sql, 4, params,
		                  i + 1 == PQntuples(res) ? on_applied : NULL,
		                  GUINT_TO_POINTER(ship.generation));
		ship.state = SHIP_ORDERS;
	}
	ship.orders_checked = TRUE;
	if (ship.state == SHIP_IDLE)
		kick();
}

static void read_orders(void)
{
	const char *params[1] = { ship.chain };

	query(SHIP_ORDERS, bdm_team_log_orders_sql, 1, params, on_orders);
}

/* ---- batches ----------------------------------------------------------------- */

static void on_batch(const PGresult *res, const char *error, gpointer data)
{
	BdmTeamLogBatch *batch = ship.batch;
	gboolean full;
	char next[24];

	if (GPOINTER_TO_UINT(data) != ship.generation)
		return;
	ship.batch = NULL;
	if (!answer_ok(error, data)) {
		bdm_team_log_batch_free(batch);
		return;
	}
	if (PQntuples(res) == 1 && atoi(PQgetvalue(res, 0, 0)) > 0) {
		/* An order came first: nothing of the batch went in. */
		bdm_team_log_batch_free(batch);
		ship.orders_checked = FALSE;
		kick();
		return;
	}
	shipping_works();
	ship.next = bdm_team_log_batch_last_id(batch) + 1;
	full = bdm_team_log_batch_len(batch) == BATCH_RECORDS;
	bdm_team_log_batch_free(batch);
	g_snprintf(next, sizeof next, "%" G_GINT64_FORMAT, ship.next);
	/* Losing this write only means the batch goes up once more, ignored. */
	bdm_log_state_set(bdm_journal_log(), KEY_NEXT, next, NULL);
	if (full)
		kick();
}

/* Read the next batch from the log; FALSE when there is nothing to send. */
static gboolean send_batch(void)
{
	BdmLogQuery q = { 0 };
	BdmLogCursor *cursor;
	const BdmLogRecord *r;
	GError *error = NULL;

	q.from_id = ship.next;
	q.limit = BATCH_RECORDS;
	q.with_hashes = TRUE;
	cursor = bdm_log_cursor_new(bdm_journal_log(), &q, &error);
	ship.batch = bdm_team_log_batch_new();
	while (cursor != NULL && (r = bdm_log_cursor_next(cursor, &error)) != NULL)
		bdm_team_log_batch_add(ship.batch, r);
	bdm_log_cursor_free(cursor);
	if (error != NULL) {
		purple_debug_error(DEBUG_CAT, "cannot read the log to ship it: %s\n", error->message);
		g_error_free(error);
	}
	if (error != NULL || bdm_team_log_batch_len(ship.batch) == 0) {
		g_clear_pointer(&ship.batch, bdm_team_log_batch_free);
		return FALSE;
	}
	query(SHIP_BATCH, bdm_team_log_ship_sql, BDM_TEAM_LOG_SHIP_PARAMS,
	      bdm_team_log_batch_params(ship.batch, ship.chain), on_batch);
	return TRUE;
}

/* ---- registration ------------------------------------------------------------ */

static void on_registered(const PGresult *res, const char *error, gpointer data)
{
	(void)res;
	if (!answer_ok(error, data))
		return;
	ship.registered = TRUE;
	kick();
}

/* The server learns the chain with the anchor it starts from: records
 * purged locally before this log ever shipped are not expected there. */
static void register_chain(void)
{
	guint8 hash[BDM_LOG_HASH_LEN];
	char hex[2 * BDM_LOG_HASH_LEN + 1], id[24];
	const char *params[4];
	gint64 anchor = 0;
	GError *error = NULL;

	if (!bdm_log_anchor(bdm_journal_log(), &anchor, hash, &error)) {
		purple_debug_error(DEBUG_CAT, "cannot read the log's anchor: %s\n", error->message);
		g_error_free(error);
		return;
	}
	if (!state_int(KEY_NEXT, &ship.next) || ship.next <= anchor)
		ship.next = anchor + 1;
	bdm_log_hash_hex(hash, hex);
	g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, anchor);
	params[0] = ship.chain;
	params[1] = bdm_desk_agent_name();
	params[2] = id;
	params[3] = hex;
	query(SHIP_REGISTERING, bdm_team_log_register_sql, 4, params, on_registered);
}

/* ---- driving ---------------------------------------------------------------- */

/* Do the next step if nothing is on the wire: register, orders, a batch. */
static void step(void)
{
	if (ship.state != SHIP_IDLE || ship.chain == NULL || bdm_journal_log() == NULL ||
	    !bdm_team_db_is_up(ship.db))
		return;
	if (ship.retry_at != 0 && g_get_monotonic_time() < ship.retry_at)
		return;
	/* The log is busy with a delivery turn: the next tick ships. */
	if (bdm_log_in_batch(bdm_journal_log()))
		return;
	if (!ship.registered)
		register_chain();
	else if (!ship.orders_checked)
		read_orders();
	else
		send_batch();
}

static gboolean on_idle(gpointer data)
{
	(void)data;
	ship.idle = 0;
	step();
	return G_SOURCE_REMOVE;
}

/* Step from a main-loop turn of its own: other events get their turn
 * between two batches of a long backlog. */
static void kick(void)
{
	if (ship.idle == 0)
		ship.idle = g_idle_add(on_idle, NULL);
}

static gboolean on_tick(gpointer data)
{
	(void)data;
	step();
	return G_SOURCE_CONTINUE;
}

void bdm_desk_log_ship_init(BdmTeamDb *db)
{
	memset(&ship, 0, sizeof(ship));
	if (bdm_journal_log() == NULL)
		return;
	ship.db = db;
	ship.chain = chain_id();
	if (ship.chain == NULL)
		return;
	purple_debug_info(DEBUG_CAT, "shipping the log as chain %s\n", ship.chain);
	ship.tick = g_timeout_add(TICK_MS, on_tick, NULL);
}

void bdm_desk_log_ship_link(gboolean up)
{
	/* Answers of the old session never come (they get "connection lost"),
	 * and the server may have changed while it was away. */
	ship.generation++;
	ship.state = SHIP_IDLE;
	g_clear_pointer(&ship.batch, bdm_team_log_batch_free);
	ship.registered = FALSE;
	ship.orders_checked = FALSE;
	if (up) {
		ship.retry_at = 0;
		kick();
	}
}

void bdm_desk_log_ship_erasure_ordered(void)
{
	ship.orders_checked = FALSE;
	kick();
}

const char *bdm_desk_log_ship_chain(void)
{
	return ship.chain;
}

void bdm_desk_log_ship_shutdown(void)
{
	ship.generation++;
	if (ship.tick)
		g_source_remove(ship.tick);
	if (ship.idle)
		g_source_remove(ship.idle);
	bdm_team_log_batch_free(ship.batch);
	g_free(ship.chain);
	memset(&ship, 0, sizeof(ship));
}
