/*
 * branddm-admin report: reading the logs into conversations and counters.
 *
 * Several agents' logs overlap: every agent's plugin receives the same
 * customer messages, and a brand message one client did not send is logged
 * by it when it polls, as sent elsewhere ({"sent_elsewhere":true} with the
 * author when the team knows it).  With more than one file, messages are
 * therefore deduplicated by platform message id.  Of the copies of one
 * message the report keeps the best by a total order that does not depend
 * on the order of the files: a copy logged by its sender (not sent
 * elsewhere), then the earliest logged, then the smallest agent name, then
 * the remaining fields the figures use.  The copy kept decides who is
 * credited and whether the reply was automated.  A reply known only as sent
 * elsewhere is credited to its author, or to "(sent elsewhere)": never to
 * the agent whose client merely saw it.  Failed sends (no platform id) are
 * not messages the customer received and are left out.
 */
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "admin.h"
#include "admin_report.h"
#include "admin_source.h"
#include "admin_team_log.h"

/* One copy of a delivered message, kept while the files are read when it is
 * the best copy seen so far. */
typedef struct {
	BdmReportItem item;          /* what the report will use */
	BdmReportConversation *conv;
	gint64 logged;
	const char *logger;          /* the agent whose log holds the copy (interned) */
	gboolean elsewhere;          /* seen by polling, not sent by that client */
} Copy;

/* An urgent escalation or a resolve, attached once all messages are read
 * (an event may come from another agent's file than the messages). */
typedef struct {
	const char *key;
	BdmItemKind kind;
	gint64 t;
	const char *agent;
} PendingEvent;

static const char *intern(BdmReport *rep, const char *s)
{
	return s ? g_string_chunk_insert_const(rep->strings, s) : NULL;
}

static char *conversation_key(const BdmLogRecord *r)
{
	const char *who = r->customer_id ? r->customer_id : r->conversation_id;

	if (!r->platform || !r->account || !who)
		return NULL;
	return g_strjoin("\x1f", r->platform, r->account, who, NULL);
}

static BdmReportConversation *conversation_for(BdmReport *rep, const BdmLogRecord *r,
                                               const char *key)
{
	BdmReportConversation *conv = g_hash_table_lookup(rep->conversations, key);

	if (!conv) {
		conv = g_new0(BdmReportConversation, 1);
		conv->key = g_strdup(key);
		conv->platform = intern(rep, r->platform);
		conv->account = intern(rep, r->account);
		conv->items = g_array_new(FALSE, FALSE, sizeof(BdmReportItem));
		g_hash_table_insert(rep->conversations, (char *)conv->key, conv);
	}
	return conv;
}

/* Whether a brand message's detail says this client only saw it, and who
 * wrote it.  A forged detail (wrong types) is read as far as it makes sense. */
static gboolean sent_elsewhere(JsonParser *parser, const BdmLogRecord *r, const char **author)
{
	JsonObject *detail;
	JsonNode *flag, *name;

	*author = NULL;
	if (r->direction != BDM_DIR_OUT || !r->detail_json)
		return FALSE;
	detail = bdm_log_detail_object(parser, r->detail_json);
	flag = detail ? json_object_get_member(detail, "sent_elsewhere") : NULL;
	if (!flag || !JSON_NODE_HOLDS_VALUE(flag) ||
	    json_node_get_value_type(flag) != G_TYPE_BOOLEAN || !json_node_get_boolean(flag))
		return FALSE;
	name = json_object_get_member(detail, "author");
	if (name && JSON_NODE_HOLDS_VALUE(name) && json_node_get_value_type(name) == G_TYPE_STRING &&
	    *json_node_get_string(name))
		*author = json_node_get_string(name);
	return TRUE;
}

/* The order of copies of one message, best first.  Every field the figures
 * use takes part, so the order is total where it matters: copies equal in
 * all of them (the text may differ) give the same report whichever is kept. */
