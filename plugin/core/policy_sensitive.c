/*
 * Financial identifiers: payment card numbers, IBANs and US Social
 * Security numbers.  Hand-written scanners, one pass each over the text.
 *
 * Cards: 13 to 19 digits, written in one piece or in groups separated by a
 * single space, dash or dot, that pass the Luhn check and start with a
 * known issuer prefix (IIN) for that length.  Only whole groups are
 * combined, so a 24-digit reference never yields a card from its middle,
 * and an order number ("Order 123456789012") fails length, Luhn or IIN.
 * IBANs: country code, two check digits and the country's exact length
 * (single spaces or dashes between groups), verified with ISO 7064 mod
 * 97-10.  IBANs are looked for first: anything shaped like one, valid or
 * not, is claimed, so the digits of a mistyped IBAN are never taken for a
 * card.  SSNs: ddd-dd-dddd, ddd dd dddd or ddd.dd.dddd outside the ranges
 * never issued.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

#define MAX_CARD_GROUPS 12

/* ---- cards -------------------------------------------------------------- */

typedef struct {
	guint lo, hi;      /* prefix range, inclusive */
	guint8 digits;     /* length of the prefix */
	guint8 min_len, max_len;
} Iin;

static const Iin iin_table[] = {
	{ 1, 1, 1, 15, 15 },              /* UATP (AirPlus and other airline cards) */
	{ 4, 4, 1, 13, 19 },              /* Visa */
	{ 51, 55, 2, 16, 16 },            /* Mastercard */
	{ 2221, 2720, 4, 16, 16 },        /* Mastercard 2-series */
	{ 34, 34, 2, 15, 15 },            /* American Express */
	{ 37, 37, 2, 15, 15 },
	{ 6011, 6011, 4, 16, 19 },        /* Discover */
	{ 644, 649, 3, 16, 19 },
	{ 65, 65, 2, 16, 19 },
	{ 300, 305, 3, 14, 19 },          /* Diners Club */
	{ 36, 36, 2, 14, 19 },
	{ 38, 39, 2, 14, 19 },
	{ 3528, 3589, 4, 16, 19 },        /* JCB */
	{ 62, 62, 2, 16, 19 },            /* UnionPay */
	{ 2200, 2204, 4, 16, 19 },        /* Mir */
	{ 5018, 5018, 4, 13, 19 },        /* Maestro */
	{ 5020, 5020, 4, 13, 19 },
	{ 5038, 5038, 4, 13, 19 },
	{ 5893, 5893, 4, 13, 19 },
	{ 6304, 6304, 4, 13, 19 },
	{ 6759, 6759, 4, 13, 19 },
	{ 6761, 6763, 4, 13, 19 },
	{ 6062, 6062, 4, 16, 16 },        /* RuPay and Hipercard */
	{ 60, 60, 2, 16, 19 },            /* RuPay, and Maestro cards of 19 digits */
	/* Domestic schemes: Dankort (5019), Aura (5078), Carnet and Verve
	 * (506), RuPay (508), Elo (5067, 509); BankCard (56); Switch and Solo
	 * (633, 6767); InterPayment and Elo (636); Hiper and InstaPayment
	 * (637-639); Troy (9792). */
	{ 50, 50, 2, 16, 19 },
	{ 56, 56, 2, 16, 19 },
	{ 633, 633, 3, 16, 19 },
	{ 6767, 6767, 4, 16, 19 },
	{ 636, 639, 3, 16, 19 },
	{ 9792, 9792, 4, 16, 16 },
};

static gboolean has_card_prefix(const char *digits, gsize n)
{
	for (guint i = 0; i < G_N_ELEMENTS(iin_table); i++) {
		const Iin *iin = &iin_table[i];
		guint prefix = 0;

		if (n < iin->min_len || n > iin->max_len)
			continue;
		for (guint d = 0; d < iin->digits; d++)
			prefix = prefix * 10 + (guint)(digits[d] - '0');
		if (prefix >= iin->lo && prefix <= iin->hi)
			return TRUE;
	}
	return FALSE;
}

