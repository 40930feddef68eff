/*
 * Link rules.  Every link in the message is found, with or without a
 * scheme ("https://help.acme.com/x", "www.acme.com", "visit acme-support.com"),
 * and its host is judged:
 *   links.scheme     anything but https://
 *   links.ip         a raw IPv4/IPv6 (or numeric) host instead of a name
 *   links.lookalike  punycode (xn--), fullwidth or look-alike dots, letters
 *                    from Cyrillic, Greek, Armenian or Cherokee, a label
 *                    mixing scripts, or Latin letters that imitate others
 *   links.shortener  a URL shortener: the customer cannot see the target
 *   links.domain     a host outside the allow-list; subdomains count
 *                    ("help.acme.com" for "acme.com") but only at a label
 *                    boundary ("evilacme.com" and "acme.com.evil.io" do not)
 * The host is the one a browser would use: "https://acme.com@evil.io" goes
 * to evil.io.  links.domain stays quiet when a more specific rule of at
 * least its severity already fired on the same link.
 *
 * Bare names count as links only when their last label is a common
 * top-level domain that is not also an English word (so "in.To" after a
 * missing space is no link), or when they are on the allow or shortener
 * lists; "www." names always count.  A bare IPv4 address counts only with a
 * port or a path, so version numbers ("1.2.3.4") are no links.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

typedef struct {
	gsize start, end;   /* the whole link in the text */
	char *scheme;       /* lower-case; NULL when written without one */
	char *host;         /* lower-case, as written (may be non-ASCII); "" for none */
} Link;

static const char *const bare_tlds[] = {
	"com", "net", "org", "info", "biz", "io", "co", "ai", "app", "dev", "ly", "gl", "gd",
	"tv", "cc", "ws", "uk", "de", "fr", "es", "nl", "eu", "ca", "au", "ch", "se", "dk",
	"fi", "pl", "ru", "cn", "jp", "br", "mx", "nz", "ie", "pt", "cz", "gr", "tr", "za",
	"kr", "xyz", "online", "site", "shop", "store", "tech", "cloud", "blog", "tk", "ml",
	"ga", "cf", "gq", "zip", "mov", NULL
};

/* Latin-script letters made to pass for others ("paypaı.com"). */
static const gunichar latin_impostors[] = {
	0x0131 /* ı */, 0x0237 /* ȷ */, 0x0251 /* ɑ */, 0x0261 /* ɡ */, 0x0269 /* ɩ */,
	0x01C0 /* ǀ */, 0x1D00 /* ᴀ */, 0x1D04 /* ᴄ */, 0x1D05 /* ᴅ */, 0x1D07 /* ᴇ */,
	0x1D0F /* ᴏ */,
};

/* ---- host helpers, shared with the contact and config code -------------- */

gboolean bdm_host_in_domain(const char *host, const char *domain)
{
	gsize h = strlen(host), d = strlen(domain);

	if (h == d)
		return strcmp(host, domain) == 0;
	return h > d && host[h - d - 1] == '.' && strcmp(host + h - d, domain) == 0;
}

gboolean bdm_host_in_list(const char *host, const GPtrArray *domains)
{
	for (guint i = 0; i < domains->len; i++) {
		if (bdm_host_in_domain(host, g_ptr_array_index(domains, i)))
			return TRUE;
	}
	return FALSE;
}

gboolean bdm_domain_is_valid(const char *s)
{
	char **labels = g_strsplit(s, ".", -1);
	guint n = g_strv_length(labels);
	gboolean ok = n >= 2;

	for (guint i = 0; ok && i < n; i++) {
		gsize len = strlen(labels[i]);

		ok = len > 0 && len <= 63 && labels[i][0] != '-' && labels[i][len - 1] != '-';
		for (gsize j = 0; ok && j < len; j++)
			ok = g_ascii_islower(labels[i][j]) || g_ascii_isdigit(labels[i][j]) ||
			     labels[i][j] == '-';
	}
	/* A numeric last label is an address, not a domain. */
	ok = ok && strspn(labels[n - 1], "0123456789") != strlen(labels[n - 1]);
	g_strfreev(labels);
	return ok;
}

