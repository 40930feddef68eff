/*
 * Team mode's schema in PostgreSQL: creation, migration, version, and the
 * redaction of connection strings for messages.
 *
 * Like the local log's migrations (log_schema.c), each version is one
 * append-only script; bdm_team_schema_init runs every script newer than the
 * database's version and stamps the new version, all in one transaction
 * that holds an advisory lock, so two administrators (or two agents'
 * clients) initialising at once upgrade the database exactly once, and a
 * failed upgrade leaves nothing behind.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "team_schema.h"
#include "team_schema_private.h"

/* pg_advisory_xact_lock's key: "branddm" in ASCII as a number.  Any fixed
 * value works; this one is unlikely to meet another application's. */
#define INIT_LOCK_KEY "27710310507111533"

#define REDACTED "***"

G_DEFINE_QUARK(bdm-team-error-quark, bdm_team_error)

/* Append only: a released script is never edited, since databases in use
 * were made by it.  Script N takes version N-1 to version N; every name is
 * qualified, as the init transaction's search_path is pg_catalog only.  A
 * script that adds a table grants on it too: GRANT ... ON ALL TABLES covers
 * only the tables that existed when it ran. */
static const char *const migrations[] = {
	/* 1: the first team schema. */
	"CREATE SCHEMA IF NOT EXISTS branddm;"
	"CREATE TABLE branddm.meta ("
	" key text PRIMARY KEY,"
	" value text NOT NULL);"
	"CREATE TABLE branddm.conversation ("
	" platform text,"
	" account text,"
	" customer text,"
	" assigned text,"
	" status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),"
	" tags text[] NOT NULL DEFAULT '{}',"
	" department text,"
	" reason text,"
	" trigger text,"
	" escalated_at bigint NOT NULL DEFAULT 0,"
	" ticket text,"
	" language text,"
	" customer_name text,"
	" waiting_since bigint NOT NULL DEFAULT 0,"
	" urgent boolean NOT NULL DEFAULT false,"
	" alerted_level int NOT NULL DEFAULT 0,"
	" alerted_since bigint NOT NULL DEFAULT 0,"
	" updated_at timestamptz NOT NULL DEFAULT now(),"
	" updated_by text,"
	" PRIMARY KEY (platform, account, customer));"
	/* Exactly once, team-wide: INSERT ... ON CONFLICT DO NOTHING RETURNING
	 * gives the row to one client only; DELETE releases the claim. */
	"CREATE TABLE branddm.claim ("
	" platform text,"
	" account text,"
	" customer text,"
	" action text,"
	" agent text NOT NULL,"
	" claimed_at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (platform, account, customer, action));"
	/* Not a SEQUENCE: one row per platform, bumped by an upsert that
	 * returns the new value, so numbering starts at 1 on every platform
	 * and a failed transaction after the bump wastes a number at most. */
	"CREATE TABLE branddm.ticket_seq ("
	" platform text PRIMARY KEY,"
	" last bigint NOT NULL);"
	"CREATE TABLE branddm.message ("
	" platform text,"
	" account text,"
	" message_id text,"
	" customer text NOT NULL,"
	" from_brand boolean NOT NULL,"
	" text text NOT NULL,"
	" created bigint NOT NULL,"
	" agent text,"
	" automated boolean NOT NULL DEFAULT false,"
	" recorded_at timestamptz NOT NULL DEFAULT now(),"
	" PRIMARY KEY (platform, account, message_id));"
	/* Clients read one customer's messages in time order. */
	"CREATE INDEX message_by_customer ON branddm.message (platform, account, customer, created);"
	/* A fixed search_path: a trigger runs with the search_path of whoever
	 * wrote the row, and must not find another schema's || or pg_notify. */
	"CREATE FUNCTION branddm.notify_change() RETURNS trigger"
	" LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$"
	" BEGIN"
	"  PERFORM pg_notify('branddm', TG_TABLE_NAME || ':' || NEW.platform || '/'"
	"                    || NEW.account || '/' || NEW.customer);"
	"  RETURN NULL;"
	" END $fn$;"
	"CREATE TRIGGER conversation_notify AFTER INSERT OR UPDATE ON branddm.conversation"
	" FOR EACH ROW EXECUTE FUNCTION branddm.notify_change();"
	"CREATE TRIGGER message_notify AFTER INSERT OR UPDATE ON branddm.message"
	" FOR EACH ROW EXECUTE FUNCTION branddm.notify_change();"
	/* Roles belong to the whole cluster: another database's init may have
	 * made them, or be making them right now (the advisory lock is per
	 * database), hence the check and the caught duplicate. */
	"DO $roles$"
	" BEGIN"
	"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'branddm_agent') THEN"
	"   BEGIN"
	"    CREATE ROLE branddm_agent NOLOGIN;"
	"   EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;"
	"   END;"
	"  END IF;"
	"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'branddm_admin') THEN"
	"   BEGIN"
	"    CREATE ROLE branddm_admin NOLOGIN;"
	"   EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;"
	"   END;"
	"  END IF;"
	" END $roles$;"
	/* Agents read and write state but never delete or truncate it; they
	 * delete claims only, to release them.  meta is readable so that a
	 * client can check the schema version. */
	"GRANT USAGE ON SCHEMA branddm TO branddm_agent, branddm_admin;"
	"GRANT SELECT ON branddm.meta TO branddm_agent;"
	"GRANT SELECT, INSERT, UPDATE ON branddm.conversation, branddm.claim,"
	" branddm.ticket_seq, branddm.message TO branddm_agent;"
	"GRANT DELETE ON branddm.claim TO branddm_agent;"
	"GRANT ALL ON ALL TABLES IN SCHEMA branddm TO branddm_admin;",
	/* 2: the central conversation log (team_schema_log.c). */
	bdm_team_migration_log,
};

