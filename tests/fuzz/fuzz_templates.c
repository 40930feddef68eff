/*
 * libFuzzer target: reply templates (plugin/core/templates.c).
 *
 * Input parts (separated by a "%%" line): the system templates.conf, the
 * user's templates.conf, and a template text.  Both files are loaded and
 * merged and every template they define is expanded; then the text becomes
 * [template fuzz] of a third file (written with GKeyFile, so any bytes fit
 * on its one line) and is expanded with full, empty and translated contexts.
 * Expansion is all or nothing: text and no error, or an error and no text.
 * A template whose {ask:} labels could be listed expands once every label
 * has an answer, and one that could not be listed never expands.
 */
#include <stdlib.h>
#include <string.h>

#include "templates.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const BdmTemplateContext full_ctx = {
	.customer_name = "Ada María Lovelace", .agent_name = "Grace", .brand = "Acme",
	.platform = "facebook", .ticket = "T-42", .locale = "de",
};
static const BdmTemplateContext empty_ctx = { 0 };

static void expand_checked(const BdmTemplates *t, const char *name, const BdmTemplateContext *ctx,
                           gboolean automated)
{
	GError *error = NULL;
	char *locale = NULL;
	char *text = automated ? bdm_template_expand_automated(t, name, ctx, &locale, &error)
	                       : bdm_template_expand(t, name, ctx, &locale, &error);

	if ((text == NULL) == (error == NULL))
		abort();
	if (text != NULL && !g_utf8_validate(text, -1, NULL))
		abort();   /* what reaches a customer must be text */
	if (error != NULL && (error->message == NULL || *error->message == '\0'))
		abort();
	g_free(text);
	g_free(locale);
	g_clear_error(&error);
}

/* The {ask:} questions agree with the expansion that answers them. */
static void asks_checked(const BdmTemplates *t, const char *name, const BdmTemplateContext *ctx)
{
	GHashTable *answers = g_hash_table_new(g_str_hash, g_str_equal);
	BdmTemplateContext answered = *ctx;
	GError *error = NULL;
	GPtrArray *asks = bdm_template_asks(t, name, ctx, &error);
	char *text;
	guint i;

	if ((asks == NULL) == (error == NULL))
		abort();
	for (i = 0; asks != NULL && i < asks->len; i++) {
		const char *label = g_ptr_array_index(asks, i);

		if (*label == '\0' || strpbrk(label, "{}|<&_") != NULL ||
		    g_hash_table_contains(answers, label))
			abort();   /* a label a dialog can show, asked once */
		g_hash_table_insert(answers, (gpointer)label, (gpointer)"A-1 {ticket}");
	}
	answered.answers = answers;
	text = bdm_template_expand(t, name, &answered, NULL, NULL);
	if ((text == NULL) != (asks == NULL))
		abort();
	g_free(text);
	g_hash_table_destroy(answers);
	if (asks != NULL)
		g_ptr_array_unref(asks);
	g_clear_error(&error);
}

static void exercise(const BdmTemplates *t)
{
	GPtrArray *names = bdm_templates_list(t, NULL);
	GPtrArray *some = bdm_templates_list(t, "g");
	guint i;

	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		if (bdm_template_category(t, name) == NULL)
			abort();   /* a listed template exists */
		(void)bdm_template_description(t, name);
		(void)bdm_template_is_automated(t, name);
		expand_checked(t, name, &full_ctx, FALSE);
		expand_checked(t, name, &empty_ctx, FALSE);
		expand_checked(t, name, &full_ctx, TRUE);
		asks_checked(t, name, &full_ctx);
		asks_checked(t, name, &empty_ctx);
	}
	g_ptr_array_unref(names);
	g_ptr_array_unref(some);
}

/* Load a library from two files; NULL paths stand for absent files. */
static BdmTemplates *load(const char *system_path, const char *user_path)
{
	GError *error = NULL;
	BdmTemplates *t = bdm_templates_load(system_path, user_path, &error);

	if ((t == NULL) == (error == NULL))
		abort();
	g_clear_error(&error);
	return t;
}

/* The text as [template fuzz], once marked automated (which refuses an
 * {ask:}) and once not. */
static void expand_text(const FuzzPart *text, const char *user_path, gboolean automated)
{
	GKeyFile *kf = g_key_file_new();
	BdmTemplates *t;
	char *bytes, *path;
	gsize len = 0;

	g_key_file_set_string(kf, "template fuzz", "text", text->text);
	g_key_file_set_string(kf, "template fuzz", "text[de]", text->text);
	g_key_file_set_string(kf, "template fuzz", "automated", automated ? "true" : "false");
	g_key_file_set_string(kf, "constants", "hours", "9–17 {not a placeholder}");
	bytes = g_key_file_to_data(kf, &len, NULL);
	path = fuzz_write_file("generated.conf", bytes, len);
	t = load(path, user_path);
	if (t != NULL) {
		expand_checked(t, "fuzz", &full_ctx, FALSE);
		expand_checked(t, "fuzz", &empty_ctx, FALSE);
		expand_checked(t, "fuzz", &full_ctx, TRUE);
		asks_checked(t, "fuzz", &full_ctx);
		bdm_templates_free(t);
	}
	fuzz_remove_file(path);
	g_free(bytes);
	g_key_file_free(kf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzPart parts[FUZZ_MAX_PARTS];
	size_t n = fuzz_split(data, size, parts);
	char *system_path = fuzz_write_file("system.conf", parts[0].text, parts[0].len);
	char *user_path = n > 1 ? fuzz_write_file("user.conf", parts[1].text, parts[1].len) : NULL;
	BdmTemplates *t = load(system_path, user_path);

	if (t != NULL) {
		exercise(t);
		bdm_templates_free(t);
	}
	if (n > 2) {
		expand_text(&parts[2], user_path, TRUE);
		expand_text(&parts[2], user_path, FALSE);
	}
	fuzz_remove_file(system_path);
	fuzz_remove_file(user_path);
	fuzz_parts_free(parts, n);
	return 0;
}
