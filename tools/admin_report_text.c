/*
 * branddm-admin report: the table, JSON and CSV renderings.
 */
#include <inttypes.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "admin_report.h"

/* ---- table ---------------------------------------------------------------------- */

enum { N_COLUMNS = 11 };

static void pad(BdmOut *out, const char *s, int width, gboolean right)
{
	int len = (int)g_utf8_strlen(s, -1);

	if (right)
		for (; len < width; len++)
			bdm_out_write(out, " ", 1);
	bdm_out_str(out, s);
	if (!right)
		for (; len < width; len++)
			bdm_out_write(out, " ", 1);
}

static char **row_cells(const BdmReportRow *row)
{
	char **cells = g_new0(char *, N_COLUMNS + 1);
	double share = bdm_report_within_share(row);
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	cells[0] = g_strdup(row->name[0] ? row->name : _("(unknown)"));
	cells[1] = g_strdup_printf("%u", g_hash_table_size(row->conversations));
	cells[2] = g_strdup_printf("%" G_GINT64_FORMAT, row->messages_in);
	cells[3] = g_strdup_printf("%" G_GINT64_FORMAT, row->messages_out);
	cells[4] = g_strdup_printf("%" G_GINT64_FORMAT, row->automated_out);
	cells[5] = g_strdup_printf("%u", row->response_times->len);
	cells[6] = bdm_report_duration(row->frt_median);
	cells[7] = bdm_report_duration(row->frt_p90);
	cells[8] = share < 0 ? g_strdup("-")
	           : g_strdup_printf("%s%%", g_ascii_formatd(buf, sizeof buf, "%.0f", share));
	cells[9] = g_strdup_printf("%" G_GINT64_FORMAT, row->missed_target);
	cells[10] = g_strdup_printf("%" G_GINT64_FORMAT, row->open);
	return cells;
}

static void print_rows(BdmOut *out, const char *title, const char *first_header, GPtrArray *rows)
{
	const char *headers[N_COLUMNS] = {
		first_header, _("CONV"), _("IN"), _("OUT"), _("AUTO"), _("ANSWERED"),
		_("MEDIAN"), _("P90"), _("IN TARGET"), _("MISSED"), _("OPEN"),
	};
	GPtrArray *cells = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	int width[N_COLUMNS];
	guint i;
	int c;

	for (c = 0; c < N_COLUMNS; c++)
		width[c] = (int)g_utf8_strlen(headers[c], -1);
	for (i = 0; i < rows->len; i++) {
		char **row = row_cells(g_ptr_array_index(rows, i));

		for (c = 0; c < N_COLUMNS; c++)
			width[c] = MAX(width[c], (int)g_utf8_strlen(row[c], -1));
		g_ptr_array_add(cells, row);
	}
	bdm_out_printf(out, "%s\n", title);
	for (c = 0; c < N_COLUMNS; c++) {
		pad(out, headers[c], width[c], c > 0);
		bdm_out_str(out, c + 1 < N_COLUMNS ? "  " : "\n");
	}
	for (i = 0; i < cells->len; i++) {
		char **row = g_ptr_array_index(cells, i);

		for (c = 0; c < N_COLUMNS; c++) {
			pad(out, row[c], width[c], c > 0);
			bdm_out_str(out, c + 1 < N_COLUMNS ? "  " : "\n");
		}
	}
	if (rows->len == 0)
		bdm_out_printf(out, "%s\n", _("(none)"));
	bdm_out_str(out, "\n");
	g_ptr_array_unref(cells);
}

