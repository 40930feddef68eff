/*
 * /search TEXT: messages that contain TEXT, from this client's log and, in
 * team mode, from the team's messages, newest first, in an openable list
 * (desk_results.h).
 *
 * The log is read in batches, one per main-loop turn, so a large log never
 * freezes the client; the team's query runs meanwhile.  A team database that
 * is down or slow does not hold the answer back: after TEAM_WAIT_MS the log's
 * matches are shown with a note.  Matching folds case, accents and spacing
 * the way the policy's keywords do (text_fold.h); the team database is asked
 * with ILIKE, which folds case only.
 */
#include <string.h>

#include <cmds.h>
#include <conversation.h>
#include <debug.h>
#include <notify.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "desk_internal.h"
#include "desk_results.h"
#include "journal.h"
#include "log_read.h"
#include "text_fold.h"

#define DEBUG_CAT "branddm-search"
#define SEARCH_SHOWN 50        /* rows in the list: the newest matches */
#define SEARCH_BATCH 2000      /* log records read per main-loop turn */
#define TEAM_WAIT_MS 5000
#define MESSAGE_CELL_CHARS 120

typedef struct {
	char *platform, *account, *customer, *customer_name, *message_id, *text;
	gint64 time;
	gboolean from_brand;
} Hit;

typedef struct {
	guint id;
	char *keyword;
	char *folded;
	PurpleAccount *account;   /* where /search was typed: the list is its connection's */
	GQueue hits;              /* Hit*, from the log, oldest first, at most SEARCH_SHOWN */
	guint log_matches;
	gint64 next_id;
	GPtrArray *team_hits;     /* Hit* */
	char *team_note;          /* why the team's messages are missing, or NULL */
	gboolean log_done, team_done;
	guint idle, team_timer;
	char *log_error;
} SearchJob;

static struct {
	GHashTable *jobs;   /* id -> SearchJob* */
	guint last_id;
} search;

static void hit_free(gpointer data)
{
	Hit *h = data;

	g_free(h->platform);
	g_free(h->account);
	g_free(h->customer);
	g_free(h->customer_name);
	g_free(h->message_id);
	g_free(h->text);
	g_free(h);
}

static void job_free(gpointer data)
{
	SearchJob *job = data;

	if (job->idle)
		g_source_remove(job->idle);
	if (job->team_timer)
		g_source_remove(job->team_timer);
	g_queue_clear_full(&job->hits, hit_free);
	if (job->team_hits)
		g_ptr_array_unref(job->team_hits);
	g_free(job->keyword);
	g_free(job->folded);
	g_free(job->team_note);
	g_free(job->log_error);
	g_free(job);
}

/* ---- the list ------------------------------------------------------------- */

static const char *platform_label(const char *platform)
{
	GList *l;

	for (l = purple_connections_get_all(); l != NULL; l = l->next) {
		BdmConn *conn = bdm_conn_of(l->data);

		if (conn != NULL && strcmp(bdm_conn_platform(conn), platform) == 0)
			return conn->proto->module->name;
	}
	return platform;
}

/* A message fits a table cell: long ones are cut, with an ellipsis. */
static char *short_text(const char *text)
{
	char *cut, *shortened;

	if (g_utf8_strlen(text, -1) <= MESSAGE_CELL_CHARS)
		return g_strdup(text);
	cut = g_utf8_substring(text, 0, MESSAGE_CELL_CHARS - 1);
	shortened = g_strconcat(cut, "…", NULL);
	g_free(cut);
	return shortened;
}

static gboolean same_message(const Hit *a, const Hit *b)
{
	return a->message_id != NULL && b->message_id != NULL &&
	       strcmp(a->message_id, b->message_id) == 0 && strcmp(a->platform, b->platform) == 0 &&
	       strcmp(a->account, b->account) == 0;
}

static int newest_first(gconstpointer a, gconstpointer b)
{
	const Hit *x = *(Hit *const *)a, *y = *(Hit *const *)b;

	if (x->time != y->time)
		return x->time > y->time ? -1 : 1;
	return g_strcmp0(x->message_id, y->message_id);
}

