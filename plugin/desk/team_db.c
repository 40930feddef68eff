/*
 * The team desk's PostgreSQL link on libpurple's event loop.  See team_db.h.
 *
 * One PGconn at a time, always non-blocking: PQconnectStartParams and
 * PQconnectPoll while connecting, then PQsendQueryParams / PQflush /
 * PQconsumeInput / PQgetResult / PQnotifies, each driven by a
 * purple_input_add watch on PQsocket (re-added whenever the socket or what
 * we wait for changes: the socket is new on every connection, and may even
 * change between PQconnectPoll calls).  Host names are resolved with
 * GResolver first, because libpq's own getaddrinfo() would block.
 *
 * Entry points from the loop (the watch, the timers, the resolver) hold the
 * link with enter()/leave(): a user callback may free it, and the memory
 * then goes away only when the outermost entry point returns.
 */
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

static void fail_link(BdmTeamDb *db, const char *why);
static void send_next(BdmTeamDb *db);
static void resolve_next(BdmTeamDb *db);

/* ---- text that may leave this file -------------------------------------- */

static void add_secret(GPtrArray *secrets, const char *start, gsize len, gboolean uri)
{
	char *raw, *decoded = NULL;

	if (len == 0)
		return;
	raw = g_strndup(start, len);
	/* A URI carries it percent-encoded; libpq may quote either form. */
	if (uri)
		decoded = g_uri_unescape_string(raw, NULL);
	if (decoded != NULL && *decoded != '\0' && strcmp(decoded, raw) != 0)
		g_ptr_array_add(secrets, decoded);
	else
		g_free(decoded);
	g_ptr_array_add(secrets, raw);
}

/* The keyword form ("host=/x password='a b'"), as libpq's parser reads it:
 * a password value becomes ***; after anything unparseable the rest is
 * dropped, because it could be a password we failed to recognise. */
static void redact_keywords(const char *p, GString *out, GPtrArray *secrets)
{
	while (*p != '\0') {
		const char *key, *value;
		gsize key_len;
		gboolean is_password;
		GString *unescaped;

		if (g_ascii_isspace(*p)) {
			g_string_append_c(out, *p++);
			continue;
		}
		key = p;
		while (*p != '\0' && *p != '=' && !g_ascii_isspace(*p))
			p++;
		key_len = (gsize)(p - key);
		while (g_ascii_isspace(*p))
			p++;
		if (*p != '=') {
			g_string_append(out, "…");
			return;
		}
		p++;
		while (g_ascii_isspace(*p))
			p++;
		is_password = key_len == strlen("password") && strncmp(key, "password", key_len) == 0;
		g_string_append_len(out, key, (gssize)key_len);
		g_string_append_c(out, '=');
		value = p;
		unescaped = g_string_new(NULL);
		if (*p == '\'') {
			for (p++; *p != '\0' && *p != '\''; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				g_string_append_c(unescaped, *p);
			}
			if (*p == '\'')
				p++;
		} else {
			for (; *p != '\0' && !g_ascii_isspace(*p); p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				g_string_append_c(unescaped, *p);
			}
		}
		if (is_password) {
			g_string_append(out, "***");
			add_secret(secrets, value, (gsize)(p - value), FALSE);
			add_secret(secrets, unescaped->str, unescaped->len, FALSE);
		} else {
			g_string_append_len(out, value, p - value);
		}
		g_string_free(unescaped, TRUE);
	}
}

/* The URI form: user:password@ and a password= query parameter. */
static void redact_uri(const char *uri, gsize prefix_len, GString *out, GPtrArray *secrets)
{
	const char *p = uri + prefix_len, *at, *query;

	g_string_append_len(out, uri, (gssize)prefix_len);
	/* libpq ends the user part at the first '@' or '/'. */
	at = p + strcspn(p, "@/");
	if (*at == '@') {
		const char *colon = memchr(p, ':', (gsize)(at - p));
		if (colon != NULL) {
			g_string_append_len(out, p, colon - p);
			g_string_append(out, ":***");
			add_secret(secrets, colon + 1, (gsize)(at - colon - 1), TRUE);
		} else {
			g_string_append_len(out, p, at - p);
		}
		p = at;
	}
	query = strchr(p, '?');
	if (query == NULL) {
		g_string_append(out, p);
		return;
	}
	g_string_append_len(out, p, query - p + 1);
	p = query + 1;
	while (*p != '\0') {
		gsize len = strcspn(p, "&");
		if (len > strlen("password=") && strncmp(p, "password=", strlen("password=")) == 0) {
			g_string_append(out, "password=***");
			add_secret(secrets, p + strlen("password="), len - strlen("password="),
			           TRUE);
		} else {
			g_string_append_len(out, p, (gssize)len);
		}
		p += len;
		if (*p == '&')
			g_string_append_c(out, *p++);
	}
}

/* A copy of conninfo fit for debug output (passwords as ***), collecting
 * the password as written into secrets so messages can be scrubbed of it
 * even when libpq refused the string and never told us the password. */
static char *redact_conninfo(const char *conninfo, GPtrArray *secrets)
{
	GString *out = g_string_new(NULL);

	if (g_str_has_prefix(conninfo, "postgresql://"))
		redact_uri(conninfo, strlen("postgresql://"), out, secrets);
	else if (g_str_has_prefix(conninfo, "postgres://"))
		redact_uri(conninfo, strlen("postgres://"), out, secrets);
	else
		redact_keywords(conninfo, out, secrets);
	return g_string_free(out, FALSE);
}

