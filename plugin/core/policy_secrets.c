/*
 * Secrets: private keys (PEM, OpenSSH, PGP), access tokens with a
 * recognisable shape, JWTs (signed or not) and assignments of a secret
 * ("password: ...", "db_pass = ...", "aws_secret_access_key: ...").  An
 * agent pasting one into a customer chat has almost certainly copied the
 * wrong thing.
 *
 * Token shapes are fixed prefixes followed by a run of the characters the
 * issuer uses, with the issuer's length: "AKIA" and 16 capitals or digits,
 * "ghp_" and 36 letters or digits, ...  A shorter or longer run is not
 * reported, so "AKIA" in a sentence or "ghp_short" stay quiet, and neither
 * is a run of one repeated character ("ghp_xxxx..."), which is a placeholder
 * in documentation.  Slack tokens have a structure of their own (numeric
 * team and user parts), checked by slack_at().
 *
 * Assignments are found at their ':' or '=': the name before it says what
 * the value is.  Names that can only mean a credential ("password",
 * "db_pass", "client_secret", "api_key", ...) take any value that is not
 * empty, masked or a ${placeholder}; the bare words "secret" and "token"
 * also start ordinary sentences ("The secret: patience"), so their value
 * must look like a credential: quoted, or eight characters or more mixing
 * letters with digits or symbols.
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
	{ "ABIA", BODY_UPPER_DIGIT, 16, 16, N_("an AWS access key") },
	{ "ACCA", BODY_UPPER_DIGIT, 16, 16, N_("an AWS access key") },
	{ "A3T", BODY_UPPER_DIGIT, 17, 17, N_("an AWS access key") },
	{ "ghp_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "gho_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "ghu_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "ghs_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "ghr_", BODY_ALNUM, 36, 255, N_("a GitHub token") },
	{ "github_pat_", BODY_ALNUM_UNDER, 22, 255, N_("a GitHub token") },
	{ "glpat-", BODY_BASE64URL, 20, 255, N_("a GitLab token") },
	{ "glptt-", BODY_ALNUM, 40, 40, N_("a GitLab token") },
	{ "sk_live_", BODY_ALNUM, 16, 255, N_("a Stripe secret key") },
	{ "rk_live_", BODY_ALNUM, 16, 255, N_("a Stripe secret key") },
	{ "sk_test_", BODY_ALNUM, 16, 255, N_("a Stripe secret key") },
	{ "rk_test_", BODY_ALNUM, 16, 255, N_("a Stripe secret key") },
	{ "sk_prod_", BODY_ALNUM, 16, 255, N_("a Stripe secret key") },
	{ "rk_prod_", BODY_ALNUM, 16, 255, N_("a Stripe secret key") },
	{ "AIza", BODY_BASE64URL, 35, 35, N_("a Google API key") },
	{ "sk-proj-", BODY_BASE64URL, 40, 255, N_("an OpenAI API key") },
	{ "sk-svcacct-", BODY_BASE64URL, 40, 255, N_("an OpenAI API key") },
	{ "sk-admin-", BODY_BASE64URL, 40, 255, N_("an OpenAI API key") },
	{ "npm_", BODY_ALNUM, 36, 36, N_("an npm token") },
	{ "pypi-AgEIcHlwaS5vcmc", BODY_BASE64URL, 50, 1000, N_("a PyPI token") },
};

/* Names that can only announce a credential (compared in lower case, as
 * a part of the name: "my_password_super_secure", "aws_secret_access_key"). */
static const char *const credential_names[] = {
	"password", "passwort", "passwd", "passphrase", "passcode", "pwd", "apikey", "api_key",
	"api-key", "api key", "secret_key", "secretkey", "client_secret", "private_key",
	"access_key", "secret_access", "auth_token", "access_token", "refresh_token", "db_pass",
	NULL
};

/* Words that start ordinary sentences too ("Secret: be early"). */
static const char *const weak_names[] = { "secret", "secrete", "token", NULL };

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

/* "xxxxxxxx" or "XXXX-XXXX": a placeholder of documentation, not a token. */
static gboolean only_placeholder(const char *s, gsize n)
{
	gboolean x = FALSE;

	for (gsize k = 0; k < n; k++) {
		if (s[k] == 'x' || s[k] == 'X')
			x = TRUE;
		else if (s[k] != '_' && s[k] != '-')
			return FALSE;
	}
	return x;
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
		    (i + plen + n == len || !g_ascii_isalnum(t[i + plen + n])) &&
		    !only_placeholder(t + i + plen, n)) {
			*kind = s->kind;
			return plen + n;
		}
	}
	return 0;
}