/* The log's and the team's matches, each message once, newest first. */
static GPtrArray *merged_hits(SearchJob *job)
{
	GPtrArray *all = g_ptr_array_new();
	GList *l;
	guint i, j;

	for (l = job->hits.head; l != NULL; l = l->next)
		g_ptr_array_add(all, l->data);
	for (i = 0; job->team_hits != NULL && i < job->team_hits->len; i++) {
		Hit *t = g_ptr_array_index(job->team_hits, i);
		gboolean known = FALSE;

		for (j = 0; j < all->len && !known; j++)
			known = same_message(g_ptr_array_index(all, j), t);
		if (!known)
			g_ptr_array_add(all, t);
	}
	g_ptr_array_sort(all, newest_first);
	if (all->len > SEARCH_SHOWN)
		g_ptr_array_set_size(all, SEARCH_SHOWN);
	return all;
}

static void add_hit_row(BdmResults *results, const Hit *h)
{
	const char *brand = bdm_desk_config_brand(bdm_desk_config());
	char *stamp = bdm_desk_format_stamp(h->time);
	char *customer = h->customer_name && *h->customer_name
	                 ? g_strdup_printf("%s (%s)", h->customer_name, h->customer)
	                 : g_strdup(h->customer);
	char *account = g_strdup_printf("%s %s", platform_label(h->platform), h->account);
	char *text = short_text(h->text);
	const char *cells[6];

	cells[0] = stamp;
	cells[1] = customer;
	cells[2] = h->from_brand ? (brand ? brand : _("brand")) : _("customer");
	cells[3] = account;
	cells[4] = text;
	cells[5] = NULL;
	bdm_desk_results_add_row(results, h->platform, h->account, h->customer, cells);
	g_free(text);
	g_free(account);
	g_free(customer);
	g_free(stamp);
}

static void finish(SearchJob *job)
{
	const char *const columns[] = { _("When"), _("Customer"), _("From"), _("Account"),
	                                _("Message"), NULL };
	PurpleConnection *gc = purple_account_get_connection(job->account);
	GPtrArray *hits;
	GString *notes = g_string_new(NULL);
	char *primary;
	guint i;

	if (job->log_error)
		g_string_append_printf(notes, _("The log could not be read to the end: %s\n"),
		                       job->log_error);
	if (job->team_note)
		g_string_append_printf(notes, "%s\n", job->team_note);
	hits = merged_hits(job);
	if (job->log_matches > SEARCH_SHOWN || (job->team_hits && job->team_hits->len >= SEARCH_SHOWN))
		g_string_append_printf(notes, _("Only the newest %d matches are listed: search for "
		                                "more words to narrow it down.\n"), SEARCH_SHOWN);
	if (gc == NULL) {
		purple_debug_info(DEBUG_CAT, "search results dropped: the account went offline\n");
	} else if (hits->len == 0) {
		primary = g_strdup_printf(_("No message contains “%s”."), job->keyword);
		purple_notify_info(gc, _("Search"), primary, notes->len ? notes->str : NULL);
		g_free(primary);
	} else {
		BdmResults *results = bdm_desk_results_new(columns);

		for (i = 0; i < hits->len; i++)
			add_hit_row(results, g_ptr_array_index(hits, i));
		primary = g_strdup_printf(dngettext(GETTEXT_PACKAGE, "%u message contains “%s”.",
		                                      "%u messages contain “%s”.", hits->len),
		                          hits->len, job->keyword);
		g_string_append(notes, _("Newest first. Select one and press IM to open the "
		                         "conversation."));
		bdm_desk_results_show(results, gc, _("Search"), primary, notes->str);
		g_free(primary);
	}
	g_ptr_array_unref(hits);
	g_string_free(notes, TRUE);
	g_hash_table_remove(search.jobs, GUINT_TO_POINTER(job->id));
}

static void maybe_finish(SearchJob *job)
{
	if (job->log_done && job->team_done)
		finish(job);
}

/* ---- the log ---------------------------------------------------------------- */