/* Script N is migrations[N - 1]: the newest one makes this build's version. */
G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == BDM_TEAM_SCHEMA_VERSION);

/* ---- queries ------------------------------------------------------------- */

/* Set error from a failed result (NULL: libpq could not even send).  The
 * server's primary message is enough and never holds the connection string. */
static void set_query_error(PGconn *conn, const PGresult *res, const char *what,
                            GError **error)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	char *message = g_strdup(primary ? primary : PQerrorMessage(conn));
	int code = PQstatus(conn) == CONNECTION_OK ? BDM_TEAM_ERROR_QUERY : BDM_TEAM_ERROR_CONNECT;

	g_strstrip(message);
	if (!*message) {
		g_free(message);
		message = g_strdup(_("unknown error"));
	}
	g_set_error(error, BDM_TEAM_ERROR, code, "%s: %s", what, message);
	g_free(message);
}

/* Run a statement whose result is not needed; what says what failed. */
static gboolean exec_sql(PGconn *conn, const char *sql, const char *what, GError **error)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

	if (!ok)
		set_query_error(conn, res, what, error);
	PQclear(res);
	return ok;
}

/* Run a query expected to return rows; NULL with error set when it fails. */
static PGresult *query_rows(PGconn *conn, const char *sql, const char *what, GError **error)
{
	PGresult *res = PQexec(conn, sql);

	if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
		return res;
	set_query_error(conn, res, what, error);
	PQclear(res);
	return NULL;
}

static gboolean check_connection(PGconn *conn, GError **error)
{
	char *message;

	if (conn && PQstatus(conn) == CONNECTION_OK)
		return TRUE;
	message = g_strdup(conn ? PQerrorMessage(conn) : "");
	g_strstrip(message);
	g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_CONNECT,
	            _("not connected to the team database: %s"),
	            *message ? message : _("no connection"));
	g_free(message);
	return FALSE;
}

/* The version in branddm.meta, 0 without it, -1 on error. */
static int read_version(PGconn *conn, GError **error)
{
	const char *what = _("cannot read the team schema version");
	PGresult *res;
	gint64 version;
	gboolean exists;

	/* to_regclass is NULL, not an error, when the schema or table is
	 * missing: the table cannot be queried before we know it exists. */
	res = query_rows(conn, "SELECT to_regclass('branddm.meta') IS NOT NULL", what, error);
	if (!res)
		return -1;
	exists = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!exists)
		return 0;

	res = query_rows(conn, "SELECT value FROM branddm.meta WHERE key = 'schema_version'", what,
	                 error);
	if (!res)
		return -1;
	if (PQntuples(res) != 1 ||
	    !g_ascii_string_to_signed(PQgetvalue(res, 0, 0), 10, 1, G_MAXINT, &version, NULL)) {
		/* A schema of that name that is not ours, or a damaged one: never
		 * guess, or init would build on top of it. */
		g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_QUERY,
		            _("%s: branddm.meta holds no valid schema_version (not a BrandDM team "
		              "database?)"), what);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return (int)version;
}

