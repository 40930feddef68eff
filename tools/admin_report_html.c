/*
 * branddm-admin report --format html: one self-contained page (no scripts,
 * no external files) with inline SVG bar charts, so it can be mailed or
 * archived as it is.  Every string that comes from a log is escaped.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "admin_report.h"

/* Chart geometry in SVG user units. */
#define LABEL_WIDTH 190
#define BAR_AREA 380
#define VALUE_WIDTH 90
#define BAR_HEIGHT 14
#define ROW_GAP 8
#define TITLE_HEIGHT 28
#define LEGEND_HEIGHT 22
#define LABEL_CHARS 26

static const char *const series_colours[] = { "#3b6ea5", "#6aa84f" };

typedef struct {
	const char *label;
	double value[2];
} Bar;

typedef char *(*ValueFormat)(double value);

static char *format_count(double v)
{
	return g_strdup_printf("%.0f", v);
}

static char *format_percent(double v)
{
	return g_strdup_printf("%.0f%%", v);
}

static char *format_seconds(double v)
{
	return bdm_report_duration((gint64)v);
}

static void svg_text(BdmOut *out, double x, double y, const char *anchor, const char *text)
{
	bdm_out_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor);
	bdm_out_html(out, text);
	bdm_out_str(out, "</text>\n");
}

/* A horizontal bar chart: one row per bar, one or two series side by side.
 * Long labels are shortened on screen; the full text is in a tooltip. */
static void svg_chart(BdmOut *out, const char *title, const Bar *bars, guint n, guint series,
                      const char *const *series_names, ValueFormat format)
{
	double max = 0, y;
	int row_height = (int)series * BAR_HEIGHT + ROW_GAP;
	/* An empty chart keeps one row for the words that say so. */
	int rows = n > 0 ? (int)n : 1;
	int height = TITLE_HEIGHT + rows * row_height + (series > 1 ? LEGEND_HEIGHT : 0) + 4;
	int width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH;
	guint i, s;

	for (i = 0; i < n; i++)
		for (s = 0; s < series; s++)
			max = MAX(max, bars[i].value[s]);
	bdm_out_printf(out, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	               "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
	               width, height, width, height);
	bdm_out_html(out, title);
	bdm_out_str(out, "\">\n<g class=\"title\">");
	svg_text(out, 0, 18, "start", title);
	bdm_out_str(out, "</g>\n");
	if (n == 0)
		svg_text(out, LABEL_WIDTH, TITLE_HEIGHT + 12, "start", _("(no data)"));
	for (i = 0; i < n; i++) {
		char *shown;

		if (g_utf8_strlen(bars[i].label, -1) > LABEL_CHARS) {
			char *head = g_utf8_substring(bars[i].label, 0, LABEL_CHARS - 1);

			shown = g_strconcat(head, "…", NULL);
			g_free(head);
		} else {
			shown = g_strdup(bars[i].label);
		}

		y = TITLE_HEIGHT + (double)i * row_height;
		bdm_out_str(out, "<g><title>");
		bdm_out_html(out, bars[i].label);
		bdm_out_str(out, "</title>\n");
		svg_text(out, LABEL_WIDTH - 8, y + series * BAR_HEIGHT / 2.0 + 4, "end", shown);
		for (s = 0; s < series; s++) {
			double w = max > 0 ? BAR_AREA * bars[i].value[s] / max : 0;
			char *value = format(bars[i].value[s]);

			bdm_out_printf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
			               "fill=\"%s\"/>\n", LABEL_WIDTH, y + s * BAR_HEIGHT, w,
			               BAR_HEIGHT - 2, series_colours[s]);
			svg_text(out, LABEL_WIDTH + w + 4, y + s * BAR_HEIGHT + BAR_HEIGHT - 3, "start",
			         value);
			g_free(value);
		}
		bdm_out_str(out, "</g>\n");
		g_free(shown);
	}
	for (s = 0; series > 1 && s < series; s++) {
		y = TITLE_HEIGHT + (double)n * row_height + 6;
		bdm_out_printf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"12\" "
		               "fill=\"%s\"/>\n", LABEL_WIDTH + (int)s * 120, y, series_colours[s]);
		svg_text(out, LABEL_WIDTH + s * 120 + 16, y + 11, "start", series_names[s]);
	}
	bdm_out_str(out, "</svg></figure>\n");
}

/* ---- charts from rows --------------------------------------------------------------- */

