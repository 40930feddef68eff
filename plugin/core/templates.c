/*
 * Reply templates: loading the merged library, choosing a locale variant and
 * expanding placeholders.
 *
 * Expansion is all or nothing because a half-expanded "Hello {customer.name}"
 * that reaches a customer is worse than no text: every error path frees the
 * partial output.  Brace syntax is checked when the library is loaded, so an
 * administrator hears about an unbalanced "{" with its file and line instead
 * of an agent hearing about it mid-conversation; whether a placeholder has a
 * value can only be known at expansion time.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "conf_file.h"
#include "templates.h"

#define TEMPLATE_GROUP_PREFIX "template "
#define CONSTANTS_GROUP "constants"
#define DEFAULT_CATEGORY "general"

/* A text with its translations, for templates and for constants. */
typedef struct {
	char *text;
	GHashTable *translations; /* locale ("de", "pt_BR") -> text */
} Localized;

typedef struct {
	char *name;
	char *category;
	char *description;
	gboolean automated;
	Localized body;
} Template;

struct BdmTemplates {
	GHashTable *templates; /* name -> Template */
	GHashTable *constants; /* name -> Localized */
};

static const char *const builtin_placeholders[] = {
	"customer.name", "customer.first_name", "agent.name", "brand", "platform", "ticket", NULL
};

G_DEFINE_QUARK(bdm-template-error-quark, bdm_template_error)

static void localized_clear(Localized *l)
{
	g_free(l->text);
	if (l->translations != NULL)
		g_hash_table_destroy(l->translations);
}

static void template_free(gpointer data)
{
	Template *t = data;

	g_free(t->name);
	g_free(t->category);
	g_free(t->description);
	localized_clear(&t->body);
	g_free(t);
}

static void constant_free(gpointer data)
{
	localized_clear(data);
	g_free(data);
}

void bdm_templates_free(BdmTemplates *templates)
{
	if (templates == NULL)
		return;
	g_hash_table_destroy(templates->templates);
	g_hash_table_destroy(templates->constants);
	g_free(templates);
}

static gboolean is_name_char(char c)
{
	return g_ascii_isalnum(c) || c == '_' || c == '-' || c == '.';
}

static gboolean is_valid_name(const char *name, gsize len)
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

/* Values a placeholder can take in one expansion. */
typedef struct {
	const BdmTemplates *templates;
	const BdmTemplateContext *ctx;
	const char *template_name;
	const char *locale;  /* variant chosen for the template text, NULL = untranslated */
	char *first_name;
} Values;

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

