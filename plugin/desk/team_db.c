/*
 * The team desk's PostgreSQL link on libpurple's event loop.  See team_db.h.
 *
 * One PGconn at a time, always non-blocking: PQconnectStartParams and
 * PQconnectPoll while connecting, then PQsendQueryParams / PQflush /
 * PQconsumeInput / PQgetResult / PQnotifies, each driven by a
 * purple_input_add watch on PQsocket (re-added whenever the socket or what
 * we wait for changes: the socket is new on every connection, and may even
 * change between PQconnectPoll calls).  Host names are resolved with
 * GResolver first, because libpq's own getaddrinfo() would block
 * (team_db_connect.c); no message leaves without its passwords scrubbed
 * (team_db_text.c).
 *
 * Entry points from the loop (the watch, the timers, the resolver) hold the
 * link with tdb_enter()/tdb_leave(): a user callback may free it, and the
 * memory then goes away only when the outermost entry point returns.
 */
#include "team_db_private.h"

static void send_next(BdmTeamDb *db);

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
	if (q->destroy != NULL)
		q->destroy(q->data);
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
	return tdb_scrub(db, message);
}

/* ---- the link's lifetime ----------------------------------------------- */

void tdb_enter(BdmTeamDb *db)
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

void tdb_leave(BdmTeamDb *db)
{
	if (--db->depth == 0 && db->dead)
		destroy(db);
}

void tdb_remove_timer(guint *timer)
{
	if (*timer != 0) {
		purple_timeout_remove(*timer);
		*timer = 0;
	}
}

void tdb_host_entry_free(gpointer p)
{
	HostEntry *e = p;
	g_free(e->host);
	g_free(e->hostaddr);
	g_free(e->port);
	g_resolver_free_addresses(e->addresses);
	g_free(e->resolve_error);
	g_free(e);
}


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
	tdb_remove_timer(&db->attempt_timer);
}

/* Tell the owner, once per change (and the first outcome after start). */
void tdb_report_state(BdmTeamDb *db, gboolean up, const char *why)
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
	tdb_enter(db);
	while (!db->dead && (q = g_queue_pop_head(&db->failed)) != NULL) {
		if (q->cb != NULL)
			q->cb(NULL, q->error, q->data);
		query_free(q);
	}
	tdb_leave(db);
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
	tdb_enter(db);
	send_next(db);
	tdb_leave(db);
	return FALSE;
}

static void kick(BdmTeamDb *db)
{
	if (db->state == LINK_UP && db->current == NULL && db->kick_timer == 0)
		db->kick_timer = purple_timeout_add(0, kick_cb, db);
}

/* ---- reconnecting -------------------------------------------------------- */

static gboolean retry_cb(gpointer data)
{
	BdmTeamDb *db = data;

	db->retry_timer = 0;
	tdb_enter(db);
	tdb_start_attempt(db);
	tdb_leave(db);
	return FALSE;
}

/* Exponential backoff with jitter: after a server restart every agent's
 * client reconnects, and they should not all knock at the same moment. */
static guint schedule_retry(BdmTeamDb *db)
{
	guint delay = db->backoff_ms / 2 + g_random_int_range(0, (gint32)(db->backoff_ms / 2) + 1);

	db->backoff_ms = MIN(db->backoff_ms * 2, db->max_backoff_ms);
	db->state = LINK_WAITING;
	tdb_remove_timer(&db->retry_timer);
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
void tdb_fail_link(BdmTeamDb *db, const char *why)
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
	tdb_report_state(db, FALSE, reason);
	if (q != NULL && !db->dead)
		deliver_lost(q);
	query_free(q);
	g_free(reason);
}

gboolean tdb_attempt_timeout_cb(gpointer data)
{
	BdmTeamDb *db = data;
	char *why;

	db->attempt_timer = 0;
	tdb_enter(db);
	why = g_strdup_printf("timed out connecting to the team database after %u ms",
	                      db->connect_timeout_ms);
	tdb_fail_link(db, why);
	g_free(why);
	tdb_leave(db);
	return FALSE;
}

/* ---- connected: sending, results, notifications --------------------------- */

static void go_up(BdmTeamDb *db)
{
	db->state = LINK_UP;
	tdb_remove_timer(&db->attempt_timer);
	db->backoff_ms = db->first_backoff_ms;
	purple_debug_info(DEBUG_CAT, "connected, backend pid %d\n", PQbackendPID(db->conn));
	tdb_report_state(db, TRUE, NULL);
	if (!db->dead)
		send_next(db);
}

