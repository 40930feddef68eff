/*
 * branddm-admin export: many agents' logs merged into one stream ordered by
 * logged time (a k-way merge over one cursor per file, each already in time
 * order through the record_time index), as JSON lines or CSV.
 *
 * Built for a million records: rows stream from prepared statements into a
 * large output buffer with hand-written escaping; nothing is kept per record.
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "admin.h"
#include "admin_source.h"
#include "admin_util.h"
#include "log_read.h"

typedef enum { FORMAT_JSONL, FORMAT_CSV } Format;

typedef struct {
	const char *path;
	char *path_json;          /* a file's path as a JSON string, escaped once */
	BdmAdminSource *src;
	BdmAdminCursor *cursor;
	const BdmLogRecord *cur;  /* NULL when this source is exhausted */
	guint index;              /* --db order: breaks ties between sources */
} Source;

typedef struct {
	Format format;
	BdmOut out;
	JsonParser *parser;       /* for bdm_out_record_members */
} Writer;

static const char *const csv_columns =
	"agent,source,id,time,kind,platform,account,conversation_id,customer_id,"
	"customer_name,direction,text,platform_message_id,platform_time,automated,"
	"template,detail,erased\r\n";

/* ---- the merge ------------------------------------------------------------ */

static gboolean source_before(const Source *a, const Source *b)
{
	if (a->cur->logged_time != b->cur->logged_time)
		return a->cur->logged_time < b->cur->logged_time;
	if (a->index != b->index)
		return a->index < b->index;
	return a->cur->id < b->cur->id;
}

/* Restore the min-heap property below slot i. */
static void sift_down(Source **heap, guint n, guint i)
{
	for (;;) {
		guint left = 2 * i + 1, right = left + 1, min = i;
		Source *tmp;

		if (left < n && source_before(heap[left], heap[min]))
			min = left;
		if (right < n && source_before(heap[right], heap[min]))
			min = right;
		if (min == i)
			return;
		tmp = heap[i];
		heap[i] = heap[min];
		heap[min] = tmp;
		i = min;
	}
}

static void build_heap(Source **heap, guint n)
{
	guint i;

	for (i = n / 2; i-- > 0;)
		sift_down(heap, n, i);
}

/* ---- one record --------------------------------------------------------- */

static void write_jsonl(Writer *w, const Source *src, const BdmLogRecord *r)
{
	BdmOut *out = &w->out;

	bdm_out_str(out, "{\"agent\":");
	bdm_out_json_string(out, r->agent);
	bdm_out_str(out, ",\"source\":");
	if (src->path_json)
		bdm_out_str(out, src->path_json);
	else
		bdm_out_json_string(out, bdm_admin_cursor_origin(src->cursor));
	bdm_out_write(out, ",", 1);
	bdm_out_record_members(out, r, w->parser);
	bdm_out_write(out, "}\n", 2);
}

static void csv_sep(BdmOut *out, const char *value, gboolean guard)
{
	bdm_out_write(out, ",", 1);
	bdm_out_csv_field(out, value, guard);
}

static void write_csv(Writer *w, const Source *src, const BdmLogRecord *r)
{
	BdmOut *out = &w->out;

	bdm_out_csv_field(out, r->agent, TRUE);
	csv_sep(out, bdm_admin_cursor_origin(src->cursor), TRUE);
	bdm_out_write(out, ",", 1);
	bdm_out_int(out, r->id);
	bdm_out_write(out, ",", 1);
	bdm_out_iso_time(out, r->logged_time);
	csv_sep(out, r->kind, FALSE);
	csv_sep(out, r->platform, FALSE);
	csv_sep(out, r->account, TRUE);
	csv_sep(out, r->conversation_id, TRUE);
	csv_sep(out, r->customer_id, TRUE);
	csv_sep(out, r->customer_name, TRUE);
	csv_sep(out, bdm_log_direction_name(r->direction), FALSE);
	csv_sep(out, r->text, TRUE);
	csv_sep(out, r->platform_message_id, TRUE);
	bdm_out_write(out, ",", 1);
	bdm_out_int(out, r->platform_time);
	bdm_out_str(out, r->automated ? ",true" : ",false");
	csv_sep(out, r->template_name, TRUE);
	csv_sep(out, r->detail_json, TRUE);
	bdm_out_str(out, r->erased ? ",true\r\n" : ",false\r\n");
}

/* ---- the command ------------------------------------------------------------ */

static gboolean open_sources(char **paths, const BdmLogQuery *q, Source *sources)
{
	GError *error = NULL;
	guint i;

	for (i = 0; paths[i]; i++) {
		Source *s = &sources[i];
		BdmOut tmp;

		int status;

		s->path = paths[i];
		s->index = i;
		s->src = bdm_admin_source_open(paths[i], FALSE, &status);
		if (!s->src)
			return FALSE;
		s->cursor = bdm_admin_cursor_new(s->src, q, &error);
		if (s->cursor)
			s->cur = bdm_admin_cursor_next(s->cursor, &error);
		if (error) {
			bdm_admin_fail("%s", error->message);
			g_error_free(error);
			return FALSE;
		}
		/* The team database names each record's chain; a file's path is
		 * escaped once, not once per record. */
		if (bdm_admin_source_pg(s->src))
			continue;
		bdm_out_init(&tmp, NULL);
		bdm_out_json_string(&tmp, paths[i]);
		s->path_json = g_strndup(tmp.buf, tmp.len);
		g_free(tmp.buf);
	}
	return TRUE;
}