static gint longest_first(gconstpointer a, gconstpointer b)
{
	gsize la = strlen(*(const char *const *)a), lb = strlen(*(const char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

static void replace_all(GString *text, const char *secret)
{
	gsize len = strlen(secret);
	char *hit;
	gsize from = 0;

	while (from < text->len && (hit = strstr(text->str + from, secret)) != NULL) {
		gsize pos = (gsize)(hit - text->str);
		g_string_erase(text, (gssize)pos, (gssize)len);
		g_string_insert(text, (gssize)pos, "***");
		from = pos + 3;
	}
}

/* A libpq or server message as one plain line for debug output and
 * callbacks.  libpq's messages do not quote the password, but a server
 * message may quote anything (a user name equal to the password, a value
 * that failed a cast), so every known password is replaced anyway. */
static char *scrub(const BdmTeamDb *db, const char *message)
{
	GString *text = g_string_new(message != NULL ? message : "");
	gsize i, j;
	gboolean space = FALSE;

	for (i = 0; i < db->secrets->len; i++)
		replace_all(text, g_ptr_array_index(db->secrets, i));
	/* Multi-line messages ("...failed: ...\n\tIs the server running...")
	 * become one line; runs of white space become one space. */
	for (i = 0, j = 0; i < text->len; i++) {
		char c = text->str[i];
		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			space = TRUE;
			continue;
		}
		if (space && j > 0)
			text->str[j++] = ' ';
		space = FALSE;
		text->str[j++] = c;
	}
	g_string_truncate(text, j);
	for (i = 0; i < db->secrets->len; i++)
		replace_all(text, g_ptr_array_index(db->secrets, i));
	return g_string_free(text, FALSE);
}

static char *conn_error(const BdmTeamDb *db, const char *prefix)
{
	/* When the server said why it ended the session, that beats libpq's
	 * "server closed the connection unexpectedly". */
	char *detail = db->last_fatal != NULL ? g_strdup(db->last_fatal)
	               : scrub(db, db->conn != NULL ? PQerrorMessage(db->conn) : NULL);
	char *why = g_strdup_printf("%s%s%s", prefix, *detail != '\0' ? ": " : "", detail);
	g_free(detail);
	return why;
}

/* libpq prints notices on stderr by default; Pidgin's users never see
 * stderr, so they go to the debug log.  A session the server ends while
 * idle (pg_terminate_backend, shutdown: FATAL, or SQLSTATE class 57,
 * operator intervention) arrives here too: kept as the reason for "down". */
static void notice_cb(void *arg, const PGresult *res)
{
	BdmTeamDb *db = arg;
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	char *text = scrub(db, PQresultErrorMessage(res));

	purple_debug_info(DEBUG_CAT, "server notice: %s\n", text);
	if ((severity != NULL && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0)) ||
	    (sqlstate != NULL && g_str_has_prefix(sqlstate, "57"))) {
		g_free(db->last_fatal);
		db->last_fatal = text;
		return;
	}
	g_free(text);
}

/* ---- queries --------------------------------------------------------- */

static void query_free(Query *q)
{
	int i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n_params; i++)
		g_free(q->params[i]);
	g_free(q->params);
	g_free(q->sql);
	g_free(q->channel);
	g_free(q->error);
	if (q->result != NULL)
		PQclear(q->result);
	g_free(q);
}

static void query_free_cb(gpointer q)
{
	query_free(q);
}