static void flush_output(BdmTeamDb *db)
{
	int r = PQflush(db->conn);
	char *why;

	if (r < 0) {
		why = tdb_conn_error(db, "lost the connection to the team database");
		tdb_fail_link(db, why);
		g_free(why);
		return;
	}
	db->flushing = r == 1;
	tdb_set_watch(db, PURPLE_INPUT_READ | (db->flushing ? PURPLE_INPUT_WRITE : 0));
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
			why = tdb_conn_error(db, "lost the connection to the team database");
			tdb_fail_link(db, why);
			g_free(why);
			return;
		}
		/* Refused for itself (say, too many parameters): its caller hears why. */
		why = tdb_scrub(db, PQerrorMessage(db->conn));
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
		why = tdb_conn_error(db, "lost the connection to the team database");
		tdb_fail_link(db, why);
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
			tdb_fail_link(db, why);
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
			tdb_fail_link(db, "a query started COPY, which the team database link "
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
		why = tdb_conn_error(db, "lost the connection to the team database");
		tdb_fail_link(db, why);
		g_free(why);
		return;
	}
	drain(db);
	if (db->dead || db->conn == NULL)
		return;
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		why = tdb_conn_error(db, "lost the connection to the team database");
		tdb_fail_link(db, why);
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
		why = tdb_conn_error(db, "could not make the team database connection non-blocking");
		tdb_fail_link(db, why);
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
		why = tdb_conn_error(db, "could not LISTEN on the team database");
		tdb_fail_link(db, why);
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
		tdb_set_watch(db, PURPLE_INPUT_READ);
		break;
	case PGRES_POLLING_WRITING:
		tdb_set_watch(db, PURPLE_INPUT_WRITE);
		break;
	case PGRES_POLLING_OK:
		link_established(db);
		break;
	default:
		why = tdb_conn_error(db, "could not connect to the team database");
		tdb_fail_link(db, why);
		g_free(why);
		break;
	}
}

static void io_cb(gpointer data, gint fd, PurpleInputCondition cond)
{
	BdmTeamDb *db = data;

	(void)fd;
	tdb_enter(db);
	if (db->state == LINK_CONNECTING)
		connecting_io(db);
	else if (db->conn != NULL && (db->state == LINK_SETUP || db->state == LINK_UP))
		connected_io(db, cond);
	tdb_leave(db);
}

/* Watch the connection's current socket for cond.  The socket is new on
 * every connection (and may change while connecting), so the watch is
 * replaced whenever the socket or the condition differs. */
void tdb_set_watch(BdmTeamDb *db, PurpleInputCondition cond)
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
		why = tdb_conn_error(db, "the team database connection has no socket");
		tdb_fail_link(db, why);
		g_free(why);
		return;
	}
	db->watch_fd = fd;
	db->watch_cond = cond;
	db->watch = purple_input_add(fd, cond, io_cb, db);
}

/* ---- the API ------------------------------------------------------------- */

BdmTeamDb *bdm_team_db_new(const char *conninfo, BdmTeamDbStateFunc on_state,
                           BdmTeamDbNotifyFunc on_notify, gpointer data)
{
	BdmTeamDb *db = g_new0(BdmTeamDb, 1);
	char *parse_error = NULL;

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
	db->options = PQconninfoParse(conninfo, &parse_error);
	tdb_collect_secrets(db, conninfo);
	if (db->options == NULL) {
		char *detail = tdb_scrub(db, parse_error != NULL ? parse_error : "out of memory");
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
			db->report_timer = purple_timeout_add(0, tdb_report_broken_cb, db);
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
	bdm_team_db_query_full(db, sql, n_params, params, cb, data, NULL);
}

void bdm_team_db_query_full(BdmTeamDb *db, const char *sql, int n_params,
                            const char *const *params, BdmTeamDbResultFunc cb, gpointer data,
                            GDestroyNotify destroy)
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
	q->destroy = destroy;
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
	tdb_remove_timer(&db->retry_timer);
	tdb_remove_timer(&db->kick_timer);
	tdb_remove_timer(&db->failed_timer);
	tdb_remove_timer(&db->report_timer);
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
