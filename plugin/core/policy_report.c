/*
 * Presenting policy results: a verdict as plain text for the agent or as
 * JSON for tools, and the policy itself as a summary or a few lines.
 *
 * The description quotes the part of the message each rule fired on, so the
 * agent can find it without counting characters.  Sensitive data (card
 * numbers, IBANs, addresses) is quoted masked, with only its last four
 * letters or digits to recognise it by, and secrets not even those: the
 * text may end up in a conversation window, a log or a screenshot.  The
 * caller writes the one heading ("Not sent", "Check before sending").
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

#define MASK_KEEP 4          /* letters or digits shown at the end of a masked span */
#define SNIPPET_CHARS 40     /* characters shown of any span */
#define MASK_CHAR 0x2022     /* "•" */

/* ---- describe ------------------------------------------------------------ */

/* text[start, end) as one line, limited to max characters, "…" if cut. */
static void append_snippet(GString *out, const char *text, gsize start, gsize end, glong max)
{
	const char *p = text + start, *stop = text + end;
	glong shown = 0;

	while (p < stop && shown < max) {
		gunichar c = g_utf8_get_char(p);

		g_string_append_unichar(out, g_unichar_iscntrl(c) ? ' ' : c);
		shown++;
		p = g_utf8_next_char(p);
	}
	if (p < stop) {
		/* "030 …", not "030  …", when the cut falls after a space. */
		while (out->len > 0 && out->str[out->len - 1] == ' ')
			g_string_truncate(out, out->len - 1);
		g_string_append(out, shown > 0 ? " …" : "…");
	}
}

/* text[start, end) with every letter and digit but the last keep ones as
 * "•", separators kept so the shape stays recognisable ("•••• •••• •••• 1111");
 * a long span keeps its end, where the shown characters are. */
static void append_masked(GString *out, const char *text, gsize start, gsize end, guint keep)
{
	GString *masked = g_string_new(NULL);
	const char *p = text + end;
	guint kept = 0;
	glong chars;

	/* Walk backwards: the last `keep` letters or digits stay readable. */
	while (p > text + start) {
		gunichar c;

		p = g_utf8_prev_char(p);
		c = g_utf8_get_char(p);
		if (g_unichar_isalnum(c)) {
			if (kept < keep)
				kept++;
			else
				c = MASK_CHAR;
		} else if (g_unichar_iscntrl(c)) {
			c = ' ';
		}
		g_string_prepend_unichar(masked, c);
	}
	chars = g_utf8_strlen(masked->str, -1);
	if (chars > SNIPPET_CHARS) {
		g_string_append(out, "… ");
		g_string_append(out, g_utf8_offset_to_pointer(masked->str, chars - SNIPPET_CHARS));
	} else {
		g_string_append(out, masked->str);
	}
	g_string_free(masked, TRUE);
}

/* level: the verdict's; a finding of a milder severity says so. */
static void describe_finding(GString *out, const BdmFinding *f, BdmVerdictLevel level,
                             const char *text, gsize len)
{
	BdmRule rule = BDM_RULE_COUNT;
	const char *title = f->rule_id;
	const BdmRuleInfo *info = NULL;

	if (bdm_rule_from_id(f->rule_id, &rule)) {
		info = bdm_rule_info(rule);
		title = _(info->title);
	}
	g_string_append_printf(out, "• %s", title);
	/* One heading says block or warning; only a warning among blocks is marked. */
	if (f->severity < level)
		g_string_append_printf(out, " (%s)", _("warning only"));
	/* A whole-message finding, or a span we cannot show, has nothing to quote. */
	if (text != NULL && f->end <= len && f->start < f->end) {
		g_string_append(out, ": «");
		if (info != NULL && info->masked)
			append_masked(out, text, f->start, f->end,
			              rule == BDM_RULE_SENSITIVE_SECRET ? 0 : MASK_KEEP);
		else
			append_snippet(out, text, f->start, f->end, SNIPPET_CHARS);
		g_string_append(out, "»");
	}
	g_string_append_printf(out, "\n  %s\n", f->explanation);
}

char *bdm_verdict_describe(const BdmVerdict *v, const char *text)
{
	GString *out = g_string_new(NULL);
	char *valid = NULL;
	gsize len = 0;

	g_return_val_if_fail(v != NULL, NULL);
	if (text != NULL) {
		len = strlen(text);
		valid = bdm_utf8_repair(text, len, NULL);
		if (valid != NULL)
			text = valid;
	}
	if (v->level == BDM_VERDICT_ALLOW)
		g_string_append(out, _("The message policy has no objection to this message.\n"));
	for (guint i = 0; i < v->findings->len; i++)
		describe_finding(out, g_ptr_array_index(v->findings, i), v->level, text, len);
	g_free(valid);
	return g_string_free(out, FALSE);
}

/* ---- JSON ------------------------------------------------------------------ */

static void append_json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s != '\0'; s++) {
		guchar c = (guchar)*s;

		if (c == '"' || c == '\\')
			g_string_append_printf(out, "\\%c", c);
		else if (c == '\n')
			g_string_append(out, "\\n");
		else if (c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "\\u%04x", c);
		else
			g_string_append_c(out, (char)c);
	}
	g_string_append_c(out, '"');
}

