/*
 * Reply templates: loading the merged library and expanding its templates
 * (the text engine, placeholders and locale variants, is templates_text.c).
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
#include "templates_private.h"

#define TEMPLATE_GROUP_PREFIX "template "
#define CONSTANTS_GROUP "constants"
#define DEFAULT_CATEGORY "general"

typedef BdmLocalized Localized;

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

/* Read base and base[locale] of group into l, checking brace syntax and
 * noting in *has_ask whether a variant asks the agent for a value. */
static gboolean load_localized(const BdmConfFile *cf, const char *group, const char *base,
                               gboolean check_syntax, Localized *l, gboolean *has_ask,
                               GError **error)
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
		if (check_syntax && !bdm_template_walk(text, NULL, NULL, &problem, has_ask, NULL)) {
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
	gboolean has_ask = FALSE;
	char **k;

	if (!bdm_template_valid_name(name, strlen(name))) {
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
	if (!load_localized(cf, group, "text", TRUE, &t->body, &has_ask, error))
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
	if (t->automated && has_ask)
		return bdm_conf_file_fail(cf, group, "automated", error,
		                          _("an automated template cannot use {ask:…}: nobody is "
		                            "there to answer when it is sent"));
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
		if (!bdm_template_valid_name(*k, strlen(*k)))
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
		ok = load_localized(cf, CONSTANTS_GROUP, *k, FALSE, constant, NULL, error);
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

/* Expand template name; with asks set, collect its {ask:} labels there
 * instead of filling them in. */
static char *expand(const BdmTemplates *templates, const char *name,
                    const BdmTemplateContext *ctx, char **locale_used, GPtrArray *asks,
                    GError **error)
{
	static const BdmTemplateContext empty_context;
	const Template *t = find(templates, name);
	BdmTemplateValues values = { 0 };
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
	values.constants = templates->constants;
	values.ctx = ctx != NULL ? ctx : &empty_context;
	values.template_name = t->name;
	values.asks = asks;
	text = bdm_template_choose(&t->body, values.ctx->locale, &values.locale);
	out = g_string_new(NULL);
	/* Syntax was checked at load time; a problem here means a value is missing. */
	if (!bdm_template_walk(text, &values, out, &problem, NULL, error)) {
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

char *bdm_template_expand(const BdmTemplates *templates, const char *name,
                          const BdmTemplateContext *ctx, char **locale_used,
                          GError **error)
{
	return expand(templates, name, ctx, locale_used, NULL, error);
}

GPtrArray *bdm_template_asks(const BdmTemplates *templates, const char *name,
                             const BdmTemplateContext *ctx, GError **error)
{
	GPtrArray *asks = g_ptr_array_new_with_free_func(g_free);
	char *text = expand(templates, name, ctx, NULL, asks, error);

	if (text == NULL) {
		g_ptr_array_unref(asks);
		return NULL;
	}
	g_free(text);
	return asks;
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
