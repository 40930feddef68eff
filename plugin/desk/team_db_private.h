/*
 * What the files of the team link share (team_db.c: queries, connected I/O
 * and the API; team_db_connect.c: resolving and connecting; team_db_text.c:
 * passwords kept out of every message).  Private to plugin/desk/team_db*.c.
 */
#ifndef BRANDDM_TEAM_DB_PRIVATE_H
#define BRANDDM_TEAM_DB_PRIVATE_H

#include <string.h>

#include <gio/gio.h>

#include <debug.h>
#include <eventloop.h>

#include "team_db.h"

#define DEBUG_CAT "branddm-team"
#define DEFAULT_FIRST_BACKOFF_MS 1000
#define DEFAULT_MAX_BACKOFF_MS 30000
#define DEFAULT_CONNECT_TIMEOUT_MS 10000
#define MALFORMED_PREFIX "the team database connection string is malformed: "

typedef enum {
	LINK_IDLE,        /* created, not started */
	LINK_RESOLVING,   /* host names being resolved off the loop */
	LINK_CONNECTING,  /* PQconnectPoll under way */
	LINK_SETUP,       /* connected; LISTENs being re-established */
	LINK_UP,
	LINK_WAITING,     /* backing off before the next attempt */
	LINK_BROKEN       /* the conninfo is malformed: never retried */
} LinkState;

typedef enum {
	QUERY_USER,       /* bdm_team_db_query */
	QUERY_LISTEN,     /* one LISTEN asked for while the link was up */
	QUERY_SETUP       /* every LISTEN, after (re)connecting */
} QueryKind;

typedef struct {
	QueryKind kind;
	char *sql;
	int n_params;
	char **params;            /* n_params entries; NULL ones are SQL NULL */
	char *channel;            /* QUERY_LISTEN */
	BdmTeamDbResultFunc cb;
	gpointer data;
	GDestroyNotify destroy;   /* frees data with the query, called back or not */
	PGresult *result;         /* kept while the query's results drain */
	char *error;              /* what its caller is told instead of a result */
} Query;

/* One entry of libpq's comma-separated host list. */
typedef struct {
	char *host;
	char *hostaddr;           /* "" when libpq should use host itself */
	char *port;               /* NULL when no port was given */
	gboolean resolve;         /* a name libpq would look up synchronously */
	GList *addresses;         /* GInetAddress*, once resolved */
	char *resolve_error;
} HostEntry;

/* One lookup under way.  It outlives the link when the link is freed or
 * gives up mid-lookup: db is then NULL and the answer is dropped. */
typedef struct {
	BdmTeamDb *db;
	GCancellable *cancel;
} Lookup;

struct BdmTeamDb {
	PQconninfoOption *options;  /* the parsed conninfo; NULL when malformed */
	char *broken;               /* why the conninfo was refused */
	char *safe_conninfo;        /* redacted, for debug output */
	GPtrArray *secrets;         /* char*, scrubbed from every message, longest first */
	BdmTeamDbStateFunc on_state;
	BdmTeamDbNotifyFunc on_notify;
	gpointer data;

	LinkState state;
	int reported;               /* -1 nothing yet, 0 down, 1 up */
	PGconn *conn;
	int watch_fd;
	PurpleInputCondition watch_cond;
	guint watch;
	gboolean flushing;          /* PQflush left data to send */
	char *last_fatal;           /* the server's last word on ending the session */
	guint attempt_timer;        /* connect timeout: resolving to LISTENs done */
	guint retry_timer;
	guint kick_timer;           /* send queued work from the loop */
	guint failed_timer;         /* deliver refusals from the loop */
	guint report_timer;         /* report a malformed conninfo from the loop */
	guint backoff_ms;
	guint first_backoff_ms;
	guint max_backoff_ms;
	guint connect_timeout_ms;

	GPtrArray *hosts;           /* HostEntry*, while resolving */
	guint resolving;            /* index into hosts */
	Lookup *lookup;

	GQueue pending;             /* Query*, not sent yet */
	Query *current;             /* on the wire */
	GQueue failed;              /* Query*, refused: error delivered from the loop */
	GPtrArray *channels;        /* char*, LISTENed */

	int depth;                  /* entry points on the stack */
	gboolean dead;              /* freed while on the stack */
};

/* ---- team_db.c ---------------------------------------------------------- */

/** Hold db while an entry point from the loop runs: a callback may free it.
 *  Pair with tdb_leave. */
void tdb_enter(BdmTeamDb *db);

/** Release what tdb_enter held; frees db when it was freed meanwhile and
 *  this is the outermost entry point. */
void tdb_leave(BdmTeamDb *db);

/** Remove a purple timer if it is set, and forget it.
 *  *timer is 0 afterwards. */
void tdb_remove_timer(guint *timer);

/** Free a HostEntry (a GDestroyNotify).
 *  For db->hosts. */
void tdb_host_entry_free(gpointer p);

/** Tell the owner the link is up or down, once per change.
 *  why is plain text without the password (NULL when up). */
void tdb_report_state(BdmTeamDb *db, gboolean up, const char *why);

/** The link broke or could not be made: close it, fail what was on the wire,
 *  and retry after a backoff (why says why, redacted). */
void tdb_fail_link(BdmTeamDb *db, const char *why);

/** Watch the connection's current socket for cond (replaced when the socket
 *  or the condition changed). */
void tdb_set_watch(BdmTeamDb *db, PurpleInputCondition cond);

/** The connect timeout fired: the attempt failed.
 *  A purple timeout callback. */
gboolean tdb_attempt_timeout_cb(gpointer data);

/* ---- team_db_connect.c ---------------------------------------------------- */

/** The value of a keyword of the parsed connection string, or NULL.
 *  db->options must be set. */
const char *tdb_option(const BdmTeamDb *db, const char *keyword);

/** Begin one attempt: resolve host names off the loop, then connect.
 *  The connect timeout covers both. */
void tdb_start_attempt(BdmTeamDb *db);

/** Report a malformed connection string from the loop.
 *  A purple timeout callback. */
gboolean tdb_report_broken_cb(gpointer data);

/* ---- team_db_text.c ------------------------------------------------------- */

/** Fill db->secrets (every form of the password, longest first) and
 *  db->safe_conninfo (the string redacted) from conninfo. */
void tdb_collect_secrets(BdmTeamDb *db, const char *conninfo);

/** A libpq or server message as one line without any known password.
 *  g_free it. */
char *tdb_scrub(const BdmTeamDb *db, const char *message);

/** "prefix: why" for the connection's last error, scrubbed.
 *  g_free it. */
char *tdb_conn_error(const BdmTeamDb *db, const char *prefix);

/** libpq's notice receiver: notices to the debug log, a FATAL one kept as
 *  the reason the link went down.  arg is the BdmTeamDb. */
void tdb_notice_cb(void *arg, const PGresult *res);

#endif /* BRANDDM_TEAM_DB_PRIVATE_H */
