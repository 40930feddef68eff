/*
 * Escalation: trigger matching, /escalate arguments, webhook payloads.
 *
 * The payload is built with json-glib, never by pasting strings, because
 * the excerpt is the customer's own text: quotes, backslashes, control
 * characters and invalid UTF-8 must all come out as valid JSON.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "escalation.h"
#include "text_fold.h"

G_DEFINE_QUARK(bdm-escalation-error-quark, bdm_escalation_error)

/* ---- triggers ---------------------------------------------------------------- */

static void match_free(gpointer data)
{
	BdmEscalationMatch *m = data;

	g_free(m->trigger);
	g_free(m->department);
	g_free(m->tag);
	g_free(m->keyword);
	g_free(m);
}

/* The earliest keyword of t in ft (the longer one on a tie), or NULL. */
static BdmEscalationMatch *match_trigger(const BdmTrigger *t, const BdmFoldedText *ft)
{
	BdmEscalationMatch *best = NULL;
	char **kw;

	for (kw = t->keywords; kw != NULL && *kw != NULL; kw++) {
		char *folded = bdm_fold_keyword(*kw);
		gsize start, end;

		if (bdm_folded_text_find_word(ft, folded, &start, &end) &&
		    (best == NULL || start < best->start ||
		     (start == best->start && end > best->end))) {
			if (best == NULL)
				best = g_new0(BdmEscalationMatch, 1);
			g_free(best->keyword);
			best->keyword = g_strdup(*kw);
			best->start = start;
			best->end = end;
		}
		g_free(folded);
	}
	if (best != NULL) {
		best->trigger = g_strdup(t->name);
		best->department = g_strdup(t->department);
		best->urgent = t->urgent;
		best->tag = g_strdup(t->tag);
	}
	return best;
}

static gint compare_position(gconstpointer a, gconstpointer b)
{
	const BdmEscalationMatch *x = *(BdmEscalationMatch *const *)a;
	const BdmEscalationMatch *y = *(BdmEscalationMatch *const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

GPtrArray *bdm_escalation_match_triggers(const BdmDeskConfig *cfg, const char *incoming_text)
{
	GPtrArray *matches = g_ptr_array_new_with_free_func(match_free);
	const GPtrArray *triggers;
	BdmFoldedText ft;
	guint i;

	g_return_val_if_fail(cfg != NULL, matches);

	if (incoming_text == NULL)
		return matches;
	triggers = bdm_desk_config_triggers(cfg);
	bdm_folded_text_init(&ft, incoming_text);
	for (i = 0; i < triggers->len; i++) {
		BdmEscalationMatch *m = match_trigger(g_ptr_array_index(triggers, i), &ft);

		if (m != NULL)
			g_ptr_array_add(matches, m);
	}
	bdm_folded_text_clear(&ft);
	/* Stable: triggers matching at the same place keep configuration order. */
	g_ptr_array_sort(matches, compare_position);
	return matches;
}

/* ---- validation ---------------------------------------------------------------- */

/* Edit distance of two short ASCII names, for "did you mean". */
static guint edit_distance(const char *a, const char *b)
{
	gsize la = strlen(a), lb = strlen(b), i, j;
	guint *row, result;

	if (la > 64 || lb > 64)
		return G_MAXUINT;
	row = g_new(guint, lb + 1);
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		guint diagonal = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			guint above = row[j];
			guint cost = g_ascii_tolower(a[i - 1]) == g_ascii_tolower(b[j - 1]) ? 0 : 1;

			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diagonal + cost);
			diagonal = above;
		}
	}
	result = row[lb];
	g_free(row);
	return result;
}

/* "billing, legal, privacy"; *suggestion is the one name that starts with
 * wrong or is at most two typos away from it, if exactly one is. */
static char *describe_names(const GPtrArray *names, const char *(*name_of)(gpointer),
                            const char *wrong, const char **suggestion)
{
	GString *list = g_string_new(NULL);
	guint i, close_matches = 0;

	*suggestion = NULL;
	for (i = 0; i < names->len; i++) {
		const char *name = name_of(g_ptr_array_index(names, i));

		if (list->len > 0)
			g_string_append(list, ", ");
		g_string_append(list, name);
		if (g_ascii_strncasecmp(name, wrong, strlen(wrong)) == 0 ||
		    edit_distance(name, wrong) <= 2) {
			close_matches++;
			*suggestion = name;
		}
	}
	if (close_matches != 1)
		*suggestion = NULL;
	return g_string_free(list, FALSE);
}

static const char *department_name(gpointer data)
{
	return ((const BdmDepartment *)data)->name;
}

static const char *label_name(gpointer data)
{
	return data;
}

static gboolean refuse(GError **error, int code, const char *what_format, const char *wrong,
                       const char *list, const char *suggestion)
{
	char *what = g_strdup_printf(what_format, wrong);

	if (suggestion != NULL)
		g_set_error(error, BDM_ESCALATION_ERROR, code, _("%s Did you mean “%s”? Valid: %s."),
		            what, suggestion, list);
	else if (*list != '\0')
		g_set_error(error, BDM_ESCALATION_ERROR, code, _("%s Valid: %s."), what, list);
	else
		g_set_error(error, BDM_ESCALATION_ERROR, code, _("%s None are configured."), what);
	g_free(what);
	return FALSE;
}