int bdm_team_schema_version(PGconn *conn, GError **error)
{
	if (!check_connection(conn, error))
		return -1;
	return read_version(conn, error);
}

/* ---- init ------------------------------------------------------------------ */

static gboolean commit(PGconn *conn, GError **error)
{
	const char *what = _("cannot commit the team schema");
	PGresult *res = PQexec(conn, "COMMIT");
	gboolean ok;

	/* COMMIT of a transaction that failed "succeeds" with the status
	 * ROLLBACK: only the word COMMIT means the schema is stored. */
	ok = res && PQresultStatus(res) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(res), "COMMIT") == 0;
	if (!ok) {
		if (res && PQresultStatus(res) == PGRES_COMMAND_OK)
			g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_QUERY,
			            _("%s: the server rolled the transaction back"), what);
		else
			set_query_error(conn, res, what, error);
	}
	PQclear(res);
	return ok;
}

/* Run the scripts after version and stamp the new version. */
static gboolean migrate(PGconn *conn, int version, GError **error)
{
	const char *params[1];
	char *target;
	PGresult *res;
	gboolean ok = TRUE;
	int v;

	for (v = version + 1; ok && v <= BDM_TEAM_SCHEMA_VERSION; v++) {
		char *what = g_strdup_printf(_("cannot create the team schema version %d"), v);

		ok = exec_sql(conn, migrations[v - 1], what, error);
		g_free(what);
	}
	if (!ok)
		return FALSE;

	target = g_strdup_printf("%d", BDM_TEAM_SCHEMA_VERSION);
	params[0] = target;
	res = PQexecParams(conn,
	                   "INSERT INTO branddm.meta (key, value) VALUES ('schema_version', $1)"
	                   " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	                   1, NULL, params, NULL, NULL, 0);
	ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		set_query_error(conn, res, _("cannot record the team schema version"), error);
	PQclear(res);
	g_free(target);
	return ok;
}

gboolean bdm_team_schema_init(PGconn *conn, int *from_version, GError **error)
{
	int version;

	if (!check_connection(conn, error))
		return FALSE;
	/* Our BEGIN would be ignored inside the caller's transaction, and the
	 * caller's ROLLBACK would undo the schema we reported as made. */
	if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
		g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_CONNECT,
		            _("cannot create the team schema: the connection is inside a transaction"));
		return FALSE;
	}
	/* client_min_messages: "schema already exists, skipping" is no news and
	 * libpq would print it on stderr.  search_path: every name is ours and
	 * qualified, so nothing of another schema can be picked up. */
	if (!exec_sql(conn,
	              "BEGIN;"
	              "SET LOCAL client_min_messages = warning;"
	              "SET LOCAL search_path = pg_catalog, pg_temp;",
	              _("cannot start the team schema transaction"), error))
		goto fail;
	/* Held until commit or rollback: a second init waits, then finds the
	 * version the first one stored and has nothing to do. */
	if (!exec_sql(conn, "SELECT pg_advisory_xact_lock(" INIT_LOCK_KEY ")",
	              _("cannot lock the team schema"), error))
		goto fail;
	version = read_version(conn, error);
	if (version < 0)
		goto fail;
	if (version > BDM_TEAM_SCHEMA_VERSION) {
		g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_SCHEMA_NEWER,
		            _("the team database has schema version %d, newer than this BrandDM (%d); "
		              "upgrade BrandDM"), version, BDM_TEAM_SCHEMA_VERSION);
		goto fail;
	}
	if (version < BDM_TEAM_SCHEMA_VERSION && !migrate(conn, version, error))
		goto fail;
	if (!commit(conn, error))
		goto fail;
	if (from_version)
		*from_version = version;
	return TRUE;

fail:
	/* Also when BEGIN failed half way: ROLLBACK outside a transaction only
	 * warns, and a broken connection makes it fail harmlessly. */
	if (PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	return FALSE;
}