static int base64url_value(char c)
{
	if (g_ascii_isupper(c))
		return c - 'A';
	if (g_ascii_islower(c))
		return c - 'a' + 26;
	if (g_ascii_isdigit(c))
		return c - '0' + 52;
	return c == '-' || c == '+' ? 62 : c == '_' || c == '/' ? 63 : -1;
}

/* Does the base64url text t[0..n) decode to something JSON-shaped: '{"',
 * a '":' and a closing '}'?  A JWT header always does; random text that
 * happens to begin with "eyJ" (it means '{"') rarely does. */
static gboolean decodes_to_json(const char *t, gsize n)
{
	char out[768];
	gsize m = 0;
	guint bits = 0, acc = 0;

	for (gsize k = 0; k < n && m < sizeof out - 1; k++) {
		int v = base64url_value(t[k]);

		if (v < 0)
			return FALSE;
		acc = (acc << 6) | (guint)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[m++] = (char)((acc >> bits) & 0xff);
		}
	}
	while (m > 0 && g_ascii_isspace(out[m - 1]))
		m--;
	out[m] = '\0';
	return m > 2 && out[m - 1] == '}' && strstr(out, "\":") != NULL;
}

/* "eyJ<10+>.eyJ<10+>" and an optional ".<signature>": header and payload
 * are base64url JSON; a token without signature ("alg": "none") is still
 * a login token. */
static gsize jwt_at(const char *t, gsize len, gsize i)
{
	gsize j = i, header = 0;

	for (int part = 0; part < 2; part++) {
		gsize n;

		if (j + 3 > len || strncmp(t + j, "eyJ", 3) != 0)
			return 0;
		n = body_run(t, len, j + 3, BODY_BASE64URL);
		if (n < 10)
			return 0;
		if (part == 0) {
			header = 3 + n;
			if (j + header >= len || t[j + header] != '.')
				return 0;
		}
		j += 3 + n;
		if (part == 0)
			j++;
	}
	if (!decodes_to_json(t + i, MIN(header, 1000)))
		return 0;
	if (j + 1 < len && t[j] == '.' && body_run(t, len, j + 1, BODY_BASE64URL) > 0)
		j += 1 + body_run(t, len, j + 1, BODY_BASE64URL);
	return j - i;
}

/* Slack: "xoxb-", "xoxp-", ... with a numeric part of 6 digits or more and
 * a last part of 8 or more letters and digits; app tokens "xapp-1-A..-..";
 * configuration and refresh tokens "xoxe.xoxp-1-<100+>", "xoxe-1-<100+>";
 * incoming webhooks "hooks.slack.com/services/T../B../..". */
static gsize slack_at(const char *t, gsize len, gsize i)
{
	gsize j, groups = 0, last = 0;
	gboolean digits6 = FALSE;

	if (i + 25 < len && strncmp(t + i, "hooks.slack.com/services/", 25) == 0) {
		j = i + 25;
		for (int part = 0; part < 3; part++) {
			gsize n = body_run(t, len, j, BODY_ALNUM);

			if (n == 0 || (part < 2 && (j + n >= len || t[j + n] != '/')))
				return 0;
			j += n + (part < 2 ? 1 : 0);
		}
		return j - i;
	}
	if (i + 5 > len || (strncmp(t + i, "xox", 3) != 0 && strncmp(t + i, "xapp-", 5) != 0))
		return 0;
	j = i + 5;
	if (strncmp(t + i, "xoxe.xoxb-", 10) == 0 || strncmp(t + i, "xoxe.xoxp-", 10) == 0)
		j = i + 10;
	else if (strchr("bpaorse", t[i + 3]) == NULL && strncmp(t + i, "xapp-", 5) != 0)
		return 0;
	else if (t[i + 4] != '-')
		return 0;
	while (j < len) {
		gsize n = body_run(t, len, j, BODY_ALNUM), d = 0;

		while (d < n && g_ascii_isdigit(t[j + d]))
			d++;
		if (n == 0)
			return 0;
		digits6 = digits6 || (d == n && n >= 6);
		groups++;
		last = n;
		j += n;
		if (j + 1 >= len || t[j] != '-' || !g_ascii_isalnum(t[j + 1]))
			break;
		j++;
	}
	/* "...-####" and "...-" are masked or cut off. */
	if ((j < len && (g_ascii_isalnum(t[j]) || t[j] == '#' || t[j] == '-')) ||
	    only_placeholder(t + j - last, last))
		return 0;
	/* Configuration, refresh and app tokens: a long random last part. */
	if (groups >= 2 && last >= 100)
		return j - i;
	if (groups >= 2 && digits6 && last >= 8)
		return j - i;
	return 0;
}

