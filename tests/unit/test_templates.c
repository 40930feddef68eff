/*
 * Templates: locale choice, placeholders, escapes, refusals, and the merge
 * of the system and user libraries (override, lock, broken files).
 */
#include <stdarg.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "conf_file.h"
#include "templates.h"

static char *tmpdir;

static char *write_file(const char *name, const char *text)
{
	char *path = g_build_filename(tmpdir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static BdmTemplates *load_texts(const char *system_text, const char *user_text)
{
	char *sys = system_text != NULL ? write_file("system.conf", system_text) : NULL;
	char *user = user_text != NULL ? write_file("user.conf", user_text) : NULL;
	GError *error = NULL;
	BdmTemplates *t = bdm_templates_load(sys, user, &error);

	g_assert_no_error(error);
	g_assert_nonnull(t);
	if (sys != NULL)
		g_unlink(sys);
	if (user != NULL)
		g_unlink(user);
	g_free(sys);
	g_free(user);
	return t;
}

/* Loading must fail; the message must contain every one of the needles. */
static void assert_load_fails(const char *system_text, const char *user_text,
                              const char *needle1, const char *needle2)
{
	char *sys = write_file("system.conf", system_text);
	char *user = user_text != NULL ? write_file("user.conf", user_text) : NULL;
	GError *error = NULL;
	BdmTemplates *t = bdm_templates_load(sys, user, &error);

	g_assert_null(t);
	g_assert_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_PARSE);
	if (strstr(error->message, needle1) == NULL ||
	    (needle2 != NULL && strstr(error->message, needle2) == NULL))
		g_error("message “%s” lacks “%s” or “%s”", error->message, needle1,
		        needle2 != NULL ? needle2 : "");
	g_error_free(error);
	g_unlink(sys);
	if (user != NULL)
		g_unlink(user);
	g_free(sys);
	g_free(user);
}

static const BdmTemplateContext full_ctx = {
	.customer_name = "Ana María López",
	.agent_name = "Jo",
	.brand = "Acme",
	.platform = "facebook",
	.ticket = "T-42",
	.locale = NULL,
};

/* Expand and compare; expected_locale NULL means the untranslated text. */
static void assert_expands(const BdmTemplates *t, const char *name,
                           const BdmTemplateContext *ctx, const char *expected,
                           const char *expected_locale)
{
	GError *error = NULL;
	char *locale = (char *)"unset";
	char *text = bdm_template_expand(t, name, ctx, &locale, &error);

	g_assert_no_error(error);
	g_assert_cmpstr(text, ==, expected);
	g_assert_cmpstr(locale, ==, expected_locale);
	g_free(text);
	g_free(locale);
}

static void assert_refused(const BdmTemplates *t, const char *name,
                           const BdmTemplateContext *ctx, int code, const char *needle)
{
	GError *error = NULL;
	char *locale = (char *)"unset";
	char *text = bdm_template_expand(t, name, ctx, &locale, &error);

	g_assert_null(text);
	g_assert_null(locale);
	g_assert_error(error, BDM_TEMPLATE_ERROR, code);
	if (strstr(error->message, needle) == NULL)
		g_error("message “%s” does not name “%s”", error->message, needle);
	g_error_free(error);
}

#define LOCALIZED \
	"[template greeting]\ncategory=greeting\n" \
	"text=Hello {customer.first_name}, this is {agent.name} from {brand}.\n" \
	"text[de]=Hallo {customer.first_name}, hier ist {agent.name} von {brand}.\n" \
	"text[es]=Hola {customer.first_name}, soy {agent.name} de {brand}.\n" \
	"text[pt_BR]=Olá {customer.first_name}!\n"

static void test_locale_from_conversation(void)
{
	BdmTemplates *t = load_texts(LOCALIZED, NULL);
	BdmTemplateContext ctx = full_ctx;

	ctx.locale = "de_DE.UTF-8";
	assert_expands(t, "greeting", &ctx, "Hallo Ana, hier ist Jo von Acme.", "de");
	ctx.locale = "de-AT";
	assert_expands(t, "greeting", &ctx, "Hallo Ana, hier ist Jo von Acme.", "de");
	ctx.locale = "es";
	assert_expands(t, "greeting", &ctx, "Hola Ana, soy Jo de Acme.", "es");
	ctx.locale = "pt-br";
	assert_expands(t, "greeting", &ctx, "Olá Ana!", "pt_BR");
	/* Near misses: Portuguese without a territory, and "den" is not "de". */
	ctx.locale = "pt";
	assert_expands(t, "greeting", &ctx, "Hello Ana, this is Jo from Acme.", NULL);
	ctx.locale = "den";
	assert_expands(t, "greeting", &ctx, "Hello Ana, this is Jo from Acme.", NULL);
	/* A French customer gets the untranslated text, not the agent's German. */
	g_setenv("LANGUAGE", "de_DE.UTF-8", TRUE);
	ctx.locale = "fr";
	assert_expands(t, "greeting", &ctx, "Hello Ana, this is Jo from Acme.", NULL);
	g_unsetenv("LANGUAGE");
	bdm_templates_free(t);
}

static void test_locale_from_agent(void)
{
	BdmTemplates *t = load_texts(LOCALIZED, NULL);
	BdmTemplateContext ctx = full_ctx;

	g_setenv("LANGUAGE", "de_DE.UTF-8", TRUE);
	assert_expands(t, "greeting", &ctx, "Hallo Ana, hier ist Jo von Acme.", "de");
	/* The agent's languages in order: French has no text, Spanish has. */
	g_setenv("LANGUAGE", "fr_FR:es_ES", TRUE);
	assert_expands(t, "greeting", &ctx, "Hola Ana, soy Jo de Acme.", "es");
	g_setenv("LANGUAGE", "fr", TRUE);
	assert_expands(t, "greeting", &ctx, "Hello Ana, this is Jo from Acme.", NULL);
	/* An empty conversation language counts as unknown. */
	g_setenv("LANGUAGE", "es", TRUE);
	ctx.locale = "";
	assert_expands(t, "greeting", &ctx, "Hola Ana, soy Jo de Acme.", "es");
	g_unsetenv("LANGUAGE");
	bdm_templates_free(t);
}

static void test_placeholders(void)
{
	BdmTemplates *t = load_texts(
		"[constants]\nsupport_hours=9–17\nsupport_hours[de]=9–17 Uhr\nbraces={literal}\n"
		"[template all]\n"
		"text={customer.name}|{customer.first_name}|{agent.name}|{brand}|{platform}|"
		"{ticket}|{support_hours}|{braces}\n"
		"text[de]={support_hours}\n"
		"[template escapes]\ntext={{ticket}} is {ticket}, {{{brand}}} }}{{\n",
		NULL);
	BdmTemplateContext ctx = full_ctx;

	ctx.locale = "en";
	assert_expands(t, "all", &ctx,
	               "Ana María López|Ana|Jo|Acme|facebook|T-42|9–17|{literal}", NULL);
	/* A constant follows the language the template text was chosen in. */
	ctx.locale = "de";
	assert_expands(t, "all", &ctx, "9–17 Uhr", "de");
	assert_expands(t, "escapes", &ctx, "{ticket} is T-42, {Acme} }{", NULL);
	bdm_templates_free(t);
}

static void test_first_name(void)
{
	static const struct {
		const char *name, *first;
	} cases[] = {
		{ "Ana María López", "Ana" },
		{ "Cher", "Cher" },
		{ "  Bob\tSmith  ", "Bob" },
		{ "Zoë Ångström", "Zoë" },
		{ "🙂 Fan", "🙂 Fan" },  /* a first "word" with no letter is no name */
	};
	BdmTemplates *t = load_texts("[template hi]\ntext=Hi {customer.first_name}!\n", NULL);
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		BdmTemplateContext ctx = full_ctx;
		char *expected = g_strdup_printf("Hi %s!", cases[i].first);

		ctx.customer_name = cases[i].name;
		assert_expands(t, "hi", &ctx, expected, NULL);
		g_free(expected);
	}
	bdm_templates_free(t);
}