static gboolean luhn_valid(const char *digits, gsize n)
{
	guint sum = 0;

	for (gsize i = 0; i < n; i++) {
		guint d = (guint)(digits[n - 1 - i] - '0');

		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0;
}

typedef struct {
	gsize start, end;   /* bytes */
	guint first, n;     /* digits in the run's digit string */
} Group;

static gboolean is_word_char(char c)
{
	/* Bytes >= 0x80 are parts of letters in other scripts. */
	return g_ascii_isalnum(c) || c == '_' || (guchar)c >= 0x80;
}

/* From the groups of one digit run, report every card: the longest span of
 * whole groups that is one, then the rest after it. */
static void cards_in_run(BdmScan *scan, const Group *groups, guint n_groups, const char *digits)
{
	guint a = 0;

	while (a < n_groups) {
		gboolean found = FALSE;

		for (guint b = n_groups; b-- > a;) {
			guint first = groups[a].first;
			guint n = groups[b].first + groups[b].n - first;

			if (n < 13 || n > 19 || !has_card_prefix(digits + first, n) ||
			    !luhn_valid(digits + first, n) ||
			    bdm_scan_is_claimed(scan, groups[a].start, groups[b].end))
				continue;
			bdm_scan_report(scan, BDM_RULE_SENSITIVE_CARD, groups[a].start, groups[b].end,
			                g_strdup(_("This looks like a payment card number. Never send "
			                           "card details in chat; point the customer to the "
			                           "secure payment page instead.")));
			bdm_scan_claim(scan, groups[a].start, groups[b].end);
			a = b + 1;
			found = TRUE;
			break;
		}
		if (!found)
			a++;
	}
}

static void scan_cards(BdmScan *scan)
{
	const char *t = scan->text;
	gsize i = 0, len = scan->len;

	while (i < len) {
		Group groups[MAX_CARD_GROUPS];
		char digits[MAX_CARD_GROUPS * 20];
		guint n_groups = 0, n_digits = 0;
		gboolean too_long = FALSE;

		if (!g_ascii_isdigit(t[i]) || (i > 0 && is_word_char(t[i - 1]))) {
			i++;
			continue;
		}
		for (;;) {
			Group *g = &groups[n_groups];

			g->start = i;
			g->first = n_digits;
			while (i < len && g_ascii_isdigit(t[i])) {
				if (i - g->start >= 19)
					too_long = TRUE;
				else
					digits[n_digits++] = t[i];
				i++;
			}
			g->end = i;
			g->n = n_digits - g->first;
			n_groups++;
			if (too_long || n_groups == MAX_CARD_GROUPS || i + 1 >= len ||
			    strchr(" -.", t[i]) == NULL || !g_ascii_isdigit(t[i + 1]))
				break;
			i++;
		}
		/* A letter right after the digits makes the run an identifier, and a
		 * group longer than any card is no card at all. */
		if (i < len && is_word_char(t[i]))
			n_groups--;
		if (!too_long)
			cards_in_run(scan, groups, n_groups, digits);
		while (i < len && g_ascii_isdigit(t[i]))
			i++;
	}
}

/* ---- IBAN --------------------------------------------------------------- */

typedef struct {
	char country[3];
	guint8 length;
} IbanCountry;

/* SWIFT IBAN registry: country code and total length. */
static const IbanCountry iban_countries[] = {
	{ "AD", 24 }, { "AE", 23 }, { "AL", 28 }, { "AT", 20 }, { "AZ", 28 }, { "BA", 20 },
	{ "BE", 16 }, { "BG", 22 }, { "BH", 22 }, { "BI", 27 }, { "BR", 29 }, { "BY", 28 },
	{ "CH", 21 }, { "CR", 22 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DJ", 27 },
	{ "DK", 18 }, { "DO", 28 }, { "EE", 20 }, { "EG", 29 }, { "ES", 24 }, { "FI", 18 },
	{ "FK", 18 }, { "FO", 18 }, { "FR", 27 }, { "GB", 22 }, { "GE", 22 }, { "GI", 23 },
	{ "GL", 18 }, { "GR", 27 }, { "GT", 28 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 },
	{ "IL", 23 }, { "IQ", 23 }, { "IS", 26 }, { "IT", 27 }, { "JO", 30 }, { "KW", 30 },
	{ "KZ", 20 }, { "LB", 28 }, { "LC", 32 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 },
	{ "LV", 21 }, { "LY", 25 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 },
	{ "MN", 20 }, { "MR", 27 }, { "MT", 31 }, { "MU", 30 }, { "NI", 28 }, { "NL", 18 },
	{ "NO", 15 }, { "OM", 23 }, { "PK", 24 }, { "PL", 28 }, { "PS", 29 }, { "PT", 25 },
	{ "QA", 29 }, { "RO", 24 }, { "RS", 22 }, { "RU", 33 }, { "SA", 24 }, { "SC", 31 },
	{ "SD", 18 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 }, { "SM", 27 }, { "SO", 23 },
	{ "ST", 25 }, { "SV", 28 }, { "TL", 23 }, { "TN", 24 }, { "TR", 26 }, { "UA", 29 },
	{ "VA", 22 }, { "VG", 24 }, { "XK", 20 }, { "YE", 30 },
};

static guint iban_length(char a, char b)
{
	for (guint i = 0; i < G_N_ELEMENTS(iban_countries); i++) {
		if (iban_countries[i].country[0] == a && iban_countries[i].country[1] == b)
			return iban_countries[i].length;
	}
	return 0;
}

/* ISO 7064 mod 97-10 over the IBAN with its first four characters moved to
 * the end and letters read as 10..35. */
static gboolean iban_checksum_ok(const char *iban, guint n)
{
	guint rest = 0;

	for (guint k = 0; k < n; k++) {
		char c = iban[(k + 4) % n];

		if (g_ascii_isdigit(c))
			rest = (rest * 10 + (guint)(c - '0')) % 97;
		else
			rest = (rest * 100 + (guint)(c - 'A' + 10)) % 97;
	}
	return rest == 1;
}

/* Read something shaped like an IBAN starting at i: a known country code,
 * two check digits and the country's length, in groups separated by single
 * spaces or single dashes (one kind per IBAN), in one case throughout.  On
 * success *end is set past its last character and *valid tells whether the
 * check digits are right. */
static gboolean iban_at(const char *t, gsize len, gsize i, gsize *end, gboolean *valid)
{
	char iban[40];
	guint want, n = 0;
	char sep = 0;
	gboolean upper;

	if (i + 4 > len || !g_ascii_isalpha(t[i]) || !g_ascii_isalpha(t[i + 1]) ||
	    !g_ascii_isdigit(t[i + 2]) || !g_ascii_isdigit(t[i + 3]) ||
	    (g_ascii_isupper(t[i]) != 0) != (g_ascii_isupper(t[i + 1]) != 0))
		return FALSE;
	upper = g_ascii_isupper(t[i]) != 0;
	want = iban_length(g_ascii_toupper(t[i]), g_ascii_toupper(t[i + 1]));
	if (want == 0)
		return FALSE;
	while (n < want && i < len) {
		/* Single spaces (or dashes) between groups are how IBANs are written. */
		if ((t[i] == ' ' || t[i] == '-') && n > 0 && (sep == 0 || sep == t[i]) &&
		    g_ascii_isalnum(t[i - 1]) && i + 1 < len && g_ascii_isalnum(t[i + 1])) {
			sep = t[i++];
			continue;
		}
		if (!g_ascii_isalnum(t[i]) || (g_ascii_isalpha(t[i]) && (g_ascii_isupper(t[i]) != 0) != upper))
			return FALSE;
		iban[n++] = g_ascii_toupper(t[i++]);
	}
	if (n < want || (i < len && is_word_char(t[i])))
		return FALSE;
	*end = i;
	*valid = iban_checksum_ok(iban, n);
	return TRUE;
}

static void scan_ibans(BdmScan *scan)
{
	gboolean report = bdm_scan_rule_on(scan, BDM_RULE_SENSITIVE_IBAN);

	for (gsize i = 0; i + 4 <= scan->len; i++) {
		gsize end;
		gboolean valid;

		if ((i > 0 && is_word_char(scan->text[i - 1])) ||
		    !iban_at(scan->text, scan->len, i, &end, &valid))
			continue;
		if (valid && report)
			bdm_scan_report(scan, BDM_RULE_SENSITIVE_IBAN, i, end,
			                g_strdup(_("This looks like a bank account number (IBAN). Do "
			                           "not send bank details in chat; use the secure "
			                           "channel your process prescribes.")));
		bdm_scan_claim(scan, i, end);
		i = end;
	}
}

/* ---- US Social Security numbers ------------------------------------------ */

static guint number_at(const char *t, guint n)
{
	guint v = 0;

	for (guint k = 0; k < n; k++)
		v = v * 10 + (guint)(t[k] - '0');
	return v;
}

static gboolean all_digits(const char *t, guint n)
{
	for (guint k = 0; k < n; k++) {
		if (!g_ascii_isdigit(t[k]))
			return FALSE;
	}
	return TRUE;
}

/* ddd-dd-dddd, ddd dd dddd or ddd.dd.dddd, the same separator twice, in
 * issued ranges. */
static gboolean ssn_at(const char *t, gsize len, gsize i)
{
	const char *s = t + i;
	guint area, group, serial;

	if (i + 11 > len || !all_digits(s, 3) || (s[3] != '-' && s[3] != ' ' && s[3] != '.') ||
	    !all_digits(s + 4, 2) || s[6] != s[3] || !all_digits(s + 7, 4))
		return FALSE;
	/* Not part of a longer number: "123-45-6789-1" is something else. */
	if (i + 11 < len && (is_word_char(s[11]) ||
	                     (s[11] == s[3] && i + 12 < len && g_ascii_isdigit(s[12]))))
		return FALSE;
	area = number_at(s, 3);
	group = number_at(s + 4, 2);
	serial = number_at(s + 7, 4);
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

static void scan_ssns(BdmScan *scan)
{
	const char *t = scan->text;

	for (gsize i = 0; i + 11 <= scan->len; i++) {
		if (i > 0 && (is_word_char(t[i - 1]) || t[i - 1] == '-' || t[i - 1] == '.' ||
		              (t[i - 1] == ' ' && i > 1 && g_ascii_isdigit(t[i - 2]))))
			continue;
		if (!ssn_at(t, scan->len, i))
			continue;
		bdm_scan_report(scan, BDM_RULE_SENSITIVE_SSN, i, i + 11,
		                g_strdup(_("This looks like a US Social Security number. Never "
		                           "send it in chat.")));
		bdm_scan_claim(scan, i, i + 11);
		i += 10;
	}
}

void bdm_scan_financial(BdmScan *scan)
{
	/* IBANs first, and even when their rule is off: what they claim keeps
	 * a mistyped IBAN from being reported as a card. */
	if (bdm_scan_rule_on(scan, BDM_RULE_SENSITIVE_CARD) ||
	    bdm_scan_rule_on(scan, BDM_RULE_SENSITIVE_IBAN))
		scan_ibans(scan);
	if (bdm_scan_rule_on(scan, BDM_RULE_SENSITIVE_CARD))
		scan_cards(scan);
	if (bdm_scan_rule_on(scan, BDM_RULE_SENSITIVE_SSN))
		scan_ssns(scan);
}