/* ---- connection strings ------------------------------------------------------ *
 * The string is cut where libpq cuts it (fe-connect.c: conninfo_parse and
 * conninfo_uri_parse_options), the values of secret keywords are replaced
 * in place, and the result is parsed again to prove that libpq now sees no
 * secret; otherwise it is rebuilt from libpq's own parse. */

typedef struct {
	gsize start;
	gsize end;
} Span;

/* password, and sslpassword (the passphrase of the client key). */
static gboolean is_secret_keyword(const char *keyword, gsize len)
{
	return (len == strlen("password") && strncmp(keyword, "password", len) == 0) ||
	       (len == strlen("sslpassword") && strncmp(keyword, "sslpassword", len) == 0);
}

static gsize uri_prefix_length(const char *s)
{
	if (g_str_has_prefix(s, "postgresql://"))
		return strlen("postgresql://");
	if (g_str_has_prefix(s, "postgres://"))
		return strlen("postgres://");
	return 0;
}

static void add_span(GArray *spans, gsize start, gsize end)
{
	Span span = { start, end };

	g_array_append_val(spans, span);
}

/* keyword = value pairs; a value is bare (backslash escapes, ends at white
 * space) or single-quoted (backslash escapes).  FALSE when malformed. */
static gboolean keyword_spans(const char *s, GArray *spans)
{
	gsize i = 0;

	while (s[i]) {
		gsize key_start, key_end, value_start;

		while (g_ascii_isspace(s[i]))
			i++;
		if (!s[i])
			break;
		key_start = i;
		while (s[i] && s[i] != '=' && !g_ascii_isspace(s[i]))
			i++;
		key_end = i;
		while (g_ascii_isspace(s[i]))
			i++;
		if (s[i] != '=')
			return FALSE;
		i++;
		while (g_ascii_isspace(s[i]))
			i++;
		value_start = i;
		if (s[i] == '\'') {
			for (i++; s[i] && s[i] != '\''; i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
			if (s[i] != '\'')
				return FALSE;
			i++;
		} else {
			for (; s[i] && !g_ascii_isspace(s[i]); i++)
				if (s[i] == '\\' && s[i + 1])
					i++;
		}
		if (is_secret_keyword(s + key_start, key_end - key_start))
			add_span(spans, value_start, i);
	}
	return TRUE;
}

/* A URI query's keyword, percent-decoded (libpq decodes it too); NULL when
 * malformed. */
static char *uri_decode(const char *s, gsize len)
{
	GString *out = g_string_sized_new(len);
	gsize i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len)
				goto bad;
			hi = g_ascii_xdigit_value(s[i + 1]);
			lo = g_ascii_xdigit_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			g_string_append_c(out, (char)(hi * 16 + lo));
			i += 2;
		} else {
			g_string_append_c(out, s[i]);
		}
	}
	return g_string_free(out, FALSE);
bad:
	g_string_free(out, TRUE);
	return NULL;
}

/* postgresql://[user[:password]@][hosts][/dbname][?key=value&...] */
static gboolean uri_spans(const char *s, gsize prefix, GArray *spans)
{
	gsize i = prefix, netloc;

	/* libpq looks for the '@' of user credentials up to the first '/'. */
	while (s[i] && s[i] != '@' && s[i] != '/')
		i++;
	if (s[i] == '@') {
		const char *colon = memchr(s + prefix, ':', i - prefix);

		if (colon)
			add_span(spans, (gsize)(colon - s) + 1, i);
		netloc = i + 1;
	} else {
		netloc = prefix;
	}

	for (i = netloc; s[i] && s[i] != '?'; i++)
		;
	if (!s[i])
		return TRUE;
	i++;
	while (s[i]) {
		gsize key_start = i, key_end, value_start, value_end;
		char *key;
		gboolean secret;

		while (s[i] && s[i] != '=' && s[i] != '&')
			i++;
		if (s[i] != '=')
			return FALSE;
		key_end = i++;
		value_start = i;
		while (s[i] && s[i] != '&')
			i++;
		value_end = i;
		key = uri_decode(s + key_start, key_end - key_start);
		if (!key)
			return FALSE;
		secret = is_secret_keyword(key, strlen(key));
		g_free(key);
		if (secret)
			add_span(spans, value_start, value_end);
		if (s[i] == '&')
			i++;
	}
	return TRUE;
}