static gboolean result_ok(const PGresult *res)
{
	ExecStatusType status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

static char *result_error(const BdmTeamDb *db, const PGresult *res)
{
	const char *message;

	if (res == NULL)
		return g_strdup(BDM_TEAM_DB_CONNECTION_LOST);
	message = PQresultErrorMessage(res);
	if (message == NULL || *message == '\0') {
		if (PQresultStatus(res) == PGRES_EMPTY_QUERY)
			return g_strdup("the query was empty");
		message = PQresStatus(PQresultStatus(res));
	}
	return scrub(db, message);
}

/* ---- the link's lifetime ----------------------------------------------- */

static void enter(BdmTeamDb *db)
{
	db->depth++;
}

static void destroy(BdmTeamDb *db)
{
	if (db->options != NULL)
		PQconninfoFree(db->options);
	g_free(db->broken);
	g_free(db->safe_conninfo);
	g_ptr_array_free(db->secrets, TRUE);
	g_ptr_array_free(db->channels, TRUE);
	g_free(db);
}

static void leave(BdmTeamDb *db)
{
	if (--db->depth == 0 && db->dead)
		destroy(db);
}

static void remove_timer(guint *timer)
{
	if (*timer != 0) {
		purple_timeout_remove(*timer);
		*timer = 0;
	}
}

static void host_entry_free(gpointer p)
{
	HostEntry *e = p;
	g_free(e->host);
	g_free(e->hostaddr);
	g_free(e->port);
	g_resolver_free_addresses(e->addresses);
	g_free(e->resolve_error);
	g_free(e);
}

static void set_watch(BdmTeamDb *db, PurpleInputCondition cond);

/* Forget the connection, any lookup and the attempt's timeout; the queues
 * stay.  The watch goes before PQfinish closes its socket. */
static void close_conn(BdmTeamDb *db)
{
	if (db->watch != 0) {
		purple_input_remove(db->watch);
		db->watch = 0;
	}
	db->watch_fd = -1;
	db->flushing = FALSE;
	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	g_free(db->last_fatal);
	db->last_fatal = NULL;
	if (db->lookup != NULL) {
		db->lookup->db = NULL;
		g_cancellable_cancel(db->lookup->cancel);
		db->lookup = NULL;
	}
	if (db->hosts != NULL) {
		g_ptr_array_free(db->hosts, TRUE);
		db->hosts = NULL;
	}
	remove_timer(&db->attempt_timer);
}

/* Tell the owner, once per change (and the first outcome after start). */
static void report_state(BdmTeamDb *db, gboolean up, const char *why)
{
	int now = up ? 1 : 0;

	if (db->reported == now)
		return;
	db->reported = now;
	/* The reason is in the line before. */
	purple_debug_info(DEBUG_CAT, "the team database link is %s\n", up ? "up" : "down");
	if (db->on_state != NULL)
		db->on_state(up, why, db->data);
}

/* ---- deferred work ------------------------------------------------------ */

static gboolean failed_cb(gpointer data)
{
	BdmTeamDb *db = data;
	Query *q;

	db->failed_timer = 0;
	enter(db);
	while (!db->dead && (q = g_queue_pop_head(&db->failed)) != NULL) {
		if (q->cb != NULL)
			q->cb(NULL, q->error, q->data);
		query_free(q);
	}
	leave(db);
	return FALSE;
}

/* Refuse q with error, from the loop: callers never see their callback
 * run inside bdm_team_db_query(). */
static void fail_later(BdmTeamDb *db, Query *q, const char *error)
{
	if (q->kind != QUERY_USER) {
		purple_debug_error(DEBUG_CAT, "LISTEN %s failed: %s\n", q->channel, error);
		query_free(q);
		return;
	}
	g_free(q->error);
	q->error = g_strdup(error);
	g_queue_push_tail(&db->failed, q);
	if (db->failed_timer == 0)
		db->failed_timer = purple_timeout_add(0, failed_cb, db);
}

static gboolean kick_cb(gpointer data)
{
	BdmTeamDb *db = data;

	db->kick_timer = 0;
	enter(db);
	send_next(db);
	leave(db);
	return FALSE;
}

static void kick(BdmTeamDb *db)
{
	if (db->state == LINK_UP && db->current == NULL && db->kick_timer == 0)
		db->kick_timer = purple_timeout_add(0, kick_cb, db);
}

/* ---- reconnecting -------------------------------------------------------- */

static void start_attempt(BdmTeamDb *db);

static gboolean retry_cb(gpointer data)
{
	BdmTeamDb *db = data;

	db->retry_timer = 0;
	enter(db);
	start_attempt(db);
	leave(db);
	return FALSE;
}

/* Exponential backoff with jitter: after a server restart every agent's
 * client reconnects, and they should not all knock at the same moment. */
static guint schedule_retry(BdmTeamDb *db)
{
	guint delay = db->backoff_ms / 2 + g_random_int_range(0, (gint32)(db->backoff_ms / 2) + 1);

	db->backoff_ms = MIN(db->backoff_ms * 2, db->max_backoff_ms);
	db->state = LINK_WAITING;
	remove_timer(&db->retry_timer);
	db->retry_timer = purple_timeout_add(delay, retry_cb, db);
	return delay;
}

/* Tell the caller of a query that was on the wire what became of it. */
static void deliver_lost(Query *q)
{
	if (q->kind != QUERY_USER || q->cb == NULL)
		return;
	/* Its result arrived before the link broke: it did run. */
	if (q->error == NULL && result_ok(q->result))
		q->cb(q->result, NULL, q->data);
	else
		q->cb(NULL, q->error != NULL ? q->error : BDM_TEAM_DB_CONNECTION_LOST, q->data);
}

/* The attempt failed or the link broke: close, back off, tell the owner
 * and the query that was on the wire.  Not re-run: it may have committed. */
static void fail_link(BdmTeamDb *db, const char *why)
{
	Query *q = db->current;
	char *reason = g_strdup(why);
	GList *l, *next;
	guint delay;

	db->current = NULL;
	close_conn(db);
	/* Every channel is LISTENed again on the next connection. */
	for (l = db->pending.head; l != NULL; l = next) {
		next = l->next;
		if (((Query *)l->data)->kind != QUERY_USER) {
			query_free(l->data);
			g_queue_delete_link(&db->pending, l);
		}
	}
	delay = schedule_retry(db);
	purple_debug_error(DEBUG_CAT, "%s; reconnecting in %u ms\n", reason, delay);
	report_state(db, FALSE, reason);
	if (q != NULL && !db->dead)
		deliver_lost(q);
	query_free(q);
	g_free(reason);
}

static gboolean attempt_timeout_cb(gpointer data)
{
	BdmTeamDb *db = data;
	char *why;

	db->attempt_timer = 0;
	enter(db);
	why = g_strdup_printf("timed out connecting to the team database after %u ms",
	                      db->connect_timeout_ms);
	fail_link(db, why);
	g_free(why);
	leave(db);
	return FALSE;
}

/* ---- connected: sending, results, notifications --------------------------- */

static void go_up(BdmTeamDb *db)
{
	db->state = LINK_UP;
	remove_timer(&db->attempt_timer);
	db->backoff_ms = db->first_backoff_ms;
	purple_debug_info(DEBUG_CAT, "connected, backend pid %d\n", PQbackendPID(db->conn));
	report_state(db, TRUE, NULL);
	if (!db->dead)
		send_next(db);
}

static void flush_output(BdmTeamDb *db)
{
	int r = PQflush(db->conn);
	char *why;

	if (r < 0) {
		why = conn_error(db, "lost the connection to the team database");
		fail_link(db, why);
		g_free(why);
		return;
	}
	db->flushing = r == 1;
	set_watch(db, PURPLE_INPUT_READ | (db->flushing ? PURPLE_INPUT_WRITE : 0));
}

/* "LISTEN a;LISTEN b;" with each name quoted as an identifier. */
static char *listen_sql(BdmTeamDb *db, char *const *channels, guint n)
{
	GString *sql = g_string_new(NULL);
	guint i;

	for (i = 0; i < n; i++) {
		char *quoted = PQescapeIdentifier(db->conn, channels[i], strlen(channels[i]));
		if (quoted == NULL) {
			purple_debug_error(DEBUG_CAT, "cannot LISTEN on a channel name that is not "
			                   "valid text\n");
			continue;
		}
		g_string_append_printf(sql, "LISTEN %s;", quoted);
		PQfreemem(quoted);
	}
	return g_string_free(sql, FALSE);
}

/* Send the next queued query if the link is up and idle. */
static void send_next(BdmTeamDb *db)
{
	while (db->state == LINK_UP && db->current == NULL && !g_queue_is_empty(&db->pending)) {
		Query *q = g_queue_pop_head(&db->pending);
		gboolean was_ok = PQstatus(db->conn) == CONNECTION_OK;
		char *why;
		int ok;

		if (q->kind == QUERY_USER) {
			ok = PQsendQueryParams(db->conn, q->sql, q->n_params, NULL,
			                       (const char *const *)q->params, NULL, NULL, 0);
		} else {
			g_free(q->sql);
			q->sql = listen_sql(db, &q->channel, 1);
			ok = *q->sql == '\0' || PQsendQuery(db->conn, q->sql);
			if (ok && *q->sql == '\0') {
				query_free(q);
				continue;
			}
		}
		if (ok) {
			db->current = q;
			flush_output(db);
			return;
		}
		if (PQstatus(db->conn) == CONNECTION_BAD) {
			/* Refused by a link already broken: not a byte left, so it
			 * waits for the next connection like any queued query.  If
			 * the link broke while sending, part of it may be on the
			 * wire (a COMMIT runs at its Execute): "connection lost". */
			if (was_ok)
				db->current = q;
			else
				g_queue_push_head(&db->pending, q);
			why = conn_error(db, "lost the connection to the team database");
			fail_link(db, why);
			g_free(why);
			return;
		}
		/* Refused for itself (say, too many parameters): its caller hears why. */
		why = scrub(db, PQerrorMessage(db->conn));
		fail_later(db, q, why);
		g_free(why);
	}
}

/* Keep one result per query: the first error, else the last result. */
static void keep_result(Query *q, PGresult *res)
{
	if (q->result != NULL && !result_ok(q->result)) {
		PQclear(res);
		return;
	}
	if (q->result != NULL)
		PQclear(q->result);
	q->result = res;
}

/* The current query's results are complete (PQgetResult said NULL). */
static void complete_current(BdmTeamDb *db)
{
	Query *q = db->current;
	char *why;

	if (PQstatus(db->conn) == CONNECTION_BAD) {
		why = conn_error(db, "lost the connection to the team database");
		fail_link(db, why);
		g_free(why);
		return;
	}
	db->current = NULL;
	switch (q->kind) {
	case QUERY_SETUP:
		if (q->error != NULL || !result_ok(q->result)) {
			char *detail = q->error != NULL ? g_strdup(q->error)
			               : result_error(db, q->result);
			why = g_strdup_printf("could not LISTEN on the team database: %s", detail);
			g_free(detail);
			query_free(q);
			fail_link(db, why);
			g_free(why);
			return;
		}
		query_free(q);
		go_up(db);
		return;
	case QUERY_LISTEN:
		if (!result_ok(q->result)) {
			why = result_error(db, q->result);
			purple_debug_error(DEBUG_CAT, "LISTEN %s failed: %s\n", q->channel, why);
			g_free(why);
		}
		break;
	case QUERY_USER:
		if (q->cb == NULL)
			break;
		if (q->error == NULL && result_ok(q->result)) {
			q->cb(q->result, NULL, q->data);
		} else {
			why = q->error != NULL ? g_strdup(q->error) : result_error(db, q->result);
			q->cb(NULL, why, q->data);
			g_free(why);
		}
		break;
	}
	query_free(q);
	if (!db->dead)
		send_next(db);
}

/* Read what libpq has parsed: results of the current query, then NOTIFYs. */
static void drain(BdmTeamDb *db)
{
	while (!db->dead && db->conn != NULL && db->current != NULL && !PQisBusy(db->conn)) {
		PGresult *res = PQgetResult(db->conn);
		ExecStatusType status;

		if (res == NULL) {
			complete_current(db);
			continue;
		}
		status = PQresultStatus(res);
		if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
			/* Nothing here speaks the COPY sub-protocol; a fresh session
			 * is the one clean way out of it. */
			PQclear(res);
			g_free(db->current->error);
			db->current->error = g_strdup("COPY is not supported on the team database link");
			fail_link(db, "a query started COPY, which the team database link "
			          "does not support");
			return;
		}
		keep_result(db->current, res);
	}
	while (!db->dead && db->conn != NULL) {
		PGnotify *n = PQnotifies(db->conn);
		if (n == NULL)
			break;
		if (db->on_notify != NULL)
			db->on_notify(n->relname, n->extra != NULL ? n->extra : "", db->data);
		PQfreemem(n);
	}
}

