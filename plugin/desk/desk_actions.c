/*
 * The desk in libpurple's menus and buddy list.  See desk_actions.h.
 *
 * Texts are shown with purple_notify_formatted, which both Pidgin and Finch
 * implement; every customer-supplied string is escaped first, because the
 * text is HTML and names are hostile input.  The Waiting and Escalated lists
 * are search-results tables (desk_results.h): plain cells, each row openable.
 */
#include <string.h>

#include <account.h>
#include <debug.h>
#include <notify.h>
#include <util.h>

#include "branddm/i18n.h"
#include "desk_actions.h"
#include "desk_features.h"
#include "desk_results.h"

static void show_html(PurplePluginAction *action, const char *title, const char *primary,
                      const char *html)
{
	purple_notify_formatted(action->context, title, primary, NULL, html, NULL, NULL);
}

/* Append text escaped, line breaks as <br>. */
static void append_escaped(GString *html, const char *text)
{
	char *broken = bdm_text_to_html(text);

	g_string_append(html, broken);
	g_free(broken);
}

static void action_policy_summary(PurplePluginAction *action)
{
	char *summary = bdm_policy_summary(bdm_desk_policy());
	GString *html = g_string_new(NULL);

	append_escaped(html, summary);
	show_html(action, _("Policy summary"), _("BrandDM message policy"), html->str);
	g_string_free(html, TRUE);
	g_free(summary);
}

static void action_open_log_folder(PurplePluginAction *action)
{
	char *uri = g_filename_to_uri(bdm_desk.config_dir, NULL, NULL);

	/* Finch cannot open a file manager: the folder is also named in the dialog. */
	purple_notify_uri(action->context, uri ? uri : bdm_desk.config_dir);
	purple_notify_info(action->context, _("Open log folder"), _("The conversation log is in:"),
	                   bdm_journal_path());
	g_free(uri);
}

static void action_templates(PurplePluginAction *action)
{
	const BdmTemplates *lib = bdm_desk_templates();
	GPtrArray *names = bdm_templates_list(lib, NULL);
	GString *html = g_string_new(NULL);
	guint i;

	if (names->len == 0)
		append_escaped(html, _("No templates are configured. Templates are read from "
		                       "templates.conf (see the BrandDM documentation)."));
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		const char *description = bdm_template_description(lib, name);

		g_string_append(html, "<b>");
		append_escaped(html, name);
		g_string_append(html, "</b> (");
		append_escaped(html, bdm_template_category(lib, name));
		g_string_append(html, ")");
		if (description) {
			g_string_append(html, " — ");
			append_escaped(html, description);
		}
		if (bdm_template_is_automated(lib, name))
			append_escaped(html, _(" (automated)"));
		g_string_append(html, "<br>");
	}
	show_html(action, _("Templates"), _("Type /tpl NAME in a conversation to insert one."),
	          html->str);
	g_string_free(html, TRUE);
	g_ptr_array_unref(names);
}

/* The connection an action runs for, with its conversations' desk state. */
static GPtrArray *action_convs(PurplePluginAction *action, BdmConn **conn)
{
	*conn = bdm_conn_of(action->context);
	if (*conn == NULL)
		return NULL;
	return bdm_desk_conv_list(bdm_conn_platform(*conn), bdm_conn_account_id(*conn));
}

static const BdmSlaState *conv_sla(gconstpointer item)
{
	return &((const BdmDeskConv *)item)->sla;
}

/* "Ada Lovelace (5001)", or the id alone while no name is known. */
static char *customer_cell(BdmConn *conn, BdmDeskConv *conv)
{
	const char *name = bdm_desk_conv_customer_name(conv, conn);

	return name ? g_strdup_printf("%s (%s)", name, conv->customer) : g_strdup(conv->customer);
}

static char *due_cell(gint64 t)
{
	GDateTime *dt = g_date_time_new_from_unix_local(t);
	GDateTime *today = g_date_time_new_now_local();
	char *text;

	if (dt == NULL)
		text = g_strdup("?");
	else if (g_date_time_get_year(dt) == g_date_time_get_year(today) &&
	         g_date_time_get_day_of_year(dt) == g_date_time_get_day_of_year(today))
		text = g_date_time_format(dt, "%H:%M");
	else
		text = g_date_time_format(dt, "%a %d %b %H:%M");
	if (dt)
		g_date_time_unref(dt);
	g_date_time_unref(today);
	return text;
}

/* Waited, target, due and where it stands, of a waiting conversation. */
typedef struct {
	char *waited, *target, *due, *status;
} WaitCells;

