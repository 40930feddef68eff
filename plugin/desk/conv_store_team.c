/*
 * The team store: local cache and outbox, PostgreSQL for what is shared.
 * See conv_store_team.h.
 *
 * Every request to the team database is a Request; the store keeps them all
 * until they are answered, so closing the store (which frees the link first:
 * no answer can arrive after that) answers what still waits with an error,
 * and its callers free what they kept for the answer.  A request whose
 * query was on the wire when the link broke is settled on the next link, never
 * guessed: a claim asks who holds the row, a ticket and a save run again
 * (both are idempotent).
 */
#include <string.h>

#include <debug.h>
#include <json-glib/json-glib.h>

#include "conv_store_team.h"
#include "team_schema.h"

#define DEBUG_CAT "branddm-team"

/* The columns a state row is read with, in this order (see apply_row). */
#define STATE_COLUMNS \
	"customer, assigned, status, array_to_json(tags)::text, department, reason, trigger, " \
	"escalated_at, ticket, language, customer_name, waiting_since, urgent, alerted_level, " \
	"alerted_since"

/* Everything a row of branddm.conversation carries: the automatic reply is
 * a claim, kept in branddm.claim, not in the row. */
#define ROW_FIELDS (BDM_CONV_ALL & ~BDM_CONV_AUTO_REPLY)

typedef struct {
	BdmStore base;
	BdmStore *local;
	BdmTeamDb *db;
	char *agent;
	BdmStoreChangedFunc changed;
	gpointer data;
	GHashTable *requests;    /* Request*: asked, not yet answered */
	GHashTable *shadows;     /* "<platform>/<account>/<customer>" -> BdmConvState*: the
	                          * row as this client last read or wrote it */
} TeamStore;

typedef enum {
	REQ_SAVE,     /* an upsert or claim release; nobody waits for it */
	REQ_CLAIM,
	REQ_RECLAIM,  /* after a lost link: who holds the claim? */
	REQ_TICKET,
	REQ_FETCH     /* one conversation, or a whole account (customer NULL) */
} RequestKind;

typedef struct {
	TeamStore *store;
	RequestKind kind;
	char *sql;
	GPtrArray *params;       /* char* (NULL: SQL NULL) */
	char *platform, *account, *customer, *action;
	BdmConvState *state;     /* REQ_TICKET: the caller's state */
	BdmClaimDone claim_done;
	BdmTicketDone ticket_done;
	gpointer data;
} Request;

static const BdmStoreBackend team_backend;

static TeamStore *team_of(BdmStore *store)
{
	g_assert(store != NULL && store->backend == &team_backend);
	return (TeamStore *)store;
}

static void request_free(gpointer p)
{
	Request *r = p;

	g_free(r->sql);
	g_ptr_array_unref(r->params);
	g_free(r->platform);
	g_free(r->account);
	g_free(r->customer);
	g_free(r->action);
	g_free(r);
}

static Request *request_new(TeamStore *ts, RequestKind kind, const char *platform,
                            const char *account, const char *customer)
{
	Request *r = g_new0(Request, 1);

	r->store = ts;
	r->kind = kind;
	r->params = g_ptr_array_new_with_free_func(g_free);
	r->platform = g_strdup(platform);
	r->account = g_strdup(account);
	r->customer = g_strdup(customer);
	return r;
}

static void on_result(const PGresult *res, const char *error, gpointer data);

/* Send r (again): its callback runs once, from the main loop. */
static void submit(Request *r)
{
	g_hash_table_add(r->store->requests, r);
	bdm_team_db_query(r->store->db, r->sql, (int)r->params->len,
	                  (const char *const *)r->params->pdata, on_result, r);
}

static void add_param(Request *r, const char *value)
{
	g_ptr_array_add(r->params, g_strdup(value));
}

/* ---- reading rows -------------------------------------------------------- */

static char *get_text(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : g_strdup(PQgetvalue(res, row, col));
}

