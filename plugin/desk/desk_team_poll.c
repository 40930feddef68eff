/*
 * One poller per brand account in a team.  See desk_features.h.
 *
 * The client that holds the account's lease — a PostgreSQL advisory lock,
 * held by its database session and released by the server when that
 * session ends (quit, crash, lost link) — polls the platform and records
 * every new message in branddm.message.  The others do not poll: the
 * NOTIFY of each recorded message makes them fetch it and deliver it
 * through the host like a polled one (the journal, the display marker, the
 * desk's reactions), so nothing is shown twice or lost.  A client asks for
 * the lease at every poll interval, so when the holder goes another one
 * polls within two intervals.  While the link is down every client polls
 * for itself.
 */
#include <string.h>

#include <connection.h>
#include <debug.h>

#include "desk_features.h"
#include "host_signals.h"
#include "poller.h"
#include "team_db.h"

#define DEBUG_CAT "branddm-team"
/* How far back a client that joins fetches what the team recorded. */
#define BACKFILL "7 days"

typedef enum {
	LEASE_UNKNOWN = 0,
	LEASE_ASKING,
	LEASE_HELD,
	LEASE_OTHER           /* another client holds it */
} LeaseState;

static struct {
	BdmTeamDb *db;
	GHashTable *leases;   /* "<platform>/<account>" -> LeaseState */
} lease;

static char *account_key(const char *platform, const char *account)
{
	return g_strdup_printf("%s/%s", platform, account);
}

static LeaseState state_of(const char *key)
{
	return (LeaseState)GPOINTER_TO_INT(g_hash_table_lookup(lease.leases, key));
}

static void on_lock(const PGresult *res, const char *error, gpointer data)
{
	char *key = data;
	gboolean held = error == NULL && PQntuples(res) > 0 &&
	                strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	if (lease.leases != NULL) {
		if (held && state_of(key) != LEASE_HELD)
			purple_debug_info(DEBUG_CAT, "%s: this client polls for the team\n", key);
		g_hash_table_replace(lease.leases, g_strdup(key),
		                     GINT_TO_POINTER(held ? LEASE_HELD : LEASE_OTHER));
	}
}

gboolean bdm_desk_team_may_poll(BdmConn *conn)
{
	char *key;
	LeaseState state;
	const char *params[1];

	/* Alone, or cut off from the team: poll for yourself. */
	if (lease.db == NULL || !bdm_team_db_is_up(lease.db))
		return TRUE;
	key = account_key(bdm_conn_platform(conn), bdm_conn_account_id(conn));
	state = state_of(key);
	if (state == LEASE_HELD) {
		g_free(key);
		return TRUE;
	}
	if (state != LEASE_ASKING) {
		g_hash_table_replace(lease.leases, g_strdup(key), GINT_TO_POINTER(LEASE_ASKING));
		params[0] = key;
		/* The answer decides the next interval: this one waits. */
		/* The key goes with the query: a query still queued when the link
		 * closes never calls back. */
		bdm_team_db_query_full(lease.db, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
		                       1, params, on_lock, g_strdup(key), g_free);
	}
	g_free(key);
	return FALSE;
}

static gboolean holds_lease(const char *platform, const char *account)
{
	char *key = account_key(platform, account);
	gboolean held = lease.leases != NULL && state_of(key) == LEASE_HELD;

	g_free(key);
	return held;
}

/* Whoever polled records what it delivered, for the rest of the team: the
 * holder, and a client that polled for itself while the lease was not
 * settled or the link was down (the insert waits for the link).  What came
 * from the team is there already.  A reply's own client recorded it first,
 * with its author: that row stays. */
static void on_recorded(PurpleAccount *account, const BdmDelivery *d, gpointer data)
{
	char *created;

	(void)account;
	(void)data;
	if (d->message_id == NULL || lease.db == NULL || d->relayed)
		return;
	created = g_strdup_printf("%" G_GINT64_FORMAT, d->time);
	{
		const char *params[7] = { d->platform, d->account, d->message_id, d->customer_id,
		                          d->from_brand ? "true" : "false", d->text, created };

		bdm_team_db_query(lease.db, "INSERT INTO branddm.message (platform, account, "
		                  "message_id, customer, from_brand, text, created) VALUES ($1, $2, $3, "
		                  "$4, $5::boolean, $6, $7::bigint) ON CONFLICT DO NOTHING", 7, params,
		                  NULL, NULL);
	}
	g_free(created);
}

