/*
 * The team desk's PostgreSQL link: one libpq connection driven by
 * libpurple's event loop, so a slow, stopped or unreachable server never
 * blocks Pidgin's or Finch's main loop (design.md, "Team mode").
 *
 * Queries run one at a time, in the order they were queued.  While the link
 * is down they wait (up to BDM_TEAM_DB_MAX_QUEUED) and run after the link
 * comes back; the link reconnects by itself with exponential backoff.  A
 * query that was on the wire when the link broke is NOT run again: it may
 * have committed, so its callback gets "connection lost" and the caller
 * decides.  LISTEN channels are re-established on every reconnect before
 * the link is reported up, so a NOTIFY sent after the "up" report arrives.
 *
 * Every callback runs from the main loop, never from inside the function
 * that queued the work.  A callback may call any function here, including
 * bdm_team_db_free() on its own link.
 *
 * The connection string (keyword form "host=/run/postgresql dbname=desk" or
 * URI form "postgresql://...") should name the server by a unix-socket
 * directory (host=/path), hostaddr=, or a numeric IPv4/IPv6 address:
 * libpq would resolve a host NAME synchronously, so a name is resolved here
 * first, off the main loop (GResolver), and handed to libpq as hostaddr.
 * A host given only inside a pg_service.conf service is not seen here and
 * must be a path or a number.  Prefer ~/.pgpass, PGPASSFILE or peer
 * authentication to password=: a password in the string is never written
 * to debug output or passed to a callback.
 */
#ifndef BRANDDM_TEAM_DB_H
#define BRANDDM_TEAM_DB_H

#include <glib.h>
#include <libpq-fe.h>

/* Queries that may wait while the link is down; more fail at once. */
#define BDM_TEAM_DB_MAX_QUEUED 10000

/* The error a query gets when the link broke while it was on the wire. */
#define BDM_TEAM_DB_CONNECTION_LOST "connection lost"

typedef struct BdmTeamDb BdmTeamDb;

/* Called once per query: res is the result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK) and error NULL, or res is NULL and error a plain-text
 * reason (never containing the password).  res is freed after the call. */
typedef void (*BdmTeamDbResultFunc)(const PGresult *res, const char *error, gpointer data);

/* A NOTIFY arrived on a channel we LISTEN to (payload "" when none). */
typedef void (*BdmTeamDbNotifyFunc)(const char *channel, const char *payload, gpointer data);

/* The link went up (up TRUE, why NULL) or down (up FALSE, why a plain-text
 * reason without the password).  The first outcome after bdm_team_db_start
 * is always reported; after that only changes, not every failed retry. */
typedef void (*BdmTeamDbStateFunc)(gboolean up, const char *why, gpointer data);

/** A link for conninfo (libpq keyword or URI form; NULL: libpq's defaults), not yet connecting.
 *  on_state and on_notify may be NULL; data is passed to both. */
BdmTeamDb *bdm_team_db_new(const char *conninfo, BdmTeamDbStateFunc on_state,
                           BdmTeamDbNotifyFunc on_notify, gpointer data);

/** Start connecting without blocking (resolve, PQconnectStartParams, PQconnectPoll on the socket).
 *  A malformed conninfo is reported through on_state(FALSE, ...) once, with no retry. */
void bdm_team_db_start(BdmTeamDb *db);

/** Queue sql with n_params text parameters ($1...; NULL is SQL NULL); cb (may be NULL) runs once.
 *  In order, one at a time; waits while down; cut off mid-run: "connection lost", not re-run. */
void bdm_team_db_query(BdmTeamDb *db, const char *sql, int n_params, const char *const *params,
                       BdmTeamDbResultFunc cb, gpointer data);

/** bdm_team_db_query whose data is freed with destroy once the query is done with,
 *  whether cb ran or the link was freed first (cb must not free it). */
void bdm_team_db_query_full(BdmTeamDb *db, const char *sql, int n_params,
                            const char *const *params, BdmTeamDbResultFunc cb, gpointer data,
                            GDestroyNotify destroy);

/** LISTEN on channel now (if up) and again after every reconnect; notifications go to on_notify.
 *  channel is an identifier taken literally (it is quoted for the server). */
void bdm_team_db_listen(BdmTeamDb *db, const char *channel);

/** TRUE while the link is up: connected and every LISTEN re-established.
 *  A NULL db is down. */
gboolean bdm_team_db_is_up(const BdmTeamDb *db);

/** The server-side process id of the current session, 0 while down.
 *  Lets tests (and admins' logs) name the session, e.g. for pg_terminate_backend. */
int bdm_team_db_backend_pid(const BdmTeamDb *db);

/** Close the link and free db; no pending callback (queued, in flight, deferred) runs afterwards.
 *  NULL is allowed; safe from inside this db's own callbacks. */
void bdm_team_db_free(BdmTeamDb *db);

/** For tests: reconnect backoff (default 1 s, doubling to 30 s) and connect timeout (default 10 s).
 *  Zero keeps a value unchanged; takes effect from the next wait. */
void bdm_team_db_set_timing(BdmTeamDb *db, guint first_backoff_ms, guint max_backoff_ms,
                            guint connect_timeout_ms);

#endif /* BRANDDM_TEAM_DB_H */