static gint64 get_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : g_ascii_strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void apply_tags(BdmConvState *state, const char *json)
{
	JsonParser *parser = json_parser_new();
	JsonNode *root;
	guint i;

	g_ptr_array_set_size(state->tags, 0);
	if (json != NULL && json_parser_load_from_data(parser, json, -1, NULL) &&
	    (root = json_parser_get_root(parser)) != NULL && JSON_NODE_HOLDS_ARRAY(root)) {
		JsonArray *tags = json_node_get_array(root);

		for (i = 0; i < json_array_get_length(tags); i++) {
			const char *tag = json_node_get_string(json_array_get_element(tags, i));

			if (tag != NULL && *tag != '\0' && strchr(tag, '/') == NULL)
				bdm_conv_state_set_tag(state, tag, TRUE);
		}
	}
	g_object_unref(parser);
}

/* Row `row` of a STATE_COLUMNS result into a new state. */
static BdmConvState *state_from_row(const Request *r, const PGresult *res, int row)
{
	BdmConvState *s = bdm_conv_state_new(r->platform, r->account, PQgetvalue(res, row, 0));
	int level = (int)get_int(res, row, 13);

	s->assigned = get_text(res, row, 1);
	s->status = g_strcmp0(PQgetvalue(res, row, 2), "resolved") == 0 ? BDM_CONV_RESOLVED
	                                                                 : BDM_CONV_OPEN;
	apply_tags(s, PQgetisnull(res, row, 3) ? NULL : PQgetvalue(res, row, 3));
	s->department = get_text(res, row, 4);
	s->reason = get_text(res, row, 5);
	s->trigger = get_text(res, row, 6);
	s->escalated_at = get_int(res, row, 7);
	s->ticket = get_text(res, row, 8);
	s->language = get_text(res, row, 9);
	s->customer_name = get_text(res, row, 10);
	s->sla.waiting_since = get_int(res, row, 11);
	s->sla.urgent = g_strcmp0(PQgetvalue(res, row, 12), "t") == 0;
	/* A level this version does not know reads as "no alert given". */
	s->alerted.level = level >= BDM_SLA_NONE && level <= BDM_SLA_BREACH ? (BdmSlaLevel)level
	                                                                     : BDM_SLA_NONE;
	s->alerted.waiting_since = get_int(res, row, 14);
	return s;
}

static char *shadow_key(const BdmConvState *s)
{
	return g_strdup_printf("%s/%s/%s", s->platform, s->account, s->customer);
}

/* What this client last knew of a conversation's row (an empty state for a
 * row it never saw).  Owned by the store. */
static BdmConvState *shadow_of(TeamStore *ts, const BdmConvState *state)
{
	char *key = shadow_key(state);
	BdmConvState *shadow = g_hash_table_lookup(ts->shadows, key);

	if (shadow == NULL) {
		shadow = bdm_conv_state_new(state->platform, state->account, state->customer);
		g_hash_table_insert(ts->shadows, key, shadow);
	} else {
		g_free(key);
	}
	return shadow;
}

static void set_string(char **field, const char *value)
{
	g_free(*field);
	*field = g_strdup(value);
}

/* The row fields of src into dst (a shadow), tags included. */
static void copy_row(BdmConvState *dst, const BdmConvState *src)
{
	guint i;

	set_string(&dst->assigned, src->assigned);
	dst->status = src->status;
	g_ptr_array_set_size(dst->tags, 0);
	for (i = 0; i < src->tags->len; i++)
		g_ptr_array_add(dst->tags, g_strdup(g_ptr_array_index(src->tags, i)));
	set_string(&dst->department, src->department);
	set_string(&dst->reason, src->reason);
	set_string(&dst->trigger, src->trigger);
	dst->escalated_at = src->escalated_at;
	set_string(&dst->ticket, src->ticket);
	set_string(&dst->language, src->language);
	set_string(&dst->customer_name, src->customer_name);
	dst->sla = src->sla;
	dst->alerted = src->alerted;
}