/* Columns: message_id, customer, from_brand, text, created, customer_name. */
static void on_messages(const PGresult *res, const char *error, gpointer data)
{
	char *key = data;
	char *slash = strchr(key, '/');
	BdmConn *conn;
	GPtrArray *messages;
	int row;

	if (error != NULL || slash == NULL || lease.db == NULL) {
		if (error != NULL)
			purple_debug_warning(DEBUG_CAT, "%s: team messages not read: %s\n", key, error);
		g_free(key);
		return;
	}
	*slash = '\0';
	conn = bdm_desk_connection_of(key, slash + 1);
	/* Holding the lease now: this client's own poll brings them. */
	if (conn == NULL || holds_lease(key, slash + 1)) {
		g_free(key);
		return;
	}
	messages = g_ptr_array_new();
	for (row = 0; row < PQntuples(res); row++) {
		BdmMessage *m = g_new0(BdmMessage, 1);
		const char *customer = PQgetvalue(res, row, 1);

		m->id = g_strdup(PQgetvalue(res, row, 0));
		m->from_brand = strcmp(PQgetvalue(res, row, 2), "t") == 0;
		m->text = g_strdup(PQgetvalue(res, row, 3));
		m->created = g_ascii_strtoll(PQgetvalue(res, row, 4), NULL, 10);
		m->sender_id = g_strdup(m->from_brand ? conn->self_id : customer);
		m->recipient_id = g_strdup(m->from_brand ? customer : conn->self_id);
		if (!m->from_brand && !PQgetisnull(res, row, 5))
			m->sender_name = g_strdup(PQgetvalue(res, row, 5));
		g_ptr_array_add(messages, m);
	}
	bdm_poll_deliver(conn, messages);
	g_free(key);
}

/* Fetch what the team recorded for one customer (or, customer NULL, for the
 * whole account since BACKFILL) and deliver what this client has not shown. */
static void fetch_messages(const char *platform, const char *account, const char *customer)
{
	const char *params[3] = { platform, account, customer };
	char *sql = g_strdup_printf(
		"SELECT m.message_id, m.customer, m.from_brand, m.text, m.created, c.customer_name "
		"FROM branddm.message m LEFT JOIN branddm.conversation c "
		"ON c.platform = m.platform AND c.account = m.account AND c.customer = m.customer "
		"WHERE m.platform = $1 AND m.account = $2 AND %s "
		"ORDER BY m.created, m.message_id",
		customer != NULL ? "m.customer = $3 AND m.recorded_at > now() - interval '" BACKFILL "'"
		                 : "m.recorded_at > now() - interval '" BACKFILL "'");

	bdm_team_db_query(lease.db, sql, customer != NULL ? 3 : 2, params, on_messages,
	                  account_key(platform, account));
	g_free(sql);
}

void bdm_desk_team_poll_notified(const char *platform, const char *account, const char *customer)
{
	if (lease.db != NULL && !holds_lease(platform, account) &&
	    bdm_desk_connection_of(platform, account) != NULL)
		fetch_messages(platform, account, customer);
}

void bdm_desk_team_poll_sync(const char *platform, const char *account)
{
	if (lease.db != NULL && !holds_lease(platform, account))
		fetch_messages(platform, account, NULL);
}

void bdm_desk_team_poll_link(gboolean up)
{
	/* A new session holds no lock: every lease is asked for again. */
	if (lease.leases != NULL && !up)
		g_hash_table_remove_all(lease.leases);
}

void bdm_desk_team_poll_init(BdmTeamDb *db)
{
	lease.db = db;
	lease.leases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	purple_signal_connect(bdm_signals_handle(), BDM_SIGNAL_MESSAGE_RECORDED, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_recorded), NULL);
}

void bdm_desk_team_poll_shutdown(void)
{
	if (lease.leases != NULL)
		g_hash_table_destroy(lease.leases);
	memset(&lease, 0, sizeof(lease));
}