static int compare_copies(const Copy *a, const Copy *b)
{
	int c;

	if (a->elsewhere != b->elsewhere)
		return a->elsewhere ? 1 : -1;
	if (a->logged != b->logged)
		return a->logged < b->logged ? -1 : 1;
	if ((c = g_strcmp0(a->logger, b->logger)) != 0)
		return c;
	if ((c = g_strcmp0(a->item.agent, b->item.agent)) != 0)
		return c;
	if (a->item.kind != b->item.kind)
		return (int)a->item.kind - (int)b->item.kind;
	if (a->item.automated != b->item.automated)
		return a->item.automated ? 1 : -1;
	if (a->item.t != b->item.t)
		return a->item.t < b->item.t ? -1 : 1;
	return strcmp(a->conv->key, b->conv->key);
}

static void add_message(BdmReport *rep, const BdmLogRecord *r, JsonParser *parser,
                        gboolean dedupe)
{
	const char *author;
	Copy copy = { 0 }, *best;
	char *key, *msg_key;

	if (r->direction == BDM_DIR_OUT && !r->platform_message_id)
		return;
	key = conversation_key(r);
	if (!key)
		return;
	copy.conv = conversation_for(rep, r, key);
	g_free(key);
	copy.logged = r->logged_time;
	copy.logger = intern(rep, r->agent);
	copy.elsewhere = sent_elsewhere(parser, r, &author);
	copy.item.t = r->platform_time > 0 ? r->platform_time : r->logged_time;
	copy.item.agent = copy.elsewhere ? intern(rep, author ? author : _("(sent elsewhere)"))
	                  : copy.logger;
	copy.item.kind = r->direction == BDM_DIR_OUT ? BDM_ITEM_OUT : BDM_ITEM_IN;
	copy.item.automated = r->automated;
	if (!dedupe || !r->platform_message_id) {
		g_array_append_val(copy.conv->items, copy.item);
		return;
	}
	msg_key = g_strjoin("\x1f", r->platform, r->account, r->platform_message_id, NULL);
	best = g_hash_table_lookup(rep->delivered, msg_key);
	if (!best) {
		best = g_new(Copy, 1);
		*best = copy;
		g_hash_table_insert(rep->delivered, msg_key, best);
		return;
	}
	if (compare_copies(&copy, best) < 0)
		*best = copy;
	g_free(msg_key);
}

/* Once every file is read: each message once, as its best copy. */
static void attach_messages(BdmReport *rep)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, rep->delivered);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		Copy *copy = value;

		g_array_append_val(copy->conv->items, copy->item);
	}
	g_hash_table_remove_all(rep->delivered);
}

static const char *string_member(JsonObject *o, const char *name)
{
	JsonNode *node = o ? json_object_get_member(o, name) : NULL;

	return node && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING
	       ? json_node_get_string(node) : NULL;
}

