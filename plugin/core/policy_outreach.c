/*
 * Outreach rules: who may start a conversation, advertising in replies,
 * and the disclosure automated messages must carry.
 *
 * Platforms let a brand answer customers, not approach them: Instagram
 * conversations can only begin with the customer, and Messenger treats an
 * unprompted message as spam.  Automated messages must say that they are
 * automated where the law requires it (Meta's Messenger policy cites
 * California and Germany).
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"
#include "text_fold.h"

#define MAX_PHRASE_BYTES 200

/* Phrases are folded once, when the policy loads, and matched against the
 * folded message as whole words: "Buy  NOW" matches "buy now",
 * "unsubscribe" does not match "subscribe", "automático" matches
 * "automatico". */
struct BdmPhraseSet {
	GPtrArray *folded;    /* char*, parallel to entries */
	GPtrArray *entries;   /* const char*: as configured, owned by the policy */
};

gboolean bdm_phrase_is_valid(const char *entry)
{
	char *folded = bdm_fold_keyword(entry);
	guint words = 1;
	gboolean ok = *folded != '\0' && strlen(folded) <= MAX_PHRASE_BYTES;

	for (const char *c = folded; *c != '\0'; c++)
		words += *c == ' ';
	g_free(folded);
	return ok && words <= 8;
}

BdmPhraseSet *bdm_phrase_set_new(const GPtrArray *phrases)
{
	BdmPhraseSet *set = g_new0(BdmPhraseSet, 1);

	set->folded = g_ptr_array_new_with_free_func(g_free);
	set->entries = g_ptr_array_new();
	for (guint i = 0; i < phrases->len; i++) {
		char *folded = bdm_fold_keyword(g_ptr_array_index(phrases, i));

		if (*folded == '\0') {
			g_free(folded);
			continue;
		}
		g_ptr_array_add(set->folded, folded);
		g_ptr_array_add(set->entries, g_ptr_array_index(phrases, i));
	}
	return set;
}

void bdm_phrase_set_free(BdmPhraseSet *set)
{
	if (set == NULL)
		return;
	g_ptr_array_unref(set->folded);
	g_ptr_array_unref(set->entries);
	g_free(set);
}

static void scan_promotional(BdmScan *scan, const BdmFoldedText *ft)
{
	const BdmPhraseSet *set = scan->policy->promotional;

	for (guint i = 0; i < set->folded->len; i++) {
		gsize start, end;

		if (!bdm_folded_text_find_word(ft, g_ptr_array_index(set->folded, i), &start, &end))
			continue;
		bdm_scan_report(scan, BDM_RULE_OUTREACH_PROMOTIONAL, start, end,
		                g_strdup_printf(_("\"%s\" reads like advertising. Customer-service "
		                                  "replies must not promote offers; please rephrase."),
		                                (const char *)g_ptr_array_index(set->entries, i)));
	}
}

static void scan_disclosure(BdmScan *scan, const BdmFoldedText *ft)
{
	const BdmPhraseSet *set = scan->policy->disclosure;

	for (guint i = 0; i < set->folded->len; i++) {
		gsize start, end;

		if (bdm_folded_text_find_word(ft, g_ptr_array_index(set->folded, i), &start, &end))
			return;
	}
	if (set->entries->len == 0) {
		bdm_scan_report(scan, BDM_RULE_OUTREACH_AUTOMATED_DISCLOSURE, 0, 0,
		                g_strdup(_("This automated message does not say that it is "
		                           "automated, and the policy lists no wording that "
		                           "would. Ask the administrator to configure it.")));
		return;
	}
	bdm_scan_report(scan, BDM_RULE_OUTREACH_AUTOMATED_DISCLOSURE, 0, 0,
	                g_strdup_printf(_("This automated message does not say that it is "
	                                  "automated. Add a sentence that contains \"%s\", "
	                                  "for example \"This is an automated reply.\""),
	                                (const char *)g_ptr_array_index(set->entries, 0)));
}

void bdm_scan_outreach(BdmScan *scan)
{
	gboolean promotional = bdm_scan_rule_on(scan, BDM_RULE_OUTREACH_PROMOTIONAL);
	gboolean disclosure = scan->in->automated &&
	                      bdm_scan_rule_on(scan, BDM_RULE_OUTREACH_AUTOMATED_DISCLOSURE);
	BdmFoldedText ft;

	if (!scan->in->customer_has_written)
		bdm_scan_report(scan, BDM_RULE_OUTREACH_FIRST_CONTACT, 0, 0,
		                g_strdup(_("The customer has not written in this conversation. "
		                           "Brands may only answer; wait until the customer "
		                           "writes first.")));
	if (!promotional && !disclosure)
		return;
	bdm_folded_text_init(&ft, scan->text);
	if (promotional)
		scan_promotional(scan, &ft);
	if (disclosure)
		scan_disclosure(scan, &ft);
	bdm_folded_text_clear(&ft);
}