static const char *choose_translation(const Localized *l, const char *locale,
                                      const char **locale_used);

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
	else if ((constant = g_hash_table_lookup(v->templates->constants, name)) != NULL) {
		const char *unused;

		/* A constant speaks the language the template text was chosen in. */
		return v->locale != NULL ? choose_translation(constant, v->locale, &unused)
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

/*
 * Walk text: "{{" and "}}" are literal braces, "{name}" a placeholder.
 * With values NULL only the syntax is checked and *problem (translated) says
 * what is wrong; otherwise out receives the expansion.
 */
static gboolean walk_text(const char *text, Values *values, GString *out, char **problem,
                          GError **error)
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
		/* "{name|fallback}": the fallback stands in when name has no value. */
		bar = memchr(p + 1, '|', close - p - 1);
		if (!is_valid_name(p + 1, (bar ? bar : close) - p - 1)) {
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
static const char *choose_translation(const Localized *l, const char *locale,
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

/* ---- loading --------------------------------------------------------------- */

/* The locale of a "key[locale]" key of base, or NULL when key is something else. */
static const char *locale_of_key(const char *key, const char *base, gsize *locale_len)
{
	gsize base_len = strlen(base), len = strlen(key);

	if (len < base_len + 3 || strncmp(key, base, base_len) != 0 || key[base_len] != '[' ||
	    key[len - 1] != ']')
		return NULL;
	*locale_len = len - base_len - 2;
	return key + base_len + 1;
}

/* Read base and base[locale] of group into l, checking brace syntax. */
static gboolean load_localized(const BdmConfFile *cf, const char *group, const char *base,
                               gboolean check_syntax, Localized *l, GError **error)
{
	GKeyFile *kf = bdm_conf_file_keyfile(cf);
	char **keys = g_key_file_get_keys(kf, group, NULL, NULL);
	gboolean ok = TRUE;
	char **k;

	l->translations = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (k = keys; ok && *k != NULL; k++) {
		gsize locale_len = 0;
		const char *locale = locale_of_key(*k, base, &locale_len);
		GError *local = NULL;
		char *problem = NULL;
		char *text;

		if (strcmp(*k, base) != 0 && locale == NULL)
			continue;
		text = g_key_file_get_string(kf, group, *k, &local);
		if (text == NULL) {
			ok = bdm_conf_file_fail(cf, group, *k, error, "%s", local->message);
			g_error_free(local);
			break;
		}
		if (check_syntax && !walk_text(text, NULL, NULL, &problem, NULL)) {
			ok = bdm_conf_file_fail(cf, group, *k, error, "%s", problem);
			g_free(problem);
			g_free(text);
			break;
		}
		if (locale == NULL) {
			g_free(l->text);
			l->text = text;
		} else {
			g_hash_table_replace(l->translations, g_strndup(locale, locale_len), text);
		}
	}
	g_strfreev(keys);
	return ok;
}

static gboolean is_template_key(const char *key)
{
	gsize len;

	return strcmp(key, "text") == 0 || strcmp(key, "category") == 0 ||
	       strcmp(key, "description") == 0 || strcmp(key, "automated") == 0 ||
	       locale_of_key(key, "text", &len) != NULL ||
	       locale_of_key(key, "description", &len) != NULL;
}

static gboolean load_template(BdmTemplates *templates, const BdmConfFile *cf,
                              const char *group, GError **error)
{
	GKeyFile *kf = bdm_conf_file_keyfile(cf);
	const char *name = group + strlen(TEMPLATE_GROUP_PREFIX);
	char **keys = g_key_file_get_keys(kf, group, NULL, NULL);
	Template *t;
	GError *local = NULL;
	char **k;

	if (!is_valid_name(name, strlen(name))) {
		g_strfreev(keys);
		return bdm_conf_file_fail(cf, group, NULL, error,
		                          _("template names use letters, digits, “.”, “_” "
		                            "and “-” only"));
	}
	for (k = keys; *k != NULL; k++)
		if (!is_template_key(*k)) {
			gboolean ok = bdm_conf_file_fail(cf, group, *k, error,
			                                 _("unknown key (known: category, "
			                                   "description, text, text[LOCALE], "
			                                   "automated)"));
			g_strfreev(keys);
			return ok;
		}
	g_strfreev(keys);

	t = g_new0(Template, 1);
	t->name = g_strdup(name);
	g_hash_table_replace(templates->templates, t->name, t);
	if (!load_localized(cf, group, "text", TRUE, &t->body, error))
		return FALSE;
	if (t->body.text == NULL)
		return bdm_conf_file_fail(cf, group, NULL, error,
		                          _("a template needs an untranslated text= line"));
	t->category = g_key_file_get_string(kf, group, "category", NULL);
	if (t->category != NULL && *g_strstrip(t->category) == '\0')
		g_clear_pointer(&t->category, g_free);
	if (t->category == NULL)
		t->category = g_strdup(DEFAULT_CATEGORY);
	t->description = g_key_file_get_locale_string(kf, group, "description", NULL, NULL);
	if (g_key_file_has_key(kf, group, "automated", NULL)) {
		t->automated = g_key_file_get_boolean(kf, group, "automated", &local);
		if (local != NULL) {
			g_error_free(local);
			return bdm_conf_file_fail(cf, group, "automated", error,
			                          _("automated must be true or false"));
		}
	}
	return TRUE;
}

static gboolean load_constants(BdmTemplates *templates, const BdmConfFile *cf,
                               GError **error)
{
	GKeyFile *kf = bdm_conf_file_keyfile(cf);
	char **keys = g_key_file_get_keys(kf, CONSTANTS_GROUP, NULL, NULL);
	gboolean ok = TRUE;
	char **k;

	for (k = keys; ok && *k != NULL; k++) {
		Localized *constant;

		if (strchr(*k, '[') != NULL)
			continue; /* a translation, read with its constant */
		if (!is_valid_name(*k, strlen(*k)))
			ok = bdm_conf_file_fail(cf, CONSTANTS_GROUP, *k, error,
			                        _("constant names use letters, digits, “.”, “_” "
			                          "and “-” only"));
		else if (g_strv_contains(builtin_placeholders, *k))
			ok = bdm_conf_file_fail(cf, CONSTANTS_GROUP, *k, error,
			                        _("this name is a built-in placeholder"));
		if (!ok)
			break;
		constant = g_new0(Localized, 1);
		g_hash_table_replace(templates->constants, g_strdup(*k), constant);
		/* Constants are literal text: braces in them are not placeholders. */
		ok = load_localized(cf, CONSTANTS_GROUP, *k, FALSE, constant, error);
	}
	g_strfreev(keys);
	return ok;
}

BdmTemplates *bdm_templates_load(const char *system_path, const char *user_path,
                                 GError **error)
{
	static const char *const replace_prefixes[] = { TEMPLATE_GROUP_PREFIX, NULL };
	BdmTemplates *templates;
	BdmConfFile *cf;
	char **groups, **g;
	gboolean ok = TRUE;

	cf = bdm_conf_file_load(system_path, user_path, replace_prefixes, error);
	if (cf == NULL)
		return NULL;
	templates = g_new0(BdmTemplates, 1);
	templates->templates = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	                                             template_free);
	templates->constants = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                             constant_free);
	groups = g_key_file_get_groups(bdm_conf_file_keyfile(cf), NULL);
	for (g = groups; ok && *g != NULL; g++) {
		if (strcmp(*g, CONSTANTS_GROUP) == 0)
			ok = load_constants(templates, cf, error);
		else if (g_str_has_prefix(*g, TEMPLATE_GROUP_PREFIX))
			ok = load_template(templates, cf, *g, error);
		else
			ok = bdm_conf_file_fail(cf, *g, NULL, error,
			                        _("unknown group (expected [template NAME] or "
			                          "[constants])"));
	}
	g_strfreev(groups);
	bdm_conf_file_free(cf);
	if (!ok) {
		bdm_templates_free(templates);
		return NULL;
	}
	return templates;
}

/* ---- queries --------------------------------------------------------------- */

static gboolean has_prefix_nocase(const char *s, const char *prefix)
{
	return g_ascii_strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *bdm_templates_list(const BdmTemplates *templates, const char *prefix)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter iter;
	gpointer value;

	g_return_val_if_fail(templates != NULL, names);

	if (prefix == NULL)
		prefix = "";
	g_hash_table_iter_init(&iter, templates->templates);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		const Template *t = value;

		if (has_prefix_nocase(t->name, prefix) || has_prefix_nocase(t->category, prefix))
			g_ptr_array_add(names, g_strdup(t->name));
	}
	g_ptr_array_sort(names, compare_names);
	return names;
}

