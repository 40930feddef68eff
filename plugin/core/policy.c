/*
 * The policy engine: the rule table, running the scanners over a message
 * and collecting their findings into a verdict.
 *
 * Malformed UTF-8 never reaches a scanner.  Each invalid byte is replaced by
 * '?' in a private copy of the text, which keeps every byte offset the same,
 * so the scanners still find a card number next to a broken byte and the
 * spans they report fit the original text.  The invalid bytes themselves are
 * a finding of rule text.encoding (block by default): platforms reject such
 * text, and what the agent sees is not what the customer would get.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

static const BdmRuleInfo rule_table[BDM_RULE_COUNT] = {
	[BDM_RULE_SENSITIVE_CARD] = { "sensitive.card", N_("Payment card number"),
		BDM_VERDICT_BLOCK, TRUE },
	[BDM_RULE_SENSITIVE_IBAN] = { "sensitive.iban", N_("Bank account number (IBAN)"),
		BDM_VERDICT_BLOCK, TRUE },
	[BDM_RULE_SENSITIVE_SSN] = { "sensitive.ssn", N_("US Social Security number"),
		BDM_VERDICT_BLOCK, TRUE },
	[BDM_RULE_SENSITIVE_SECRET] = { "sensitive.secret", N_("Password, key or access token"),
		BDM_VERDICT_BLOCK, TRUE },
	[BDM_RULE_SENSITIVE_EMAIL] = { "sensitive.email", N_("Third-party e-mail address"),
		BDM_VERDICT_WARN, TRUE },
	[BDM_RULE_SENSITIVE_PHONE] = { "sensitive.phone", N_("Third-party phone number"),
		BDM_VERDICT_WARN, TRUE },
	[BDM_RULE_LINKS_SCHEME] = { "links.scheme", N_("Link without https"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_LINKS_DOMAIN] = { "links.domain", N_("Link to a site that is not allowed"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_LINKS_SHORTENER] = { "links.shortener", N_("Shortened link"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_LINKS_IP] = { "links.ip", N_("Link to a raw IP address"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_LINKS_LOOKALIKE] = { "links.lookalike", N_("Look-alike web address"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_LANGUAGE_OFFENSIVE] = { "language.offensive", N_("Offensive word"),
		BDM_VERDICT_WARN, FALSE },
	[BDM_RULE_LANGUAGE_SHOUTING] = { "language.shouting", N_("Shouting (capital letters)"),
		BDM_VERDICT_WARN, FALSE },
	[BDM_RULE_OUTREACH_FIRST_CONTACT] = { "outreach.first_contact",
		N_("Unsolicited first contact"), BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_OUTREACH_PROMOTIONAL] = { "outreach.promotional", N_("Promotional wording"),
		BDM_VERDICT_WARN, FALSE },
	[BDM_RULE_OUTREACH_AUTOMATED_DISCLOSURE] = { "outreach.automated_disclosure",
		N_("Automated message without disclosure"), BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_PLATFORM_LENGTH] = { "platform.length", N_("Message too long"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_PLATFORM_WINDOW] = { "platform.window", N_("Outside the reply window"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_AGENT_UNAUTHORISED] = { "agent.unauthorised", N_("Not authorised on this account"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_TEXT_ENCODING] = { "text.encoding", N_("Invalid characters"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_TEAM_ASSIGNED_ELSEWHERE] = { "team.assigned_elsewhere",
		N_("Conversation assigned to a colleague"), BDM_VERDICT_WARN, FALSE },
	[BDM_RULE_ATTACHMENT_TYPE] = { "attachment.type", N_("File type not allowed"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_ATTACHMENT_SIZE] = { "attachment.size", N_("File too large"),
		BDM_VERDICT_BLOCK, FALSE },
	[BDM_RULE_ATTACHMENT_NAME] = { "attachment.name", N_("Suspicious file name"),
		BDM_VERDICT_BLOCK, FALSE },
};

const BdmRuleInfo *bdm_rule_info(BdmRule rule)
{
	g_return_val_if_fail(rule < BDM_RULE_COUNT, NULL);
	return &rule_table[rule];
}

gboolean bdm_rule_from_id(const char *id, BdmRule *rule)
{
	if (id == NULL)
		return FALSE;
	for (guint i = 0; i < BDM_RULE_COUNT; i++) {
		if (strcmp(rule_table[i].id, id) == 0) {
			*rule = (BdmRule)i;
			return TRUE;
		}
	}
	return FALSE;
}

const char *bdm_policy_rule_title(const char *rule_id)
{
	BdmRule rule;

	if (!bdm_rule_from_id(rule_id, &rule))
		return NULL;
	return _(rule_table[rule].title);
}

const char *bdm_verdict_level_name(BdmVerdictLevel level)
{
	switch (level) {
	case BDM_VERDICT_ALLOW:
		return "allow";
	case BDM_VERDICT_WARN:
		return "warn";
	case BDM_VERDICT_BLOCK:
		return "block";
	}
	return "block";
}

gboolean bdm_policy_rule_severity(const BdmPolicy *p, const char *rule_id,
                                  BdmVerdictLevel *severity)
{
	BdmRule rule;

	g_return_val_if_fail(p != NULL, FALSE);
	if (!bdm_rule_from_id(rule_id, &rule))
		return FALSE;
	if (severity != NULL)
		*severity = p->severity[rule];
	return TRUE;
}

char *bdm_list_join(const GPtrArray *list)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < list->len; i++) {
		if (i > 0)
			g_string_append(s, ", ");
		g_string_append(s, g_ptr_array_index(list, i));
	}
	return g_string_free(s, FALSE);
}

/* ---- scan helpers ----------------------------------------------------- */

