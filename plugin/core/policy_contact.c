/*
 * Contact data of third parties: e-mail addresses and phone numbers that
 * are not the brand's own (the allow lists of sensitive.email and
 * sensitive.phone).  Passing on someone's address is a privacy matter, so
 * the default is a warning, not a block.
 *
 * Phone numbers are told from other numbers by their shape: a leading '+'
 * (international form), or 7 to 15 digits in at least two groups separated
 * consistently by spaces, dashes or dots, or with an area code in
 * parentheses ("(415) 555-0132", "(415)555-0132").  An unbroken run of
 * digits is left alone (order and ticket numbers look exactly like that),
 * and so are dates (2026-03-01, 01.03.2026), grouped thousands (1 000 000),
 * SSN-shaped numbers and codes of three or more groups of one length of four
 * or more (an SKU "1234-5678-9012").  An e-mail domain may be in punycode
 * ("xn--80ak6aa92e.com", "xn--d1acufc.xn--p1ai").
 * Whatever an earlier scanner claimed (cards, IBANs, links, secrets) is
 * never reported again here.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

#define MAX_PHONE_GROUPS 8

static gboolean is_local_char(char c)
{
	return g_ascii_isalnum(c) || strchr("._%+-", c) != NULL;
}

static gboolean is_domain_char(char c)
{
	return g_ascii_isalnum(c) || c == '.' || c == '-';
}

static gboolean email_allowed(const GPtrArray *allow, const char *address)
{
	const char *domain = strchr(address, '@') + 1;

	for (guint i = 0; i < allow->len; i++) {
		const char *entry = g_ptr_array_index(allow, i);

		if (entry[0] == '@' ? bdm_host_in_domain(domain, entry + 1)
		                    : strcmp(entry, address) == 0)
			return TRUE;
	}
	return FALSE;
}

static void scan_emails(BdmScan *scan)
{
	const char *t = scan->text, *at = t;
	gsize len = scan->len;

	while ((at = memchr(at, '@', len - (gsize)(at - t))) != NULL) {
		gsize a = (gsize)(at - t), start = a, end = a + 1;
		const char *dot;
		char *address;

		while (start > 0 && is_local_char(t[start - 1]))
			start--;
		while (start < a && t[start] == '.')
			start++;
		while (end < len && is_domain_char(t[end]))
			end++;
		while (end > a + 1 && (t[end - 1] == '.' || t[end - 1] == '-'))
			end--;
		at++;
		dot = g_strrstr_len(t + a + 1, (gssize)(end - a - 1), ".");
		/* A real top-level domain has two or more letters ("x@y.c" is not),
		 * or is an internationalised one in punycode ("xn--p1ai"). */
		if (start == a || dot == NULL || dot == t + a + 1 || (gsize)(t + end - dot) < 3 ||
		    (strspn(dot + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") <
		     (gsize)(t + end - dot - 1) &&
		     !(g_ascii_strncasecmp(dot + 1, "xn--", 4) == 0 && (gsize)(t + end - dot) > 6)) ||
		    bdm_scan_is_claimed(scan, start, end))
			continue;
		address = g_ascii_strdown(t + start, (gssize)(end - start));
		if (!email_allowed(scan->policy->lists[BDM_LIST_EMAIL_ALLOW], address))
			bdm_scan_report(scan, BDM_RULE_SENSITIVE_EMAIL, start, end,
			                g_strdup(_("This e-mail address is not one of the brand's own. "
			                           "Do not pass on other people's contact details; "
			                           "check that the customer asked for it.")));
		bdm_scan_claim(scan, start, end);
		g_free(address);
	}
}

/* ---- phone numbers ------------------------------------------------------- */

typedef struct {
	gsize start, end;
	guint groups[MAX_PHONE_GROUPS];  /* digits per group */
	guint n_groups, digits;
	gboolean plus, parens, mixed;    /* mixed: different separators */
	char digit_string[32];
} PhoneCandidate;