char *bdm_verdict_to_json(const BdmVerdict *v)
{
	GString *out = g_string_new("{\"verdict\":");

	g_return_val_if_fail(v != NULL, NULL);
	append_json_string(out, bdm_verdict_level_name(v->level));
	g_string_append(out, ",\"findings\":[");
	for (guint i = 0; i < v->findings->len; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);

		if (i > 0)
			g_string_append_c(out, ',');
		g_string_append(out, "{\"rule\":");
		append_json_string(out, f->rule_id);
		g_string_append(out, ",\"severity\":");
		append_json_string(out, bdm_verdict_level_name(f->severity));
		g_string_append_printf(out, ",\"start\":%" G_GSIZE_FORMAT ",\"end\":%" G_GSIZE_FORMAT
		                       ",\"explanation\":", f->start, f->end);
		append_json_string(out, f->explanation);
		g_string_append_c(out, '}');
	}
	g_string_append(out, "]}");
	return g_string_free(out, FALSE);
}

/* ---- summary ---------------------------------------------------------------- */

static void append_list(GString *out, const char *label, const GPtrArray *list,
                        const char *if_empty)
{
	char *joined = bdm_list_join(list);

	g_string_append_printf(out, "  %s: %s\n", label, list->len > 0 ? joined : if_empty);
	g_free(joined);
}

static const char *severity_label(BdmVerdictLevel level)
{
	switch (level) {
	case BDM_VERDICT_ALLOW:
		return _("off");
	case BDM_VERDICT_WARN:
		return _("warn");
	case BDM_VERDICT_BLOCK:
		return _("block");
	}
	return "";
}

char *bdm_policy_summary(const BdmPolicy *p)
{
	GString *out = g_string_new(NULL);
	const char *const *notices;

	g_return_val_if_fail(p != NULL, NULL);
	if (*p->version != '\0')
		g_string_append_printf(out, _("Message policy, version %s\n"), p->version);
	else
		g_string_append(out, _("Message policy (no version)\n"));
	g_string_append_printf(out, _("From: %s\n\nRules:\n"), p->source);
	for (guint r = 0; r < BDM_RULE_COUNT; r++) {
		const BdmRuleInfo *info = bdm_rule_info((BdmRule)r);

		g_string_append_printf(out, "  %-6s %s (%s)%s\n", severity_label(p->severity[r]),
		                       _(info->title), info->id,
		                       p->severity_locked[r] ? _(", locked") : "");
	}
	g_string_append(out, _("\nSettings:\n"));
	append_list(out, _("Links may go to"), p->lists[BDM_LIST_LINK_ALLOW],
	            _("no site (every link is stopped)"));
	append_list(out, _("Link shorteners"), p->lists[BDM_LIST_SHORTENERS], _("none"));
	append_list(out, _("The brand's own e-mail addresses"), p->lists[BDM_LIST_EMAIL_ALLOW],
	            _("none"));
	append_list(out, _("The brand's own phone numbers"), p->lists[BDM_LIST_PHONE_ALLOW],
	            _("none"));
	g_string_append_printf(out, _("  Offensive words: %u on the list\n"),
	                       p->lists[BDM_LIST_OFFENSIVE]->len);
	append_list(out, _("Promotional phrases"), p->lists[BDM_LIST_PROMOTIONAL], _("none"));
	append_list(out, _("Automated messages must contain one of"),
	            p->lists[BDM_LIST_DISCLOSURE], _("none"));
	g_string_append_printf(out, _("  Shouting: %d%% or more capitals among at least %d "
	                              "letters\n"),
	                       p->numbers[BDM_NUMBER_SHOUT_PERCENT],
	                       p->numbers[BDM_NUMBER_SHOUT_MIN_LETTERS]);
	append_list(out, _("Files may be of type"), p->lists[BDM_LIST_ATTACH_TYPES],
	            _("none (no file can be sent)"));
	g_string_append_printf(out, _("  Files up to %d MB\n"), p->numbers[BDM_NUMBER_ATTACH_MAX_MB]);
	append_list(out, _("File name extensions never sent"),
	            p->lists[BDM_LIST_ATTACH_EXTENSIONS], _("none"));
	if (p->agent_tables->len == 0) {
		g_string_append(out, _("\nWho may send: everyone, on every account\n"));
	} else {
		g_string_append(out, _("\nWho may send (every list must allow):\n"));
		for (guint i = 0; i < p->agent_tables->len; i++)
			bdm_agent_table_describe(g_ptr_array_index(p->agent_tables, i), out);
	}
	notices = bdm_policy_notices(p);
	if (notices[0] != NULL) {
		g_string_append(out, _("\nNotes:\n"));
		for (guint i = 0; notices[i] != NULL; i++)
			g_string_append_printf(out, "  %s\n", notices[i]);
	}
	return g_string_free(out, FALSE);
}

char *bdm_policy_brief(const BdmPolicy *p)
{
	GString *out = g_string_new(NULL);
	guint blocking = 0, warning = 0;

	g_return_val_if_fail(p != NULL, NULL);
	for (guint r = 0; r < BDM_RULE_COUNT; r++) {
		if (p->severity[r] == BDM_VERDICT_BLOCK)
			blocking++;
		else if (p->severity[r] == BDM_VERDICT_WARN)
			warning++;
	}
	if (*p->version != '\0')
		g_string_append_printf(out, _("Version %s, from %s\n"), p->version, p->source);
	else
		g_string_append_printf(out, _("No version, from %s\n"), p->source);
	/* Two counts in one sentence: each its own plural. */
	g_string_append_printf(out, dngettext(GETTEXT_PACKAGE, "%u rule blocks sending",
	                                      "%u rules block sending", blocking), blocking);
	g_string_append(out, ", ");
	g_string_append_printf(out, dngettext(GETTEXT_PACKAGE, "%u rule warns",
	                                      "%u rules warn", warning), warning);
	g_string_append(out, ".\n");
	return g_string_free(out, FALSE);
}
