/*
 * branddm-admin report: from conversations to figures.
 *
 * A conversation waits from the first customer message after the brand's
 * last human reply until the next human reply, by anyone, or until it is
 * resolved — the same rule the plugin's response-time alerts follow
 * (plugin/core/sla.h).  Automated replies neither end a wait nor give a
 * response time: they are counted on the account's row only ("auto"), never
 * on an agent's, since nobody answered.  Each answered wait gives one first
 * response time, in wall-clock seconds; whether it met the target is judged
 * in business time: urgent waits (the conversation was escalated with
 * urgent=true and not resolved since) in business hours, others in business
 * days.  A wait still open at the end of the period counts as missed once
 * its target has passed, and as open before that.
 */
#include <math.h>
#include <string.h>

#include "branddm/i18n.h"
#include "admin_report.h"

static void row_free(gpointer p)
{
	BdmReportRow *row = p;

	g_free(row->name);
	g_hash_table_unref(row->conversations);
	g_array_unref(row->response_times);
	g_hash_table_unref(row->blocks);
	g_hash_table_unref(row->escalations);
	g_free(row);
}

static void conversation_free(gpointer p)
{
	BdmReportConversation *conv = p;

	g_array_unref(conv->items);
	g_free(conv);
}

BdmReport *bdm_report_new(char **files, const BdmBusinessHours *hours)
{
	BdmReport *rep = g_new0(BdmReport, 1);

	rep->strings = g_string_chunk_new(64 * 1024);
	rep->conversations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                           conversation_free);
	rep->accounts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, row_free);
	rep->agents = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, row_free);
	rep->delivered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	rep->files = files;
	rep->hours = hours;
	rep->now = g_get_real_time() / G_USEC_PER_SEC;
	return rep;
}

void bdm_report_free(BdmReport *rep)
{
	if (!rep)
		return;
	if (rep->account_rows)
		g_ptr_array_unref(rep->account_rows);
	if (rep->agent_rows)
		g_ptr_array_unref(rep->agent_rows);
	g_hash_table_unref(rep->delivered);
	g_hash_table_unref(rep->agents);
	g_hash_table_unref(rep->accounts);
	g_hash_table_unref(rep->conversations);
	g_string_chunk_free(rep->strings);
	g_free(rep);
}

BdmReportRow *bdm_report_row(GHashTable *table, const char *name)
{
	BdmReportRow *row = g_hash_table_lookup(table, name);

	if (row)
		return row;
	row = g_new0(BdmReportRow, 1);
	row->name = g_strdup(name);
	row->conversations = g_hash_table_new(NULL, NULL);
	row->response_times = g_array_new(FALSE, FALSE, sizeof(gint64));
	row->blocks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	row->escalations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	row->frt_median = row->frt_p90 = -1;
	g_hash_table_insert(table, row->name, row);
	return row;
}

void bdm_report_count(GHashTable *counts, const char *key)
{
	gpointer old;

	if (g_hash_table_lookup_extended(counts, key, NULL, &old))
		g_hash_table_insert(counts, g_strdup(key), GSIZE_TO_POINTER(GPOINTER_TO_SIZE(old) + 1));
	else
		g_hash_table_insert(counts, g_strdup(key), GSIZE_TO_POINTER(1));
}

/* ---- one conversation ---------------------------------------------------------- */

static int item_order(gconstpointer a, gconstpointer b)
{
	const BdmReportItem *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	/* Same second: the question comes before its answer. */
	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	/* Then a total order, so that the file the items came from never decides
	 * which of two replies in one second ended the wait. */
	if (x->automated != y->automated)
		return x->automated ? 1 : -1;
	return g_strcmp0(x->agent, y->agent);
}

typedef struct {
	gboolean waiting;
	gint64 since;       /* first unanswered customer message */
	gint64 messages;    /* customer messages in this wait */
	gboolean urgent;    /* the conversation is urgent now */
	gboolean urgent_wait; /* this wait was urgent at some point */
} Wait;

static gboolean met_target(const BdmReport *rep, gboolean urgent, gint64 from, gint64 to)
{
	BdmCountMode mode = urgent ? BDM_COUNT_BUSINESS_HOURS : BDM_COUNT_BUSINESS_DAYS;
	gint64 target = urgent ? BDM_REPORT_URGENT_TARGET : BDM_REPORT_NORMAL_TARGET;

	return bdm_business_elapsed(rep->hours, mode, from, to) <= target;
}

static void answered(BdmReport *rep, BdmReportRow *acc, const BdmReportItem *reply, Wait *w)
{
	BdmReportRow *agent = bdm_report_row(rep->agents, reply->agent ? reply->agent : "");
	gint64 seconds = reply->t - w->since;
	gboolean met = met_target(rep, w->urgent_wait, w->since, reply->t);

	g_array_append_val(acc->response_times, seconds);
	g_array_append_val(agent->response_times, seconds);
	agent->messages_in += w->messages;
	if (met) {
		acc->within_target++;
		agent->within_target++;
	} else {
		acc->missed_target++;
		agent->missed_target++;
	}
	w->waiting = FALSE;
}