/* Read digits, single separators and "(area)" from i. */
static gboolean read_phone(const char *t, gsize len, gsize i, PhoneCandidate *c)
{
	char sep = 0;
	gsize j = i;

	memset(c, 0, sizeof(*c));
	c->start = i;
	if (t[j] == '+') {
		c->plus = TRUE;
		j++;
	}
	while (j < len && c->n_groups < MAX_PHONE_GROUPS) {
		gboolean paren = t[j] == '(';
		guint n = 0;

		if (paren)
			j++;
		while (j < len && g_ascii_isdigit(t[j]) && c->digits < 20) {
			c->digit_string[c->digits++] = t[j++];
			n++;
		}
		if (n == 0 || (paren && (j >= len || t[j] != ')')))
			return FALSE;
		if (paren) {
			j++;
			c->parens = TRUE;
		}
		c->groups[c->n_groups++] = n;
		c->end = j;
		/* "(415)555-0132": the area code may touch the number. */
		if (paren && j < len && g_ascii_isdigit(t[j]))
			continue;
		if (j + 1 >= len || strchr(" -.", t[j]) == NULL ||
		    (!g_ascii_isdigit(t[j + 1]) && t[j + 1] != '('))
			break;
		if (sep != 0 && sep != t[j] && !paren)
			c->mixed = TRUE;
		if (!paren)
			sep = t[j];
		j++;
	}
	return !(c->end < len && (g_ascii_isalnum(t[c->end]) || t[c->end] == '@' ||
	                          (t[c->end] == '.' && c->end + 1 < len &&
	                           g_ascii_isdigit(t[c->end + 1]))));
}

/* Dates, grouped thousands and SSN shapes are numbers, not phones. */
static gboolean looks_like_phone(const PhoneCandidate *c)
{
	const guint *g = c->groups;
	gboolean thousands = c->n_groups >= 2 && g[0] <= 3;

	if (c->digits < 7 || c->digits > 15)
		return FALSE;
	if (c->plus)
		return TRUE;
	if (c->n_groups < 2 || c->mixed)
		return c->parens;
	for (guint k = 1; k < c->n_groups; k++)
		thousands = thousands && g[k] == 3;
	if (thousands && !c->parens)
		return FALSE;
	/* "1234-5678-9012": three or more groups of one length are a code. */
	if (c->n_groups >= 3 && g[0] >= 4 && !c->parens) {
		gboolean same = TRUE;

		for (guint k = 1; k < c->n_groups; k++)
			same = same && g[k] == g[0];
		if (same)
			return FALSE;
	}
	if (c->n_groups == 3 && ((g[0] == 4 && g[1] <= 2 && g[2] <= 2) ||
	                         (g[0] <= 2 && g[1] <= 2 && g[2] == 4) ||
	                         (g[0] == 3 && g[1] == 2 && g[2] == 4)))
		return FALSE;
	return TRUE;
}

/* The brand's own number, written with or without the country code. */
static gboolean phone_allowed(const GPtrArray *allow, const char *digits)
{
	gsize n = strlen(digits);

	for (guint i = 0; i < allow->len; i++) {
		const char *own = g_ptr_array_index(allow, i);
		gsize m = strlen(own);

		if ((n <= m && strcmp(own + m - n, digits) == 0 && n >= 7) ||
		    (m < n && strcmp(digits + n - m, own) == 0))
			return TRUE;
	}
	return FALSE;
}

static void scan_phones(BdmScan *scan)
{
	const char *t = scan->text;
	gsize i = 0;

	while (i < scan->len) {
		PhoneCandidate c;
		char prev = i > 0 ? t[i - 1] : ' ';

		if (!(g_ascii_isdigit(t[i]) || t[i] == '+' || t[i] == '(') ||
		    g_ascii_isalnum(prev) || (guchar)prev >= 0x80 || strchr(".-_/@+(", prev) != NULL) {
			i++;
			continue;
		}
		if (read_phone(t, scan->len, i, &c) && looks_like_phone(&c) &&
		    !bdm_scan_is_claimed(scan, c.start, c.end) &&
		    !phone_allowed(scan->policy->lists[BDM_LIST_PHONE_ALLOW], c.digit_string))
			bdm_scan_report(scan, BDM_RULE_SENSITIVE_PHONE, c.start, c.end,
			                g_strdup(_("This phone number is not one of the brand's own. "
			                           "Do not pass on other people's contact details; "
			                           "check that the customer asked for it.")));
		/* Whatever was read is one number, phone or not: the groups inside
		 * it ("1111 1112" of a mistyped card) start nothing. */
		i = MAX(c.end, i + 1);
		while (i < scan->len && g_ascii_isdigit(t[i]))
			i++;
	}
}

void bdm_scan_contacts(BdmScan *scan)
{
	/* Addresses are claimed even when their rule is off, so that digits in
	 * "jane.5551234@x.com" are never taken for a phone number. */
	scan_emails(scan);
	if (bdm_scan_rule_on(scan, BDM_RULE_SENSITIVE_PHONE))
		scan_phones(scan);
}