/* ---- finding links ------------------------------------------------------- */

/* The character at p; ASCII, most of every text, without a call. */
static inline gunichar char_at(const char *p)
{
	return (guchar)*p < 0x80 ? (gunichar)*p : g_utf8_get_char(p);
}

static inline gboolean is_dot_lookalike(gunichar c)
{
	return c == 0x3002 || c == 0xFF0E || c == 0xFF61;
}

static inline gboolean is_host_char(gunichar c)
{
	if (c < 0x80)
		return g_ascii_isalnum((char)c) || c == '-' || c == '.';
	return g_unichar_isalnum(c) || g_unichar_ismark(c) || is_dot_lookalike(c);
}

/* Where a URL ends: at white space, quotes or angle brackets, without the
 * sentence punctuation after it ("see https://acme.com/help."). */
static gsize url_end(const char *t, gsize len, gsize i)
{
	gsize end;

	while (i < len && !g_ascii_isspace(t[i]) && strchr("<>\"'`", t[i]) == NULL)
		i++;
	end = i;
	while (end > 0 && strchr(".,;:!?)]}", t[end - 1]) != NULL)
		end--;
	return end;
}

static gboolean is_numeric_label(const char *s, gsize len)
{
	gsize k = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (k = 2; k < len && g_ascii_isxdigit(s[k]); k++)
			;
		return k == len;
	}
	for (; k < len && g_ascii_isdigit(s[k]); k++)
		;
	return len > 0 && k == len;
}

/* An address rather than a name: [v6], dotted or plain numbers, hex. */
static gboolean host_is_ip(const char *host)
{
	const char *p = host;

	if (*host == '[')
		return TRUE;
	if (*host == '\0')
		return FALSE;
	for (;;) {
		const char *dot = strchr(p, '.');
		gsize n = dot != NULL ? (gsize)(dot - p) : strlen(p);

		if (!is_numeric_label(p, n))
			return FALSE;
		if (dot == NULL)
			return TRUE;
		p = dot + 1;
	}
}