static void close_sources(Source *sources, guint n)
{
	guint i;

	for (i = 0; i < n; i++) {
		bdm_admin_cursor_free(sources[i].cursor);
		bdm_admin_source_close(sources[i].src);
		g_free(sources[i].path_json);
	}
	g_free(sources);
}

/* Write records smallest first until every file is exhausted. */
static gboolean merge(Writer *w, Source *sources, guint n, BdmProgress *progress)
{
	Source **heap = g_new(Source *, n);
	GError *error = NULL;
	guint live = 0, i;
	gint64 done = 0;

	for (i = 0; i < n; i++)
		if (sources[i].cur)
			heap[live++] = &sources[i];
	build_heap(heap, live);
	while (live > 0) {
		Source *top = heap[0];

		if (w->format == FORMAT_JSONL)
			write_jsonl(w, top, top->cur);
		else
			write_csv(w, top, top->cur);
		bdm_progress_tick(progress, ++done);
		top->cur = bdm_admin_cursor_next(top->cursor, &error);
		if (error) {
			bdm_admin_fail(_("%s (export incomplete)"), error->message);
			g_error_free(error);
			g_free(heap);
			return FALSE;
		}
		if (!top->cur)
			heap[0] = heap[--live];
		sift_down(heap, live, 0);
	}
	bdm_progress_end(progress, done);
	g_free(heap);
	return TRUE;
}

int bdm_admin_export(int argc, char **argv)
{
	char **dbs = NULL, *since = NULL, *until = NULL, *account = NULL, *format = NULL;
	gboolean progress_forced = FALSE;
	GOptionEntry entries[] = {
		{ "db", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dbs,
		  N_("a log file, or the team database as a postgresql:// URI or libpq "
		     "connection string (repeat for several)"), N_("FILE|CONNINFO") },
		{ "since", 0, 0, G_OPTION_ARG_STRING, &since,
		  N_("only records logged at or after T"), N_("T") },
		{ "until", 0, 0, G_OPTION_ARG_STRING, &until, N_("only records logged before T"),
		  N_("T") },
		{ "account", 0, 0, G_OPTION_ARG_STRING, &account, N_("only this brand account"),
		  N_("ID") },
		{ "format", 0, 0, G_OPTION_ARG_STRING, &format, N_("jsonl (default) or csv"),
		  N_("FORMAT") },
		{ "progress", 0, 0, G_OPTION_ARG_NONE, &progress_forced,
		  N_("report progress on stderr even when it is not a terminal"), NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	BdmLogQuery q = { 0 };
	GError *error = NULL;
	Source *sources = NULL;
	BdmProgress progress;
	Writer w = { 0 };
	char **paths = NULL;
	guint n = 0;
	int status;

	g_option_context_set_summary(ctx, _("Merge agents' logs into one stream ordered by the "
	                                    "time records were logged.\nT is Unix seconds or ISO "
	                                    "8601; --until is exclusive."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	status = bdm_admin_parse(ctx, &argc, &argv, 1);
	if (status >= 0)
		goto out;
	status = 1;
	if (format && strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0) {
		bdm_admin_fail(_("unknown format \"%s\": use jsonl or csv"), format);
		goto out;
	}
	w.format = format && strcmp(format, "csv") == 0 ? FORMAT_CSV : FORMAT_JSONL;
	q.by_time = TRUE;
	q.account = account;
	q.has_since = since != NULL;
	q.has_until = until != NULL;
	if ((since && !bdm_admin_parse_time(since, &q.since, &error)) ||
	    (until && !bdm_admin_parse_time(until, &q.until, &error))) {
		bdm_admin_fail("%s", error->message);
		g_error_free(error);
		goto out;
	}

	paths = bdm_admin_db_list(dbs);
	n = g_strv_length(paths);
	sources = g_new0(Source, n);
	if (!open_sources(paths, &q, sources))
		goto out;

	bdm_progress_init(&progress, "export", progress_forced);
	bdm_out_init(&w.out, stdout);
	w.parser = json_parser_new();
	if (w.format == FORMAT_CSV)
		bdm_out_str(&w.out, csv_columns);
	status = merge(&w, sources, n, &progress) ? 0 : 1;
	if (!bdm_out_close(&w.out, _("standard output"), &error)) {
		bdm_admin_fail("%s", error->message);
		g_error_free(error);
		status = 1;
	}
	g_object_unref(w.parser);

out:
	if (sources)
		close_sources(sources, n);
	g_strfreev(paths);
	g_strfreev(dbs);
	g_free(since);
	g_free(until);
	g_free(account);
	g_free(format);
	g_option_context_free(ctx);
	return status;
}
