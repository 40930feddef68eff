/*
 * Outreach rules: who may start a conversation, advertising in replies,
 * and the disclosure automated messages must carry.
 *
 * Platforms let a brand answer customers, not approach them: Instagram
 * conversations can only begin with the customer, and Messenger treats an
 * unprompted message as spam.  Automated messages must say that they are
 * automated where the law requires it (Meta's Messenger policy cites
 * California and Germany).
 *
 * A promotional phrase is a call to buy, and the same words in a service
 * reply usually are not: "let me check your order now", "you can subscribe
 * to shipping updates", "please act now to avoid being charged twice",
 * "we don't have a promo code to offer".  So a phrase does not count
 *   - after a pronoun, possessive or modal verb ("your order now", "you
 *     don't miss out", "their promo code", "can subscribe"),
 *   - when a call to act is followed by "to" (an act now to avoid...), or
 *   - in a sentence that says "not", "no" or "n't" outside the phrase
 *     ("the limited time offer is no longer available").
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

/* Words after which a phrase is not an advert: the phrase is then a noun
 * of the conversation ("your order now") or not an imperative ("you can
 * subscribe", "you don't miss out"). */
static const char *const not_after[] = {
	"i", "you", "we", "they", "he", "she", "it", "your", "my", "their", "his", "her", "its",
	"can", "could", "will", "would", "should", "may", "might", "must", "to", "not", "no",
	NULL
};

/* Calls to act: "act now to avoid being charged" is advice, not an advert. */
static const char *const imperatives[] = {
	"buy", "shop", "order", "act", "sign", "subscribe", "don't", "dont", "don’t", "call",
	"book", "get", "grab", "hurry", "join", NULL
};

static gboolean word_in(const char *word, gsize n, const char *const *list)
{
	for (guint k = 0; list[k] != NULL; k++) {
		if (strlen(list[k]) == n && strncmp(word, list[k], n) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean is_word_byte(char c)
{
	return g_ascii_isalnum(c) || c == '\'' || (guchar)c >= 0x80;
}

/* The word of folded text that ends just before pos (skipping spaces);
 * sets *word and returns its length, 0 when there is none. */
static gsize word_before(const char *f, gsize pos, const char **word)
{
	gsize end = pos, start;

	while (end > 0 && f[end - 1] == ' ')
		end--;
	start = end;
	while (start > 0 && is_word_byte(f[start - 1]))
		start--;
	*word = f + start;
	return end - start;
}

static gboolean sentence_negated(const char *f, gsize len, gsize pos, gsize plen)
{
	gsize start = pos, end = pos + plen;

	while (start > 0 && strchr(".!?\n", f[start - 1]) == NULL)
		start--;
	while (end < len && strchr(".!?\n", f[end]) == NULL)
		end++;
	for (gsize i = start; i < end; i++) {
		gsize n = 0;

		if (i >= pos && i < pos + plen)
			continue;
		if (i > start && is_word_byte(f[i - 1]))
			continue;
		while (i + n < end && is_word_byte(f[i + n]))
			n++;
		if ((n == 3 && strncmp(f + i, "not", 3) == 0) ||
		    (n == 2 && strncmp(f + i, "no", 2) == 0) ||
		    (n > 3 && strncmp(f + i + n - 3, "n't", 3) == 0) ||
		    (n > 5 && strncmp(f + i + n - 5, "n\xe2\x80\x99t", 5) == 0))
			return TRUE;
		i += n;
	}
	return FALSE;
}

static gboolean reads_as_advert(const BdmFoldedText *ft, gsize pos, const char *phrase)
{
	const char *f = ft->folded, *word;
	gsize plen = strlen(phrase), n = word_before(f, pos, &word), first = 0;
	gsize after = pos + plen;

	if (n > 0 && word_in(word, n, not_after))
		return FALSE;
	while (is_word_byte(phrase[first]))
		first++;
	while (after < ft->len && f[after] == ' ')
		after++;
	if (word_in(phrase, first, imperatives) && after + 2 <= ft->len &&
	    strncmp(f + after, "to", 2) == 0 && (after + 2 == ft->len || !is_word_byte(f[after + 2])))
		return FALSE;
	return !sentence_negated(f, ft->len, pos, plen);
}

static void scan_promotional(BdmScan *scan, const BdmFoldedText *ft)
{
	const BdmPhraseSet *set = scan->policy->promotional;

	for (guint i = 0; i < set->folded->len; i++) {
		const char *phrase = g_ptr_array_index(set->folded, i);
		gsize pos, from = 0;

		while (bdm_folded_text_find_word_from(ft, phrase, from, &pos)) {
			if (reads_as_advert(ft, pos, phrase)) {
				bdm_scan_report(scan, BDM_RULE_OUTREACH_PROMOTIONAL, ft->origin_start[pos],
				                ft->origin_end[pos + strlen(phrase) - 1],
				                g_strdup_printf(_("\"%s\" reads like advertising. "
				                                  "Customer-service replies must not "
				                                  "promote offers; please rephrase."),
				                                (const char *)g_ptr_array_index(set->entries, i)));
				break;
			}
			from = pos + 1;
		}
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