/* "-----BEGIN ... PRIVATE KEY-----" (or "PRIVATE KEY BLOCK-----", PGP's)
 * up to its END line, or the end of the text when the paste was cut off. */
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
	/* "RSA PRIVATE KEY", "PRIVATE KEY", "PGP PRIVATE KEY BLOCK", but not
	 * "PUBLIC KEY". */
	if (j - label > 6 && strncmp(t + j - 6, " BLOCK", 6) == 0)
		j -= 6;
	if (j - label < strlen(label_end) ||
	    strncmp(t + j - strlen(label_end), label_end, strlen(label_end)) != 0 ||
	    j + 5 > len || (strncmp(t + j, "-----", 5) != 0 &&
	                     (j + 11 > len || strncmp(t + j, " BLOCK-----", 11) != 0)))
		return 0;
	/* "-----BEGIN ... KEY----------END": an empty example, no key. */
	if (j + 13 <= len && strncmp(t + j, "----------END", 13) == 0)
		return 0;
	end_marker = g_strstr_len(t + j, (gssize)(len - j), "-----END ");
	if (end_marker != NULL)
		end_marker = g_strstr_len(end_marker, (gssize)(t + len - end_marker), tail);
	if (end_marker == NULL) {
		end_marker = g_strstr_len(t + j, (gssize)(len - j), "-----END ");
		if (end_marker != NULL)
			end_marker = g_strstr_len(end_marker, (gssize)(t + len - end_marker),
			                          "PRIVATE KEY BLOCK-----");
		if (end_marker == NULL)
			return len - i;
		return (gsize)(end_marker - t) + strlen("PRIVATE KEY BLOCK-----") - i;
	}
	return (gsize)(end_marker - t) + strlen(tail) - i;
}

static gboolean is_name_char(char c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '-' || c == '.';
}

static gboolean name_contains(const char *lower, const char *const *names)
{
	for (guint k = 0; names[k] != NULL; k++) {
		if (strstr(lower, names[k]) != NULL)
			return TRUE;
	}
	return FALSE;
}

static gboolean name_is(const char *lower, const char *const *names)
{
	for (guint k = 0; names[k] != NULL; k++) {
		if (strcmp(lower, names[k]) == 0)
			return TRUE;
	}
	return FALSE;
}

/* Eight characters or more, with letters and digits or symbols: what a
 * credential looks like, and a word of a sentence does not. */
static gboolean looks_like_credential(const char *v, gsize n)
{
	gboolean letter = FALSE, other = FALSE;

	for (gsize k = 0; k < n; k++) {
		if (g_ascii_isalpha(v[k]))
			letter = TRUE;
		else
			other = TRUE;
	}
	return n >= 8 && letter && other;
}

/* The value after an assignment's separator at j: quoted (up to the same
 * quote) or up to white space.  Sets vstart and vlen to the value without
 * its quotes; returns where the assignment ends, or 0 for no usable value
 * (empty, no letter or digit, masked with '*' or bullets, "${name}"). */
static gsize assigned_value(const char *t, gsize len, gsize j, gboolean *quoted,
                            gsize *vstart, gsize *vlen)
{
	gboolean alnum = FALSE, masked = TRUE;
	gsize end;

	while (j < len && (t[j] == ' ' || t[j] == '\t'))
		j++;
	if (j >= len)
		return 0;
	*quoted = strchr("\"'`", t[j]) != NULL;
	if (*quoted) {
		const char *close = memchr(t + j + 1, t[j], len - j - 1);
		const char *nl = memchr(t + j + 1, '\n', len - j - 1);

		if (close == NULL || (nl != NULL && nl < close))
			return 0;
		*vstart = j + 1;
		*vlen = (gsize)(close - t) - j - 1;
		end = (gsize)(close - t) + 1;
	} else {
		*vstart = j;
		while (j < len && !g_ascii_isspace(t[j]))
			j++;
		*vlen = j - *vstart;
		end = j;
	}
	for (gsize k = *vstart; k < *vstart + *vlen; k++) {
		if (g_ascii_isalnum(t[k]))
			alnum = TRUE;
		if (t[k] == '*')
			continue;
		if (strncmp(t + k, "\xe2\x80\xa2", 3) == 0) {
			k += 2;
			continue;
		}
		masked = FALSE;
	}
	if (*vlen == 0 || !alnum || masked ||
	    (*vlen >= 3 && strncmp(t + *vstart, "${", 2) == 0 && t[*vstart + *vlen - 1] == '}'))
		return 0;
	return end;
}