static gboolean tld_is_common(const char *host)
{
	const char *dot = strrchr(host, '.');

	if (dot == NULL)
		return FALSE;
	if (g_str_has_prefix(dot + 1, "xn--"))
		return TRUE;
	for (guint i = 0; bare_tlds[i] != NULL; i++) {
		if (strcmp(dot + 1, bare_tlds[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

/* "scheme://authority/path" at i. */
static gboolean scheme_link_at(const char *t, gsize len, gsize i, Link *link)
{
	gsize j = i, auth, auth_end, host_start, host_end;
	const char *at;

	if (!g_ascii_isalpha(t[j]))
		return FALSE;
	while (j < len && (g_ascii_isalnum(t[j]) || strchr("+.-", t[j]) != NULL))
		j++;
	if (j + 3 > len || strncmp(t + j, "://", 3) != 0)
		return FALSE;
	link->start = i;
	link->end = url_end(t, len, j + 3);
	link->scheme = g_ascii_strdown(t + i, (gssize)(j - i));
	auth = j + 3;
	for (auth_end = auth; auth_end < link->end && strchr("/?#", t[auth_end]) == NULL;
	     auth_end++)
		;
	/* Whatever comes before the last '@' is user information, not the host. */
	at = g_strrstr_len(t + auth, (gssize)(auth_end - auth), "@");
	host_start = at != NULL ? (gsize)(at - t) + 1 : auth;
	if (host_start < auth_end && t[host_start] == '[') {
		const char *close = memchr(t + host_start, ']', auth_end - host_start);

		host_end = close != NULL ? (gsize)(close - t) + 1 : auth_end;
	} else {
		const char *colon = memchr(t + host_start, ':', auth_end - host_start);

		host_end = colon != NULL ? (gsize)(colon - t) : auth_end;
	}
	while (host_end > host_start && t[host_end - 1] == '.')
		host_end--;
	link->host = g_utf8_strdown(t + host_start, (gssize)(host_end - host_start));
	return TRUE;
}

/* "acme.com/help", "www.acme.com", "10.0.0.1:8080/admin" at i. */
static gboolean bare_link_at(const BdmScan *scan, gsize i, Link *link)
{
	const char *t = scan->text;
	gsize len = scan->len, j = i, host_end;
	gboolean www, has_path;
	char *host;

	while (j < len) {
		const char *next = g_utf8_next_char(t + j);

		if (!is_host_char(char_at(t + j)))
			break;
		j = (gsize)(next - t);
	}
	host_end = j;
	while (host_end > i && (t[host_end - 1] == '.' || t[host_end - 1] == '-'))
		host_end--;
	/* "john.doe@..." is an e-mail address, not a link; a plain word is none. */
	if (host_end == i || (j < len && t[j] == '@') || memchr(t + i, '.', host_end - i) == NULL)
		return FALSE;
	host = g_utf8_strdown(t + i, (gssize)(host_end - i));
	www = g_str_has_prefix(host, "www.");
	has_path = host_end < len && (t[host_end] == '/' ||
	                              (t[host_end] == ':' && host_end + 1 < len &&
	                               g_ascii_isdigit(t[host_end + 1])));
	if (strstr(host, "..") != NULL || strchr(host, '.') == NULL ||
	    !(host_is_ip(host) ? has_path :
	      www || tld_is_common(host) ||
	      bdm_host_in_list(host, scan->policy->lists[BDM_LIST_LINK_ALLOW]) ||
	      bdm_host_in_list(host, scan->policy->lists[BDM_LIST_SHORTENERS]))) {
		g_free(host);
		return FALSE;
	}
	link->start = i;
	link->end = has_path ? MAX(url_end(t, len, host_end), host_end) : host_end;
	link->scheme = NULL;
	link->host = host;
	return TRUE;
}

/* ---- judging a link ------------------------------------------------------ */

/* Why host looks like another one, or NULL. */
static const char *lookalike_reason(const char *host)
{
	GUnicodeScript label_script = G_UNICODE_SCRIPT_COMMON;

	if (g_str_has_prefix(host, "xn--") || strstr(host, ".xn--") != NULL)
		return _("it is written in punycode (xn--)");
	for (const char *p = host; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		GUnicodeScript script;

		if (c == '.') {
			label_script = G_UNICODE_SCRIPT_COMMON;
			continue;
		}
		if (c < 0x80)
			script = g_ascii_isalpha((char)c) ? G_UNICODE_SCRIPT_LATIN
			                                  : G_UNICODE_SCRIPT_COMMON;
		else
			script = g_unichar_get_script(c);
		if (is_dot_lookalike(c) || (c >= 0xFF01 && c <= 0xFF5E))
			return _("it contains full-width characters or look-alike dots");
		for (guint i = 0; i < G_N_ELEMENTS(latin_impostors); i++) {
			if (c == latin_impostors[i])
				return _("it contains letters that imitate other letters");
		}
		if (script == G_UNICODE_SCRIPT_CYRILLIC || script == G_UNICODE_SCRIPT_GREEK ||
		    script == G_UNICODE_SCRIPT_ARMENIAN || script == G_UNICODE_SCRIPT_CHEROKEE)
			return _("it contains Cyrillic, Greek, Armenian or Cherokee letters that "
			         "look like Latin ones");
		if (script == G_UNICODE_SCRIPT_COMMON || script == G_UNICODE_SCRIPT_INHERITED)
			continue;
		if (label_script != G_UNICODE_SCRIPT_COMMON && label_script != script)
			return _("it mixes letters of different alphabets");
		label_script = script;
	}
	return NULL;
}

static void judge_link(BdmScan *scan, const Link *link)
{
	const BdmPolicy *p = scan->policy;
	const GPtrArray *allow = p->lists[BDM_LIST_LINK_ALLOW];
	BdmVerdictLevel specific = BDM_VERDICT_ALLOW;
	const char *why;

	if (link->scheme != NULL && strcmp(link->scheme, "https") != 0)
		bdm_scan_report(scan, BDM_RULE_LINKS_SCHEME, link->start, link->end,
		                g_strdup_printf(_("This link uses %s://. Only secure https:// "
		                                  "links may be sent."), link->scheme));
	if (*link->host == '\0')
		return;
	if (host_is_ip(link->host)) {
		bdm_scan_report(scan, BDM_RULE_LINKS_IP, link->start, link->end,
		                g_strdup_printf(_("This link points to the raw address %s instead "
		                                  "of a site name; customers cannot tell where it "
		                                  "goes. Link to an allowed site instead."),
		                                link->host));
		specific = MAX(specific, p->severity[BDM_RULE_LINKS_IP]);
	} else if ((why = lookalike_reason(link->host)) != NULL) {
		bdm_scan_report(scan, BDM_RULE_LINKS_LOOKALIKE, link->start, link->end,
		                g_strdup_printf(_("The address %s may imitate another site: %s. "
		                                  "This is a common phishing trick; do not send "
		                                  "it."), link->host, why));
		specific = MAX(specific, p->severity[BDM_RULE_LINKS_LOOKALIKE]);
	}
	if (bdm_host_in_list(link->host, p->lists[BDM_LIST_SHORTENERS])) {
		bdm_scan_report(scan, BDM_RULE_LINKS_SHORTENER, link->start, link->end,
		                g_strdup_printf(_("%s is a link shortener: the customer cannot "
		                                  "see where the link goes. Send the full link "
		                                  "to an allowed site."), link->host));
		specific = MAX(specific, p->severity[BDM_RULE_LINKS_SHORTENER]);
	}
	if (bdm_host_in_list(link->host, allow) ||
	    (specific != BDM_VERDICT_ALLOW && specific >= p->severity[BDM_RULE_LINKS_DOMAIN]))
		return;
	if (allow->len == 0) {
		bdm_scan_report(scan, BDM_RULE_LINKS_DOMAIN, link->start, link->end,
		                g_strdup_printf(_("This link goes to %s, but this policy allows "
		                                  "links to no site at all. Remove the link, or "
		                                  "ask the administrator to allow the site."),
		                                link->host));
	} else {
		char *sites = bdm_list_join(allow);

		bdm_scan_report(scan, BDM_RULE_LINKS_DOMAIN, link->start, link->end,
		                g_strdup_printf(_("This link goes to %s, which is not one of the "
		                                  "allowed sites (%s). Link only to those."),
		                                link->host, sites));
		g_free(sites);
	}
}

/* May a link begin at i?  Not inside a word, an address or a path. */
static gboolean at_link_boundary(const char *t, gsize i)
{
	gunichar prev;

	if (i == 0)
		return TRUE;
	/* ASCII: only letters and digits are alphanumeric, and none is a mark
	 * or a look-alike dot. */
	if ((guchar)t[i - 1] < 0x80)
		return !g_ascii_isalnum(t[i - 1]) && strchr("@.-_/\\%+=&", t[i - 1]) == NULL;
	prev = g_utf8_get_char(g_utf8_find_prev_char(t, t + i));
	return !g_unichar_isalnum(prev) && !g_unichar_ismark(prev) && !is_dot_lookalike(prev) &&
	       (prev >= 0x80 || strchr("@.-_/\\%+=&", (int)prev) == NULL);
}

void bdm_scan_links(BdmScan *scan)
{
	const char *t = scan->text;
	gsize i = 0;

	while (i < scan->len) {
		Link link = { 0 };

		if (!at_link_boundary(t, i) || !is_host_char(char_at(t + i)) ||
		    t[i] == '.' || t[i] == '-') {
			i = (gsize)(g_utf8_next_char(t + i) - t);
			continue;
		}
		if (scheme_link_at(t, scan->len, i, &link) || bare_link_at(scan, i, &link)) {
			judge_link(scan, &link);
			bdm_scan_claim(scan, link.start, link.end);
			g_free(link.scheme);
			g_free(link.host);
			i = MAX(link.end, i + 1);
			continue;
		}
		/* No position inside this word can start a link: skip it whole. */
		while (i < scan->len && is_host_char(char_at(t + i)))
			i = (gsize)(g_utf8_next_char(t + i) - t);
	}
}