/* "{name|fallback}" fills in the fallback for a value the conversation lacks,
 * never for a placeholder that does not exist. */
static void test_fallbacks(void)
{
	BdmTemplates *t = load_texts(
		"[template hi]\ntext=Hello {customer.first_name|there}, ticket {ticket|pending}.\n"
		"[template bad]\ntext=Order {order.id|unknown}\n"
		"[template empty]\ntext=Hi{customer.first_name|}!\n",
		NULL);
	BdmTemplateContext ctx = full_ctx;

	ctx.customer_name = "Ana María";
	ctx.ticket = "T-7";
	assert_expands(t, "hi", &ctx, "Hello Ana, ticket T-7.", NULL);
	ctx.customer_name = NULL;
	ctx.ticket = "";
	assert_expands(t, "hi", &ctx, "Hello there, ticket pending.", NULL);
	assert_expands(t, "empty", &ctx, "Hi!", NULL);
	assert_refused(t, "bad", &ctx, BDM_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER, "{order.id}");
	bdm_templates_free(t);
}

static void test_refusals(void)
{
	BdmTemplates *t = load_texts(
		"[template order]\ntext=Your order {order.id} for {ticket}\n"
		"[template ticket]\ntext=Dear {customer.name}, ticket {ticket} is open.\n",
		NULL);
	BdmTemplateContext ctx = full_ctx;

	assert_refused(t, "order", &ctx, BDM_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER, "{order.id}");
	ctx.ticket = NULL;
	assert_refused(t, "ticket", &ctx, BDM_TEMPLATE_ERROR_MISSING_VALUE, "{ticket}");
	ctx.ticket = "";
	assert_refused(t, "ticket", &ctx, BDM_TEMPLATE_ERROR_MISSING_VALUE, "{ticket}");
	ctx.ticket = "T-1";
	ctx.customer_name = "   ";
	assert_refused(t, "ticket", &ctx, BDM_TEMPLATE_ERROR_MISSING_VALUE, "{customer.name}");
	assert_refused(t, "ticket", NULL, BDM_TEMPLATE_ERROR_MISSING_VALUE, "{customer.name}");
	assert_refused(t, "tickets", &ctx, BDM_TEMPLATE_ERROR_UNKNOWN_TEMPLATE, "tickets");
	/* The near miss: with every value present the same template expands. */
	ctx.customer_name = "Ana";
	assert_expands(t, "ticket", &ctx, "Dear Ana, ticket T-1 is open.", NULL);
	/* A NULL locale_used is allowed. */
	g_assert_null(bdm_template_expand(t, "order", &ctx, NULL, NULL));
	bdm_templates_free(t);
}

