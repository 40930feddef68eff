/*
 * Secrets: private keys, access tokens with a recognisable shape, JWTs and
 * "password: ..." phrases.  An agent pasting one into a customer chat has
 * almost certainly copied the wrong thing.
 *
 * Token shapes are fixed prefixes followed by a run of the characters the
 * issuer uses, with the issuer's length: "AKIA" and 16 capitals or digits,
 * "ghp_" and 36 letters or digits, ...  A shorter or longer run is not
 * reported, so "AKIA" in a sentence or "ghp_short" stay quiet.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

typedef enum {
	BODY_UPPER_DIGIT,   /* A-Z 0-9 */
	BODY_ALNUM,         /* A-Z a-z 0-9 */
	BODY_ALNUM_UNDER,   /* and _ */
	BODY_ALNUM_DASH,    /* and - */
	BODY_BASE64URL      /* and - _ */
} BodyChars;

typedef struct {
	const char *prefix;
	BodyChars body;
	guint min_body, max_body;
	const char *kind;   /* N_() */
} TokenShape;

static const TokenShape token_shapes[] = {
	{ "AKIA", BODY_UPPER_DIGIT, 16, 16, N_("an AWS access key") },
	{ "ASIA", BODY_UPPER_DIGIT, 16, 16, N_("an AWS access key") },
	{ "ghp_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "gho_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "ghu_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "ghs_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "ghr_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "github_pat_", BODY_ALNUM_UNDER, 22, 255, N_("a GitHub token") },
	{ "xoxb-", BODY_ALNUM_DASH, 10, 255, N_("a Slack token") },
	{ "xoxa-", BODY_ALNUM_DASH, 10, 255, N_("a Slack token") },
	{ "xoxp-", BODY_ALNUM_DASH, 10, 255, N_("a Slack token") },
	{ "xoxr-", BODY_ALNUM_DASH, 10, 255, N_("a Slack token") },
	{ "xoxs-", BODY_ALNUM_DASH, 10, 255, N_("a Slack token") },
	{ "sk_live_", BODY_ALNUM, 16, 255, N_("a Stripe secret key") },
	{ "rk_live_", BODY_ALNUM, 16, 255, N_("a Stripe secret key") },
	{ "AIza", BODY_BASE64URL, 35, 35, N_("a Google API key") },
};

/* Words that announce a secret when followed by ':' or '='. */
static const char *const secret_words[] = {
	"password", "passwort", "passwd", "passphrase", "passcode", "pwd",
	"api_key", "apikey", "api key", "client_secret", "secret_key", NULL
};

static gboolean is_body_char(char c, BodyChars body)
{
	switch (body) {
	case BODY_UPPER_DIGIT:
		return g_ascii_isupper(c) || g_ascii_isdigit(c);
	case BODY_ALNUM:
		return g_ascii_isalnum(c);
	case BODY_ALNUM_UNDER:
		return g_ascii_isalnum(c) || c == '_';
	case BODY_ALNUM_DASH:
		return g_ascii_isalnum(c) || c == '-';
	case BODY_BASE64URL:
		return g_ascii_isalnum(c) || c == '-' || c == '_';
	}
	return FALSE;
}

static gsize body_run(const char *t, gsize len, gsize i, BodyChars body)
{
	gsize j = i;

	while (j < len && is_body_char(t[j], body))
		j++;
	return j - i;
}

static void report_secret(BdmScan *scan, gsize start, gsize end, const char *kind)
{
	bdm_scan_report(scan, BDM_RULE_SENSITIVE_SECRET, start, end,
	                g_strdup_printf(_("This looks like %s. Never send passwords, keys or "
	                                  "tokens in chat; remove it, and have it changed if it "
	                                  "was already shared."), _(kind)));
	bdm_scan_claim(scan, start, end);
}

/* A token shape at i: the length of the whole token, or 0. */
static gsize token_at(const char *t, gsize len, gsize i, const char **kind)
{
	for (guint k = 0; k < G_N_ELEMENTS(token_shapes); k++) {
		const TokenShape *s = &token_shapes[k];
		gsize plen, n;

		if (t[i] != s->prefix[0])
			continue;
		plen = strlen(s->prefix);
		if (i + plen > len || strncmp(t + i, s->prefix, plen) != 0)
			continue;
		n = body_run(t, len, i + plen, s->body);
		/* The run must end the word: "AKIA" + 20 characters is not a key. */
		if (n >= s->min_body && n <= s->max_body &&
		    (i + plen + n == len || !g_ascii_isalnum(t[i + plen + n]))) {
			*kind = s->kind;
			return plen + n;
		}
	}
	return 0;
}

/* "eyJ<10+>.eyJ<10+>.<signature>": header and payload are base64url JSON. */
static gsize jwt_at(const char *t, gsize len, gsize i)
{
	gsize j = i;

	for (int part = 0; part < 2; part++) {
		gsize n;

		if (j + 3 > len || strncmp(t + j, "eyJ", 3) != 0)
			return 0;
		n = body_run(t, len, j + 3, BODY_BASE64URL);
		if (n < 10 || j + 3 + n >= len || t[j + 3 + n] != '.')
			return 0;
		j += 3 + n + 1;
	}
	return j + body_run(t, len, j, BODY_BASE64URL) - i;
}

/* "-----BEGIN ... PRIVATE KEY-----" up to its END line (or the end of the
 * text when the paste was cut off). */
static gsize private_key_at(const char *t, gsize len, gsize i)
{
	static const char begin[] = "-----BEGIN ";
	static const char label_end[] = "PRIVATE KEY";
	static const char tail[] = "PRIVATE KEY-----";
	gsize label = i + strlen(begin), j = label;
	const char *end_marker;

	if (label > len || strncmp(t + i, begin, strlen(begin)) != 0)
		return 0;
	while (j < len && (g_ascii_isupper(t[j]) || g_ascii_isdigit(t[j]) || t[j] == ' '))
		j++;
	/* "RSA PRIVATE KEY", "PRIVATE KEY", but not "PUBLIC KEY". */
	if (j - label < strlen(label_end) ||
	    strncmp(t + j - strlen(label_end), label_end, strlen(label_end)) != 0 ||
	    j + 5 > len || strncmp(t + j, "-----", 5) != 0)
		return 0;
	end_marker = g_strstr_len(t + j, (gssize)(len - j), "-----END ");
	if (end_marker != NULL)
		end_marker = g_strstr_len(end_marker, (gssize)(t + len - end_marker), tail);
	if (end_marker == NULL)
		return len - i;
	return (gsize)(end_marker - t) + strlen(tail) - i;
}

/* "password: hunter2", "pwd=x": the word, the separator and the value. */
static gsize password_at(const char *t, gsize len, gsize i)
{
	char lower = g_ascii_tolower(t[i]);

	for (guint k = 0; secret_words[k] != NULL; k++) {
		gsize wlen, j, value;
		gboolean masked = TRUE;

		if (lower != secret_words[k][0])
			continue;
		wlen = strlen(secret_words[k]);
		if (i + wlen > len || g_ascii_strncasecmp(t + i, secret_words[k], wlen) != 0)
			continue;
		j = i + wlen;
		while (j < len && (t[j] == ' ' || t[j] == '\t'))
			j++;
		if (j >= len || (t[j] != ':' && t[j] != '='))
			continue;
		j++;
		while (j < len && (t[j] == ' ' || t[j] == '\t'))
			j++;
		/* "password: ********" (or bullets) is already hidden. */
		for (value = j; j < len && !g_ascii_isspace(t[j]);) {
			if (t[j] == '*') {
				j++;
			} else if (strncmp(t + j, "\xe2\x80\xa2", 3) == 0) {
				j += 3;
			} else {
				masked = FALSE;
				j++;
			}
		}
		if (j > value && !masked)
			return j - i;
	}
	return 0;
}

/* The bytes a secret can begin with, from the tables above: most words
 * of a message cannot start one, and need not be tried against each
 * shape and phrase. */
static void secret_first_bytes(gboolean first[256])
{
	memset(first, 0, 256 * sizeof(gboolean));
	first['-'] = TRUE;   /* private_key_at */
	first['e'] = TRUE;   /* jwt_at */
	for (guint k = 0; secret_words[k] != NULL; k++) {
		first[(guchar)g_ascii_tolower(secret_words[k][0])] = TRUE;
		first[(guchar)g_ascii_toupper(secret_words[k][0])] = TRUE;
	}
	for (guint k = 0; k < G_N_ELEMENTS(token_shapes); k++)
		first[(guchar)token_shapes[k].prefix[0]] = TRUE;
}

void bdm_scan_secrets(BdmScan *scan)
{
	const char *t = scan->text;
	gsize len = scan->len;
	gboolean first[256];

	if (!bdm_scan_rule_on(scan, BDM_RULE_SENSITIVE_SECRET))
		return;
	secret_first_bytes(first);
	for (gsize i = 0; i < len; i++) {
		const char *kind = NULL;
		gsize n;

		if (!first[(guchar)t[i]] || (i > 0 && (g_ascii_isalnum(t[i - 1]) || t[i - 1] == '_')))
			continue;
		if (t[i] == '-' && (n = private_key_at(t, len, i)) > 0)
			kind = N_("a private key");
		else if (t[i] == 'e' && (n = jwt_at(t, len, i)) > 0)
			kind = N_("a login token (JWT)");
		else if ((n = password_at(t, len, i)) > 0)
			kind = N_("a password");
		else
			n = token_at(t, len, i, &kind);
		if (n == 0)
			continue;
		report_secret(scan, i, i + n, kind);
		i += n - 1;
	}
}