static void analyse(BdmReport *rep, BdmReportConversation *conv)
{
	char *name = g_strconcat(conv->platform, ":", conv->account, NULL);
	BdmReportRow *acc = bdm_report_row(rep->accounts, name);
	Wait w = { 0 };
	gboolean has_message = FALSE;
	guint i;

	g_free(name);
	g_array_sort(conv->items, item_order);
	for (i = 0; i < conv->items->len; i++) {
		const BdmReportItem *it = &g_array_index(conv->items, BdmReportItem, i);

		switch (it->kind) {
		case BDM_ITEM_IN:
			has_message = TRUE;
			acc->messages_in++;
			if (!w.waiting) {
				w.waiting = TRUE;
				w.since = it->t;
				w.messages = 0;
				w.urgent_wait = w.urgent;
			}
			w.messages++;
			break;
		case BDM_ITEM_OUT:
			has_message = TRUE;
			acc->messages_out++;
			if (it->automated) {
				acc->automated_out++;
				break;
			}
			{
				BdmReportRow *agent = bdm_report_row(rep->agents,
				                                     it->agent ? it->agent : "");

				agent->messages_out++;
				g_hash_table_add(agent->conversations, conv);
			}
			if (w.waiting)
				answered(rep, acc, it, &w);
			break;
		case BDM_ITEM_URGENT:
			w.urgent = TRUE;
			w.urgent_wait |= w.waiting;
			break;
		case BDM_ITEM_RESOLVE:
			w.urgent = FALSE;
			w.waiting = FALSE;
			break;
		}
	}
	if (has_message)
		g_hash_table_add(acc->conversations, conv);
	if (w.waiting) {
		if (met_target(rep, w.urgent_wait, w.since, rep->now))
			acc->open++;
		else
			acc->missed_target++;
	}
}

/* ---- rows ------------------------------------------------------------------------ */

static int compare_gint64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile: a value that really occurred, no interpolation. */
static gint64 percentile(GArray *sorted, double p)
{
	guint rank;

	if (sorted->len == 0)
		return -1;
	rank = (guint)ceil(p * sorted->len);
	return g_array_index(sorted, gint64, MAX(rank, 1) - 1);
}

static int compare_rows(gconstpointer a, gconstpointer b)
{
	const BdmReportRow *x = *(BdmReportRow *const *)a, *y = *(BdmReportRow *const *)b;

	return strcmp(x->name, y->name);
}

static GPtrArray *sorted_rows(GHashTable *table)
{
	GPtrArray *rows = g_ptr_array_new();
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, table);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		BdmReportRow *row = value;

		g_array_sort(row->response_times, compare_gint64);
		row->frt_median = percentile(row->response_times, 0.5);
		row->frt_p90 = percentile(row->response_times, 0.9);
		g_ptr_array_add(rows, row);
	}
	g_ptr_array_sort(rows, compare_rows);
	return rows;
}

void bdm_report_finish(BdmReport *rep)
{
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, rep->conversations);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		analyse(rep, value);
	rep->account_rows = sorted_rows(rep->accounts);
	rep->agent_rows = sorted_rows(rep->agents);
}

double bdm_report_within_share(const BdmReportRow *row)
{
	gint64 due = row->within_target + row->missed_target;

	return due > 0 ? 100.0 * (double)row->within_target / (double)due : -1;
}

static int compare_counts(gconstpointer a, gconstpointer b, gpointer counts)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	gsize cx = GPOINTER_TO_SIZE(g_hash_table_lookup(counts, x));
	gsize cy = GPOINTER_TO_SIZE(g_hash_table_lookup(counts, y));

	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(x, y);
}

GPtrArray *bdm_report_sorted_counts(GHashTable *counts)
{
	GPtrArray *keys = g_ptr_array_new();
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, counts);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		g_ptr_array_add(keys, key);
	g_ptr_array_sort_with_data(keys, compare_counts, counts);
	return keys;
}

char *bdm_report_duration(gint64 seconds)
{
	if (seconds < 0)
		return g_strdup("-");
	if (seconds < 60)
		return g_strdup_printf("%" G_GINT64_FORMAT "s", seconds);
	if (seconds < 3600)
		return g_strdup_printf("%" G_GINT64_FORMAT "m %02" G_GINT64_FORMAT "s", seconds / 60,
		                       seconds % 60);
	if (seconds < 86400)
		return g_strdup_printf("%" G_GINT64_FORMAT "h %02" G_GINT64_FORMAT "m",
		                       seconds / 3600, seconds / 60 % 60);
	return g_strdup_printf("%" G_GINT64_FORMAT "d %02" G_GINT64_FORMAT "h", seconds / 86400,
	                       seconds / 3600 % 24);
}
