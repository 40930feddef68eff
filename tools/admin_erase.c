/*
 * Data-subject requests (GDPR): `erase --customer ID` blanks one customer's
 * personal data in every log given, keeping each chain verifiable, and
 * `subject-export --customer ID` prints everything stored about them.
 */
#include <inttypes.h>
#include <string.h>

#include "branddm/i18n.h"
#include "admin.h"
#include "admin_source.h"
#include "admin_team_log.h"
#include "admin_util.h"

typedef struct {
	char **dbs;
	char *customer;
	char *platform;
} SubjectOptions;

static void subject_options_clear(SubjectOptions *o)
{
	g_strfreev(o->dbs);
	g_free(o->customer);
	g_free(o->platform);
}

/* Parse the options both commands share (and extra ones); returns -1 to
 * go on, else the exit status. */
static int parse_subject(int *argc, char ***argv, SubjectOptions *o, const GOptionEntry *extra,
                         const char *summary, const gboolean *no_customer_needed)
{
	GOptionEntry entries[] = {
		{ "customer", 0, 0, G_OPTION_ARG_STRING, &o->customer,
		  N_("the customer's platform id (required)"), N_("ID") },
		{ "db", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->dbs,
		  N_("a log file, or the team database as a postgresql:// URI or libpq "
		     "connection string (repeat for several)"), N_("FILE|CONNINFO") },
		{ "platform", 0, 0, G_OPTION_ARG_STRING, &o->platform,
		  N_("only on this platform: facebook (also messenger), instagram or x"), N_("P") },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	int status;

	g_option_context_set_summary(ctx, summary);
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	if (extra)
		g_option_context_add_main_entries(ctx, extra, GETTEXT_PACKAGE);
	status = bdm_admin_parse(ctx, argc, argv, 1);
	g_option_context_free(ctx);
	if (status < 0 && !bdm_admin_resolve_platform(&o->platform))
		return 2;
	if (status < 0 && (!o->customer || !*o->customer) &&
	    !(no_customer_needed && *no_customer_needed)) {
		bdm_admin_fail(_("--customer ID is required"));
		status = 1;
	}
	return status;
}

/* ---- erase -------------------------------------------------------------------- */

static gint64 count_about(BdmLog *log, const SubjectOptions *o, GError **error)
{
	BdmLogQuery q = { 0 };
	BdmLogCursor *cursor;
	gint64 n = 0;

	q.customer_id = o->customer;
	q.platform = o->platform;
	cursor = bdm_log_cursor_new(log, &q, error);
	if (!cursor)
		return -1;
	while (bdm_log_cursor_next(cursor, error))
		n++;
	bdm_log_cursor_free(cursor);
	return error && *error ? -1 : n;
}

static gboolean erase_one(const char *path, const SubjectOptions *o, const char *tombstone,
                          gboolean dry_run)
{
	BdmLogEraseResult res = { 0 };
	GError *error = NULL;
	BdmLog *log = NULL;
	gint64 n;

	if (bdm_admin_is_conninfo(path)) {
		BdmAdminSource *team = bdm_admin_source_open(path, TRUE, (int *)&n);
		gboolean ok = team && bdm_admin_team_erase(team, o->platform, o->customer, tombstone,
		                                           dry_run);

		bdm_admin_source_close(team);
		return ok;
	}

	log = bdm_log_open_full(path, NULL, BDM_LOG_OPEN_UNTRUSTED |
	                        (dry_run ? BDM_LOG_OPEN_READONLY : 0), &error);
	if (!log)
		goto fail;
	if (dry_run) {
		n = count_about(log, o, &error);
		if (n < 0)
			goto fail;
		printf(_("%s: would erase %" PRId64 " records\n"), path, n);
		bdm_log_close(log);
		return TRUE;
	}
	if (!bdm_log_erase_customer(log, o->platform, o->customer, tombstone, &res, &error))
		goto fail;
	bdm_log_close(log);
	printf(_("%s: erased %u records and %u state entries\n"), path, res.records,
	       res.state_entries);
	if (res.media_files > 0)
		printf(_("%s: deleted %u attachment files\n"), path, res.media_files);
	if (!res.wal_truncated)
		bdm_admin_fail(_("%s: another program has the log open, so old copies of the "
		                 "erased pages stay in %s-wal until it closes; run erase again "
		                 "then to clear them"), path, path);
	return TRUE;

fail:
	bdm_admin_fail("%s", error->message);
	g_error_free(error);
	bdm_log_close(log);
	return FALSE;
}

int bdm_admin_erase(int argc, char **argv)
{
	SubjectOptions o = { 0 };
	gboolean dry_run = FALSE, order_status = FALSE;
	GOptionEntry extra[] = {
		{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
		  N_("only count what would be erased"), NULL },
		{ "status", 0, 0, G_OPTION_ARG_NONE, &order_status,
		  N_("list the team database's erasure orders and which agents' clients "
		     "applied them"), NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	char **paths, *tombstone;
	int status, i;

	status = parse_subject(&argc, &argv, &o, extra,
	                       _("Blank one customer's texts, names and ids in every log, "
	                         "keeping the hash chains verifiable.\nEach log records the "
	                         "erasure (without the id).  In the team database the "
	                         "erasure also leaves an order that every agent's client "
	                         "applies to its own log when it next connects."),
	                       &order_status);
	if (status >= 0) {
		subject_options_clear(&o);
		return status;
	}
	paths = bdm_admin_db_list(o.dbs);
	if (order_status) {
		status = 0;
		for (i = 0; paths[i]; i++) {
			BdmAdminSource *team;
			int opened, one;

			if (!bdm_admin_is_conninfo(paths[i])) {
				bdm_admin_fail(_("%s: --status needs the team database (--db CONNINFO)"),
				               paths[i]);
				status = 2;
				continue;
			}
			team = bdm_admin_source_open(paths[i], FALSE, &opened);
			one = team ? bdm_admin_team_erase_status(team) : opened;
			status = MAX(status, one);
			bdm_admin_source_close(team);
		}
		g_strfreev(paths);
		subject_options_clear(&o);
		return status;
	}
	status = 0;
	/* One tombstone for all files: the agents' copies of a conversation
	 * stay one conversation in reports. */
	tombstone = bdm_log_new_tombstone();
	for (i = 0; paths[i]; i++) {
		if (!erase_one(paths[i], &o, tombstone, dry_run))
			status = 1;
		fflush(stdout);
	}
	g_free(tombstone);
	g_strfreev(paths);
	subject_options_clear(&o);
	return status;
}

/* ---- subject-export --------------------------------------------------------------- */

static gboolean export_state(BdmOut *out, BdmLog *log, const char *customer,
                             GHashTable *conversations, GError **error)
{
	GPtrArray *ids = g_ptr_array_new();
	GHashTableIter iter;
	gpointer key, value;
	GHashTable *state;
	GList *keys, *l;

	g_ptr_array_add(ids, (gpointer)customer);
	g_hash_table_iter_init(&iter, conversations);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		g_ptr_array_add(ids, key);
	g_ptr_array_add(ids, NULL);
	state = bdm_log_state_find(log, (const char *const *)ids->pdata, error);
	g_ptr_array_unref(ids);
	if (!state)
		return FALSE;
	/* Sorted, so the same data always gives the same document. */
	keys = g_list_sort(g_hash_table_get_keys(state), (GCompareFunc)strcmp);
	bdm_out_str(out, ",\"state\":{");
	for (l = keys; l; l = l->next) {
		value = g_hash_table_lookup(state, l->data);
		if (l != keys)
			bdm_out_write(out, ",", 1);
		bdm_out_json_string(out, l->data);
		bdm_out_write(out, ":", 1);
		bdm_out_json_string(out, value);
	}
	bdm_out_str(out, "}");
	g_list_free(keys);
	g_hash_table_unref(state);
	return TRUE;
}

/* The team's shared state about the customer: conversation rows and the
 * messages the poll-lease holder recorded, as the server renders them. */
static gboolean export_team_state(BdmOut *out, BdmAdminPg *pg, const SubjectOptions *o,
                                  GError **error)
{
	const char *params[2] = { o->customer, o->platform };
	PGresult *res;

	res = bdm_admin_pg_exec(pg, "SELECT coalesce((SELECT json_agg(c ORDER BY platform, account)"
	                        " FROM branddm.conversation c WHERE customer = $1"
	                        " AND ($2::text IS NULL OR platform = $2)), '[]'),"
	                        " coalesce((SELECT json_agg(m ORDER BY platform, account, created,"
	                        " message_id) FROM branddm.message m WHERE customer = $1"
	                        " AND ($2::text IS NULL OR platform = $2)), '[]')", 2, params,
	                        _("cannot read the team's state"), error);
	if (!res)
		return FALSE;
	bdm_out_str(out, ",\"team_state\":{\"conversations\":");
	bdm_out_str(out, PQgetvalue(res, 0, 0));
	bdm_out_str(out, ",\"messages\":");
	bdm_out_str(out, PQgetvalue(res, 0, 1));
	bdm_out_str(out, "}");
	PQclear(res);
	return TRUE;
}

static gboolean export_file(BdmOut *out, BdmAdminSource *src, const SubjectOptions *o,
                            JsonParser *parser, GError **error)
{
	GHashTable *conversations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	BdmLogQuery q = { 0 };
	const BdmLogRecord *r;
	BdmAdminCursor *cursor;
	gboolean first = TRUE, ok;

	q.customer_id = o->customer;
	q.platform = o->platform;
	cursor = bdm_admin_cursor_new(src, &q, error);
	if (!cursor) {
		g_hash_table_unref(conversations);
		return FALSE;
	}
	bdm_out_str(out, "{\"file\":");
	bdm_out_json_string(out, bdm_admin_source_name(src));
	bdm_out_str(out, ",\"records\":[");
	while ((r = bdm_admin_cursor_next(cursor, error))) {
		bdm_out_str(out, first ? "\n{\"agent\":" : ",\n{\"agent\":");
		bdm_out_json_string(out, r->agent);
		bdm_out_write(out, ",", 1);
		bdm_out_record_members(out, r, parser);
		bdm_out_write(out, "}", 1);
		if (r->conversation_id)
			g_hash_table_add(conversations, g_strdup(r->conversation_id));
		first = FALSE;
	}
	bdm_admin_cursor_free(cursor);
	bdm_out_str(out, "]");
	ok = !(error && *error);
	if (ok && bdm_admin_source_pg(src))
		ok = export_team_state(out, bdm_admin_source_pg(src), o, error);
	else if (ok)
		ok = export_state(out, bdm_admin_source_log(src), o->customer, conversations, error);
	bdm_out_str(out, "}");
	g_hash_table_unref(conversations);
	return ok;
}

int bdm_admin_subject_export(int argc, char **argv)
{
	SubjectOptions o = { 0 };
	JsonParser *parser;
	GError *error = NULL;
	BdmAdminSource **logs;
	char **paths;
	BdmOut out;
	int status, i, n;

	status = parse_subject(&argc, &argv, &o, NULL,
	                       _("Print everything the logs store about one customer as one "
	                         "JSON document (for data-subject access requests)."), NULL);
	if (status >= 0) {
		subject_options_clear(&o);
		return status;
	}
	paths = bdm_admin_db_list(o.dbs);
	n = g_strv_length(paths);
	logs = g_new0(BdmAdminSource *, n);
	/* Open every source first: fail before printing half a document. */
	status = 0;
	for (i = 0; i < n && status == 0; i++) {
		logs[i] = bdm_admin_source_open(paths[i], FALSE, &status);
		if (!logs[i])
			status = 1;
	}
	if (status == 0) {
		parser = json_parser_new();
		bdm_out_init(&out, stdout);
		bdm_out_str(&out, "{\"customer_id\":");
		bdm_out_json_string(&out, o.customer);
		bdm_out_str(&out, ",\"platform\":");
		bdm_out_json_string(&out, o.platform);
		bdm_out_str(&out, ",\"files\":[");
		for (i = 0; i < n && status == 0; i++) {
			if (i > 0)
				bdm_out_write(&out, ",", 1);
			if (!export_file(&out, logs[i], &o, parser, &error)) {
				bdm_admin_fail(_("%s (subject export incomplete)"), error->message);
				g_clear_error(&error);
				status = 1;
			}
		}
		bdm_out_str(&out, "]}\n");
		if (!bdm_out_close(&out, _("standard output"), &error)) {
			bdm_admin_fail("%s", error->message);
			g_clear_error(&error);
			status = 1;
		}
		g_object_unref(parser);
	}
	for (i = 0; i < n; i++)
		bdm_admin_source_close(logs[i]);
	g_free(logs);
	g_strfreev(paths);
	subject_options_clear(&o);
	return status;
}