static gboolean matches(const char *folded_keyword, const char *text)
{
	BdmFoldedText ft;
	gboolean found;

	bdm_folded_text_init(&ft, text);
	found = strstr(ft.folded, folded_keyword) != NULL;
	bdm_folded_text_clear(&ft);
	return found;
}

static void keep_log_hit(SearchJob *job, const BdmLogRecord *r)
{
	Hit *h = g_new0(Hit, 1);

	h->platform = g_strdup(r->platform);
	h->account = g_strdup(r->account);
	h->customer = g_strdup(r->customer_id);
	h->customer_name = g_strdup(r->customer_name);
	h->message_id = g_strdup(r->platform_message_id);
	h->text = g_strdup(r->text);
	h->time = bdm_desk_record_time(r);
	h->from_brand = r->direction == BDM_DIR_OUT;
	g_queue_push_tail(&job->hits, h);
	if (job->hits.length > SEARCH_SHOWN)
		hit_free(g_queue_pop_head(&job->hits));
	job->log_matches++;
}

/* One batch of the log; the next turn reads on. */
static gboolean read_log_batch(gpointer data)
{
	SearchJob *job = data;
	BdmLogQuery q = { 0 };
	BdmLogCursor *cursor;
	const BdmLogRecord *r;
	GError *error = NULL;
	guint read = 0;

	q.from_id = job->next_id;
	q.limit = SEARCH_BATCH;
	cursor = bdm_journal_log() ? bdm_log_cursor_new(bdm_journal_log(), &q, &error) : NULL;
	while (cursor != NULL && (r = bdm_log_cursor_next(cursor, &error)) != NULL) {
		read++;
		job->next_id = r->id + 1;
		if (strcmp(r->kind, "message") == 0 && !r->erased && r->text != NULL &&
		    r->customer_id != NULL && r->platform != NULL && r->account != NULL &&
		    matches(job->folded, r->text))
			keep_log_hit(job, r);
	}
	bdm_log_cursor_free(cursor);
	if (error != NULL) {
		job->log_error = g_strdup(error->message);
		g_error_free(error);
	}
	if (read == SEARCH_BATCH && job->log_error == NULL)
		return TRUE;
	job->idle = 0;
	job->log_done = TRUE;
	maybe_finish(job);
	return FALSE;
}

/* ---- the team ----------------------------------------------------------------- */

static SearchJob *live_job(gpointer data)
{
	return search.jobs ? g_hash_table_lookup(search.jobs, data) : NULL;
}

/* Columns: platform, account, customer, customer_name, message_id, text,
 * created, from_brand. */
static void on_team_rows(const PGresult *res, const char *error, gpointer data)
{
	SearchJob *job = live_job(data);
	int row;

	if (job == NULL || job->team_done)
		return;
	if (error != NULL) {
		job->team_note = g_strdup_printf(_("The team database could not be searched (%s): "
		                                   "only this client's log was."), error);
	} else {
		job->team_hits = g_ptr_array_new_with_free_func(hit_free);
		for (row = 0; row < PQntuples(res); row++) {
			Hit *h = g_new0(Hit, 1);

			h->platform = g_strdup(PQgetvalue(res, row, 0));
			h->account = g_strdup(PQgetvalue(res, row, 1));
			h->customer = g_strdup(PQgetvalue(res, row, 2));
			h->customer_name = PQgetisnull(res, row, 3) ? NULL
			                                            : g_strdup(PQgetvalue(res, row, 3));
			h->message_id = g_strdup(PQgetvalue(res, row, 4));
			h->text = g_utf8_make_valid(PQgetvalue(res, row, 5), -1);
			h->time = g_ascii_strtoll(PQgetvalue(res, row, 6), NULL, 10);
			h->from_brand = strcmp(PQgetvalue(res, row, 7), "t") == 0;
			g_ptr_array_add(job->team_hits, h);
		}
	}
	if (job->team_timer) {
		g_source_remove(job->team_timer);
		job->team_timer = 0;
	}
	job->team_done = TRUE;
	maybe_finish(job);
}