/* The alerts this client gave are its own (the team's row does not hold
 * them): s keeps what the local store has. */
static void keep_local_alerts(TeamStore *ts, BdmConvState *s)
{
	BdmConvState *mine = bdm_conv_state_new(s->platform, s->account, s->customer);

	if (ts->local->backend->load(ts->local, s->platform, s->account, s->customer, mine, NULL))
		s->alerted = mine->alerted;
	bdm_conv_state_free(mine);
}

/* The team's rows into the local store, each announced as changed. */
static void apply_rows(Request *r, const PGresult *res)
{
	TeamStore *ts = r->store;
	int row;

	for (row = 0; row < PQntuples(res); row++) {
		BdmConvState *s = state_from_row(r, res, row);
		GError *error = NULL;

		copy_row(shadow_of(ts, s), s);
		keep_local_alerts(ts, s);

		if (!ts->local->backend->save(ts->local, s, ROW_FIELDS, &error)) {
			purple_debug_error(DEBUG_CAT, "%s/%s: team state not kept locally: %s\n",
			                   s->platform, s->customer, error->message);
			g_error_free(error);
		} else if (ts->changed != NULL) {
			ts->changed(s->platform, s->account, s->customer, ts->data);
		}
		bdm_conv_state_free(s);
	}
}

/* ---- answers -------------------------------------------------------------- */

static void claim_settled(Request *r, BdmClaimResult result, const char *error_text)
{
	GError *error = NULL;
	TeamStore *ts = r->store;

	if (result == BDM_CLAIM_ERROR)
		error = g_error_new(BDM_TEAM_ERROR, BDM_TEAM_ERROR_QUERY, "%s", error_text);
	else if (strcmp(r->action, "auto_reply") == 0) {
		/* Mirrored locally, so this client's state says it went out. */
		BdmConvState *mirror = bdm_conv_state_new(r->platform, r->account, r->customer);
		GError *local_error = NULL;

		if (ts->local->backend->claim(ts->local, mirror, r->action, 0, &local_error) ==
		    BDM_CLAIM_ERROR) {
			purple_debug_error(DEBUG_CAT, "claim not mirrored locally: %s\n",
			                   local_error->message);
			g_error_free(local_error);
		}
		bdm_conv_state_free(mirror);
	}
	r->claim_done(result, error, r->data);
	g_clear_error(&error);
}

/* The insert that takes the claim; exactly one client gets its row back.
 * The automatic reply is also lost to a human reply that already answers
 * the customer's last message: a client that signs on late must not
 * acknowledge what a colleague has answered. */
static const char claim_sql[] =
	"INSERT INTO branddm.claim (platform, account, customer, action, agent)"
	" SELECT $1, $2, $3, $4, $5"
	" WHERE $4 <> 'auto_reply' OR NOT EXISTS ("
	"  SELECT 1 FROM branddm.message b"
	"  WHERE b.platform = $1 AND b.account = $2 AND b.customer = $3"
	"  AND b.from_brand AND NOT b.automated AND b.created >= COALESCE(("
	"   SELECT max(c.created) FROM branddm.message c"
	"   WHERE c.platform = $1 AND c.account = $2 AND c.customer = $3 AND NOT c.from_brand),"
	"   0))"
	" ON CONFLICT DO NOTHING RETURNING agent";

static void ask_claim(Request *r)
{
	g_free(r->sql);
	r->sql = g_strdup(claim_sql);
	g_ptr_array_set_size(r->params, 0);
	add_param(r, r->platform);
	add_param(r, r->account);
	add_param(r, r->customer);
	add_param(r, r->action);
	add_param(r, r->store->agent);
	r->kind = REQ_CLAIM;
	submit(r);
}

/* After a lost link: the claim row says whether our insert committed. */
static void ask_who_claimed(Request *r)
{
	g_free(r->sql);
	r->sql = g_strdup("SELECT agent FROM branddm.claim WHERE platform = $1 AND account = $2 "
	                  "AND customer = $3 AND action = $4");
	g_ptr_array_set_size(r->params, 4);
	r->kind = REQ_RECLAIM;
	submit(r);
}