static GHashTable *answers_of(const char *first, ...) G_GNUC_NULL_TERMINATED;

/* label, value, label, value, ..., NULL */
static GHashTable *answers_of(const char *first, ...)
{
	GHashTable *answers = g_hash_table_new(g_str_hash, g_str_equal);
	const char *label;
	va_list args;

	va_start(args, first);
	for (label = first; label != NULL; label = va_arg(args, const char *))
		g_hash_table_insert(answers, (gpointer)label, va_arg(args, char *));
	va_end(args);
	return answers;
}

/* The labels bdm_template_asks finds, joined with "|" ("" for none). */
static char *asks_joined(const BdmTemplates *t, const char *name, const BdmTemplateContext *ctx)
{
	GError *error = NULL;
	GPtrArray *asks = bdm_template_asks(t, name, ctx, &error);
	char *joined;

	g_assert_no_error(error);
	g_assert_nonnull(asks);
	g_ptr_array_add(asks, NULL);
	joined = g_strjoinv("|", (char **)asks->pdata);
	g_ptr_array_unref(asks);
	return joined;
}

/* "{ask:Label}": asked once per label, in order; filled in with the agent's
 * answer as typed; refused without one. */
static void test_asks(void)
{
	BdmTemplates *t = load_texts(
		"[template order]\n"
		"text=Order {ask:Order number} ships {ask: Delivery date }; ref {ask:Order number}, "
		"{{ask:x}} for {customer.first_name}.\n"
		"text[de]=Bestellung {ask:Bestellnummer}, {customer.first_name}.\n"
		"[template plain]\ntext=Hi {customer.first_name}\n"
		"[template unknown]\ntext={ask:Order number} {order.id}\n"
		"[template ticket]\ntext={ask:Order number} {ticket}\n",
		NULL);
	BdmTemplateContext ctx = full_ctx;
	GHashTable *answers;
	GError *error = NULL;
	char *joined;

	joined = asks_joined(t, "order", &ctx);
	g_assert_cmpstr(joined, ==, "Order number|Delivery date");
	g_free(joined);
	/* The labels are the chosen translation's. */
	ctx.locale = "de";
	joined = asks_joined(t, "order", &ctx);
	g_assert_cmpstr(joined, ==, "Bestellnummer");
	g_free(joined);
	ctx.locale = NULL;
	joined = asks_joined(t, "plain", &ctx);
	g_assert_cmpstr(joined, ==, "");
	g_free(joined);

	/* Nobody is asked for a template that would be refused anyway. */
	g_assert_null(bdm_template_asks(t, "unknown", &ctx, &error));
	g_assert_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_UNKNOWN_PLACEHOLDER);
	g_clear_error(&error);
	ctx.ticket = NULL;
	g_assert_null(bdm_template_asks(t, "ticket", &ctx, &error));
	g_assert_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_MISSING_VALUE);
	g_clear_error(&error);
	ctx.ticket = full_ctx.ticket;
	g_assert_null(bdm_template_asks(t, "nosuch", &ctx, &error));
	g_assert_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_UNKNOWN_TEMPLATE);
	g_clear_error(&error);

	/* Answers are trimmed and literal: braces in them are no placeholders. */
	answers = answers_of("Order number", " A-17 ", "Delivery date", "{ticket} Monday", NULL);
	ctx.answers = answers;
	assert_expands(t, "order", &ctx,
	               "Order A-17 ships {ticket} Monday; ref A-17, {ask:x} for Ana.", NULL);
	g_hash_table_destroy(answers);

	/* Without an answer, or with an empty one, nothing is filled in. */
	ctx.answers = NULL;
	assert_refused(t, "order", &ctx, BDM_TEMPLATE_ERROR_UNANSWERED, "Order number");
	answers = answers_of("Order number", "A-17", NULL);
	ctx.answers = answers;
	assert_refused(t, "order", &ctx, BDM_TEMPLATE_ERROR_UNANSWERED, "Delivery date");
	g_hash_table_insert(answers, (gpointer)"Delivery date", (gpointer)"  ");
	assert_refused(t, "order", &ctx, BDM_TEMPLATE_ERROR_UNANSWERED, "Delivery date");
	g_hash_table_destroy(answers);
	bdm_templates_free(t);
}