/* An assignment whose separator (':', '=', ':=', '==', '!==', ...) starts
 * at k: "password: hunter2", "db_pass = x", "if (api_key != \"x\")".
 * The span from the name to the end of the value, or 0,0. */
static gboolean assignment_at(const char *t, gsize len, gsize k, gsize *start, gsize *end)
{
	gsize j = k, name_end, name_start, vstart, vlen;
	gboolean quoted, strong;
	char *lower;

	if (k > 0 && strchr("!=:", t[k - 1]) != NULL)
		return FALSE;           /* the separator began earlier */
	if (t[k] == '!' && (k + 1 >= len || t[k + 1] != '='))
		return FALSE;
	while (j < len && strchr("!=:", t[j]) != NULL)
		j++;
	name_end = k;
	while (name_end > 0 && (t[name_end - 1] == ' ' || t[name_end - 1] == '\t'))
		name_end--;
	/* JSON and YAML quote their keys: "password": "x". */
	if (name_end > 0 && (t[name_end - 1] == '"' || t[name_end - 1] == '\''))
		name_end--;
	name_start = name_end;
	while (name_start > 0 && is_name_char(t[name_start - 1]))
		name_start--;
	if (name_start == name_end)
		return FALSE;
	/* "api key: ..." is a name of two words. */
	if (name_end - name_start == 3 && name_start >= 4 &&
	    g_ascii_strncasecmp(t + name_start - 4, "api ", 4) == 0)
		name_start -= 4;
	lower = g_ascii_strdown(t + name_start, (gssize)(name_end - name_start));
	strong = name_contains(lower, credential_names);
	if (!strong && !name_is(lower, weak_names)) {
		g_free(lower);
		return FALSE;
	}
	g_free(lower);
	*end = assigned_value(t, len, j, &quoted, &vstart, &vlen);
	if (*end == 0 || (!strong && !quoted && !looks_like_credential(t + vstart, vlen)))
		return FALSE;
	*start = name_start;
	return TRUE;
}

/* The bytes a secret can begin with, from the tables above: most words
 * of a message cannot start one, and need not be tried against each
 * shape.  Assignments are found at their separator instead. */
static void secret_first_bytes(gboolean first[256])
{
	memset(first, 0, 256 * sizeof(gboolean));
	first['-'] = TRUE;   /* private_key_at */
	first['e'] = TRUE;   /* jwt_at */
	first['x'] = TRUE;   /* slack_at */
	first['h'] = TRUE;
	for (guint k = 0; k < G_N_ELEMENTS(token_shapes); k++)
		first[(guchar)token_shapes[k].prefix[0]] = TRUE;
}

void bdm_scan_secrets(BdmScan *scan)
{
	const char *t = scan->text;
	gsize len = scan->len, reported_end = 0;
	gboolean first[256];

	if (!bdm_scan_rule_on(scan, BDM_RULE_SENSITIVE_SECRET))
		return;
	secret_first_bytes(first);
	for (gsize i = 0; i < len; i++) {
		const char *kind = NULL;
		gsize n = 0, start = i;

		if (t[i] == ':' || t[i] == '=' || t[i] == '!') {
			gsize end;

			if (!assignment_at(t, len, i, &start, &end) || start < reported_end)
				continue;
			n = end - start;
			kind = N_("a password");
		} else if (!first[(guchar)t[i]] ||
		           (i > 0 && (g_ascii_isalnum(t[i - 1]) || t[i - 1] == '_'))) {
			continue;
		} else if (t[i] == '-' && (n = private_key_at(t, len, i)) > 0) {
			kind = N_("a private key");
		} else if (t[i] == 'e' && (n = jwt_at(t, len, i)) > 0) {
			kind = N_("a login token (JWT)");
		} else if ((t[i] == 'x' || t[i] == 'h') && (n = slack_at(t, len, i)) > 0) {
			kind = N_("a Slack token");
		} else {
			n = token_at(t, len, i, &kind);
		}
		if (n == 0)
			continue;
		report_secret(scan, start, start + n, kind);
		reported_end = start + n;
		i = start + n - 1;
	}
}