/* Returns TRUE when r was submitted again (not to be freed). */
static gboolean answer(Request *r, const PGresult *res, const char *error)
{
	gboolean lost = error != NULL && strcmp(error, BDM_TEAM_DB_CONNECTION_LOST) == 0;
	GError *gerror = NULL;

	switch (r->kind) {
	case REQ_SAVE:
		if (lost) {
			submit(r);     /* an upsert or a delete: running it twice is harmless */
			return TRUE;
		}
		if (error != NULL)
			purple_debug_error(DEBUG_CAT, "%s/%s: not saved in the team database: %s\n",
			                   r->platform, r->customer, error);
		return FALSE;
	case REQ_CLAIM:
		if (lost) {
			ask_who_claimed(r);
			return TRUE;
		}
		if (error != NULL)
			claim_settled(r, BDM_CLAIM_ERROR, error);
		else
			claim_settled(r, PQntuples(res) > 0 ? BDM_CLAIM_WON : BDM_CLAIM_LOST, NULL);
		return FALSE;
	case REQ_RECLAIM:
		if (lost) {
			submit(r);
			return TRUE;
		}
		if (error != NULL)
			claim_settled(r, BDM_CLAIM_ERROR, error);
		else if (PQntuples(res) == 0) {
			ask_claim(r);  /* the lost insert never committed: ask again */
			return TRUE;
		} else
			claim_settled(r, strcmp(PQgetvalue(res, 0, 0), r->store->agent) == 0
			              ? BDM_CLAIM_WON : BDM_CLAIM_LOST, NULL);
		return FALSE;
	case REQ_TICKET:
		if (lost) {
			submit(r);     /* a second run returns the ticket the first one stored */
			return TRUE;
		}
		if (error == NULL && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
			g_free(r->state->ticket);
			r->state->ticket = g_strdup(PQgetvalue(res, 0, 0));
			/* The row holds it now: a later change is measured from here. */
			set_string(&shadow_of(r->store, r->state)->ticket, r->state->ticket);
			/* Kept locally too: the ticket shows while the link is down. */
			if (!r->store->local->backend->save(r->store->local, r->state, BDM_CONV_TICKET,
			                                    &gerror)) {
				purple_debug_error(DEBUG_CAT, "ticket not kept locally: %s\n",
				                   gerror->message);
				g_clear_error(&gerror);
			}
			r->ticket_done(r->state->ticket, NULL, r->data);
			return FALSE;
		}
		gerror = g_error_new(BDM_TEAM_ERROR, BDM_TEAM_ERROR_QUERY, "%s",
		                     error ? error : "the team database gave no ticket");
		r->ticket_done(NULL, gerror, r->data);
		g_error_free(gerror);
		return FALSE;
	case REQ_FETCH:
		if (error == NULL)
			apply_rows(r, res);
		else if (!lost)
			purple_debug_error(DEBUG_CAT, "team state of %s/%s not read: %s\n",
			                   r->platform, r->account, error);
		/* A fetch lost with the link is repeated by the sync after reconnect. */
		return FALSE;
	}
	return FALSE;
}

static void on_result(const PGresult *res, const char *error, gpointer data)
{
	Request *r = data;

	g_hash_table_steal(r->store->requests, r);
	if (!answer(r, res, error))
		request_free(r);
}

/* ---- the backend ------------------------------------------------------------ */

static gboolean team_load(BdmStore *store, const char *platform, const char *account,
                          const char *customer, BdmConvState *out, GError **error)
{
	TeamStore *ts = team_of(store);

	return ts->local->backend->load(ts->local, platform, account, customer, out, error);
}

static GPtrArray *team_list(BdmStore *store, const char *platform, const char *account,
                            BdmListFilter filter, GError **error)
{
	TeamStore *ts = team_of(store);

	return ts->local->backend->list(ts->local, platform, account, filter, error);
}