static void connected_io(BdmTeamDb *db, PurpleInputCondition cond)
{
	char *why;

	if (db->flushing) {
		flush_output(db);
		if (db->conn == NULL)
			return;
	}
	if ((cond & PURPLE_INPUT_READ) && !PQconsumeInput(db->conn)) {
		why = conn_error(db, "lost the connection to the team database");
		fail_link(db, why);
		g_free(why);
		return;
	}
	drain(db);
	if (db->dead || db->conn == NULL)
		return;
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		why = conn_error(db, "lost the connection to the team database");
		fail_link(db, why);
		g_free(why);
	}
}

/* ---- connecting ---------------------------------------------------------- */

/* Connected: non-blocking from here on; LISTEN again before reporting up,
 * so a NOTIFY sent after the owner hears "up" is not missed. */
static void link_established(BdmTeamDb *db)
{
	Query *q;
	char *why;

	if (PQsetnonblocking(db->conn, 1) != 0) {
		why = conn_error(db, "could not make the team database connection non-blocking");
		fail_link(db, why);
		g_free(why);
		return;
	}
	db->state = LINK_SETUP;
	if (db->channels->len == 0) {
		go_up(db);
		return;
	}
	q = g_new0(Query, 1);
	q->kind = QUERY_SETUP;
	q->sql = listen_sql(db, (char *const *)db->channels->pdata, db->channels->len);
	if (*q->sql == '\0') {
		query_free(q);
		go_up(db);
		return;
	}
	if (!PQsendQuery(db->conn, q->sql)) {
		query_free(q);
		why = conn_error(db, "could not LISTEN on the team database");
		fail_link(db, why);
		g_free(why);
		return;
	}
	db->current = q;
	flush_output(db);
}