static void chart_messages(BdmOut *out, GPtrArray *rows)
{
	const char *names[] = { _("received"), _("sent") };
	Bar *bars = g_new0(Bar, rows->len);
	guint i;

	for (i = 0; i < rows->len; i++) {
		const BdmReportRow *row = g_ptr_array_index(rows, i);

		bars[i].label = row->name;
		bars[i].value[0] = (double)row->messages_in;
		bars[i].value[1] = (double)row->messages_out;
	}
	svg_chart(out, _("Messages per brand account"), bars, rows->len, 2, names, format_count);
	g_free(bars);
}

static void chart_response(BdmOut *out, const char *title, GPtrArray *rows)
{
	const char *names[] = { _("median"), _("90th percentile") };
	Bar *bars = g_new0(Bar, rows->len);
	guint i, n = 0;

	for (i = 0; i < rows->len; i++) {
		const BdmReportRow *row = g_ptr_array_index(rows, i);

		if (row->frt_median < 0)
			continue;
		bars[n].label = row->name[0] ? row->name : _("(unknown)");
		bars[n].value[0] = (double)row->frt_median;
		bars[n].value[1] = (double)row->frt_p90;
		n++;
	}
	svg_chart(out, title, bars, n, 2, names, format_seconds);
	g_free(bars);
}

static void chart_within(BdmOut *out, GPtrArray *rows)
{
	Bar *bars = g_new0(Bar, rows->len);
	guint i, n = 0;

	for (i = 0; i < rows->len; i++) {
		const BdmReportRow *row = g_ptr_array_index(rows, i);
		double share = bdm_report_within_share(row);

		if (share < 0)
			continue;
		bars[n].label = row->name;
		bars[n].value[0] = share;
		n++;
	}
	svg_chart(out, _("Answered within target"), bars, n, 1, NULL, format_percent);
	g_free(bars);
}

/* Totals over the agent rows: every event names its agent, not always an
 * account. */
static void chart_totals(BdmOut *out, const char *title, GPtrArray *rows, gboolean escalations)
{
	GHashTable *totals = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *keys;
	Bar *bars;
	guint i;

	for (i = 0; i < rows->len; i++) {
		const BdmReportRow *row = g_ptr_array_index(rows, i);
		GHashTable *counts = escalations ? row->escalations : row->blocks;
		GHashTableIter iter;
		gpointer key, value;

		g_hash_table_iter_init(&iter, counts);
		while (g_hash_table_iter_next(&iter, &key, &value))
			g_hash_table_insert(totals, key,
			                    GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(totals,
			                                                                          key)) +
			                                     GPOINTER_TO_SIZE(value)));
	}
	keys = bdm_report_sorted_counts(totals);
	bars = g_new0(Bar, keys->len);
	for (i = 0; i < keys->len; i++) {
		bars[i].label = keys->pdata[i];
		bars[i].value[0] = (double)GPOINTER_TO_SIZE(g_hash_table_lookup(totals,
		                                                                keys->pdata[i]));
	}
	svg_chart(out, title, bars, keys->len, 1, NULL, format_count);
	g_free(bars);
	g_ptr_array_unref(keys);
	g_hash_table_unref(totals);
}

/* ---- tables --------------------------------------------------------------------------- */

static void cell(BdmOut *out, const char *text)
{
	bdm_out_str(out, "<td>");
	bdm_out_html(out, text);
	bdm_out_str(out, "</td>");
}

static void cell_owned(BdmOut *out, char *text)
{
	cell(out, text);
	g_free(text);
}

static char *counts_text(GHashTable *counts)
{
	GPtrArray *keys = bdm_report_sorted_counts(counts);
	GString *s = g_string_new(NULL);
	guint i;

	for (i = 0; i < keys->len; i++)
		g_string_append_printf(s, "%s%s %" G_GSIZE_FORMAT, i ? ", " : "",
		                       (const char *)keys->pdata[i],
		                       GPOINTER_TO_SIZE(g_hash_table_lookup(counts, keys->pdata[i])));
	g_ptr_array_unref(keys);
	return g_string_free(s, FALSE);
}