/* A label an agent's dialog cannot show refuses the template at load time,
 * naming the template, the line and the problem. */
static void test_ask_labels(void)
{
	char *sys = g_build_filename(tmpdir, "system.conf", NULL);
	char *at_line = g_strdup_printf("%s:2:", sys);
	GString *long_label = g_string_new(NULL);
	char *text;
	BdmTemplates *t;

	assert_load_fails("[template a]\ntext=Order {ask:}\n", NULL, at_line, "asks for nothing");
	assert_load_fails("[template a]\ntext=Order {ask:   }\n", NULL, "[template a]",
	                  "asks for nothing");
	assert_load_fails("[template a]\ntext=Order {ask:a{b}\n", NULL, at_line, "“{”");
	assert_load_fails("[template a]\ntext=Order {ask:Order|none}\n", NULL, "{ask:Order|none}",
	                  "“|”");
	assert_load_fails("[template a]\ntext=Order {ask:<b>Nr</b>}\n", NULL, "[template a]", "“<”");
	assert_load_fails("[template a]\ntext=Order {ask:Order_id}\n", NULL, "[template a]", "“_”");
	assert_load_fails("[template a]\ntext=Order {ask:Order number\n", NULL, at_line, "“{”");
	while (long_label->len < BDM_TEMPLATE_ASK_LABEL_MAX)
		g_string_append_c(long_label, 'n');
	/* Exactly the maximum is fine; one more is not. */
	text = g_strdup_printf("[template a]\ntext={ask:%s}\n", long_label->str);
	t = load_texts(text, NULL);
	bdm_templates_free(t);
	g_free(text);
	text = g_strdup_printf("[template a]\ntext={ask:%sn}\n", long_label->str);
	assert_load_fails(text, NULL, at_line, "longer than 64");
	g_free(text);
	/* An automated template has nobody to ask, in any of its texts. */
	assert_load_fails("[template a]\nautomated=true\ntext=Hi\ntext[de]=Nr {ask:Nummer}\n", NULL,
	                  "automated", "cannot use {ask:");
	/* Letters of any script, digits and plain punctuation are labels. */
	t = load_texts("[template a]\ntext={ask:Größe (cm), Nr. 2/3 #?}\n", NULL);
	text = asks_joined(t, "a", &full_ctx);
	g_assert_cmpstr(text, ==, "Größe (cm), Nr. 2/3 #?");
	g_free(text);
	bdm_templates_free(t);
	g_string_free(long_label, TRUE);
	g_free(at_line);
	g_free(sys);
}