static gboolean print_counts_of(BdmOut *out, GPtrArray *rows, gboolean escalations)
{
	gboolean any = FALSE;
	guint i, k;

	for (i = 0; i < rows->len; i++) {
		const BdmReportRow *row = g_ptr_array_index(rows, i);
		GHashTable *counts = escalations ? row->escalations : row->blocks;
		GPtrArray *keys = bdm_report_sorted_counts(counts);

		if (keys->len > 0) {
			bdm_out_printf(out, "  %s:", row->name[0] ? row->name : _("(unknown)"));
			for (k = 0; k < keys->len; k++)
				bdm_out_printf(out, "%s %s %" G_GSIZE_FORMAT, k ? "," : "",
				               (const char *)keys->pdata[k],
				               GPOINTER_TO_SIZE(g_hash_table_lookup(counts, keys->pdata[k])));
			bdm_out_str(out, "\n");
			any = TRUE;
		}
		g_ptr_array_unref(keys);
	}
	return any;
}

static void print_counts(BdmOut *out, const BdmReport *rep, const char *title, gboolean escalations)
{
	gboolean any;

	bdm_out_printf(out, "%s\n", title);
	any = print_counts_of(out, rep->account_rows, escalations);
	any |= print_counts_of(out, rep->agent_rows, escalations);
	if (!any)
		bdm_out_printf(out, "  %s\n", _("(none)"));
	bdm_out_str(out, "\n");
}

void bdm_report_print_table(const BdmReport *rep, BdmOut *out)
{
	print_rows(out, _("Brand accounts"), _("ACCOUNT"), rep->account_rows);
	print_rows(out, _("Agents"), _("AGENT"), rep->agent_rows);
	print_counts(out, rep, _("Blocks by rule"), FALSE);
	print_counts(out, rep, _("Escalations by department"), TRUE);
	bdm_out_printf(out, _("%" PRId64 " records from %u files. First response times "
	                      "are wall-clock; targets (urgent 2 h in business hours, normal 24 h "
	                      "in business days) are judged in business time.\n"),
	               rep->records, g_strv_length(rep->files));
}

/* ---- json ------------------------------------------------------------------------- */

static void add_time(JsonBuilder *b, const char *name, gboolean has, gint64 t)
{
	json_builder_set_member_name(b, name);
	if (has) {
		GDateTime *dt = g_date_time_new_from_unix_utc(t);
		char *iso = dt ? g_date_time_format_iso8601(dt) : NULL;

		if (iso)
			json_builder_add_string_value(b, iso);
		else
			json_builder_add_int_value(b, t);
		g_free(iso);
		if (dt)
			g_date_time_unref(dt);
	} else {
		json_builder_add_null_value(b);
	}
}

static void add_int(JsonBuilder *b, const char *name, gint64 v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

static void add_counts(JsonBuilder *b, const char *name, GHashTable *counts)
{
	GPtrArray *keys = bdm_report_sorted_counts(counts);
	guint i;

	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	for (i = 0; i < keys->len; i++) {
		json_builder_set_member_name(b, keys->pdata[i]);
		json_builder_add_int_value(b, GPOINTER_TO_SIZE(g_hash_table_lookup(counts,
		                                                                   keys->pdata[i])));
	}
	json_builder_end_object(b);
	g_ptr_array_unref(keys);
}

static void add_rows(JsonBuilder *b, const char *name, GPtrArray *rows)
{
	guint i;

	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
	for (i = 0; i < rows->len; i++) {
		const BdmReportRow *row = g_ptr_array_index(rows, i);
		double share = bdm_report_within_share(row);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, row->name);
		add_int(b, "conversations", g_hash_table_size(row->conversations));
		add_int(b, "messages_in", row->messages_in);
		add_int(b, "messages_out", row->messages_out);
		add_int(b, "automated_out", row->automated_out);
		add_int(b, "responses", row->response_times->len);
		json_builder_set_member_name(b, "first_response_median_s");
		if (row->frt_median >= 0)
			json_builder_add_int_value(b, row->frt_median);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "first_response_p90_s");
		if (row->frt_p90 >= 0)
			json_builder_add_int_value(b, row->frt_p90);
		else
			json_builder_add_null_value(b);
		add_int(b, "within_target", row->within_target);
		add_int(b, "missed_target", row->missed_target);
		json_builder_set_member_name(b, "within_target_percent");
		if (share >= 0)
			json_builder_add_double_value(b, share);
		else
			json_builder_add_null_value(b);
		add_int(b, "open", row->open);
		add_counts(b, "blocks", row->blocks);
		add_counts(b, "escalations", row->escalations);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

void bdm_report_print_json(const BdmReport *rep, BdmOut *out)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *gen = json_generator_new();
	JsonNode *root;
	char *text;
	int i;

	json_builder_begin_object(b);
	add_time(b, "generated", TRUE, g_get_real_time() / G_USEC_PER_SEC);
	add_time(b, "since", rep->has_since, rep->since);
	add_time(b, "until", rep->has_until, rep->until);
	json_builder_set_member_name(b, "files");
	json_builder_begin_array(b);
	for (i = 0; rep->files[i]; i++)
		json_builder_add_string_value(b, rep->files[i]);
	json_builder_end_array(b);
	add_int(b, "records", rep->records);
	json_builder_set_member_name(b, "targets");
	json_builder_begin_object(b);
	add_int(b, "urgent_seconds", BDM_REPORT_URGENT_TARGET);
	json_builder_set_member_name(b, "urgent_counted_in");
	json_builder_add_string_value(b, "business_hours");
	add_int(b, "normal_seconds", BDM_REPORT_NORMAL_TARGET);
	json_builder_set_member_name(b, "normal_counted_in");
	json_builder_add_string_value(b, "business_days");
	json_builder_end_object(b);
	add_rows(b, "accounts", rep->account_rows);
	add_rows(b, "agents", rep->agent_rows);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	bdm_out_str(out, text);
	bdm_out_str(out, "\n");
	g_free(text);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
}

