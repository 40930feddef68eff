/*
 * Reply templates: the text engine.  Placeholder syntax ("{name}",
 * "{name|fallback}", "{ask:Label}", "{{"), their values, and the choice of
 * a locale variant.  See templates_private.h; templates.c loads and expands.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "templates_private.h"

#define ASK_PREFIX "ask:"

typedef BdmTemplateValues Values;
typedef BdmLocalized Localized;

static gboolean is_name_char(char c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '-' || c == '.';
}

gboolean bdm_template_valid_name(const char *name, gsize len)
{
	gsize i;

	if (len == 0)
		return FALSE;
	for (i = 0; i < len; i++)
		if (!is_name_char(name[i]))
			return FALSE;
	return TRUE;
}

/* ---- placeholder syntax and expansion ------------------------------------ */

/* s when it has something besides white space, else NULL: "no value". */
static const char *nonempty(const char *s)
{
	const char *p;

	for (p = s; p != NULL && *p != '\0'; p = g_utf8_next_char(p))
		if (!g_unichar_isspace(g_utf8_get_char(p)))
			return s;
	return NULL;
}

/* The first word of a name ("Ana María López" -> "Ana"); the whole name when
 * that word has no letter or digit (a lone emoji, "—"), which is no name. */
static char *first_name_of(const char *name)
{
	char *copy = g_strstrip(g_strdup(name));
	const char *p;
	gboolean has_alnum = FALSE;

	for (p = copy; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_isspace(c))
			break;
		has_alnum = has_alnum || g_unichar_isalnum(c);
	}
	if (has_alnum) {
		char *word = g_strndup(copy, p - copy);

		g_free(copy);
		return word;
	}
	return copy;
}


/* The value of placeholder name; sets error when it is unknown or empty. */
static const char *placeholder_value(Values *v, const char *name, GError **error)
{
	const BdmTemplateContext *ctx = v->ctx;
	const Localized *constant;
	const char *value = NULL;

	if (strcmp(name, "customer.name") == 0)
		value = nonempty(ctx->customer_name);
	else if (strcmp(name, "customer.first_name") == 0) {
		if (nonempty(ctx->customer_name) != NULL && v->first_name == NULL)
			v->first_name = first_name_of(ctx->customer_name);
		value = nonempty(v->first_name);
	} else if (strcmp(name, "agent.name") == 0)
		value = nonempty(ctx->agent_name);
	else if (strcmp(name, "brand") == 0)
		value = nonempty(ctx->brand);
	else if (strcmp(name, "platform") == 0)
		value = nonempty(ctx->platform);
	else if (strcmp(name, "ticket") == 0)
		value = nonempty(ctx->ticket);
	else if ((constant = g_hash_table_lookup(v->constants, name)) != NULL) {
		const char *unused;

		/* A constant speaks the language the template text was chosen in. */
		return v->locale != NULL ? bdm_template_choose(constant, v->locale, &unused)
		                         : constant->text;
	} else {
		g_set_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER,
		            _("Template “%s” uses the unknown placeholder {%s}."),
		            v->template_name, name);
		return NULL;
	}
	if (value == NULL)
		g_set_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_MISSING_VALUE,
		            _("Template “%s” needs {%s}, which has no value in this conversation."),
		            v->template_name, name);
	return value;
}

/* Punctuation a label may have besides letters, digits and spaces: none that
 * Pidgin's dialog reads as markup ("<", "&") or as a mnemonic ("_"). */
static const char ask_label_punctuation[] = ".,-'()/#?!:+%";

/* TRUE when the placeholder from open ("{") to close ("}") is "{ask:...}". */
static gboolean is_ask(const char *open, const char *close)
{
	gsize len = strlen(ASK_PREFIX);

	return (gsize)(close - open - 1) >= len && strncmp(open + 1, ASK_PREFIX, len) == 0;
}

/* The trimmed label of the "{ask:LABEL}" from open to close; NULL and
 * *problem (translated) when it is no label an agent's dialog can show. */
static char *ask_label(const char *open, const char *close, char **problem)
{
	const char *start = open + 1 + strlen(ASK_PREFIX);
	char *label = g_strstrip(g_strndup(start, close - start));
	int whole = (int)(close - open + 1);
	const char *p;

	if (*label == '\0') {
		*problem = g_strdup_printf(_("“%.*s” asks for nothing: write what the agent is asked "
		                             "for after “ask:”, as in {ask:Order number}"), whole, open);
		goto refuse;
	}
	if (g_utf8_strlen(label, -1) > BDM_TEMPLATE_ASK_LABEL_MAX) {
		*problem = g_strdup_printf(_("the label of “%.*s” is longer than %d characters"),
		                           whole, open, BDM_TEMPLATE_ASK_LABEL_MAX);
		goto refuse;
	}
	for (p = label; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_isalnum(c) || c == ' ' ||
		    (c < 0x80 && strchr(ask_label_punctuation, (int)c) != NULL))
			continue;
		*problem = g_strdup_printf(_("the label of “%.*s” has “%.*s”; labels use letters, "
		                             "digits, spaces and . , - ' ( ) / # ? ! : + %% only"),
		                           whole, open, (int)(g_utf8_next_char(p) - p), p);
		goto refuse;
	}
	return label;
refuse:
	g_free(label);
	return NULL;
}

/* Fill in the agent's answer for label, or only note the label when the
 * answers are still to be asked for. */