static void connecting_io(BdmTeamDb *db)
{
	char *why;

	switch (PQconnectPoll(db->conn)) {
	case PGRES_POLLING_READING:
		set_watch(db, PURPLE_INPUT_READ);
		break;
	case PGRES_POLLING_WRITING:
		set_watch(db, PURPLE_INPUT_WRITE);
		break;
	case PGRES_POLLING_OK:
		link_established(db);
		break;
	default:
		why = conn_error(db, "could not connect to the team database");
		fail_link(db, why);
		g_free(why);
		break;
	}
}

static void io_cb(gpointer data, gint fd, PurpleInputCondition cond)
{
	BdmTeamDb *db = data;

	(void)fd;
	enter(db);
	if (db->state == LINK_CONNECTING)
		connecting_io(db);
	else if (db->conn != NULL && (db->state == LINK_SETUP || db->state == LINK_UP))
		connected_io(db, cond);
	leave(db);
}

/* Watch the connection's current socket for cond.  The socket is new on
 * every connection (and may change while connecting), so the watch is
 * replaced whenever the socket or the condition differs. */
static void set_watch(BdmTeamDb *db, PurpleInputCondition cond)
{
	int fd = PQsocket(db->conn);
	char *why;

	if (db->watch != 0 && fd == db->watch_fd && cond == db->watch_cond)
		return;
	if (db->watch != 0) {
		purple_input_remove(db->watch);
		db->watch = 0;
	}
	if (fd < 0) {
		why = conn_error(db, "the team database connection has no socket");
		fail_link(db, why);
		g_free(why);
		return;
	}
	db->watch_fd = fd;
	db->watch_cond = cond;
	db->watch = purple_input_add(fd, cond, io_cb, db);
}

static const char *option(const BdmTeamDb *db, const char *keyword)
{
	const PQconninfoOption *o;

	for (o = db->options; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, keyword) == 0)
			return o->val;
	}
	return NULL;
}

static void add_param(GPtrArray *keywords, GPtrArray *values, const char *keyword, const char *value)
{
	g_ptr_array_add(keywords, (gpointer)keyword);
	g_ptr_array_add(values, (gpointer)value);
}

/* What we add unless the conninfo says otherwise: every string in the
 * plugin is UTF-8; a name in pg_stat_activity; no GSSAPI encryption, whose
 * default "prefer" makes PQconnectPoll ask a Kerberos KDC for a ticket,
 * synchronously, on any machine that has a ticket cache (set gssencmode to
 * use it); and TCP keepalives, so a server that vanished without closing is
 * noticed in about a minute rather than the system's two hours. */
static const char *const defaults[][2] = {
	{ "fallback_application_name", "branddm" },
	{ "client_encoding", "UTF8" },
	{ "gssencmode", "disable" },
	{ "keepalives_idle", "30" },
	{ "keepalives_interval", "10" },
	{ "keepalives_count", "3" },
};