static JsonArray *array_member(JsonObject *o, const char *name)
{
	JsonNode *node = o ? json_object_get_member(o, name) : NULL;

	return node && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

/* Add to rules the rule of every finding whose severity is "block" (or of
 * every finding when only_blocking is FALSE); returns how many it added. */
static guint finding_rules(JsonArray *findings, gboolean only_blocking, GHashTable *rules)
{
	guint i, n = findings ? json_array_get_length(findings) : 0, added = 0;

	for (i = 0; i < n; i++) {
		JsonNode *node = json_array_get_element(findings, i);
		JsonObject *f = node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
		const char *rule = string_member(f, "rule");

		if (rule && (!only_blocking || g_strcmp0(string_member(f, "severity"), "block") == 0))
			added += g_hash_table_add(rules, (char *)rule) ? 1 : 0;
	}
	return added;
}

/* The rules one block event counts, each once however often it fired.  The
 * plugin logs the verdict (bdm_verdict_to_json): the findings that blocked
 * are the reason, warnings beside them are not; a verdict without a finding
 * marked "block" counts all its findings.  Older logs have "rules", an
 * array of strings.  The strings stay owned by the detail's parser. */
static void block_rules(JsonObject *detail, GHashTable *rules)
{
	JsonArray *findings = array_member(detail, "findings");
	JsonArray *legacy = array_member(detail, "rules");
	guint i, n = legacy ? json_array_get_length(legacy) : 0;

	if (finding_rules(findings, TRUE, rules) > 0 || finding_rules(findings, FALSE, rules) > 0)
		return;
	for (i = 0; i < n; i++) {
		JsonNode *node = json_array_get_element(legacy, i);

		if (node && JSON_NODE_HOLDS_VALUE(node) &&
		    json_node_get_value_type(node) == G_TYPE_STRING)
			g_hash_table_add(rules, (char *)json_node_get_string(node));
	}
}

static BdmReportRow *account_row(BdmReport *rep, const BdmLogRecord *r)
{
	char *name;
	BdmReportRow *row;

	if (!r->platform || !r->account)
		return NULL;
	name = g_strconcat(r->platform, ":", r->account, NULL);
	row = bdm_report_row(rep->accounts, name);
	g_free(name);
	return row;
}

static void count_both(BdmReport *rep, const BdmLogRecord *r, gboolean escalations, const char *key)
{
	BdmReportRow *acc = account_row(rep, r);
	BdmReportRow *agent = bdm_report_row(rep->agents, r->agent ? r->agent : "");

	if (acc)
		bdm_report_count(escalations ? acc->escalations : acc->blocks, key);
	bdm_report_count(escalations ? agent->escalations : agent->blocks, key);
}

static void add_event(BdmReport *rep, const BdmLogRecord *r, JsonParser *parser, GArray *pending)
{
	gboolean block = strcmp(r->kind, "block") == 0;
	gboolean escalate = strcmp(r->kind, "escalate") == 0;
	gboolean resolve = strcmp(r->kind, "resolve") == 0;
	JsonObject *detail;
	PendingEvent ev;
	char *key;

	if (!block && !escalate && !resolve)
		return;
	detail = bdm_log_detail_object(parser, r->detail_json);
	if (block) {
		GHashTable *rules = g_hash_table_new(g_str_hash, g_str_equal);
		GHashTableIter iter;
		gpointer rule;

		block_rules(detail, rules);
		g_hash_table_iter_init(&iter, rules);
		while (g_hash_table_iter_next(&iter, &rule, NULL))
			count_both(rep, r, FALSE, rule);
		g_hash_table_unref(rules);
		return;
	}
	if (escalate) {
		const char *department = string_member(detail, "department");

		JsonNode *urgent = detail ? json_object_get_member(detail, "urgent") : NULL;

		count_both(rep, r, TRUE, department ? department : _("(none)"));
		if (!urgent || !JSON_NODE_HOLDS_VALUE(urgent) ||
		    json_node_get_value_type(urgent) != G_TYPE_BOOLEAN ||
		    !json_node_get_boolean(urgent))
			return;
	}
	key = conversation_key(r);
	if (!key)
		return;
	ev.key = intern(rep, key);
	ev.kind = resolve ? BDM_ITEM_RESOLVE : BDM_ITEM_URGENT;
	ev.t = r->logged_time;
	ev.agent = intern(rep, r->agent);
	g_array_append_val(pending, ev);
	g_free(key);
}

static void attach_events(BdmReport *rep, GArray *pending)
{
	guint i;

	for (i = 0; i < pending->len; i++) {
		PendingEvent *ev = &g_array_index(pending, PendingEvent, i);
		BdmReportConversation *conv = g_hash_table_lookup(rep->conversations, ev->key);
		BdmReportItem item = { 0 };

		if (!conv)
			continue;
		item.t = ev->t;
		item.agent = ev->agent;
		item.kind = ev->kind;
		g_array_append_val(conv->items, item);
	}
}

/* A file given with the team database its client shipped to: only what is
 * not shipped yet is read from it, or its records would count twice. */
static gboolean skip_shipped(BdmAdminSource *src, GPtrArray *teams, BdmLogQuery *q)
{
	guint i;

	for (i = 0; bdm_admin_source_log(src) && i < teams->len; i++) {
		gint64 up_to = bdm_admin_team_shipped_up_to(g_ptr_array_index(teams, i),
		                                            bdm_admin_source_log(src));

		if (up_to < 0)
			return FALSE;
		q->from_id = MAX(q->from_id, up_to + 1);
	}
	return TRUE;
}

/* Read src's records into the report; FALSE when it cannot be read (the
 * message is given). */
static gboolean load_source(BdmReport *rep, BdmAdminSource *src, const BdmLogQuery *query,
                            gboolean dedupe, GPtrArray *teams, GArray *pending,
                            BdmProgress *progress)
{
	BdmLogQuery own = *query, *q = &own;
	JsonParser *parser;
	const BdmLogRecord *r;
	BdmAdminCursor *cursor = NULL;
	GError *error = NULL;

	if (!skip_shipped(src, teams, q))
		return FALSE;
	parser = json_parser_new();
	cursor = bdm_admin_cursor_new(src, q, &error);
	while (cursor && (r = bdm_admin_cursor_next(cursor, &error))) {
		if (strcmp(r->kind, "message") == 0)
			add_message(rep, r, parser, dedupe);
		else
			add_event(rep, r, parser, pending);
		bdm_progress_tick(progress, ++rep->records);
	}
	bdm_admin_cursor_free(cursor);
	g_object_unref(parser);
	if (!error)
		return TRUE;
	bdm_admin_fail("%s", error->message);
	g_error_free(error);
	return FALSE;
}

static BdmBusinessHours *load_hours(const char *path)
{
	GKeyFile *kf;
	GError *error = NULL;
	BdmBusinessHours *hours;

	if (!path)
		return bdm_business_hours_new_default();
	kf = g_key_file_new();
	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error)) {
		bdm_admin_fail("%s: %s", path, error->message);
		g_error_free(error);
		g_key_file_free(kf);
		return NULL;
	}
	if (!g_key_file_has_group(kf, "business_hours")) {
		bdm_admin_fail(_("%s: no [business_hours] group"), path);
		g_key_file_free(kf);
		return NULL;
	}
	hours = bdm_business_hours_from_keyfile(kf, "business_hours", &error);
	if (!hours) {
		bdm_admin_fail("%s: %s", path, error->message);
		g_error_free(error);
	}
	g_key_file_free(kf);
	return hours;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *const formats[] = { "table", "json", "csv", "html" };