static void wait_cells(const BdmDeskConv *conv, gint64 now, WaitCells *w)
{
	BdmSlaStatus st = bdm_sla_evaluate(bdm_desk_config(), &conv->sla, now);

	w->waited = bdm_desk_format_duration(now - conv->sla.waiting_since);
	w->target = bdm_desk_format_duration(st.target);
	w->due = due_cell(st.deadline);
	w->status = conv->sla.urgent ? g_strdup_printf(_("%s, urgent"), bdm_sla_level_name(st.level))
	                             : g_strdup(bdm_sla_level_name(st.level));
}

static void wait_cells_clear(WaitCells *w)
{
	g_free(w->waited);
	g_free(w->target);
	g_free(w->due);
	g_free(w->status);
	memset(w, 0, sizeof(*w));
}

static void action_waiting(PurplePluginAction *action)
{
	const char *const columns[] = { _("Customer"), _("Waiting"), _("Target"), _("Due"),
	                                _("Status"), _("Assigned"), NULL };
	BdmConn *conn;
	GPtrArray *convs = action_convs(action, &conn), *sorted;
	gint64 now = bdm_now();
	BdmResults *results;
	guint i;

	if (convs == NULL)
		return;
	sorted = bdm_sla_sort_due(bdm_desk_config(), convs, conv_sla, now);
	results = bdm_desk_results_new(columns);
	for (i = 0; i < sorted->len; i++) {
		BdmDeskConv *conv = g_ptr_array_index(sorted, i);
		char *customer = customer_cell(conn, conv);
		WaitCells w;
		const char *cells[7];

		wait_cells(conv, now, &w);
		cells[0] = customer;
		cells[1] = w.waited;
		cells[2] = w.target;
		cells[3] = w.due;
		cells[4] = w.status;
		cells[5] = conv->assigned;
		cells[6] = NULL;
		bdm_desk_results_add_row(results, conv->platform, conv->account, conv->customer, cells);
		wait_cells_clear(&w);
		g_free(customer);
	}
	if (bdm_desk_results_count(results) == 0) {
		bdm_desk_results_free(results);
		purple_notify_info(action->context, _("Waiting conversations"),
		                   _("No customer is waiting for an answer."), NULL);
	} else {
		bdm_desk_results_show(results, action->context, _("Waiting conversations"),
		                      _("Customers waiting for an answer, most urgent first"),
		                      _("Select one and press IM to open the conversation."));
	}
	g_ptr_array_unref(sorted);
	g_ptr_array_unref(convs);
}

/* Urgent first, then the soonest due (waiting ones before the rest), then
 * the longest escalated. */
static int by_urgency(gconstpointer a, gconstpointer b, gpointer data)
{
	const BdmDeskConv *x = *(BdmDeskConv *const *)a, *y = *(BdmDeskConv *const *)b;
	gint64 now = *(const gint64 *)data;
	gint64 dx, dy;

	if (x->sla.urgent != y->sla.urgent)
		return x->sla.urgent ? -1 : 1;
	dx = x->sla.waiting_since ? bdm_sla_evaluate(bdm_desk_config(), &x->sla, now).deadline
	                          : G_MAXINT64;
	dy = y->sla.waiting_since ? bdm_sla_evaluate(bdm_desk_config(), &y->sla, now).deadline
	                          : G_MAXINT64;
	if (dx != dy)
		return dx < dy ? -1 : 1;
	if (x->escalated_at != y->escalated_at)
		return x->escalated_at < y->escalated_at ? -1 : 1;
	return g_strcmp0(x->customer, y->customer);
}