/* Hand the parsed options (with resolved addresses, if any) to libpq. */
static void connect_now(BdmTeamDb *db)
{
	GPtrArray *keywords = g_ptr_array_new(), *values = g_ptr_array_new();
	GPtrArray *owned = g_ptr_array_new_with_free_func(g_free);
	const PQconninfoOption *o;
	gboolean resolved = db->hosts != NULL;
	char *why;
	gsize i;

	for (o = db->options; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		if (resolved && (strcmp(o->keyword, "host") == 0 ||
		                 strcmp(o->keyword, "hostaddr") == 0 ||
		                 strcmp(o->keyword, "port") == 0))
			continue;
		add_param(keywords, values, o->keyword, o->val);
	}
	if (resolved) {
		GPtrArray *hosts = g_ptr_array_new(), *addrs = g_ptr_array_new();
		GPtrArray *ports = g_ptr_array_new();
		for (i = 0; i < db->hosts->len; i++) {
			HostEntry *e = g_ptr_array_index(db->hosts, i);
			GList *a;
			if (!e->resolve) {
				g_ptr_array_add(hosts, e->host);
				g_ptr_array_add(addrs, e->hostaddr);
				g_ptr_array_add(ports, e->port);
				continue;
			}
			/* Every address of the name, in the resolver's order, as
			 * libpq itself would try them. */
			for (a = e->addresses; a != NULL; a = a->next) {
				char *text = g_inet_address_to_string(a->data);
				g_ptr_array_add(owned, text);
				g_ptr_array_add(hosts, e->host);
				g_ptr_array_add(addrs, text);
				g_ptr_array_add(ports, e->port);
			}
		}
		g_ptr_array_add(hosts, NULL);
		g_ptr_array_add(addrs, NULL);
		g_ptr_array_add(ports, NULL);
		g_ptr_array_add(owned, g_strjoinv(",", (char **)hosts->pdata));
		add_param(keywords, values, "host", g_ptr_array_index(owned, owned->len - 1));
		g_ptr_array_add(owned, g_strjoinv(",", (char **)addrs->pdata));
		add_param(keywords, values, "hostaddr", g_ptr_array_index(owned, owned->len - 1));
		if (ports->len > 1 && g_ptr_array_index(ports, 0) != NULL) {
			g_ptr_array_add(owned, g_strjoinv(",", (char **)ports->pdata));
			add_param(keywords, values, "port", g_ptr_array_index(owned, owned->len - 1));
		}
		g_ptr_array_free(hosts, TRUE);
		g_ptr_array_free(addrs, TRUE);
		g_ptr_array_free(ports, TRUE);
	}
	for (i = 0; i < G_N_ELEMENTS(defaults); i++) {
		if (option(db, defaults[i][0]) == NULL)
			add_param(keywords, values, defaults[i][0], defaults[i][1]);
	}
	add_param(keywords, values, NULL, NULL);

	purple_debug_info(DEBUG_CAT, "connecting to %s%s\n", db->safe_conninfo,
	                  resolved ? " (host names resolved)" : "");
	db->conn = PQconnectStartParams((const char *const *)keywords->pdata,
	                                (const char *const *)values->pdata, 0);
	g_ptr_array_free(keywords, TRUE);
	g_ptr_array_free(values, TRUE);
	g_ptr_array_free(owned, TRUE);
	if (db->hosts != NULL) {
		g_ptr_array_free(db->hosts, TRUE);
		db->hosts = NULL;
	}
	if (db->conn == NULL) {
		fail_link(db, "could not connect to the team database: out of memory");
		return;
	}
	PQsetNoticeReceiver(db->conn, notice_cb, db);
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		why = conn_error(db, "could not connect to the team database");
		fail_link(db, why);
		g_free(why);
		return;
	}
	db->state = LINK_CONNECTING;
	/* As the libpq manual says: start as if PQconnectPoll had said WRITING. */
	set_watch(db, PURPLE_INPUT_WRITE);
}

static gboolean host_is_literal(const char *host)
{
	/* A socket directory, an abstract socket, or a numeric address. */
	return *host == '\0' || *host == '/' || *host == '@' || g_hostname_is_ip_address(host);
}

/* libpq's host list with the names it would look up itself, or NULL when
 * there are none (then libpq gets the options as they are).  Lists libpq
 * will refuse (counts that do not match) are left for libpq to refuse. */
