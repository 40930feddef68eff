/*
 * Escalation: trigger matching (word boundaries, case, accents, several
 * matches), /escalate argument parsing, validation messages, and the
 * webhook JSON document.
 */
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "escalation.h"

static char *tmpdir;

static BdmDeskConfig *load_config(const char *text)
{
	char *path = g_build_filename(tmpdir, "desk.conf", NULL);
	GError *error = NULL;
	BdmDeskConfig *cfg;

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	cfg = bdm_desk_config_load(path, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(cfg);
	g_unlink(path);
	g_free(path);
	return cfg;
}

#define DESK \
	"[desk]\nbrand=Acme\n" \
	"[departments]\nnames=billing;legal;privacy\n" \
	"[labels]\nnames=vip;refund\n" \
	"[trigger refund]\nkeywords=refund;money back;chargeback\ndepartment=billing\ntag=refund\n" \
	"[trigger legal]\nkeywords=lawyer;attorney;sue;Anwalt\ndepartment=legal\nurgent=true\n" \
	"[trigger privacy]\nkeywords=GDPR;meine Daten löschen;delete my data\ndepartment=privacy\n"

/* The names of the triggers that fire on text, in order, joined by ",". */
static char *fired(const BdmDeskConfig *cfg, const char *text)
{
	GPtrArray *matches = bdm_escalation_match_triggers(cfg, text);
	GString *names = g_string_new(NULL);
	guint i;

	for (i = 0; i < matches->len; i++) {
		const BdmEscalationMatch *m = g_ptr_array_index(matches, i);

		g_string_append_printf(names, "%s%s", i > 0 ? "," : "", m->trigger);
	}
	g_ptr_array_unref(matches);
	return g_string_free(names, FALSE);
}

static void assert_fired(const BdmDeskConfig *cfg, const char *text, const char *expected)
{
	char *names = fired(cfg, text);

	if (strcmp(names, expected) != 0)
		g_error("“%s” fired “%s”, expected “%s”", text, names, expected);
	g_free(names);
}

static void test_word_boundaries(void)
{
	BdmDeskConfig *cfg = load_config(DESK);

	assert_fired(cfg, "I will sue you", "legal");
	assert_fired(cfg, "sue", "legal");
	assert_fired(cfg, "Fix it or I sue!", "legal");
	assert_fired(cfg, "\"sue\"", "legal");
	/* Near misses inside other words must not fire. */
	assert_fired(cfg, "There is an issue with my order", "");
	assert_fired(cfg, "I will pursue this", "");
	assert_fired(cfg, "suede shoes", "");
	assert_fired(cfg, "sued", "");
	assert_fired(cfg, "my_sue_file", "");
	assert_fired(cfg, "refunded", "");
	assert_fired(cfg, "nonrefundable", "");
	/* The name Sue fires too (documented: a keyword cannot tell). */
	assert_fired(cfg, "Sue here, my parcel is late", "legal");
	/* Multi-word keywords need their words in order, not just nearby. */
	assert_fired(cfg, "back money", "");
	assert_fired(cfg, "money backing", "");
	bdm_desk_config_free(cfg);
}

static void test_case_accents_spaces(void)
{
	BdmDeskConfig *cfg = load_config(DESK);

	assert_fired(cfg, "MY LAWYER WILL CALL", "legal");
	assert_fired(cfg, "Mein ANWALT meldet sich", "legal");
	assert_fired(cfg, "Mein Anwälte", "");
	assert_fired(cfg, "Bitte MEINE DATEN LOSCHEN", "privacy");
	assert_fired(cfg, "bitte meine   daten\nlöschen", "privacy");
	assert_fired(cfg, "Per ＧＤＰＲ article 17", "privacy"); /* full-width letters */
	assert_fired(cfg, "I want my MONEY\tBACK", "refund");
	bdm_desk_config_free(cfg);
}

static void test_multiple_matches(void)
{
	BdmDeskConfig *cfg = load_config(DESK);
	const char *text = "Under GDPR, delete my data — or my attorney asks for a refund!";
	GPtrArray *matches = bdm_escalation_match_triggers(cfg, text);
	const BdmEscalationMatch *m;

	g_assert_cmpuint(matches->len, ==, 3);
	m = g_ptr_array_index(matches, 0);
	g_assert_cmpstr(m->trigger, ==, "privacy");
	g_assert_cmpstr(m->keyword, ==, "GDPR"); /* the earliest of its two keywords */
	g_assert_cmpstr(m->department, ==, "privacy");
	g_assert_false(m->urgent);
	g_assert_null(m->tag);
	m = g_ptr_array_index(matches, 1);
	g_assert_cmpstr(m->trigger, ==, "legal");
	g_assert_cmpstr(m->keyword, ==, "attorney");
	g_assert_true(m->urgent);
	m = g_ptr_array_index(matches, 2);
	g_assert_cmpstr(m->trigger, ==, "refund");
	g_assert_cmpstr(m->department, ==, "billing");
	g_assert_cmpstr(m->tag, ==, "refund");
	g_assert_cmpuint(m->end - m->start, ==, strlen("refund"));
	g_assert_cmpint(strncmp(text + m->start, "refund", 6), ==, 0);
	g_ptr_array_unref(matches);

	g_assert_cmpuint((matches = bdm_escalation_match_triggers(cfg, "Hello!"))->len, ==, 0);
	g_ptr_array_unref(matches);
	g_assert_cmpuint((matches = bdm_escalation_match_triggers(cfg, NULL))->len, ==, 0);
	g_ptr_array_unref(matches);
	bdm_desk_config_free(cfg);
}

static void test_spans_in_original(void)
{
	BdmDeskConfig *cfg = load_config(DESK);
	const char *text = "Ärger! Bitte MEINE  Daten LÖSCHEN, danke";
	GPtrArray *matches = bdm_escalation_match_triggers(cfg, text);
	const BdmEscalationMatch *m;
	char *span;

	g_assert_cmpuint(matches->len, ==, 1);
	m = g_ptr_array_index(matches, 0);
	span = g_strndup(text + m->start, m->end - m->start);
	g_assert_cmpstr(span, ==, "MEINE  Daten LÖSCHEN");
	g_free(span);
	g_ptr_array_unref(matches);

	/* Invalid UTF-8 before the keyword neither crashes nor shifts the span. */
	text = "\xff\xfe money back";
	matches = bdm_escalation_match_triggers(cfg, text);
	g_assert_cmpuint(matches->len, ==, 1);
	m = g_ptr_array_index(matches, 0);
	g_assert_cmpuint(m->start, ==, 3);
	g_assert_cmpuint(m->end, ==, strlen(text));
	g_ptr_array_unref(matches);
	bdm_desk_config_free(cfg);
}

static void test_default_triggers(void)
{
	BdmDeskConfig *plain = load_config("[desk]\nbrand=Acme\n");
	BdmDeskConfig *custom = load_config(DESK);
	BdmDeskConfig *no_legal = load_config("[departments]\nnames=billing;privacy\n");

	/* No [trigger] in the file: the built-in legal and privacy triggers. */
	assert_fired(plain, "my lawyer", "legal");
	assert_fired(plain, "Ich schalte meinen Anwalt ein", "legal");
	assert_fired(plain, "DSGVO Auskunft", "privacy");
	assert_fired(plain, "data access request please", "privacy");
	assert_fired(plain, "see you in court", "legal");
	assert_fired(plain, "of course", "");
	/* Triggers in the file replace the built-in ones entirely. */
	assert_fired(custom, "see you in court", "");
	/* A built-in trigger whose department the desk lacks is left out. */
	assert_fired(no_legal, "my lawyer", "");
	assert_fired(no_legal, "GDPR", "privacy");
	bdm_desk_config_free(plain);
	bdm_desk_config_free(custom);
	bdm_desk_config_free(no_legal);
}

static void assert_args(const char *args, const char *department, gboolean urgent,
                        const char *reason)
{
	BdmEscalateArgs out = { 0 };
	GError *error = NULL;

	g_assert_true(bdm_escalation_parse_args(args, &out, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(out.department, ==, department);
	g_assert_cmpint(out.urgent, ==, urgent);
	g_assert_cmpstr(out.reason, ==, reason);
	bdm_escalate_args_clear(&out);
	bdm_escalate_args_clear(&out);
}

static void assert_args_refused(const char *args, const char *needle)
{
	BdmEscalateArgs out = { 0 };
	GError *error = NULL;

	g_assert_false(bdm_escalation_parse_args(args, &out, &error));
	g_assert_error(error, BDM_ESCALATION_ERROR, BDM_ESCALATION_ERROR_USAGE);
	if (strstr(error->message, needle) == NULL)
		g_error("“%s”: message “%s” lacks “%s”", args, error->message, needle);
	g_assert_null(out.department);
	g_assert_null(out.reason);
	g_error_free(error);
}

static void test_parse_args(void)
{
	assert_args("legal urgent Customer threatens to sue", "legal", TRUE,
	            "Customer threatens to sue");
	assert_args("  Billing   wants a refund  ", "billing", FALSE, "wants a refund");
	assert_args("legal URGENT x", "legal", TRUE, "x");
	/* Near misses of "urgent" are part of the reason. */
	assert_args("legal urgently needed", "legal", FALSE, "urgently needed");
	assert_args("legal urgent: see above", "legal", FALSE, "urgent: see above");
	assert_args("privacy delete\tdata", "privacy", FALSE, "delete\tdata");
	assert_args_refused("", "/escalate DEPARTMENT");
	assert_args_refused("   ", "/escalate DEPARTMENT");
	assert_args_refused(NULL, "/escalate DEPARTMENT");
	assert_args_refused("legal", "/escalate legal REASON");
	assert_args_refused("legal urgent", "/escalate legal urgent REASON");
	assert_args_refused("Legal  urgent   ", "/escalate legal urgent REASON");
}

static void assert_invalid(const BdmDeskConfig *cfg, const char *department,
                           const char *label, int code, const char *needle)
{
	GError *error = NULL;

	g_assert_false(bdm_escalation_validate(cfg, department, label, &error));
	g_assert_error(error, BDM_ESCALATION_ERROR, code);
	if (strstr(error->message, needle) == NULL)
		g_error("message “%s” lacks “%s”", error->message, needle);
	g_error_free(error);
}

static void test_validate(void)
{
	BdmDeskConfig *cfg = load_config(DESK);
	BdmDeskConfig *no_labels = load_config("[desk]\nbrand=Acme\n");
	GError *error = NULL;

	g_assert_true(bdm_escalation_validate(cfg, "legal", NULL, &error));
	g_assert_true(bdm_escalation_validate(cfg, NULL, "vip", &error));
	g_assert_true(bdm_escalation_validate(cfg, "billing", "refund", &error));
	g_assert_true(bdm_escalation_validate(cfg, NULL, NULL, &error));
	g_assert_no_error(error);
	assert_invalid(cfg, "sales", NULL, BDM_ESCALATION_ERROR_UNKNOWN_DEPARTMENT,
	               "billing, legal, privacy");
	assert_invalid(cfg, "legl", NULL, BDM_ESCALATION_ERROR_UNKNOWN_DEPARTMENT,
	               "Did you mean “legal”?");
	assert_invalid(cfg, "priv", NULL, BDM_ESCALATION_ERROR_UNKNOWN_DEPARTMENT, "“privacy”");
	assert_invalid(cfg, "Legal", NULL, BDM_ESCALATION_ERROR_UNKNOWN_DEPARTMENT, "“Legal”");
	assert_invalid(cfg, "legal", "urgent", BDM_ESCALATION_ERROR_UNKNOWN_LABEL, "vip, refund");
	assert_invalid(no_labels, NULL, "vip", BDM_ESCALATION_ERROR_UNKNOWN_LABEL,
	               "None are configured");
	bdm_desk_config_free(cfg);
	bdm_desk_config_free(no_labels);
}

static JsonObject *parse_payload(const char *json, JsonParser *parser)
{
	GError *error = NULL;

	g_assert_true(json_parser_load_from_data(parser, json, -1, &error));
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
	return json_node_get_object(json_parser_get_root(parser));
}

static void test_payload(void)
{
	const char *excerpt = "He said \"I'll sue\" \\ then\nleft\x01 — ok \xff end";
	BdmEscalationEvent ev = {
		.department = "legal", .urgent = TRUE, .reason = "Threat \"to sue\"",
		.trigger = "legal", .platform = "facebook", .account = "1000",
		.customer_id = "2001", .customer_name = "Zoë </script>", .conversation_id = "t_1",
		.agent = "jo", .time = 1795255200, /* 2026-11-21T10:00:00Z */
		.excerpt = excerpt,
	};
	JsonParser *parser = json_parser_new();
	char *json = bdm_escalation_webhook_payload(&ev);
	JsonObject *o = parse_payload(json, parser), *customer;

	g_assert_true(g_utf8_validate(json, -1, NULL));
	g_assert_cmpstr(json_object_get_string_member(o, "event"), ==, "escalation");
	g_assert_cmpstr(json_object_get_string_member(o, "department"), ==, "legal");
	g_assert_true(json_object_get_boolean_member(o, "urgent"));
	g_assert_cmpstr(json_object_get_string_member(o, "reason"), ==, "Threat \"to sue\"");
	g_assert_cmpstr(json_object_get_string_member(o, "trigger"), ==, "legal");
	g_assert_cmpstr(json_object_get_string_member(o, "platform"), ==, "facebook");
	g_assert_cmpstr(json_object_get_string_member(o, "account"), ==, "1000");
	customer = json_object_get_object_member(o, "customer");
	g_assert_cmpstr(json_object_get_string_member(customer, "id"), ==, "2001");
	g_assert_cmpstr(json_object_get_string_member(customer, "name"), ==, "Zoë </script>");
	g_assert_cmpstr(json_object_get_string_member(o, "conversation_id"), ==, "t_1");
	g_assert_cmpstr(json_object_get_string_member(o, "agent"), ==, "jo");
	g_assert_cmpstr(json_object_get_string_member(o, "time"), ==, "2026-11-21T10:00:00Z");
	g_assert_cmpstr(json_object_get_string_member(o, "excerpt"), ==,
	                "He said \"I'll sue\" \\ then\nleft\x01 — ok \xef\xbf\xbd end");
	g_assert_cmpuint(json_object_get_size(o), ==, 12);
	g_free(json);
	g_object_unref(parser);
}

static void test_payload_nulls_and_length(void)
{
	GString *long_text = g_string_new(NULL);
	BdmEscalationEvent ev = { .department = "billing", .time = 0 };
	JsonParser *parser = json_parser_new();
	char *json, *expected;
	JsonObject *o;
	int i;

	for (i = 0; i < BDM_ESCALATION_EXCERPT_MAX; i++)
		g_string_append(long_text, "ä");
	/* Exactly the maximum is kept whole. */
	ev.excerpt = long_text->str;
	json = bdm_escalation_webhook_payload(&ev);
	o = parse_payload(json, parser);
	g_assert_cmpstr(json_object_get_string_member(o, "excerpt"), ==, long_text->str);
	g_assert_false(json_object_get_boolean_member(o, "urgent"));
	g_assert_true(json_object_get_null_member(o, "trigger"));
	g_assert_true(json_object_get_null_member(o, "reason"));
	g_assert_true(json_object_get_null_member(json_object_get_object_member(o, "customer"),
	                                          "name"));
	g_assert_cmpstr(json_object_get_string_member(o, "time"), ==, "1970-01-01T00:00:00Z");
	g_free(json);
	/* One character more is cut at a character boundary and marked. */
	g_string_append(long_text, "b");
	json = bdm_escalation_webhook_payload(&ev);
	o = parse_payload(json, parser);
	expected = g_strdup_printf("%.*s…", BDM_ESCALATION_EXCERPT_MAX * 2, long_text->str);
	g_assert_cmpstr(json_object_get_string_member(o, "excerpt"), ==, expected);
	g_free(expected);
	g_free(json);
	/* No excerpt at all is null, not "". */
	ev.excerpt = NULL;
	json = bdm_escalation_webhook_payload(&ev);
	o = parse_payload(json, parser);
	g_assert_true(json_object_get_null_member(o, "excerpt"));
	g_free(json);
	g_object_unref(parser);
	g_string_free(long_text, TRUE);
}

int main(int argc, char **argv)
{
	int status;

	g_setenv("LC_ALL", "C", TRUE);
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test_escalation-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	g_test_add_func("/escalation/word_boundaries", test_word_boundaries);
	g_test_add_func("/escalation/case_accents_spaces", test_case_accents_spaces);
	g_test_add_func("/escalation/multiple_matches", test_multiple_matches);
	g_test_add_func("/escalation/spans_in_original", test_spans_in_original);
	g_test_add_func("/escalation/default_triggers", test_default_triggers);
	g_test_add_func("/escalation/parse_args", test_parse_args);
	g_test_add_func("/escalation/validate", test_validate);
	g_test_add_func("/escalation/payload", test_payload);
	g_test_add_func("/escalation/payload_nulls_and_length", test_payload_nulls_and_length);
	status = g_test_run();
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return status;
}