static gboolean team_too_slow(gpointer data)
{
	SearchJob *job = data;

	job->team_timer = 0;
	job->team_done = TRUE;
	job->team_note = g_strdup(_("The team database did not answer in time: only this "
	                            "client's log was searched."));
	maybe_finish(job);
	return FALSE;
}

/* ILIKE's pattern for "contains keyword": %, _ and \ taken literally. */
static char *contains_pattern(const char *keyword)
{
	GString *p = g_string_new("%");
	const char *c;

	for (c = keyword; *c != '\0'; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			g_string_append_c(p, '\\');
		g_string_append_c(p, *c);
	}
	g_string_append_c(p, '%');
	return g_string_free(p, FALSE);
}

static void ask_team(SearchJob *job)
{
	BdmTeamDb *db = bdm_desk_team_db();
	char *pattern, *limit;
	const char *params[2];

	if (db == NULL) {
		job->team_done = TRUE;
		return;
	}
	if (!bdm_team_db_is_up(db)) {
		job->team_done = TRUE;
		job->team_note = g_strdup(_("The team database is not reachable: only this client's "
		                            "log was searched."));
		return;
	}
	pattern = contains_pattern(job->keyword);
	limit = g_strdup_printf("%d", SEARCH_SHOWN);
	params[0] = pattern;
	params[1] = limit;
	bdm_team_db_query(db, "SELECT m.platform, m.account, m.customer, c.customer_name, "
	                  "m.message_id, m.text, m.created, m.from_brand "
	                  "FROM branddm.message m LEFT JOIN branddm.conversation c "
	                  "ON c.platform = m.platform AND c.account = m.account "
	                  "AND c.customer = m.customer "
	                  "WHERE m.text ILIKE $1 ESCAPE '\\' "
	                  "ORDER BY m.created DESC, m.message_id LIMIT $2::int",
	                  2, params, on_team_rows, GUINT_TO_POINTER(job->id));
	job->team_timer = g_timeout_add(TEAM_WAIT_MS, team_too_slow, job);
	g_free(limit);
	g_free(pattern);
}

/* ---- the command ---------------------------------------------------------------- */

static PurpleCmdRet cmd_search(PurpleConversation *pconv, const gchar *cmd, gchar **args,
                               gchar **error, void *data)
{
	BdmConn *conn;
	SearchJob *job;
	char *keyword = g_strstrip(g_strdup(args && args[0] ? args[0] : ""));
	char *folded = bdm_fold_keyword(keyword);

	(void)cmd;
	(void)data;
	if (bdm_desk_command_conv(pconv, &conn, error) == NULL)
		goto refused;
	if (g_utf8_strlen(folded, -1) < 2) {
		*error = g_strdup(_("Usage: /search TEXT, at least two letters or digits."));
		goto refused;
	}
	if (bdm_journal_log() == NULL && bdm_desk_team_db() == NULL) {
		*error = g_strdup(_("The conversation log is not open, so there is nothing to search."));
		goto refused;
	}
	if (search.jobs == NULL)
		search.jobs = g_hash_table_new_full(NULL, NULL, NULL, job_free);
	job = g_new0(SearchJob, 1);
	job->id = ++search.last_id;
	job->keyword = keyword;
	job->folded = folded;
	job->account = conn->account;
	job->next_id = 1;
	g_queue_init(&job->hits);
	g_hash_table_insert(search.jobs, GUINT_TO_POINTER(job->id), job);
	bdm_notice_write(pconv, _("Searching…"), PURPLE_MESSAGE_SYSTEM);
	ask_team(job);
	job->idle = g_idle_add(read_log_batch, job);
	return PURPLE_CMD_RET_OK;

refused:
	g_free(keyword);
	g_free(folded);
	return PURPLE_CMD_RET_FAILED;
}

void bdm_desk_search_init(void)
{
	bdm_desk_add_command("search", "s", cmd_search,
	                     _("search TEXT: list the messages that contain TEXT, from the log "
	                       "(and the team's database), newest first, each one openable."));
}

void bdm_desk_search_shutdown(void)
{
	if (search.jobs != NULL)
		g_hash_table_destroy(search.jobs);
	search.jobs = NULL;
}