static GPtrArray *plan_hosts(const BdmTeamDb *db)
{
	const char *host = option(db, "host"), *hostaddr = option(db, "hostaddr");
	const char *port = option(db, "port");
	char **hosts, **addrs = NULL, **ports = NULL;
	guint n_hosts, n_addrs = 0, n_ports = 0, i;
	GPtrArray *plan = NULL;
	gboolean any = FALSE;

	/* Unset options come from the environment, as in libpq. */
	if (host == NULL)
		host = g_getenv("PGHOST");
	if (hostaddr == NULL)
		hostaddr = g_getenv("PGHOSTADDR");
	if (port == NULL)
		port = g_getenv("PGPORT");
	if (host == NULL || *host == '\0')
		return NULL;
	hosts = g_strsplit(host, ",", -1);
	n_hosts = g_strv_length(hosts);
	if (hostaddr != NULL && *hostaddr != '\0') {
		addrs = g_strsplit(hostaddr, ",", -1);
		n_addrs = g_strv_length(addrs);
	}
	if (port != NULL && *port != '\0') {
		ports = g_strsplit(port, ",", -1);
		n_ports = g_strv_length(ports);
	}
	if ((addrs != NULL && n_addrs != n_hosts) ||
	    (ports != NULL && n_ports != 1 && n_ports != n_hosts))
		goto out;
	plan = g_ptr_array_new_with_free_func(host_entry_free);
	for (i = 0; i < n_hosts; i++) {
		HostEntry *e = g_new0(HostEntry, 1);
		e->host = g_strdup(hosts[i]);
		e->hostaddr = g_strdup(addrs != NULL ? addrs[i] : "");
		e->port = ports != NULL ? g_strdup(ports[n_ports == 1 ? 0 : i]) : NULL;
		e->resolve = *e->hostaddr == '\0' && !host_is_literal(e->host);
		any = any || e->resolve;
		g_ptr_array_add(plan, e);
	}
	if (!any) {
		g_ptr_array_free(plan, TRUE);
		plan = NULL;
	}
out:
	g_strfreev(hosts);
	g_strfreev(addrs);
	g_strfreev(ports);
	return plan;
}

static void resolved_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Lookup *lookup = user_data;
	BdmTeamDb *db = lookup->db;
	GError *error = NULL;
	GList *addresses = g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, &error);

	g_object_unref(lookup->cancel);
	g_free(lookup);
	if (db == NULL) {
		/* The link was freed or gave up on this attempt. */
		g_resolver_free_addresses(addresses);
		g_clear_error(&error);
		return;
	}
	enter(db);
	db->lookup = NULL;
	{
		HostEntry *e = g_ptr_array_index(db->hosts, db->resolving);
		e->addresses = addresses;
		if (error != NULL)
			e->resolve_error = g_strdup(error->message);
	}
	g_clear_error(&error);
	db->resolving++;
	resolve_next(db);
	leave(db);
}

/* Look up the next name in the plan, then connect. */
static void resolve_next(BdmTeamDb *db)
{
	GResolver *resolver;
	HostEntry *e;
	guint i, usable = 0;
	char *why;

	for (; db->resolving < db->hosts->len; db->resolving++) {
		e = g_ptr_array_index(db->hosts, db->resolving);
		if (!e->resolve)
			continue;
		purple_debug_info(DEBUG_CAT, "resolving %s\n", e->host);
		db->lookup = g_new0(Lookup, 1);
		db->lookup->db = db;
		db->lookup->cancel = g_cancellable_new();
		resolver = g_resolver_get_default();
		g_resolver_lookup_by_name_async(resolver, e->host, db->lookup->cancel, resolved_cb,
		                                db->lookup);
		g_object_unref(resolver);
		return;
	}
	/* A name that does not resolve is skipped, as libpq skips it. */
	for (i = 0; i < db->hosts->len; i++) {
		e = g_ptr_array_index(db->hosts, i);
		if (e->resolve && e->addresses == NULL)
			purple_debug_error(DEBUG_CAT, "could not resolve %s: %s\n", e->host,
			                   e->resolve_error != NULL ? e->resolve_error : "no address");
		else
			usable++;
	}
	if (usable == 0) {
		e = g_ptr_array_index(db->hosts, 0);
		why = g_strdup_printf("could not connect to the team database: "
		                      "could not resolve %s: %s", e->host,
		                      e->resolve_error != NULL ? e->resolve_error : "no address");
		fail_link(db, why);
		g_free(why);
		return;
	}
	connect_now(db);
}

static void start_attempt(BdmTeamDb *db)
{
	db->state = LINK_RESOLVING;
	remove_timer(&db->attempt_timer);
	db->attempt_timer = purple_timeout_add(db->connect_timeout_ms, attempt_timeout_cb, db);
	db->hosts = plan_hosts(db);
	if (db->hosts != NULL) {
		db->resolving = 0;
		resolve_next(db);
	} else {
		connect_now(db);
	}
}

static gboolean report_broken_cb(gpointer data)
{
	BdmTeamDb *db = data;

	db->report_timer = 0;
	enter(db);
	report_state(db, FALSE, db->broken);
	leave(db);
	return FALSE;
}

/* ---- the API ------------------------------------------------------------- */

BdmTeamDb *bdm_team_db_new(const char *conninfo, BdmTeamDbStateFunc on_state,
                           BdmTeamDbNotifyFunc on_notify, gpointer data)
{
	BdmTeamDb *db = g_new0(BdmTeamDb, 1);
	char *parse_error = NULL;
	const char *env_password = g_getenv("PGPASSWORD");

	if (conninfo == NULL)
		conninfo = "";
	db->on_state = on_state;
	db->on_notify = on_notify;
	db->data = data;
	db->reported = -1;
	db->watch_fd = -1;
	db->first_backoff_ms = db->backoff_ms = DEFAULT_FIRST_BACKOFF_MS;
	db->max_backoff_ms = DEFAULT_MAX_BACKOFF_MS;
	db->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
	db->channels = g_ptr_array_new_with_free_func(g_free);
	g_queue_init(&db->pending);
	g_queue_init(&db->failed);
	db->secrets = g_ptr_array_new_with_free_func(g_free);
	db->safe_conninfo = redact_conninfo(conninfo, db->secrets);
	if (env_password != NULL && *env_password != '\0')
		g_ptr_array_add(db->secrets, g_strdup(env_password));

	db->options = PQconninfoParse(conninfo, &parse_error);
	if (db->options != NULL) {
		const char *password = option(db, "password");
		if (password != NULL && *password != '\0')
			g_ptr_array_add(db->secrets, g_strdup(password));
	}
	g_ptr_array_sort(db->secrets, longest_first);
	/* Even the redacted string may hold the password elsewhere (say, a
	 * user name equal to it). */
	{
		GString *safe = g_string_new(db->safe_conninfo);
		guint i;
		for (i = 0; i < db->secrets->len; i++)
			replace_all(safe, g_ptr_array_index(db->secrets, i));
		g_free(db->safe_conninfo);
		db->safe_conninfo = g_string_free(safe, FALSE);
	}
	if (db->options == NULL) {
		char *detail = scrub(db, parse_error != NULL ? parse_error : "out of memory");
		db->broken = g_strconcat(MALFORMED_PREFIX, detail, NULL);
		g_free(detail);
		db->state = LINK_BROKEN;
	}
	if (parse_error != NULL)
		PQfreemem(parse_error);
	return db;
}