char *bdm_store_team_array_literal(const GPtrArray *tags)
{
	GString *s = g_string_new("{");
	guint i;

	for (i = 0; i < tags->len; i++) {
		const char *p;

		g_string_append(s, i ? ",\"" : "\"");
		for (p = g_ptr_array_index(tags, i); *p; p++) {
			if (*p == '"' || *p == '\\')
				g_string_append_c(s, '\\');
			g_string_append_c(s, *p);
		}
		g_string_append_c(s, '"');
	}
	g_string_append_c(s, '}');
	return g_string_free(s, FALSE);
}

/* One column of an upsert: "name" with its cast, its value a parameter. */
static void add_column(Request *r, GString *names, GString *values, GString *updates,
                       const char *column, const char *cast, char *value)
{
	g_ptr_array_add(r->params, value);
	g_string_append_printf(names, ", %s", column);
	g_string_append_printf(values, ", $%u%s", r->params->len, cast);
	g_string_append_printf(updates, ", %s = EXCLUDED.%s", column, column);
}

/* A text column that changed since the shadow. */
static void text_column(Request *r, GString *n, GString *v, GString *u, const char *column,
                        const char *now, const char *before)
{
	if (g_strcmp0(now, before) != 0)
		add_column(r, n, v, u, column, "", g_strdup(now));
}

/* An integer column that changed since the shadow. */
static void int_column(Request *r, GString *n, GString *v, GString *u, const char *column,
                       const char *cast, gint64 now, gint64 before)
{
	if (now != before)
		add_column(r, n, v, u, column, cast, g_strdup_printf("%" G_GINT64_FORMAT, now));
}

static gboolean same_tags(const BdmConvState *a, const BdmConvState *b)
{
	guint i;

	if (a->tags->len != b->tags->len)
		return FALSE;
	for (i = 0; i < a->tags->len; i++)
		if (strcmp(g_ptr_array_index(a->tags, i), g_ptr_array_index(b->tags, i)) != 0)
			return FALSE;
	return TRUE;
}

/* The upsert of the named row fields of state that differ from what this
 * client last knew of the row, as one statement (none when nothing does).
 * Columns a colleague changed meanwhile are left alone: each client sends
 * what it changed, not what it happens to hold. */
static void queue_upsert(TeamStore *ts, const BdmConvState *state, guint fields)
{
	BdmConvState *was = shadow_of(ts, state);
	Request *r = request_new(ts, REQ_SAVE, state->platform, state->account, state->customer);
	GString *n = g_string_new("platform, account, customer, updated_by");
	GString *v = g_string_new("$1, $2, $3, $4");
	GString *u = g_string_new("updated_at = now(), updated_by = EXCLUDED.updated_by");
	guint base;

	add_param(r, state->platform);
	add_param(r, state->account);
	add_param(r, state->customer);
	add_param(r, ts->agent);
	base = r->params->len;
	if (fields & BDM_CONV_ESCALATION) {
		text_column(r, n, v, u, "department", state->department, was->department);
		text_column(r, n, v, u, "reason", state->reason, was->reason);
		text_column(r, n, v, u, "trigger", state->trigger, was->trigger);
		int_column(r, n, v, u, "escalated_at", "::bigint", state->escalated_at,
		           was->escalated_at);
	}
	if (fields & BDM_CONV_TICKET)
		text_column(r, n, v, u, "ticket", state->ticket, was->ticket);
	if (fields & BDM_CONV_LANGUAGE)
		text_column(r, n, v, u, "language", state->language, was->language);
	if (fields & BDM_CONV_NAME)
		text_column(r, n, v, u, "customer_name", state->customer_name, was->customer_name);
	if (fields & BDM_CONV_SLA) {
		int_column(r, n, v, u, "waiting_since", "::bigint", state->sla.waiting_since,
		           was->sla.waiting_since);
		if (state->sla.urgent != was->sla.urgent)
			add_column(r, n, v, u, "urgent", "::boolean",
			           g_strdup(state->sla.urgent ? "true" : "false"));
		/* The alerts given stay each client's own: every agent online is
		 * alerted once per level about a conversation nobody handles. */
	}
	if ((fields & BDM_CONV_TAGS) && !same_tags(state, was))
		add_column(r, n, v, u, "tags", "::text[]", bdm_store_team_array_literal(state->tags));
	if (fields & BDM_CONV_ASSIGNED)
		text_column(r, n, v, u, "assigned", state->assigned, was->assigned);
	if ((fields & BDM_CONV_STATUS) && state->status != was->status)
		add_column(r, n, v, u, "status", "",
		           g_strdup(state->status == BDM_CONV_RESOLVED ? "resolved" : "open"));
	if (r->params->len == base) {
		/* Nothing this client changed: nothing to tell. */
		g_string_free(n, TRUE);
		g_string_free(v, TRUE);
		g_string_free(u, TRUE);
		request_free(r);
		return;
	}
	copy_row(was, state);
	r->sql = g_strdup_printf("INSERT INTO branddm.conversation (%s) VALUES (%s) "
	                         "ON CONFLICT (platform, account, customer) DO UPDATE SET %s",
	                         n->str, v->str, u->str);
	g_string_free(n, TRUE);
	g_string_free(v, TRUE);
	g_string_free(u, TRUE);
	submit(r);
}