int bdm_admin_report(int argc, char **argv)
{
	char **dbs = NULL, *since = NULL, *until = NULL, *format = NULL, *hours_path = NULL;
	gboolean progress_forced = FALSE;
	GOptionEntry entries[] = {
		{ "db", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dbs,
		  N_("a log file, or the team database as a postgresql:// URI or libpq "
		     "connection string (repeat for several)"), N_("FILE|CONNINFO") },
		{ "format", 0, 0, G_OPTION_ARG_STRING, &format,
		  N_("table (default), json, csv or html"), N_("FORMAT") },
		{ "since", 0, 0, G_OPTION_ARG_STRING, &since,
		  N_("only records logged at or after T"), N_("T") },
		{ "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("only records logged before T"),
		  N_("T") },
		{ "business-hours", 0, 0, G_OPTION_ARG_FILENAME, &hours_path,
		  N_("key file with a [business_hours] group (e.g. desk.conf)"), N_("FILE") },
		{ "progress", 0, 0, G_OPTION_ARG_NONE, &progress_forced,
		  N_("report progress on stderr even when it is not a terminal"), NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	BdmBusinessHours *hours = NULL;
	GArray *pending = NULL;
	BdmReport *rep = NULL;
	BdmLogQuery q = { 0 };
	GError *error = NULL;
	BdmProgress progress;
	char **paths = NULL;
	GPtrArray *sources = NULL, *teams = NULL;
	int status, fmt = 0, i;
	BdmOut out;

	g_option_context_set_summary(ctx, _("Per brand account and per agent: conversations, "
	                                    "messages, first response times (median, p90), the "
	                                    "share answered within target (urgent 2 h in business "
	                                    "hours, normal 24 h in business days), blocks by rule "
	                                    "and escalations by department."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	status = bdm_admin_parse(ctx, &argc, &argv, 1);
	if (status >= 0)
		goto out;
	status = 1;
	for (fmt = 0; format && fmt < (int)G_N_ELEMENTS(formats); fmt++)
		if (strcmp(format, formats[fmt]) == 0)
			break;
	if (fmt == G_N_ELEMENTS(formats)) {
		bdm_admin_fail(_("unknown format \"%s\": use table, json, csv or html"), format);
		goto out;
	}
	q.has_since = since != NULL;
	q.has_until = until != NULL;
	if ((since && !bdm_admin_parse_time(since, &q.since, &error)) ||
	    (until && !bdm_admin_parse_time(until, &q.until, &error))) {
		bdm_admin_fail("%s", error->message);
		g_error_free(error);
		goto out;
	}
	hours = load_hours(hours_path);
	if (!hours)
		goto out;

	paths = bdm_admin_db_list(dbs);
	rep = bdm_report_new(paths, hours);
	rep->has_since = q.has_since;
	rep->since = q.since;
	rep->has_until = q.has_until;
	rep->until = q.until;
	rep->now = q.has_until ? MIN(q.until, rep->now) : rep->now;
	pending = g_array_new(FALSE, FALSE, sizeof(PendingEvent));
	bdm_progress_init(&progress, "report", progress_forced);
	/* Every source is opened before any is read: a file given with a team
	 * database adds only what its client has not shipped. */
	sources = g_ptr_array_new_with_free_func((GDestroyNotify)bdm_admin_source_close);
	teams = g_ptr_array_new();
	for (i = 0; paths[i]; i++) {
		int opened;
		BdmAdminSource *src = bdm_admin_source_open(paths[i], FALSE, &opened);

		if (!src)
			goto out;
		g_ptr_array_add(sources, src);
		if (bdm_admin_source_pg(src))
			g_ptr_array_add(teams, src);
	}
	for (i = 0; paths[i]; i++) {
		BdmAdminSource *src = g_ptr_array_index(sources, i);
		/* One team database holds several agents' copies too. */
		gboolean dedupe = paths[1] != NULL || teams->len > 0;

		if (!load_source(rep, src, &q, dedupe, teams, pending, &progress))
			goto out;
		/* The report names its sources: never with a password. */
		if (bdm_admin_source_pg(src)) {
			g_free(paths[i]);
			paths[i] = g_strdup(bdm_admin_source_name(src));
		}
	}
	bdm_progress_end(&progress, rep->records);
	attach_messages(rep);
	attach_events(rep, pending);
	/* The logs are a set: listed sorted, the same logs give the same output
	 * whatever the order of --db (they were read in that order, and nothing
	 * above depends on it). */
	qsort(paths, g_strv_length(paths), sizeof *paths, compare_paths);
	bdm_report_finish(rep);

	bdm_out_init(&out, stdout);
	switch (fmt) {
	case 1: bdm_report_print_json(rep, &out); break;
	case 2: bdm_report_print_csv(rep, &out); break;
	case 3: bdm_report_print_html(rep, &out); break;
	default: bdm_report_print_table(rep, &out); break;
	}
	status = 0;
	if (!bdm_out_close(&out, _("standard output"), &error)) {
		bdm_admin_fail("%s", error->message);
		g_error_free(error);
		status = 1;
	}

out:
	if (teams)
		g_ptr_array_unref(teams);
	if (sources)
		g_ptr_array_unref(sources);
	if (pending)
		g_array_unref(pending);
	bdm_report_free(rep);
	bdm_business_hours_free(hours);
	g_strfreev(paths);
	g_strfreev(dbs);
	g_free(since);
	g_free(until);
	g_free(format);
	g_free(hours_path);
	g_option_context_free(ctx);
	return status;
}