static void html_table(BdmOut *out, const char *title, const char *first, GPtrArray *rows)
{
	const char *headers[] = {
		first, _("Conversations"), _("Received"), _("Sent"), _("Automated"),
		_("Answered"), _("Median first response"), _("90th percentile"),
		_("Within target"), _("Missed"), _("Open"), _("Blocks by rule"),
		_("Escalations by department"),
	};
	guint i, c;

	bdm_out_str(out, "<h2>");
	bdm_out_html(out, title);
	bdm_out_str(out, "</h2>\n<div class=\"table\"><table>\n<tr>");
	for (c = 0; c < G_N_ELEMENTS(headers); c++) {
		bdm_out_str(out, "<th>");
		bdm_out_html(out, headers[c]);
		bdm_out_str(out, "</th>");
	}
	bdm_out_str(out, "</tr>\n");
	for (i = 0; i < rows->len; i++) {
		const BdmReportRow *row = g_ptr_array_index(rows, i);
		double share = bdm_report_within_share(row);

		bdm_out_str(out, "<tr>");
		cell(out, row->name[0] ? row->name : _("(unknown)"));
		cell_owned(out, g_strdup_printf("%u", g_hash_table_size(row->conversations)));
		cell_owned(out, g_strdup_printf("%" G_GINT64_FORMAT, row->messages_in));
		cell_owned(out, g_strdup_printf("%" G_GINT64_FORMAT, row->messages_out));
		cell_owned(out, g_strdup_printf("%" G_GINT64_FORMAT, row->automated_out));
		cell_owned(out, g_strdup_printf("%u", row->response_times->len));
		cell_owned(out, bdm_report_duration(row->frt_median));
		cell_owned(out, bdm_report_duration(row->frt_p90));
		cell_owned(out, share < 0 ? g_strdup("-") : format_percent(share));
		cell_owned(out, g_strdup_printf("%" G_GINT64_FORMAT, row->missed_target));
		cell_owned(out, g_strdup_printf("%" G_GINT64_FORMAT, row->open));
		cell_owned(out, counts_text(row->blocks));
		cell_owned(out, counts_text(row->escalations));
		bdm_out_str(out, "</tr>\n");
	}
	bdm_out_str(out, "</table></div>\n");
}

/* Fits a 1280-pixel window: headers and long names wrap, a table still too
 * wide scrolls inside its own box, and charts shrink with the window
 * (tests/ui/test_report_html.py measures it in headless Chromium). */
static const char style[] =
	"body{font-family:sans-serif;margin:2em;color:#222}"
	"div.table{max-width:100%;overflow-x:auto;margin-bottom:2em}"
	"table{border-collapse:collapse}"
	"th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
	"th{font-size:.9em}"
	"th:first-child,td:first-child,td:nth-last-child(-n+2){text-align:left}"
	"td:first-child,td:nth-last-child(-n+2){max-width:16em;overflow-wrap:anywhere}"
	"figure{display:inline-block;margin:0 2em 2em 0;max-width:100%}"
	"svg{max-width:100%;height:auto}"
	"svg text{font-size:12px;fill:#222}svg .title text{font-size:14px;font-weight:bold}"
	".meta{color:#555;overflow-wrap:anywhere}";

void bdm_report_print_html(const BdmReport *rep, BdmOut *out)
{
	int i;

	bdm_out_str(out, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>");
	bdm_out_html(out, _("BrandDM report"));
	bdm_out_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style);
	bdm_out_html(out, _("BrandDM report"));
	bdm_out_str(out, "</h1>\n<p class=\"meta\">");
	if (rep->has_since || rep->has_until) {
		bdm_out_html(out, _("Period:"));
		bdm_out_str(out, " ");
		if (rep->has_since)
			bdm_out_iso_time(out, rep->since);
		bdm_out_str(out, " &ndash; ");
		if (rep->has_until)
			bdm_out_iso_time(out, rep->until);
		bdm_out_str(out, "<br>");
	}
	bdm_out_html(out, _("Logs:"));
	for (i = 0; rep->files[i]; i++) {
		bdm_out_str(out, i ? ", " : " ");
		bdm_out_html(out, rep->files[i]);
	}
	bdm_out_printf(out, "<br>%" G_GINT64_FORMAT " ", rep->records);
	bdm_out_html(out, _("records. Targets: urgent 2 h in business hours, normal 24 h in "
	                    "business days. First response times are wall-clock."));
	bdm_out_str(out, "</p>\n<section>\n");
	chart_messages(out, rep->account_rows);
	chart_within(out, rep->account_rows);
	chart_response(out, _("First response per agent"), rep->agent_rows);
	chart_totals(out, _("Blocks by rule"), rep->agent_rows, FALSE);
	chart_totals(out, _("Escalations by department"), rep->agent_rows, TRUE);
	bdm_out_str(out, "</section>\n");
	html_table(out, _("Brand accounts"), _("Account"), rep->account_rows);
	html_table(out, _("Agents"), _("Agent"), rep->agent_rows);
	bdm_out_str(out, "</body>\n</html>\n");
}