/* TRUE when libpq parses text and finds no secret in it but our mask. */
static gboolean shows_no_secret(const char *text)
{
	PQconninfoOption *options, *o;
	char *errmsg = NULL;
	gboolean clean = TRUE;

	options = PQconninfoParse(text, &errmsg);
	PQfreemem(errmsg);
	if (!options)
		return FALSE;
	for (o = options; o->keyword; o++)
		if (o->val && is_secret_keyword(o->keyword, strlen(o->keyword)) &&
		    strcmp(o->val, REDACTED) != 0)
			clean = FALSE;
	PQconninfoFree(options);
	return clean;
}

/* The fallback: keyword=value from libpq's parse, secrets masked. */
static char *rebuild(const PQconninfoOption *options)
{
	GString *out = g_string_new(NULL);
	const PQconninfoOption *o;

	for (o = options; o->keyword; o++) {
		const char *p;

		if (!o->val)
			continue;
		if (out->len)
			g_string_append_c(out, ' ');
		g_string_append_printf(out, "%s=", o->keyword);
		if (is_secret_keyword(o->keyword, strlen(o->keyword))) {
			g_string_append(out, REDACTED);
			continue;
		}
		g_string_append_c(out, '\'');
		for (p = o->val; *p; p++) {
			if (*p == '\'' || *p == '\\')
				g_string_append_c(out, '\\');
			g_string_append_c(out, *p);
		}
		g_string_append_c(out, '\'');
	}
	return g_string_free(out, FALSE);
}

char *bdm_team_conninfo_redact(const char *conninfo)
{
	PQconninfoOption *options;
	GArray *spans;
	GString *out;
	char *errmsg = NULL, *result;
	gsize prefix, at = 0, i;

	if (!conninfo)
		conninfo = "";
	/* libpq's message quotes the part it could not read, which may be the
	 * password itself: say nothing of an unparsable string. */
	options = PQconninfoParse(conninfo, &errmsg);
	PQfreemem(errmsg);
	if (!options)
		return g_strdup(_("(unparsable connection string)"));

	spans = g_array_new(FALSE, FALSE, sizeof(Span));
	prefix = uri_prefix_length(conninfo);
	if (prefix ? uri_spans(conninfo, prefix, spans) : keyword_spans(conninfo, spans)) {
		out = g_string_new(NULL);
		for (i = 0; i < spans->len; i++) {
			const Span *span = &g_array_index(spans, Span, i);

			g_string_append_len(out, conninfo + at, span->start - at);
			g_string_append(out, REDACTED);
			at = span->end;
		}
		g_string_append(out, conninfo + at);
		result = g_string_free(out, FALSE);
	} else {
		result = NULL;
	}
	g_array_free(spans, TRUE);

	if (!result || !shows_no_secret(result)) {
		g_free(result);
		result = rebuild(options);
	}
	PQconninfoFree(options);
	return result;
}

gboolean bdm_team_notice_parse(const char *payload, BdmTeamNotice *out)
{
	const char *colon = strchr(payload, ':');
	const char *slash1 = colon ? strchr(colon + 1, '/') : NULL;
	const char *slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
	const char *newline;

	memset(out, 0, sizeof(*out));
	/* Platform and account hold no '/': the customer id is the rest of
	 * the line, whatever it holds. */
	if (colon == NULL || colon == payload || slash1 == NULL || slash2 == NULL ||
	    slash1 == colon + 1 || slash2 == slash1 + 1 || slash2[1] == '\0' || slash2[1] == '\n' ||
	    memchr(colon + 1, '\n', (gsize)(slash2 - colon - 1)) != NULL)
		return FALSE;
	newline = strchr(slash2 + 1, '\n');
	out->kind = g_strndup(payload, colon - payload);
	out->platform = g_strndup(colon + 1, slash1 - colon - 1);
	out->account = g_strndup(slash1 + 1, slash2 - slash1 - 1);
	out->customer = newline ? g_strndup(slash2 + 1, newline - slash2 - 1) : g_strdup(slash2 + 1);
	out->more = newline ? g_strdup(newline + 1) : NULL;
	return TRUE;
}

void bdm_team_notice_clear(BdmTeamNotice *notice)
{
	g_free(notice->kind);
	g_free(notice->platform);
	g_free(notice->account);
	g_free(notice->customer);
	g_free(notice->more);
	memset(notice, 0, sizeof(*notice));
}