static void queue_release(TeamStore *ts, const BdmConvState *state, const char *action)
{
	Request *r = request_new(ts, REQ_SAVE, state->platform, state->account, state->customer);

	r->sql = g_strdup("DELETE FROM branddm.claim WHERE platform = $1 AND account = $2 "
	                  "AND customer = $3 AND action = $4");
	add_param(r, state->platform);
	add_param(r, state->account);
	add_param(r, state->customer);
	add_param(r, action);
	submit(r);
}

static gboolean team_save(BdmStore *store, const BdmConvState *state, guint fields,
                          GError **error)
{
	TeamStore *ts = team_of(store);

	/* The local store first: it is the outbox, and what this client shows. */
	if (!ts->local->backend->save(ts->local, state, fields, error))
		return FALSE;
	if (fields & ROW_FIELDS)
		queue_upsert(ts, state, fields & ROW_FIELDS);
	/* Only a release travels: a claim is taken through claim_async. */
	if ((fields & BDM_CONV_AUTO_REPLY) && !state->auto_replied)
		queue_release(ts, state, "auto_reply");
	return TRUE;
}

static gboolean team_release(BdmStore *store, const BdmConvState *state, const char *action,
                             GError **error)
{
	TeamStore *ts = team_of(store);

	if (!ts->local->backend->release(ts->local, state, action, error))
		return FALSE;
	queue_release(ts, state, action);
	return TRUE;
}

static void team_claim_async(BdmStore *store, const BdmConvState *state, const char *action,
                             gint64 now, BdmClaimDone done, gpointer data)
{
	TeamStore *ts = team_of(store);
	Request *r = request_new(ts, REQ_CLAIM, state->platform, state->account, state->customer);

	(void)now;
	g_assert(action != NULL && *action != '\0' && done != NULL);
	r->action = g_strdup(action);
	r->claim_done = done;
	r->data = data;
	ask_claim(r);
}

/* One statement, so one transaction: the conversation's ticket if it has
 * one, else the platform's next number stored on it.  Two clients asking at
 * once both get the ticket that was stored first (COALESCE); the loser's
 * number is skipped, never given to anyone. */