gboolean bdm_escalation_validate(const BdmDeskConfig *cfg, const char *department,
                                 const char *label, GError **error)
{
	const char *suggestion;
	char *list;
	gboolean ok = TRUE;

	g_return_val_if_fail(cfg != NULL, FALSE);

	if (department != NULL && bdm_desk_config_department(cfg, department) == NULL) {
		list = describe_names(bdm_desk_config_departments(cfg), department_name, department,
		                      &suggestion);
		ok = refuse(error, BDM_ESCALATION_ERROR_UNKNOWN_DEPARTMENT,
		            _("There is no department “%s”."), department, list, suggestion);
		g_free(list);
	} else if (label != NULL && !bdm_desk_config_has_label(cfg, label)) {
		list = describe_names(bdm_desk_config_labels(cfg), label_name, label, &suggestion);
		ok = refuse(error, BDM_ESCALATION_ERROR_UNKNOWN_LABEL, _("There is no label “%s”."),
		            label, list, suggestion);
		g_free(list);
	}
	return ok;
}

/* ---- /escalate arguments ----------------------------------------------------------- */

void bdm_escalate_args_clear(BdmEscalateArgs *args)
{
	g_free(args->department);
	g_free(args->reason);
	memset(args, 0, sizeof(*args));
}

static const char *skip_space(const char *p)
{
	while (g_ascii_isspace(*p))
		p++;
	return p;
}

static const char *word_end(const char *p)
{
	while (*p != '\0' && !g_ascii_isspace(*p))
		p++;
	return p;
}

gboolean bdm_escalation_parse_args(const char *args, BdmEscalateArgs *out, GError **error)
{
	const char *p = skip_space(args != NULL ? args : "");
	const char *end = word_end(p);
	char *reason;

	if (p == end) {
		g_set_error(error, BDM_ESCALATION_ERROR, BDM_ESCALATION_ERROR_USAGE,
		            _("Usage: /escalate DEPARTMENT [urgent] REASON"));
		return FALSE;
	}
	out->department = g_ascii_strdown(p, end - p);
	p = skip_space(end);
	end = word_end(p);
	if (end - p == 6 && g_ascii_strncasecmp(p, "urgent", 6) == 0) {
		out->urgent = TRUE;
		p = skip_space(end);
	}
	reason = g_strstrip(g_strdup(p));
	if (*reason == '\0') {
		g_free(reason);
		g_set_error(error, BDM_ESCALATION_ERROR, BDM_ESCALATION_ERROR_USAGE,
		            _("Say why: /escalate %s%s REASON"), out->department,
		            out->urgent ? " urgent" : "");
		bdm_escalate_args_clear(out);
		return FALSE;
	}
	out->reason = reason;
	return TRUE;
}

/* ---- webhook payload ---------------------------------------------------------------- */

static void add_string(JsonBuilder *b, const char *member, const char *value)
{
	json_builder_set_member_name(b, member);
	if (value == NULL) {
		json_builder_add_null_value(b);
	} else {
		char *valid = g_utf8_make_valid(value, -1);

		json_builder_add_string_value(b, valid);
		g_free(valid);
	}
}

static char *shorten_excerpt(const char *text)
{
	char *valid = g_utf8_make_valid(text, -1);
	char *shortened;

	if (g_utf8_strlen(valid, -1) <= BDM_ESCALATION_EXCERPT_MAX)
		return valid;
	shortened = g_utf8_substring(valid, 0, BDM_ESCALATION_EXCERPT_MAX);
	g_free(valid);
	valid = g_strconcat(shortened, "…", NULL);
	g_free(shortened);
	return valid;
}

static char *iso8601(gint64 t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *text;

	if (dt == NULL) /* outside years 1..9999: say so rather than invent a date */
		return NULL;
	text = g_date_time_format_iso8601(dt);
	g_date_time_unref(dt);
	return text;
}

char *bdm_escalation_webhook_payload(const BdmEscalationEvent *event)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *gen = json_generator_new();
	JsonNode *root;
	char *time_text = iso8601(event->time);
	char *excerpt = event->excerpt != NULL ? shorten_excerpt(event->excerpt) : NULL;
	char *json;

	json_builder_begin_object(b);
	add_string(b, "event", "escalation");
	add_string(b, "department", event->department);
	json_builder_set_member_name(b, "urgent");
	json_builder_add_boolean_value(b, event->urgent);
	add_string(b, "reason", event->reason);
	add_string(b, "trigger", event->trigger);
	add_string(b, "platform", event->platform);
	add_string(b, "account", event->account);
	json_builder_set_member_name(b, "customer");
	json_builder_begin_object(b);
	add_string(b, "id", event->customer_id);
	add_string(b, "name", event->customer_name);
	json_builder_end_object(b);
	add_string(b, "conversation_id", event->conversation_id);
	add_string(b, "agent", event->agent);
	add_string(b, "time", time_text);
	add_string(b, "excerpt", excerpt);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	json = json_generator_to_data(gen, NULL);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
	g_free(time_text);
	g_free(excerpt);
	return json;
}
