/*
 * Inside the policy engine: the rule table, the policy structure and the
 * scanners each policy_*.c file contributes.  Not for use outside
 * plugin/core/policy*.c (and the policy unit tests).
 */
#ifndef BRANDDM_POLICY_PRIVATE_H
#define BRANDDM_POLICY_PRIVATE_H

#include <glib.h>

#include "conf_file.h"
#include "policy.h"

/* Order is the order of the rule table in policy.c and of findings that
 * share a span. */
typedef enum {
	BDM_RULE_SENSITIVE_CARD,
	BDM_RULE_SENSITIVE_IBAN,
	BDM_RULE_SENSITIVE_SSN,
	BDM_RULE_SENSITIVE_SECRET,
	BDM_RULE_SENSITIVE_EMAIL,
	BDM_RULE_SENSITIVE_PHONE,
	BDM_RULE_LINKS_SCHEME,
	BDM_RULE_LINKS_DOMAIN,
	BDM_RULE_LINKS_SHORTENER,
	BDM_RULE_LINKS_IP,
	BDM_RULE_LINKS_LOOKALIKE,
	BDM_RULE_LANGUAGE_OFFENSIVE,
	BDM_RULE_LANGUAGE_SHOUTING,
	BDM_RULE_OUTREACH_FIRST_CONTACT,
	BDM_RULE_OUTREACH_PROMOTIONAL,
	BDM_RULE_OUTREACH_AUTOMATED_DISCLOSURE,
	BDM_RULE_PLATFORM_LENGTH,
	BDM_RULE_PLATFORM_WINDOW,
	BDM_RULE_AGENT_UNAUTHORISED,
	BDM_RULE_TEXT_ENCODING,
	BDM_RULE_TEAM_ASSIGNED_ELSEWHERE,
	BDM_RULE_ATTACHMENT_TYPE,
	BDM_RULE_ATTACHMENT_SIZE,
	BDM_RULE_ATTACHMENT_NAME,
	BDM_RULE_COUNT
} BdmRule;

/** What the engine knows about a rule. */
typedef struct {
	const char *id;                  /* as in policy files and JSON */
	const char *title;               /* N_()-marked, translate when shown */
	BdmVerdictLevel default_severity;
	gboolean masked;                 /* describe shows only the first characters */
} BdmRuleInfo;

/** The table entry of a rule.
 *  rule must be below BDM_RULE_COUNT. */
const BdmRuleInfo *bdm_rule_info(BdmRule rule);

/** Look a rule up by its id.
 *  FALSE when id names no rule. */
gboolean bdm_rule_from_id(const char *id, BdmRule *rule);

/** Lists a policy file can set; each is a GPtrArray of normalised strings. */
typedef enum {
	BDM_LIST_LINK_ALLOW,    /* links.domain allow: lower-case domains */
	BDM_LIST_SHORTENERS,    /* links.shortener domains */
	BDM_LIST_EMAIL_ALLOW,   /* sensitive.email allow: "a@b.c" or "@b.c" */
	BDM_LIST_PHONE_ALLOW,   /* sensitive.phone allow: digits only */
	BDM_LIST_OFFENSIVE,     /* language.offensive words: "word" or "prefix*" */
	BDM_LIST_PROMOTIONAL,   /* outreach.promotional phrases */
	BDM_LIST_DISCLOSURE,    /* outreach.automated_disclosure phrases */
	BDM_LIST_ATTACH_TYPES,  /* attachment.type allow: MIME types such as image/png */
	BDM_LIST_ATTACH_EXTENSIONS, /* attachment.name extensions: lower-case, no dot */
	BDM_LIST_COUNT
} BdmList;

/** Numbers a policy file can set. */
typedef enum {
	BDM_NUMBER_SHOUT_MIN_LETTERS,  /* language.shouting min_letters */
	BDM_NUMBER_SHOUT_PERCENT,      /* language.shouting percent */
	BDM_NUMBER_ATTACH_MAX_MB,      /* attachment.size max_mb */
	BDM_NUMBER_COUNT
} BdmNumber;

typedef struct BdmWordSet BdmWordSet;
typedef struct BdmPhraseSet BdmPhraseSet;
typedef struct BdmAgentTable BdmAgentTable;

struct BdmPolicy {
	char *version;
	char *source;
	BdmVerdictLevel severity[BDM_RULE_COUNT];
	gboolean severity_locked[BDM_RULE_COUNT];
	GPtrArray *lists[BDM_LIST_COUNT];
	int numbers[BDM_NUMBER_COUNT];
	GPtrArray *agent_tables;     /* BdmAgentTable*: every table must allow */
	GPtrArray *notices;          /* char*, NULL-terminated */
	/* Compiled by bdm_policy_compile(); scanners use only these and the above. */
	BdmWordSet *offensive;
	BdmPhraseSet *promotional;
	BdmPhraseSet *disclosure;
};

/** A policy with the built-in defaults, not yet compiled (policy_defaults.c).
 *  bdm_policy_new_default() is this plus bdm_policy_compile(). */
BdmPolicy *bdm_policy_new_uncompiled(void);

/** Build the matchers of p from its lists; call after the last change.
 *  Lists are validated when read, so this cannot fail. */
void bdm_policy_compile(BdmPolicy *p);

/* ---- scanning ----------------------------------------------------------- */

/** A byte span [start, end) of the text. */
typedef struct {
	gsize start, end;
} BdmSpan;