static void test_list_and_category(void)
{
	BdmTemplates *t = load_texts(
		"[template greeting]\ncategory=greeting\ntext=Hi\n"
		"[template refund-sorry]\ncategory=refund\ntext=Sorry\ndescription=Apology\n"
		"[template refund-ok]\ncategory=refund\ntext=OK\n"
		"[template bye]\ntext=Bye\n",
		NULL);
	GPtrArray *all = bdm_templates_list(t, NULL);
	GPtrArray *refund = bdm_templates_list(t, "Refund");
	GPtrArray *general = bdm_templates_list(t, "gen");
	GPtrArray *gre = bdm_templates_list(t, "gre");
	GPtrArray *none = bdm_templates_list(t, "greetings");

	g_assert_cmpuint(all->len, ==, 4);
	g_assert_cmpstr(g_ptr_array_index(all, 0), ==, "bye");
	g_assert_cmpstr(g_ptr_array_index(all, 1), ==, "greeting");
	g_assert_cmpstr(g_ptr_array_index(all, 2), ==, "refund-ok");
	g_assert_cmpstr(g_ptr_array_index(all, 3), ==, "refund-sorry");
	g_assert_cmpuint(refund->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(refund, 0), ==, "refund-ok");
	g_assert_cmpuint(general->len, ==, 1); /* "bye" by its default category */
	g_assert_cmpstr(g_ptr_array_index(general, 0), ==, "bye");
	g_assert_cmpuint(gre->len, ==, 1);
	g_assert_cmpuint(none->len, ==, 0);
	g_assert_cmpstr(bdm_template_category(t, "refund-ok"), ==, "refund");
	g_assert_cmpstr(bdm_template_category(t, "bye"), ==, "general");
	g_assert_null(bdm_template_category(t, "refund"));
	g_assert_cmpstr(bdm_template_description(t, "refund-sorry"), ==, "Apology");
	g_assert_null(bdm_template_description(t, "refund-ok"));
	g_ptr_array_unref(all);
	g_ptr_array_unref(refund);
	g_ptr_array_unref(general);
	g_ptr_array_unref(gre);
	g_ptr_array_unref(none);
	bdm_templates_free(t);
}

static void test_missing_files(void)
{
	char *missing = g_build_filename(tmpdir, "nope.conf", NULL);
	GError *error = NULL;
	BdmTemplates *t = bdm_templates_load(missing, NULL, &error);
	GPtrArray *names;

	g_assert_no_error(error);
	g_assert_nonnull(t);
	names = bdm_templates_list(t, "");
	g_assert_cmpuint(names->len, ==, 0);
	g_ptr_array_unref(names);
	bdm_templates_free(t);

	/* A path that exists but is no readable file is an error, not "missing". */
	t = bdm_templates_load(tmpdir, NULL, &error);
	g_assert_null(t);
	g_assert_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_READ);
	g_clear_error(&error);
	g_free(missing);
}

#define SYSTEM_LIB \
	"[constants]\nsupport_hours=9-17\n" \
	"[template greeting]\ntext=System hello\ntext[de]=System hallo\n" \
	"[template legal]\nlocked=true\ntext=Approved legal wording\n"

static void test_user_overrides(void)
{
	BdmTemplates *t = load_texts(SYSTEM_LIB,
	                             "[template greeting]\ntext=My hello {support_hours}\n"
	                             "[template mine]\ntext=Mine\n"
	                             "[constants]\nsupport_hours=8-20\n");
	BdmTemplateContext ctx = full_ctx;
	GPtrArray *names = bdm_templates_list(t, NULL);

	g_assert_cmpuint(names->len, ==, 3);
	assert_expands(t, "greeting", &ctx, "My hello 8-20", NULL);
	assert_expands(t, "mine", &ctx, "Mine", NULL);
	/* The user's template replaces the system one whole: no stray German. */
	ctx.locale = "de";
	assert_expands(t, "greeting", &ctx, "My hello 8-20", NULL);
	g_ptr_array_unref(names);
	bdm_templates_free(t);

	/* Without the user file, the system text and its translation are used. */
	t = load_texts(SYSTEM_LIB, NULL);
	assert_expands(t, "greeting", &ctx, "System hallo", "de");
	bdm_templates_free(t);
}