static const char ticket_sql[] =
	"WITH existing AS ("
	"  SELECT ticket FROM branddm.conversation"
	"  WHERE platform = $1 AND account = $2 AND customer = $3 AND ticket IS NOT NULL),"
	" seq AS ("
	"  INSERT INTO branddm.ticket_seq (platform, last) SELECT $1, 1"
	"  WHERE NOT EXISTS (SELECT 1 FROM existing)"
	"  ON CONFLICT (platform) DO UPDATE SET last = branddm.ticket_seq.last + 1"
	"  RETURNING last),"
	" stored AS ("
	"  INSERT INTO branddm.conversation (platform, account, customer, ticket, updated_by)"
	"  SELECT $1, $2, $3, upper($1) || '-' || last, $4 FROM seq"
	"  ON CONFLICT (platform, account, customer) DO UPDATE"
	"  SET ticket = COALESCE(branddm.conversation.ticket, EXCLUDED.ticket),"
	"      updated_at = now(), updated_by = EXCLUDED.updated_by"
	"  RETURNING ticket)"
	" SELECT ticket FROM stored UNION ALL SELECT ticket FROM existing";

static void team_assign_ticket_async(BdmStore *store, BdmConvState *state, BdmTicketDone done,
                                     gpointer data)
{
	TeamStore *ts = team_of(store);
	Request *r = request_new(ts, REQ_TICKET, state->platform, state->account, state->customer);

	g_assert(done != NULL);
	r->state = state;
	r->ticket_done = done;
	r->data = data;
	r->sql = g_strdup(ticket_sql);
	add_param(r, state->platform);
	add_param(r, state->account);
	add_param(r, state->customer);
	add_param(r, ts->agent);
	submit(r);
}

static void team_close(BdmStore *store)
{
	TeamStore *ts = team_of(store);
	GHashTableIter iter;
	gpointer key;

	/* The link first: after this no answer can arrive for a freed request. */
	bdm_team_db_free(ts->db);
	g_hash_table_iter_init(&iter, ts->requests);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		Request *r = key;

		g_hash_table_iter_steal(&iter);
		if (r->kind == REQ_CLAIM || r->kind == REQ_RECLAIM)
			claim_settled(r, BDM_CLAIM_ERROR, "BrandDM is shutting down");
		else if (r->kind == REQ_TICKET)
			answer(r, NULL, "BrandDM is shutting down");
		request_free(r);
	}
	g_hash_table_destroy(ts->requests);
	g_hash_table_destroy(ts->shadows);
	bdm_store_close(ts->local);
	g_free(ts->agent);
	g_free(ts);
}

static const BdmStoreBackend team_backend = {
	BDM_STORE_VERSION, "team",
	team_load, team_list, team_save,
	NULL,               /* tickets and claims are the team database's: asynchronous */
	NULL,
	team_release, team_close,
	team_claim_async, team_assign_ticket_async
};

BdmStore *bdm_store_team_new(BdmStore *local, BdmTeamDb *db, const char *agent,
                             BdmStoreChangedFunc changed, gpointer data)
{
	TeamStore *ts = g_new0(TeamStore, 1);

	g_assert(local != NULL && db != NULL && agent != NULL);
	ts->base.backend = &team_backend;
	ts->local = local;
	ts->db = db;
	ts->agent = g_strdup(agent);
	ts->changed = changed;
	ts->data = data;
	ts->requests = g_hash_table_new_full(g_direct_hash, g_direct_equal, request_free, NULL);
	ts->shadows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                    (GDestroyNotify)bdm_conv_state_free);
	return &ts->base;
}

static void queue_fetch(TeamStore *ts, const char *platform, const char *account,
                        const char *customer)
{
	Request *r = request_new(ts, REQ_FETCH, platform, account, customer);

	add_param(r, platform);
	add_param(r, account);
	if (customer != NULL)
		add_param(r, customer);
	r->sql = g_strdup_printf("SELECT " STATE_COLUMNS " FROM branddm.conversation "
	                         "WHERE platform = $1 AND account = $2%s",
	                         customer != NULL ? " AND customer = $3" : "");
	submit(r);
}

void bdm_store_team_fetch(BdmStore *store, const char *platform, const char *account,
                          const char *customer)
{
	queue_fetch(team_of(store), platform, account, customer);
}