/* ---- csv ---------------------------------------------------------------------------- */

static char *counts_cell(GHashTable *counts)
{
	GPtrArray *keys = bdm_report_sorted_counts(counts);
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < keys->len; i++)
		g_string_append_printf(s, "%s%s=%" G_GSIZE_FORMAT, i ? ";" : "",
		                       (const char *)keys->pdata[i],
		                       GPOINTER_TO_SIZE(g_hash_table_lookup(counts, keys->pdata[i])));
	g_ptr_array_unref(keys);
	return g_string_free(s, FALSE);
}

static void csv_rows(BdmOut *out, const char *scope, GPtrArray *rows)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	guint i;

	for (i = 0; i < rows->len; i++) {
		const BdmReportRow *row = g_ptr_array_index(rows, i);
		double share = bdm_report_within_share(row);
		char *blocks = counts_cell(row->blocks), *escalations = counts_cell(row->escalations);

		bdm_out_str(out, scope);
		bdm_out_write(out, ",", 1);
		bdm_out_csv_field(out, row->name, TRUE);
		bdm_out_printf(out, ",%u,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
		               ",%u,", g_hash_table_size(row->conversations), row->messages_in,
		               row->messages_out, row->automated_out, row->response_times->len);
		if (row->frt_median >= 0)
			bdm_out_printf(out, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, row->frt_median,
			               row->frt_p90);
		else
			bdm_out_write(out, ",", 1);
		bdm_out_printf(out, ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%s,%" G_GINT64_FORMAT
		               ",", row->within_target, row->missed_target,
		               share >= 0 ? g_ascii_formatd(buf, sizeof buf, "%.1f", share) : "",
		               row->open);
		bdm_out_csv_field(out, blocks, TRUE);
		bdm_out_write(out, ",", 1);
		bdm_out_csv_field(out, escalations, TRUE);
		bdm_out_str(out, "\r\n");
		g_free(blocks);
		g_free(escalations);
	}
}

void bdm_report_print_csv(const BdmReport *rep, BdmOut *out)
{
	bdm_out_str(out, "scope,name,conversations,messages_in,messages_out,automated_out,"
	            "responses,first_response_median_s,first_response_p90_s,within_target,"
	            "missed_target,within_target_percent,open,blocks,escalations\r\n");
	csv_rows(out, "account", rep->account_rows);
	csv_rows(out, "agent", rep->agent_rows);
}