static gboolean ask_value(Values *v, const char *label, GString *out, GError **error)
{
	const char *answer = NULL;
	char *trimmed;

	if (v->asks != NULL) {
		/* The same label twice is one question with one answer. */
		if (!g_ptr_array_find_with_equal_func(v->asks, label, g_str_equal, NULL))
			g_ptr_array_add(v->asks, g_strdup(label));
		return TRUE;
	}
	if (v->ctx->answers != NULL)
		answer = nonempty(g_hash_table_lookup(v->ctx->answers, label));
	if (answer == NULL) {
		g_set_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_UNANSWERED,
		            _("Template “%s” needs an answer for “%s”."), v->template_name, label);
		return FALSE;
	}
	/* The agent's text as typed: braces in it are not placeholders. */
	trimmed = g_strstrip(g_strdup(answer));
	g_string_append(out, trimmed);
	g_free(trimmed);
	return TRUE;
}

/*
 * Walk text: "{{" and "}}" are literal braces, "{name}" a placeholder,
 * "{ask:LABEL}" a question for the agent.  With values NULL only the syntax
 * is checked, *problem (translated) says what is wrong and *has_ask (may be
 * NULL) whether there is a question; otherwise out receives the expansion.
 */
gboolean bdm_template_walk(const char *text, Values *values, GString *out, char **problem,
                           gboolean *has_ask, GError **error)
{
	const char *p = text;

	while (*p != '\0') {
		const char *close, *bar;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (out != NULL)
				g_string_append_c(out, p[0]);
			p += 2;
			continue;
		}
		if (*p == '}') {
			*problem = g_strdup(_("a “}” without “{” (write “}}” for a literal brace)"));
			return FALSE;
		}
		if (*p != '{') {
			if (out != NULL)
				g_string_append_c(out, *p);
			p++;
			continue;
		}
		close = strchr(p + 1, '}');
		if (close == NULL) {
			*problem = g_strdup(_("a “{” without “}” (write “{{” for a literal brace)"));
			return FALSE;
		}
		if (is_ask(p, close)) {
			char *label = ask_label(p, close, problem);
			gboolean ok = label != NULL && (values == NULL ||
			                                ask_value(values, label, out, error));

			g_free(label);
			if (!ok)
				return FALSE;
			if (has_ask != NULL)
				*has_ask = TRUE;
			p = close + 1;
			continue;
		}
		/* "{name|fallback}": the fallback stands in when name has no value. */
		bar = memchr(p + 1, '|', close - p - 1);
		if (!bdm_template_valid_name(p + 1, (bar ? bar : close) - p - 1)) {
			*problem = g_strdup_printf(_("“%.*s” is not a placeholder (names use letters, "
			                             "digits, “.”, “_” and “-”; write “{{” for a "
			                             "literal brace)"), (int)(close - p + 1), p);
			return FALSE;
		}
		if (values != NULL) {
			char *name = g_strndup(p + 1, (bar ? bar : close) - p - 1);
			GError *missing = NULL;
			const char *value = placeholder_value(values, name, &missing);

			g_free(name);
			if (value == NULL && bar != NULL &&
			    g_error_matches(missing, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_MISSING_VALUE)) {
				g_clear_error(&missing);
				g_string_append_len(out, bar + 1, close - bar - 1);
			} else if (value == NULL) {
				g_propagate_error(error, missing);
				return FALSE;
			} else {
				g_string_append(out, value);
			}
		}
		p = close + 1;
	}
	return TRUE;
}

/* ---- locale variants ----------------------------------------------------- */

/* "de-de" (as platforms send it) -> "de_DE"; the encoding and modifier stay. */
static char *normalize_locale(const char *locale)
{
	char *copy = g_strdup(locale);
	char *p;
	gboolean in_language = TRUE, in_territory = FALSE;

	for (p = copy; *p != '\0'; p++) {
		if (*p == '-' && in_language)
			*p = '_';
		if (*p == '_' && in_language) {
			in_language = FALSE;
			in_territory = TRUE;
		} else if (*p == '.' || *p == '@') {
			in_language = in_territory = FALSE;
		} else if (in_language) {
			*p = g_ascii_tolower(*p);
		} else if (in_territory) {
			*p = g_ascii_toupper(*p);
		}
	}
	return copy;
}

static const char *lookup_variants(const Localized *l, const char *locale,
                                   const char **locale_used)
{
	char *normalized = normalize_locale(locale);
	char **variants = g_get_locale_variants(normalized);
	const char *text = NULL;
	char **v;

	for (v = variants; text == NULL && *v != NULL; v++) {
		gpointer key, value;

		if (g_hash_table_lookup_extended(l->translations, *v, &key, &value)) {
			text = value;
			*locale_used = key;
		}
	}
	g_strfreev(variants);
	g_free(normalized);
	return text;
}

/*
 * The conversation's language decides when it is known: a French customer
 * gets the untranslated text rather than the agent's German.  Without it the
 * agent's languages are tried in g_get_language_names() order.
 */
const char *bdm_template_choose(const Localized *l, const char *locale,
                                const char **locale_used)
{
	const char *const *names;

	*locale_used = NULL;
	if (nonempty(locale) != NULL) {
		const char *text = lookup_variants(l, locale, locale_used);

		return text != NULL ? text : l->text;
	}
	for (names = g_get_language_names(); *names != NULL; names++) {
		if (strcmp(*names, "C") == 0 || strcmp(*names, "POSIX") == 0)
			break;
		gpointer key, value;

		if (g_hash_table_lookup_extended(l->translations, *names, &key, &value)) {
			*locale_used = key;
			return value;
		}
	}
	return l->text;
}