static void test_locked(void)
{
	BdmTemplates *t = load_texts(SYSTEM_LIB "[constants]\nlocked=true\n",
	                             "[template legal]\ntext=We promise nothing\nlocked=false\n"
	                             "[template greeting]\ntext=Hi {support_hours}\n"
	                             "[constants]\nsupport_hours=always\n");
	BdmTemplateContext ctx = full_ctx;

	assert_expands(t, "legal", &ctx, "Approved legal wording", NULL);
	/* Unlocked templates still follow the user; locked constants do not. */
	assert_expands(t, "greeting", &ctx, "Hi 9-17", NULL);
	bdm_templates_free(t);

	/* "locked" in a user file locks nothing against the system file. */
	t = load_texts("[template a]\ntext=System\n", "[template b]\nlocked=true\ntext=B\n");
	assert_expands(t, "a", &ctx, "System", NULL);
	assert_expands(t, "b", &ctx, "B", NULL);
	bdm_templates_free(t);
}

static void test_automated(void)
{
	BdmTemplates *t = load_texts(
		"[template out_of_hours]\nautomated=true\n"
		"text=This is an automated reply from {brand}. We answer from 9:00.\n"
		"[template greeting]\ntext=Hello from {brand}\n",
		NULL);
	GError *error = NULL;
	char *text;

	g_assert_true(bdm_template_is_automated(t, "out_of_hours"));
	g_assert_false(bdm_template_is_automated(t, "greeting"));
	g_assert_false(bdm_template_is_automated(t, "nothing"));
	text = bdm_template_expand_automated(t, "out_of_hours", &full_ctx, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(text, ==, "This is an automated reply from Acme. We answer from 9:00.");
	g_free(text);
	text = bdm_template_expand_automated(t, "greeting", &full_ctx, NULL, &error);
	g_assert_null(text);
	g_assert_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_NOT_AUTOMATED);
	g_clear_error(&error);
	text = bdm_template_expand_automated(t, "missing", &full_ctx, NULL, &error);
	g_assert_error(error, BDM_TEMPLATE_ERROR, BDM_TEMPLATE_ERROR_UNKNOWN_TEMPLATE);
	g_clear_error(&error);
	bdm_templates_free(t);
}

static void test_broken_files(void)
{
	char *sys = g_build_filename(tmpdir, "system.conf", NULL);
	char *user = g_build_filename(tmpdir, "user.conf", NULL);
	char *at_line;

	/* Key-file syntax: line 4 is neither a group nor key=value. */
	at_line = g_strdup_printf("%s:4:", sys);
	assert_load_fails("# comment\n[template a]\ntext=A\nthis line is broken\n", NULL,
	                  at_line, NULL);
	g_free(at_line);
	/* The same mistake in the user file names the user file. */
	at_line = g_strdup_printf("%s:2:", user);
	assert_load_fails("[template a]\ntext=A\n", "[template b]\n[oops\n", at_line, NULL);
	g_free(at_line);
	/* Brace syntax is checked at load time, on the line of the text. */
	at_line = g_strdup_printf("%s:5:", sys);
	assert_load_fails("[template a]\ntext=A\n\n[template b]\ntext[de]=Hallo {brand\n"
	                  "text=Hello\n", NULL, at_line, "text[de]");
	g_free(at_line);
	at_line = g_strdup_printf("%s:2:", sys);
	assert_load_fails("[template a]\ntext=50% off }\n", NULL, at_line, "}");
	g_free(at_line);
	assert_load_fails("[template a]\ntext=Use {curly braces}\n", NULL, "{curly braces}", NULL);
	/* Semantic mistakes name their line too. */
	at_line = g_strdup_printf("%s:3:", sys);
	assert_load_fails("[template a]\ntext=A\ntxt=typo\n", NULL, at_line, "txt");
	g_free(at_line);
	at_line = g_strdup_printf("%s:2:", sys);
	assert_load_fails("[template a]\n[template b]\ntext=B\n", NULL, "[template a]", NULL);
	assert_load_fails("[template a]\ntext=A\n[tempalte b]\ntext=B\n", NULL, "tempalte b", NULL);
	assert_load_fails("[template a b]\ntext=A\n", NULL, "template a b", NULL);
	assert_load_fails("[template a]\ntext=A\nautomated=maybe\n", NULL, "automated", NULL);
	assert_load_fails("[constants]\nbrand=Other\n", NULL, "brand", NULL);
	assert_load_fails("[template a]\nlocked=yes\ntext=A\n", NULL, at_line, "locked");
	g_free(at_line);
	g_free(sys);
	g_free(user);
}