gboolean bdm_scan_rule_on(const BdmScan *scan, BdmRule rule)
{
	return scan->policy->severity[rule] != BDM_VERDICT_ALLOW;
}

void bdm_scan_report(BdmScan *scan, BdmRule rule, gsize start, gsize end, char *explanation)
{
	BdmFinding *f;

	if (!bdm_scan_rule_on(scan, rule)) {
		g_free(explanation);
		return;
	}
	f = g_new0(BdmFinding, 1);
	f->rule_id = g_strdup(rule_table[rule].id);
	f->severity = scan->policy->severity[rule];
	f->start = start;
	f->end = end;
	f->explanation = explanation;
	g_ptr_array_add(scan->findings, f);
}

void bdm_scan_claim(BdmScan *scan, gsize start, gsize end)
{
	BdmSpan span = { start, end };

	g_array_append_val(scan->claimed, span);
}

gboolean bdm_scan_is_claimed(const BdmScan *scan, gsize start, gsize end)
{
	for (guint i = 0; i < scan->claimed->len; i++) {
		const BdmSpan *c = &g_array_index(scan->claimed, BdmSpan, i);

		if (start < c->end && c->start < end)
			return TRUE;
	}
	return FALSE;
}

/* ---- checking --------------------------------------------------------- */

char *bdm_utf8_repair(const char *text, gsize len, BdmSpan *bad)
{
	const char *end;
	char *copy;
	gsize pos = 0;
	gboolean first = TRUE;

	if (g_utf8_validate(text, (gssize)len, &end))
		return NULL;
	copy = g_strndup(text, len);
	while (!g_utf8_validate(copy + pos, (gssize)(len - pos), &end)) {
		gsize at = (gsize)(end - copy);

		if (bad != NULL && first) {
			bad->start = at;
			bad->end = at + 1;
		} else if (bad != NULL && at == bad->end) {
			bad->end = at + 1;
		}
		first = FALSE;
		copy[at] = '?';
		pos = at + 1;
	}
	return copy;
}

static int compare_findings(gconstpointer a, gconstpointer b)
{
	const BdmFinding *fa = *(BdmFinding *const *)a;
	const BdmFinding *fb = *(BdmFinding *const *)b;
	BdmRule ra = BDM_RULE_COUNT, rb = BDM_RULE_COUNT;

	if (fa->start != fb->start)
		return fa->start < fb->start ? -1 : 1;
	if (fa->end != fb->end)
		return fa->end < fb->end ? -1 : 1;
	bdm_rule_from_id(fa->rule_id, &ra);
	bdm_rule_from_id(fb->rule_id, &rb);
	return (int)ra - (int)rb;
}