static void action_escalated(PurplePluginAction *action)
{
	const char *const columns[] = { _("Customer"), _("Department"), _("Ticket"), _("Reason"),
	                                _("Waiting"), _("Due"), _("Assigned"), NULL };
	BdmConn *conn;
	GPtrArray *convs = action_convs(action, &conn), *escalated;
	gint64 now = bdm_now();
	BdmResults *results;
	guint i;

	if (convs == NULL)
		return;
	escalated = g_ptr_array_new();
	for (i = 0; i < convs->len; i++)
		if (((BdmDeskConv *)g_ptr_array_index(convs, i))->department != NULL)
			g_ptr_array_add(escalated, g_ptr_array_index(convs, i));
	g_ptr_array_sort_with_data(escalated, by_urgency, &now);
	results = bdm_desk_results_new(columns);
	for (i = 0; i < escalated->len; i++) {
		BdmDeskConv *conv = g_ptr_array_index(escalated, i);
		char *customer = customer_cell(conn, conv);
		char *department = conv->sla.urgent ? g_strdup_printf(_("%s, urgent"), conv->department)
		                                    : g_strdup(conv->department);
		WaitCells w = { 0 };
		const char *cells[8];

		if (conv->sla.waiting_since != 0)
			wait_cells(conv, now, &w);
		cells[0] = customer;
		cells[1] = department;
		cells[2] = conv->ticket ? conv->ticket : "-";
		cells[3] = conv->reason;
		cells[4] = w.waited ? w.waited : _("answered");
		cells[5] = w.due;
		cells[6] = conv->assigned;
		cells[7] = NULL;
		bdm_desk_results_add_row(results, conv->platform, conv->account, conv->customer, cells);
		wait_cells_clear(&w);
		g_free(department);
		g_free(customer);
	}
	if (bdm_desk_results_count(results) == 0) {
		bdm_desk_results_free(results);
		purple_notify_info(action->context, _("Escalated conversations"),
		                   _("No conversation is escalated."), NULL);
	} else {
		bdm_desk_results_show(results, action->context, _("Escalated conversations"),
		                      _("Conversations handed to a department, most urgent first"),
		                      _("Select one and press IM to open the conversation."));
	}
	g_ptr_array_unref(escalated);
	g_ptr_array_unref(convs);
}

GList *bdm_desk_protocol_actions(PurplePlugin *plugin, gpointer context)
{
	GList *actions = NULL;

	(void)plugin;
	(void)context;
	actions = g_list_append(actions, purple_plugin_action_new(_("Templates"), action_templates));
	actions = g_list_append(actions, purple_plugin_action_new(_("Waiting conversations"),
	                                                          action_waiting));
	actions = g_list_append(actions, purple_plugin_action_new(_("Escalated conversations"),
	                                                          action_escalated));
	actions = g_list_append(actions, purple_plugin_action_new(_("Policy summary"),
	                                                          action_policy_summary));
	actions = g_list_append(actions, purple_plugin_action_new(_("Open log folder"),
	                                                          action_open_log_folder));
	return actions;
}

void bdm_desk_tooltip_text(PurpleBuddy *buddy, PurpleNotifyUserInfo *info, gboolean full)
{
	BdmDeskConv *conv = bdm_desk_conv_of_account(purple_buddy_get_account(buddy),
	                                             purple_buddy_get_name(buddy));
	(void)full;
	if (conv == NULL)
		return;
	/* Plain-text pairs: libpurple escapes them (names and reasons are hostile). */
	if (conv->department) {
		char *text = g_strdup_printf(conv->sla.urgent ? _("%s (urgent), ticket %s")
		                                              : _("%s, ticket %s"),
		                             conv->department, conv->ticket ? conv->ticket : "-");
		purple_notify_user_info_add_pair_plaintext(info, _("Escalated"), text);
		g_free(text);
	}
	if (conv->assigned != NULL)
		purple_notify_user_info_add_pair_plaintext(info, _("Assigned"), conv->assigned);
	if (conv->tags->len > 0) {
		GString *joined = g_string_new(NULL);
		guint i;
		for (i = 0; i < conv->tags->len; i++)
			g_string_append_printf(joined, "%s%s", i ? ", " : "",
			                       (const char *)g_ptr_array_index(conv->tags, i));
		purple_notify_user_info_add_pair_plaintext(info, _("Tags"), joined->str);
		g_string_free(joined, TRUE);
	}
	if (conv->sla.waiting_since != 0) {
		gint64 now = bdm_now();
		BdmSlaStatus st = bdm_sla_evaluate(bdm_desk_config(), &conv->sla, now);
		char *waited = bdm_desk_format_duration(now - conv->sla.waiting_since);
		char *text = g_strdup_printf("%s (%s)", waited, bdm_sla_level_name(st.level));
		purple_notify_user_info_add_pair_plaintext(info, _("Waiting"), text);
		g_free(text);
		g_free(waited);
	}
}

const char *bdm_desk_list_emblem(PurpleBuddy *buddy)
{
	BdmDeskConv *conv = bdm_desk_conv_of_account(purple_buddy_get_account(buddy),
	                                             purple_buddy_get_name(buddy));

	if (conv == NULL)
		return NULL;
	/* Emblems Pidgin ships: a red "no entry" for what cannot wait, the
	 * "external" globe for a conversation handed to a department. */
	if (conv->sla.urgent || (conv->sla.waiting_since != 0 &&
	                         conv->alerted.waiting_since == conv->sla.waiting_since &&
	                         conv->alerted.level == BDM_SLA_BREACH))
		return "not-authorized";
	if (conv->department != NULL)
		return "external";
	return NULL;
}