static void test_example_file(void)
{
	GError *error = NULL;
	BdmTemplates *t;
	BdmTemplateContext ctx = full_ctx;
	GPtrArray *names;
	char *text;
	guint i;

	if (!g_file_test("docs/templates.conf.example", G_FILE_TEST_EXISTS))
		g_error("docs/templates.conf.example not found: run the tests from the source tree");
	t = bdm_templates_load("docs/templates.conf.example", NULL, &error);
	g_assert_no_error(error);
	names = bdm_templates_list(t, NULL);
	g_assert_cmpuint(names->len, ==, 7);
	g_ptr_array_unref(names);
	ctx.locale = "de_DE.UTF-8";
	assert_expands(t, "hours", &ctx,
	               "Unser Team ist Montag bis Freitag, 9–17 Uhr (MEZ) für Sie da.", "de");
	/* Every template of the example expands with a full context and an
	 * answer to each question it asks. */
	names = bdm_templates_list(t, "");
	for (i = 0; i < names->len; i++) {
		GPtrArray *asks = bdm_template_asks(t, g_ptr_array_index(names, i), &ctx, &error);
		GHashTable *answers = g_hash_table_new(g_str_hash, g_str_equal);
		guint j;

		g_assert_no_error(error);
		for (j = 0; j < asks->len; j++)
			g_hash_table_insert(answers, g_ptr_array_index(asks, j), (gpointer)"A-1");
		ctx.answers = answers;
		text = bdm_template_expand(t, g_ptr_array_index(names, i), &ctx, NULL, &error);
		ctx.answers = NULL;
		g_assert_no_error(error);
		g_assert_nonnull(text);
		g_assert_null(strchr(text, '{'));
		g_free(text);
		g_hash_table_destroy(answers);
		g_ptr_array_unref(asks);
	}
	g_ptr_array_unref(names);
	text = asks_joined(t, "order-shipped", &ctx);
	g_assert_cmpstr(text, ==, "Bestellnummer|Versanddatum");
	g_free(text);
	text = bdm_template_expand_automated(t, "out_of_hours", &ctx, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(g_str_has_prefix(text, "Dies ist eine automatische Antwort von Acme"));
	g_free(text);
	bdm_templates_free(t);
}

int main(int argc, char **argv)
{
	int status;

	g_unsetenv("LANGUAGE");
	g_setenv("LC_ALL", "C", TRUE);
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test_templates-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	g_test_add_func("/templates/locale_from_conversation", test_locale_from_conversation);
	g_test_add_func("/templates/locale_from_agent", test_locale_from_agent);
	g_test_add_func("/templates/placeholders", test_placeholders);
	g_test_add_func("/templates/first_name", test_first_name);
	g_test_add_func("/templates/refusals", test_refusals);
	g_test_add_func("/templates/fallbacks", test_fallbacks);
	g_test_add_func("/templates/asks", test_asks);
	g_test_add_func("/templates/ask_labels", test_ask_labels);
	g_test_add_func("/templates/list_and_category", test_list_and_category);
	g_test_add_func("/templates/missing_files", test_missing_files);
	g_test_add_func("/templates/user_overrides", test_user_overrides);
	g_test_add_func("/templates/locked", test_locked);
	g_test_add_func("/templates/automated", test_automated);
	g_test_add_func("/templates/broken_files", test_broken_files);
	g_test_add_func("/templates/example_file", test_example_file);
	status = g_test_run();
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return status;
}
