/*
 * Team mode's shared database: the versioned schema in PostgreSQL that many
 * agents on one brand account share (conversation state, exactly-once
 * claims, ticket numbers, the messages the poll-lease holder recorded), and
 * what it takes to create or migrate it safely.
 *
 * Everything lives in the PostgreSQL schema "branddm":
 *
 *   meta(key, value)            "schema_version" -> BDM_TEAM_SCHEMA_VERSION
 *   conversation                one row per (platform, account, customer)
 *   claim                       exactly once: INSERT ... ON CONFLICT DO NOTHING
 *                               RETURNING; only the client that gets the row acts
 *   ticket_seq(platform, last)  ticket numbers: an atomic upsert that returns
 *                               the new "last", never reused
 *   message                     messages recorded by the poll-lease holder,
 *                               for the other clients to show
 *   log_chain, log_record       the central conversation log: every client's
 *                               records with their hashes (version 2)
 *   erasure_order,              erasures ordered centrally, and which client
 *   erasure_applied             logs applied them (version 2)
 *
 * Change notification: every INSERT or UPDATE of a conversation or message
 * row sends NOTIFY on the channel "branddm" (LISTEN branddm) with the payload
 *
 *   <table>:<platform>/<account>/<customer>
 *
 * e.g. "conversation:facebook/1234/5678" or "message:x/99/42".  <table> is
 * "conversation" or "message".  Platform names and brand account ids hold no
 * '/', so split at the first ':' and the first two '/': the customer id is
 * the rest (it may contain '/').  PostgreSQL delivers a notification at
 * commit, merges identical payloads of one transaction, and also delivers
 * them to the session that made the change.
 *
 * Clients send notices of their own on the same channel, in the same form
 * with more after a newline: "sending:<platform>/<account>/<customer>\n<agent>
 * \n<0|1 automated>\n<digest of the text>" (a reply about to go out) and
 * "typing:<platform>/<account>/<customer>\n<agent>" (an agent typing).
 * A new erasure order sends "erase:-/-/<order id>".
 *
 * Roles (NOLOGIN groups, created only if absent; grant them to login roles):
 *   branddm_agent   USAGE on the schema; SELECT on meta; SELECT, INSERT,
 *                   UPDATE on conversation, claim, ticket_seq and message;
 *                   DELETE on claim only (releasing a claim); no TRUNCATE;
 *                   INSERT only on log_record; SELECT, INSERT on log_chain
 *                   and erasure_applied; SELECT on erasure_order
 *   branddm_admin   every privilege on every table of the schema
 *
 * Needs PostgreSQL 11 or later (EXECUTE FUNCTION in CREATE TRIGGER).
 * UI-free (libpq + GLib): the plugin, branddm-admin and the tests link it.
 * The functions here block: they are for branddm-admin and tests, never for
 * libpurple's main loop.
 */
#ifndef BRANDDM_TEAM_SCHEMA_H
#define BRANDDM_TEAM_SCHEMA_H

#include <glib.h>
#include <libpq-fe.h>

/** The schema version this build creates and understands.
 *  Stored in branddm.meta under "schema_version". */
#define BDM_TEAM_SCHEMA_VERSION 2

/** The NOTIFY channel of change notifications.
 *  The payload format is described at the top of this file. */
#define BDM_TEAM_NOTIFY_CHANNEL "branddm"

/** The group role of agents' login roles.
 *  Agents may read and write state, never delete or truncate it. */
#define BDM_TEAM_ROLE_AGENT "branddm_agent"

/** The group role of administrators.
 *  Every privilege on every table of the schema. */
#define BDM_TEAM_ROLE_ADMIN "branddm_admin"

#define BDM_TEAM_ERROR (bdm_team_error_quark())

/** Why a team-database call failed.  No message ever holds a password. */
typedef enum {
	BDM_TEAM_ERROR_CONNECT,       /* no connection, or it is in a transaction already */
	BDM_TEAM_ERROR_SCHEMA_NEWER,  /* the database was made by a newer BrandDM */
	BDM_TEAM_ERROR_SCHEMA_OLD,    /* older than this build: branddm-admin team init */
	BDM_TEAM_ERROR_QUERY,         /* the server refused a statement (privileges, ...) */
	BDM_TEAM_ERROR_CONNINFO       /* a malformed connection string */
} BdmTeamError;

/** Error domain of every function here.
 *  Codes are BdmTeamError. */
GQuark bdm_team_error_quark(void);

/** Create the team schema, or migrate it, to BDM_TEAM_SCHEMA_VERSION in one transaction
 *  (serialised by an advisory lock); from_version (may be NULL) gets the version found. */
gboolean bdm_team_schema_init(PGconn *conn, int *from_version, GError **error);

/** The schema version of the database conn is connected to: 0 when there is no
 *  team schema, -1 with error set when it cannot be read. */
int bdm_team_schema_version(PGconn *conn, GError **error);

/** conninfo (keyword form or postgresql:// URI) with every password replaced by "***", for
 *  messages; "(unparsable connection string)" when libpq cannot parse it.  g_free it. */
char *bdm_team_conninfo_redact(const char *conninfo);

/** A notification payload taken apart (see the top of this file); the
 *  strings are its own (bdm_team_notice_clear). */
typedef struct {
	char *kind;       /* "conversation", "message", "sending", "typing", ... */
	char *platform;
	char *account;
	char *customer;   /* up to the first newline */
	char *more;       /* after the first newline, NULL when none */
} BdmTeamNotice;

/** Parse "<kind>:<platform>/<account>/<customer>[\n<more>]" into *out.
 *  FALSE (nothing to clear) when the payload is not of that form. */
gboolean bdm_team_notice_parse(const char *payload, BdmTeamNotice *out);

/** Free the strings of a parsed notice.
 *  Safe on a zeroed one. */
void bdm_team_notice_clear(BdmTeamNotice *notice);

#endif /* BRANDDM_TEAM_SCHEMA_H */