/** The state of one check, shared by the scanners. */
typedef struct {
	const BdmPolicy *policy;
	const BdmCheckInput *in;
	const char *text;      /* valid UTF-8 (invalid bytes replaced by '?') */
	gsize len;
	GPtrArray *findings;   /* BdmFinding* */
	GArray *claimed;       /* BdmSpan: data found by one scanner that others must not report again */
} BdmScan;

/** A copy of text with every invalid UTF-8 byte replaced by '?' (offsets
 *  stay the same), or NULL when text is valid; *bad: the first invalid run. */
char *bdm_utf8_repair(const char *text, gsize len, BdmSpan *bad);

/** An empty list for findings (BdmFinding*, freed with the list).
 *  Scanners add to it through bdm_scan_report(). */
GPtrArray *bdm_findings_new(void);

/** The verdict of findings: sorted, its level the worst severity.
 *  Takes findings. */
BdmVerdict *bdm_verdict_from_findings(GPtrArray *findings);

/** Add a finding for rule unless the rule is off; takes explanation.
 *  A 0,0 span means the whole message. */
void bdm_scan_report(BdmScan *scan, BdmRule rule, gsize start, gsize end, char *explanation);

/** TRUE when rule is not off in this policy.
 *  Scanners skip their work for rules that are off. */
gboolean bdm_scan_rule_on(const BdmScan *scan, BdmRule rule);

/** Mark [start, end) as found, so contact scanners skip it.
 *  Used for card numbers, IBANs, links and e-mail addresses. */
void bdm_scan_claim(BdmScan *scan, gsize start, gsize end);

/** TRUE when [start, end) overlaps a claimed span.
 *  A contact scanner then stays quiet about it. */
gboolean bdm_scan_is_claimed(const BdmScan *scan, gsize start, gsize end);

/** Cards, IBANs, SSNs (policy_sensitive.c). */
void bdm_scan_financial(BdmScan *scan);
/** Keys, tokens, passwords (policy_secrets.c). */
void bdm_scan_secrets(BdmScan *scan);
/** Links: scheme, domain, shortener, IP, look-alike (policy_links.c). */
void bdm_scan_links(BdmScan *scan);
/** Third-party e-mail addresses and phone numbers (policy_contact.c). */
void bdm_scan_contacts(BdmScan *scan);
/** Offensive words and shouting (policy_language.c). */
void bdm_scan_language(BdmScan *scan);
/** First contact, promotional phrases, automated disclosure (policy_outreach.c). */
void bdm_scan_outreach(BdmScan *scan);
/** Length limit and reply window (policy_platform.c). */
void bdm_scan_platform(BdmScan *scan);

/* ---- agents (policy_agents.c) ------------------------------------------- */

/** Parse the [agents] group of one policy file into a table.
 *  NULL and an error naming file, line and key on a bad key or name. */
BdmAgentTable *bdm_agent_table_read(const BdmConfFile *file, GError **error);

/** Release a table; NULL is allowed.
 *  Usable as a GDestroyNotify. */
void bdm_agent_table_free(BdmAgentTable *table);

/** TRUE when the table lets agent send on platform:account.
 *  The most specific key decides; no matching key means no. */
gboolean bdm_agent_table_allows(const BdmAgentTable *table, const char *platform,
                                const char *account, const char *agent);

/** Append the table's entries to a summary, one line each.
 *  Used by bdm_policy_summary(). */
void bdm_agent_table_describe(const BdmAgentTable *table, GString *out);

/* ---- phrases (policy_outreach.c) ---------------------------------------- */

/** Compile phrases ("buy now") for matching as whole words, ignoring case,
 *  accents and spacing (text_fold.h).  Entries were validated when read. */
BdmPhraseSet *bdm_phrase_set_new(const GPtrArray *phrases);

/** Release a phrase set; NULL is allowed.
 *  The source list is not touched. */
void bdm_phrase_set_free(BdmPhraseSet *set);

/** TRUE when entry is a usable phrase: something that folds to one to
 *  eight words.  Used to validate policy files. */
gboolean bdm_phrase_is_valid(const char *entry);

/* ---- offensive words (policy_language.c) ---------------------------------- */

/** Compile offensive words ("ass", "fuck*": '*' = any ending).
 *  Entries were validated when read. */
BdmWordSet *bdm_word_set_new(const GPtrArray *words);

/** Release a word set; NULL is allowed.
 *  The source list is not touched. */
void bdm_word_set_free(BdmWordSet *set);

/** TRUE when entry is a usable word: letters only, optional '*' ending.
 *  Used to validate policy files. */
gboolean bdm_word_is_valid(const char *entry);

/* ---- helpers shared by the scanners --------------------------------------- */

/** TRUE when host is domain or a subdomain of it (label boundary).
 *  Both lower-case. */
gboolean bdm_host_in_domain(const char *host, const char *domain);

/** TRUE when host matches an entry of domains (a list of lower-case domains).
 *  See bdm_host_in_domain(). */
gboolean bdm_host_in_list(const char *host, const GPtrArray *domains);

/** TRUE when s is a lower-case ASCII domain name with at least two labels.
 *  Used to validate allow-lists. */
gboolean bdm_domain_is_valid(const char *s);

/** "a, b, c": the entries of list joined for a message.
 *  Newly allocated. */
char *bdm_list_join(const GPtrArray *list);

#endif /* BRANDDM_POLICY_PRIVATE_H */