static const Template *find(const BdmTemplates *templates, const char *name)
{
	return templates != NULL && name != NULL ? g_hash_table_lookup(templates->templates, name)
	                                         : NULL;
}

const char *bdm_template_category(const BdmTemplates *templates, const char *name)
{
	const Template *t = find(templates, name);

	return t != NULL ? t->category : NULL;
}

const char *bdm_template_description(const BdmTemplates *templates, const char *name)
{
	const Template *t = find(templates, name);

	return t != NULL ? t->description : NULL;
}

gboolean bdm_template_is_automated(const BdmTemplates *templates, const char *name)
{
	const Template *t = find(templates, name);

	return t != NULL && t->automated;
}

char *bdm_template_expand(const BdmTemplates *templates, const char *name,
                          const BdmTemplateContext *ctx, char **locale_used,
                          GError **error)
{
	static const BdmTemplateContext empty_context;
	const Template *t = find(templates, name);
	Values values = { 0 };
	const char *text;
	GString *out;
	char *problem = NULL;

	if (locale_used != NULL)
		*locale_used = NULL;
	if (t == NULL) {
		g_set_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_UNKNOWN_TEMPLATE,
		            _("There is no template named “%s”."), name != NULL ? name : "");
		return NULL;
	}
	values.templates = templates;
	values.ctx = ctx != NULL ? ctx : &empty_context;
	values.template_name = t->name;
	text = choose_translation(&t->body, values.ctx->locale, &values.locale);
	out = g_string_new(NULL);
	/* Syntax was checked at load time; a problem here means a value is missing. */
	if (!walk_text(text, &values, out, &problem, error)) {
		if (problem != NULL)
			g_set_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_SYNTAX,
			            _("Template “%s”: %s"), t->name, problem);
		g_free(problem);
		g_free(values.first_name);
		g_string_free(out, TRUE);
		return NULL;
	}
	g_free(values.first_name);
	if (locale_used != NULL)
		*locale_used = g_strdup(values.locale);
	return g_string_free(out, FALSE);
}

char *bdm_template_expand_automated(const BdmTemplates *templates, const char *name,
                                    const BdmTemplateContext *ctx, char **locale_used,
                                    GError **error)
{
	if (find(templates, name) != NULL && !bdm_template_is_automated(templates, name)) {
		if (locale_used != NULL)
			*locale_used = NULL;
		g_set_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_NOT_AUTOMATED,
		            _("Template “%s” is not marked automated=true, so it cannot be sent "
		              "as an automatic reply: automated messages must say that they are "
		              "automated."), name);
		return NULL;
	}
	return bdm_template_expand(templates, name, ctx, locale_used, error);
}