void bdm_team_db_start(BdmTeamDb *db)
{
	Query *q;

	g_return_if_fail(db != NULL);
	if (db->state == LINK_BROKEN) {
		if (db->reported == -1 && db->report_timer == 0) {
			purple_debug_error(DEBUG_CAT, "%s\n", db->broken);
			db->report_timer = purple_timeout_add(0, report_broken_cb, db);
		}
		while ((q = g_queue_pop_head(&db->pending)) != NULL)
			fail_later(db, q, db->broken);
		return;
	}
	if (db->state != LINK_IDLE)
		return;
	/* From the loop, so that on_state never runs inside this call. */
	db->state = LINK_WAITING;
	db->retry_timer = purple_timeout_add(0, retry_cb, db);
}

void bdm_team_db_query(BdmTeamDb *db, const char *sql, int n_params, const char *const *params,
                       BdmTeamDbResultFunc cb, gpointer data)
{
	Query *q;
	int i;

	g_return_if_fail(db != NULL && sql != NULL && n_params >= 0);
	g_return_if_fail(n_params == 0 || params != NULL);
	q = g_new0(Query, 1);
	q->kind = QUERY_USER;
	q->sql = g_strdup(sql);
	q->n_params = n_params;
	q->params = g_new0(char *, n_params + 1);
	for (i = 0; i < n_params; i++)
		q->params[i] = g_strdup(params[i]);
	q->cb = cb;
	q->data = data;
	if (db->state == LINK_BROKEN) {
		fail_later(db, q, db->broken);
		return;
	}
	if (g_queue_get_length(&db->pending) >= BDM_TEAM_DB_MAX_QUEUED) {
		fail_later(db, q, "too many queries are waiting for the team database");
		return;
	}
	g_queue_push_tail(&db->pending, q);
	kick(db);
}

void bdm_team_db_listen(BdmTeamDb *db, const char *channel)
{
	Query *q;
	guint i;

	g_return_if_fail(db != NULL && channel != NULL);
	for (i = 0; i < db->channels->len; i++) {
		if (strcmp(g_ptr_array_index(db->channels, i), channel) == 0)
			return;
	}
	g_ptr_array_add(db->channels, g_strdup(channel));
	/* While down (or connecting) the setup on connection covers it; while
	 * connected it goes ahead of the queries already waiting. */
	if (db->state != LINK_UP && db->state != LINK_SETUP)
		return;
	q = g_new0(Query, 1);
	q->kind = QUERY_LISTEN;
	q->channel = g_strdup(channel);
	g_queue_push_head(&db->pending, q);
	kick(db);
}

gboolean bdm_team_db_is_up(const BdmTeamDb *db)
{
	return db != NULL && db->state == LINK_UP;
}

int bdm_team_db_backend_pid(const BdmTeamDb *db)
{
	if (!bdm_team_db_is_up(db) || db->conn == NULL)
		return 0;
	return PQbackendPID(db->conn);
}

void bdm_team_db_free(BdmTeamDb *db)
{
	if (db == NULL || db->dead)
		return;
	close_conn(db);
	remove_timer(&db->retry_timer);
	remove_timer(&db->kick_timer);
	remove_timer(&db->failed_timer);
	remove_timer(&db->report_timer);
	/* Dropped without a call, like bdm_http_cancel: the owner is going away. */
	query_free(db->current);
	db->current = NULL;
	g_queue_clear_full(&db->pending, query_free_cb);
	g_queue_clear_full(&db->failed, query_free_cb);
	db->state = LINK_IDLE;
	if (db->depth > 0)
		db->dead = TRUE;
	else
		destroy(db);
}

void bdm_team_db_set_timing(BdmTeamDb *db, guint first_backoff_ms, guint max_backoff_ms,
                            guint connect_timeout_ms)
{
	g_return_if_fail(db != NULL);
	if (first_backoff_ms != 0)
		db->first_backoff_ms = db->backoff_ms = first_backoff_ms;
	if (max_backoff_ms != 0)
		db->max_backoff_ms = max_backoff_ms;
	if (db->max_backoff_ms < db->first_backoff_ms)
		db->max_backoff_ms = db->first_backoff_ms;
	if (connect_timeout_ms != 0)
		db->connect_timeout_ms = connect_timeout_ms;
}