static void finding_free(gpointer data)
{
	BdmFinding *f = data;

	g_free(f->rule_id);
	g_free(f->explanation);
	g_free(f);
}

GPtrArray *bdm_findings_new(void)
{
	return g_ptr_array_new_with_free_func(finding_free);
}

BdmVerdict *bdm_verdict_from_findings(GPtrArray *findings)
{
	BdmVerdict *v = g_new0(BdmVerdict, 1);

	g_ptr_array_sort(findings, compare_findings);
	v->level = BDM_VERDICT_ALLOW;
	for (guint i = 0; i < findings->len; i++) {
		BdmFinding *f = g_ptr_array_index(findings, i);

		if (f->severity > v->level)
			v->level = f->severity;
	}
	v->findings = findings;
	return v;
}

/* Every file that has an [agents] group must allow: the user file can only
 * narrow what the system file grants. */
static gboolean agents_allow(const BdmPolicy *p, const char *platform, const char *account,
                             const char *agent)
{
	for (guint i = 0; i < p->agent_tables->len; i++) {
		if (!bdm_agent_table_allows(g_ptr_array_index(p->agent_tables, i),
		                            platform, account, agent))
			return FALSE;
	}
	return TRUE;
}

BdmVerdict *bdm_policy_check(const BdmPolicy *p, const BdmCheckInput *in)
{
	BdmVerdict *v;
	BdmScan scan = { 0 };
	BdmSpan bad = { 0, 0 };
	const char *text;
	char *repaired;

	g_return_val_if_fail(p != NULL && in != NULL, NULL);
	text = in->text != NULL ? in->text : "";
	scan.policy = p;
	scan.in = in;
	scan.len = strlen(text);
	repaired = bdm_utf8_repair(text, scan.len, &bad);
	scan.text = repaired != NULL ? repaired : text;
	scan.findings = bdm_findings_new();
	scan.claimed = g_array_new(FALSE, FALSE, sizeof(BdmSpan));

	if (repaired != NULL)
		bdm_scan_report(&scan, BDM_RULE_TEXT_ENCODING, bad.start, bad.end,
		                g_strdup(_("The message contains bytes that are not valid text "
		                           "(UTF-8). Type or paste the message again.")));
	if (!agents_allow(p, in->platform, in->account, in->agent))
		bdm_scan_report(&scan, BDM_RULE_AGENT_UNAUTHORISED, 0, 0,
		                g_strdup(_("You are not authorised to send on this account; "
		                           "it is read-only for you.")));
	/* Two agents answering one customer at once contradict each other;
	 * an automatic reply is not an agent's. */
	if (in->assigned_elsewhere != NULL && !in->automated)
		bdm_scan_report(&scan, BDM_RULE_TEAM_ASSIGNED_ELSEWHERE, 0, 0,
		                g_strdup_printf(_("%s is handling this conversation. Leave the "
		                                  "reply to them, or take it over with /assign "
		                                  "first."), in->assigned_elsewhere));
	/* Order matters: each scanner claims what it found, so that later
	 * ones (contacts) do not report a card number again as a phone number. */
	bdm_scan_platform(&scan);
	bdm_scan_outreach(&scan);
	bdm_scan_financial(&scan);
	bdm_scan_secrets(&scan);
	bdm_scan_links(&scan);
	bdm_scan_contacts(&scan);
	bdm_scan_language(&scan);

	v = bdm_verdict_from_findings(scan.findings);
	g_array_free(scan.claimed, TRUE);
	g_free(repaired);
	return v;
}

void bdm_verdict_free(BdmVerdict *v)
{
	if (v == NULL)
		return;
	g_ptr_array_unref(v->findings);
	g_free(v);
}

gboolean bdm_policy_agent_may_send(const BdmPolicy *p, const char *platform,
                                   const char *account, const char *agent)
{
	g_return_val_if_fail(p != NULL, FALSE);
	return p->severity[BDM_RULE_AGENT_UNAUTHORISED] != BDM_VERDICT_BLOCK ||
	       agents_allow(p, platform, account, agent);
}
