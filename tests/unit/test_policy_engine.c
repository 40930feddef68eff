/*
 * The engine around the scanners: outreach and platform rules, who may
 * send, malformed UTF-8, the verdict (order, level), its description for
 * the agent, its JSON, and the policy summary.
 */
#include <json-glib/json-glib.h>

#include "test_policy_helpers.h"

static BdmPolicy *defaults;

static BdmVerdict *check_input(const BdmPolicy *p, const BdmCheckInput *in)
{
	BdmVerdict *v = bdm_policy_check(p, in);

	g_assert_nonnull(v);
	g_assert_nonnull(v->findings);
	return v;
}

static void test_first_contact(void)
{
	BdmCheckInput in = reply_input("Hello! How can we help?");
	BdmVerdict *v;
	const BdmFinding *f;

	in.customer_has_written = FALSE;
	v = check_input(defaults, &in);
	f = finding_of(v, "outreach.first_contact");
	g_assert_nonnull(f);
	g_assert_cmpuint(f->start, ==, 0);
	g_assert_cmpuint(f->end, ==, 0);
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	in.customer_has_written = TRUE;
	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "outreach.first_contact"));
	g_assert_cmpint(v->level, ==, BDM_VERDICT_ALLOW);
	bdm_verdict_free(v);
}

static void test_promotional(void)
{
	assert_fires(defaults, "Buy now and save!", "outreach.promotional", "Buy now");
	assert_fires(defaults, "use DISCOUNT  CODE x", "outreach.promotional", "DISCOUNT  CODE");
	assert_fires(defaults, "Please subscribe now.", "outreach.promotional", "subscribe now");
	assert_fires(defaults, "Order now! Order now!", "outreach.promotional", "Order now");
	assert_fires(defaults, "Don't miss out on it", "outreach.promotional", "Don't miss out");
	assert_fires(defaults, "A limited time offer", "outreach.promotional", "limited time offer");
	/* Near misses: other words, parts of words. */
	assert_quiet(defaults, "To unsubscribe, reply STOP", "outreach.promotional");
	assert_quiet(defaults, "you can buy it now or later", "outreach.promotional");
	assert_quiet(defaults, "the discount was refunded; the code is in the email",
	             "outreach.promotional");
	/* Service replies in the same words (issue 22, tests/policy_corpus/). */
	assert_quiet(defaults, "let me check your order now", "outreach.promotional");
	assert_quiet(defaults, "you can subscribe to shipping updates", "outreach.promotional");
	assert_quiet(defaults, "please act now to avoid being charged twice", "outreach.promotional");
	assert_quiet(defaults, "While we don't have a promo code to offer, we can help.",
	             "outreach.promotional");
	/* Only the sentence with the negation is spared. */
	assert_fires(defaults, "We have no vouchers. Use promo code X.", "outreach.promotional",
	             "promo code");
}

static void test_automated_disclosure(void)
{
	BdmCheckInput in = reply_input("Thanks for your message, we reply within a day.");
	BdmPolicy *p = policy_from_texts("[rule outreach.automated_disclosure]\n"
	                                 "phrases = message automatique; bot\n", NULL, NULL);
	BdmVerdict *v;
	const BdmFinding *f;

	in.automated = TRUE;
	v = check_input(defaults, &in);
	f = finding_of(v, "outreach.automated_disclosure");
	g_assert_nonnull(f);
	g_assert_cmpint(f->severity, ==, BDM_VERDICT_BLOCK);
	g_assert_nonnull(strstr(f->explanation, "\"automated\""));
	bdm_verdict_free(v);
	/* Said: fine.  Accents and case do not matter. */
	in.text = "This is an AUTOMATED reply from Acme.";
	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "outreach.automated_disclosure"));
	bdm_verdict_free(v);
	in.text = "Dies ist eine automatische Antwort.";
	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "outreach.automated_disclosure"));
	bdm_verdict_free(v);
	/* "automate" is not the disclosure. */
	in.text = "We automate nothing here.";
	v = check_input(defaults, &in);
	g_assert_nonnull(finding_of(v, "outreach.automated_disclosure"));
	bdm_verdict_free(v);
	/* Human replies need no disclosure. */
	in.automated = FALSE;
	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "outreach.automated_disclosure"));
	bdm_verdict_free(v);
	/* Configured phrases replace the defaults. */
	in.automated = TRUE;
	in.text = "Message Automatique : merci.";
	v = check_input(p, &in);
	g_assert_null(finding_of(v, "outreach.automated_disclosure"));
	bdm_verdict_free(v);
	in.text = "This is an automated reply.";
	v = check_input(p, &in);
	g_assert_nonnull(finding_of(v, "outreach.automated_disclosure"));
	g_assert_nonnull(strstr(finding_of(v, "outreach.automated_disclosure")->explanation,
	                        "message automatique"));
	bdm_verdict_free(v);
	bdm_policy_free(p);
}

static void test_length(void)
{
	/* "ééééé!": 6 characters, 11 bytes. */
	BdmCheckInput in = reply_input("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9!");
	BdmVerdict *v;
	const BdmFinding *f;

	in.text_limit = 6;
	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "platform.length"));
	bdm_verdict_free(v);
	in.text_limit = 5;
	v = check_input(defaults, &in);
	f = finding_of(v, "platform.length");
	g_assert_nonnull(f);
	g_assert_cmpuint(f->start, ==, 10);   /* from the first character that does not fit */
	g_assert_cmpuint(f->end, ==, 11);
	g_assert_nonnull(strstr(f->explanation, "6 characters"));
	g_assert_nonnull(strstr(f->explanation, "at most 5"));
	g_assert_nonnull(strstr(f->explanation, "Facebook Messenger"));
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	/* In bytes (Instagram): 11 bytes fit in 11, not in 10; a cut inside
	 * "é" starts the span at that character. */
	in.platform = "instagram";
	in.text_limit_in_bytes = TRUE;
	in.text_limit = 11;
	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "platform.length"));
	bdm_verdict_free(v);
	in.text_limit = 9;
	v = check_input(defaults, &in);
	f = finding_of(v, "platform.length");
	g_assert_nonnull(f);
	g_assert_cmpuint(f->start, ==, 8);
	g_assert_cmpuint(f->end, ==, 11);
	g_assert_nonnull(strstr(f->explanation, "11 bytes"));
	g_assert_nonnull(strstr(f->explanation, "Instagram"));
	bdm_verdict_free(v);
	/* No limit. */
	in.text_limit = 0;
	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "platform.length"));
	bdm_verdict_free(v);
}

static void test_window(void)
{
	BdmCheckInput in = reply_input("Sorry for the wait!");
	BdmVerdict *v;
	const BdmFinding *f;

	in.window_refusal = "the 24-hour reply window closed at 10:00";
	v = check_input(defaults, &in);
	f = finding_of(v, "platform.window");
	g_assert_nonnull(f);
	g_assert_cmpint(f->severity, ==, BDM_VERDICT_BLOCK);
	g_assert_nonnull(strstr(f->explanation, "the 24-hour reply window closed at 10:00"));
	bdm_verdict_free(v);
	in.window_refusal = NULL;
	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "platform.window"));
	bdm_verdict_free(v);
}

/* In a team: a reply to a customer a colleague handles is a warning by
 * default, naming the colleague; an administrator may lock it to block. */
static void test_assigned_elsewhere(void)
{
	BdmPolicy *strict = policy_from_texts("[rule team.assigned_elsewhere]\nseverity = block\n"
	                                      "locked = true\n", NULL, NULL);
	BdmCheckInput in = reply_input("I can help with that.");
	BdmVerdict *v;
	const BdmFinding *f;

	v = check_input(defaults, &in);
	g_assert_null(finding_of(v, "team.assigned_elsewhere"));
	bdm_verdict_free(v);
	in.assigned_elsewhere = "Alice Martin";
	v = check_input(defaults, &in);
	f = finding_of(v, "team.assigned_elsewhere");
	g_assert_nonnull(f);
	g_assert_cmpint(f->severity, ==, BDM_VERDICT_WARN);
	g_assert_nonnull(strstr(f->explanation, "Alice Martin"));
	g_assert_cmpint(v->level, ==, BDM_VERDICT_WARN);
	bdm_verdict_free(v);
	v = check_input(strict, &in);
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	/* The out-of-hours acknowledgement is nobody's reply. */
	in.automated = TRUE;
	in.text = "This is an automated reply from Acme.";
	v = check_input(strict, &in);
	g_assert_null(finding_of(v, "team.assigned_elsewhere"));
	bdm_verdict_free(v);
	bdm_policy_free(strict);
}

static void test_agents(void)
{
	BdmPolicy *p = policy_from_texts("[agents]\nfacebook:1000 = alice; bob\nx:* = carol\n",
	                                 NULL, NULL);
	BdmPolicy *all = policy_from_texts("[agents]\nfacebook:1000 = alice\n* = *\n", NULL, NULL);
	BdmPolicy *warn = policy_from_texts("[agents]\nfacebook:1000 = alice\n"
	                                    "[rule agent.unauthorised]\nseverity = warn\n", NULL, NULL);
	BdmCheckInput in = reply_input("Hello");
	BdmVerdict *v;
	const BdmFinding *f;

	/* Without [agents], everybody may send. */
	g_assert_true(bdm_policy_agent_may_send(defaults, "facebook", "1000", "mallory"));
	g_assert_true(bdm_policy_agent_may_send(p, "facebook", "1000", "alice"));
	g_assert_true(bdm_policy_agent_may_send(p, "facebook", "1000", "bob"));
	g_assert_false(bdm_policy_agent_may_send(p, "facebook", "1000", "mallory"));
	g_assert_false(bdm_policy_agent_may_send(p, "facebook", "1000", "Alice"));
	g_assert_false(bdm_policy_agent_may_send(p, "facebook", "1000", NULL));
	g_assert_true(bdm_policy_agent_may_send(p, "x", "55", "carol"));
	g_assert_false(bdm_policy_agent_may_send(p, "facebook", "1000", "carol"));
	/* No key for the account: nobody. */
	g_assert_false(bdm_policy_agent_may_send(p, "instagram", "1000", "alice"));
	g_assert_false(bdm_policy_agent_may_send(p, "facebook", "1001", "alice"));
	/* The most specific key decides. */
	g_assert_false(bdm_policy_agent_may_send(all, "facebook", "1000", "bob"));
	g_assert_true(bdm_policy_agent_may_send(all, "facebook", "1001", "bob"));
	g_assert_true(bdm_policy_agent_may_send(all, NULL, NULL, "bob"));

	in.agent = "mallory";
	v = check_input(p, &in);
	f = finding_of(v, "agent.unauthorised");
	g_assert_nonnull(f);
	g_assert_cmpstr(f->explanation, ==,
	                "You are not authorised to send on this account; it is read-only for you.");
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	in.agent = "alice";
	v = check_input(p, &in);
	g_assert_null(finding_of(v, "agent.unauthorised"));
	bdm_verdict_free(v);
	/* As a warning the agent may send, and is told. */
	in.agent = "mallory";
	g_assert_true(bdm_policy_agent_may_send(warn, "facebook", "1000", "mallory"));
	v = check_input(warn, &in);
	g_assert_nonnull(finding_of(v, "agent.unauthorised"));
	g_assert_cmpint(v->level, ==, BDM_VERDICT_WARN);
	bdm_verdict_free(v);
	bdm_policy_free(p);
	bdm_policy_free(all);
	bdm_policy_free(warn);
}

static void test_invalid_utf8(void)
{
	const char *text = "abc\xff\xfe" "def 4111 1111 1111 1111 \xe2\x82";
	BdmCheckInput in = reply_input(text);
	BdmVerdict *v = check_input(defaults, &in);
	const BdmFinding *f = finding_of(v, "text.encoding");
	char *description, *json;

	g_assert_nonnull(f);
	g_assert_cmpuint(f->start, ==, 3);
	g_assert_cmpuint(f->end, ==, 5);
	g_assert_cmpint(f->severity, ==, BDM_VERDICT_BLOCK);
	/* The rest of the text is still checked, at the same offsets. */
	f = finding_of(v, "sensitive.card");
	g_assert_nonnull(f);
	g_assert_cmpuint(f->start, ==, 9);
	g_assert_cmpuint(f->end, ==, 28);
	description = bdm_verdict_describe(v, text);
	g_assert_true(g_utf8_validate(description, -1, NULL));
	g_assert_nonnull(strstr(description, "«•••• •••• •••• 1111»"));
	json = bdm_verdict_to_json(v);
	g_assert_true(g_utf8_validate(json, -1, NULL));
	g_free(json);
	g_free(description);
	bdm_verdict_free(v);
	/* Valid text has no such finding. */
	assert_quiet(defaults, "caf\xc3\xa9", "text.encoding");
	/* A sequence cut off at the end. */
	assert_fires(defaults, "ok \xe2\x82", "text.encoding", "\xe2\x82");
}

static void test_verdict_order_and_level(void)
{
	BdmCheckInput in = reply_input("Buy now: card 4111 1111 1111 1111, bob@example.com");
	BdmVerdict *v;

	in.customer_has_written = FALSE;
	v = check_input(defaults, &in);
	g_assert_cmpuint(v->findings->len, ==, 4);
	g_assert_cmpstr(((BdmFinding *)g_ptr_array_index(v->findings, 0))->rule_id, ==,
	                "outreach.first_contact");
	g_assert_cmpstr(((BdmFinding *)g_ptr_array_index(v->findings, 1))->rule_id, ==,
	                "outreach.promotional");
	g_assert_cmpstr(((BdmFinding *)g_ptr_array_index(v->findings, 2))->rule_id, ==,
	                "sensitive.card");
	g_assert_cmpstr(((BdmFinding *)g_ptr_array_index(v->findings, 3))->rule_id, ==,
	                "sensitive.email");
	g_assert_cmpint(v->level, ==, BDM_VERDICT_BLOCK);
	bdm_verdict_free(v);
	/* Only warnings: the level is warn. */
	in.customer_has_written = TRUE;
	in.text = "Buy now, or write to bob@example.com";
	v = check_input(defaults, &in);
	g_assert_cmpuint(v->findings->len, ==, 2);
	g_assert_cmpint(v->level, ==, BDM_VERDICT_WARN);
	bdm_verdict_free(v);
	/* NULL text is the empty message. */
	in.text = NULL;
	v = check_input(defaults, &in);
	g_assert_cmpint(v->level, ==, BDM_VERDICT_ALLOW);
	g_assert_cmpuint(v->findings->len, ==, 0);
	bdm_verdict_free(v);
	bdm_verdict_free(NULL);
}

static void test_describe(void)
{
	const char *text = "Hi Bob, your card 4111 1111 1111 1111 is fine. Buy now!";
	BdmCheckInput in = reply_input(text);
	BdmVerdict *v;
	char *d;

	in.customer_has_written = FALSE;
	v = check_input(defaults, &in);
	d = bdm_verdict_describe(v, text);
	/* No heading of its own (the caller writes the one heading), no offsets. */
	g_assert_true(g_str_has_prefix(d, "• "));
	g_assert_null(strstr(d, "not sent"));
	g_assert_null(strstr(d, "characters"));
	g_assert_null(strstr(d, "19"));
	/* The card number is quoted masked: its shape and last four digits. */
	g_assert_nonnull(strstr(d, "• Payment card number: «•••• •••• •••• 1111»\n"));
	g_assert_null(strstr(d, "4111"));
	g_assert_nonnull(strstr(d, "secure payment page"));
	/* Among blocks, a warning says it is one; a block says nothing extra. */
	g_assert_nonnull(strstr(d, "• Promotional wording (warning only): «Buy now»\n"));
	g_assert_null(strstr(d, "blocks sending"));
	/* A whole-message finding has nothing to quote. */
	g_assert_nonnull(strstr(d, "• Unsolicited first contact\n  The customer has not written"));
	g_free(d);
	bdm_verdict_free(v);
	/* Only warnings: none is marked, and the quote is the text itself. */
	text = "\xc3\xa9\xc3\xa9 sh*t";
	in.text = text;
	in.customer_has_written = TRUE;
	v = check_input(defaults, &in);
	d = bdm_verdict_describe(v, text);
	g_assert_nonnull(strstr(d, "«sh*t»"));
	g_assert_null(strstr(d, "warning only"));
	g_free(d);
	bdm_verdict_free(v);
	/* A secret shows none of its letters; a long one keeps its end, cut. */
	text = "use password: hunter2hunter2";
	in.text = text;
	v = check_input(defaults, &in);
	d = bdm_verdict_describe(v, text);
	g_assert_null(strstr(d, "hunter"));
	g_assert_null(strstr(d, "r2"));
	g_assert_nonnull(strstr(d, "••••"));
	g_free(d);
	bdm_verdict_free(v);
	text = "IBAN DE89 3704 0044 0532 0130 00 for the refund";
	in.text = text;
	v = check_input(defaults, &in);
	d = bdm_verdict_describe(v, text);
	g_assert_nonnull(strstr(d, "«•••• •••• •••• •••• ••30 00»"));
	g_free(d);
	bdm_verdict_free(v);
	/* Nothing found. */
	in.text = "Thanks!";
	v = check_input(defaults, &in);
	d = bdm_verdict_describe(v, in.text);
	g_assert_cmpstr(d, ==, "The message policy has no objection to this message.\n");
	g_free(d);
	bdm_verdict_free(v);
}

static void test_json(void)
{
	const char *text = "Buy now: 4111 1111 1111 1111";
	BdmCheckInput in = reply_input(text);
	BdmVerdict *v = check_input(defaults, &in);
	char *json = bdm_verdict_to_json(v);
	JsonParser *parser = json_parser_new();
	GError *error = NULL;
	JsonObject *root, *finding;
	JsonArray *findings;

	g_assert_true(json_parser_load_from_data(parser, json, -1, &error));
	g_assert_no_error(error);
	root = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpstr(json_object_get_string_member(root, "verdict"), ==, "block");
	findings = json_object_get_array_member(root, "findings");
	g_assert_cmpuint(json_array_get_length(findings), ==, 2);
	finding = json_array_get_object_element(findings, 0);
	g_assert_cmpstr(json_object_get_string_member(finding, "rule"), ==, "outreach.promotional");
	g_assert_cmpstr(json_object_get_string_member(finding, "severity"), ==, "warn");
	g_assert_cmpint(json_object_get_int_member(finding, "start"), ==, 0);
	g_assert_cmpint(json_object_get_int_member(finding, "end"), ==, 7);
	/* Quotes in explanations are escaped. */
	g_assert_true(g_str_has_prefix(json_object_get_string_member(finding, "explanation"),
	                               "\"buy now\" reads like advertising"));
	finding = json_array_get_object_element(findings, 1);
	g_assert_cmpstr(json_object_get_string_member(finding, "rule"), ==, "sensitive.card");
	g_assert_cmpstr(json_object_get_string_member(finding, "severity"), ==, "block");
	g_assert_cmpint(json_object_get_int_member(finding, "start"), ==, 9);
	g_assert_cmpint(json_object_get_int_member(finding, "end"), ==, 28);
	g_free(json);
	bdm_verdict_free(v);
	/* An empty verdict, and a window reason with control characters. */
	in.text = "Fine.";
	in.window_refusal = "closed\n\t\"x\"\\";
	v = check_input(defaults, &in);
	json = bdm_verdict_to_json(v);
	g_assert_true(json_parser_load_from_data(parser, json, -1, &error));
	g_assert_no_error(error);
	root = json_node_get_object(json_parser_get_root(parser));
	findings = json_object_get_array_member(root, "findings");
	finding = json_array_get_object_element(findings, 0);
	g_assert_nonnull(strstr(json_object_get_string_member(finding, "explanation"),
	                        "closed\n\t\"x\"\\"));
	g_free(json);
	bdm_verdict_free(v);
	in.window_refusal = NULL;
	v = check_input(defaults, &in);
	json = bdm_verdict_to_json(v);
	g_assert_cmpstr(json, ==, "{\"verdict\":\"allow\",\"findings\":[]}");
	g_free(json);
	bdm_verdict_free(v);
	g_object_unref(parser);
}

static void test_summary_and_getters(void)
{
	BdmPolicy *p = policy_from_texts("[policy]\nversion = 2026-03\n"
	                                 "[rule links.domain]\nallow = acme.com\n"
	                                 "[rule sensitive.email]\nlocked = true\nseverity = block\n"
	                                 "[agents]\nfacebook:1000 = alice\n", NULL, NULL);
	BdmVerdictLevel level = BDM_VERDICT_ALLOW;
	char *s = bdm_policy_summary(p), *d = bdm_policy_summary(defaults);

	g_assert_nonnull(strstr(s, "version 2026-03"));
	g_assert_nonnull(strstr(s, "system.conf"));
	g_assert_nonnull(strstr(s, "block  Third-party e-mail address (sensitive.email), locked"));
	g_assert_nonnull(strstr(s, "warn   Third-party phone number (sensitive.phone)\n"));
	g_assert_nonnull(strstr(s, "Links may go to: acme.com"));
	g_assert_nonnull(strstr(s, "facebook:1000: alice"));
	g_assert_nonnull(strstr(d, "no version"));
	g_assert_nonnull(strstr(d, "built-in defaults"));
	g_assert_nonnull(strstr(d, "no site (every link is stopped)"));
	g_assert_nonnull(strstr(d, "everyone, on every account"));
	g_assert_nonnull(strstr(d, "bit.ly"));
	{
		/* The brief counts what the summary lists, in two lines for a dialog. */
		char *brief = bdm_policy_brief(p), *want;
		guint blocking = 0, warning = 0;
		char **lines = g_strsplit(s, "\n", -1);

		for (guint i = 0; lines[i] != NULL; i++) {
			blocking += g_str_has_prefix(lines[i], "  block ");
			warning += g_str_has_prefix(lines[i], "  warn ");
		}
		g_strfreev(lines);
		g_assert_cmpuint(blocking, >, 1);
		g_assert_cmpuint(warning, >, 1);
		want = g_strdup_printf("Version 2026-03, from %s\n%u rules block sending, "
		                       "%u rules warn.\n", bdm_policy_source(p), blocking, warning);
		g_assert_cmpstr(brief, ==, want);
		g_free(want);
		g_free(brief);
		brief = bdm_policy_brief(defaults);
		g_assert_true(g_str_has_prefix(brief, "No version, from "));
		g_free(brief);
	}
	g_free(s);
	g_free(d);

	g_assert_cmpstr(bdm_policy_version(p), ==, "2026-03");
	g_assert_cmpstr(bdm_policy_version(defaults), ==, "");
	g_assert_true(bdm_policy_rule_severity(p, "sensitive.email", &level));
	g_assert_cmpint(level, ==, BDM_VERDICT_BLOCK);
	g_assert_false(bdm_policy_rule_severity(p, "sensitive.emails", &level));
	g_assert_cmpstr(bdm_policy_rule_title("sensitive.card"), ==, "Payment card number");
	g_assert_null(bdm_policy_rule_title("sensitive"));
	g_assert_cmpstr(bdm_verdict_level_name(BDM_VERDICT_ALLOW), ==, "allow");
	g_assert_cmpstr(bdm_verdict_level_name(BDM_VERDICT_WARN), ==, "warn");
	g_assert_cmpstr(bdm_verdict_level_name(BDM_VERDICT_BLOCK), ==, "block");
	bdm_policy_free(p);
}

/* The defaults never allow everything: each kind of risk is stopped. */
static void test_defaults_are_safe(void)
{
	static const char *const blocked[] = {
		"4111 1111 1111 1111", "https://example.com", "password: x1",
		"DE89 3704 0044 0532 0130 00", "123-45-6789", NULL
	};

	for (guint i = 0; blocked[i] != NULL; i++) {
		BdmCheckInput in = reply_input(blocked[i]);
		BdmVerdict *v = check_input(defaults, &in);

		if (v->level != BDM_VERDICT_BLOCK) {
			g_test_message("defaults let \"%s\" pass", blocked[i]);
			g_test_fail();
		}
		bdm_verdict_free(v);
	}
	for (guint r = 0; r < 21; r++) {
		static const char *const ids[] = {
			"sensitive.card", "sensitive.iban", "sensitive.ssn", "sensitive.secret",
			"sensitive.email", "sensitive.phone", "links.scheme", "links.domain",
			"links.shortener", "links.ip", "links.lookalike", "language.offensive",
			"language.shouting", "outreach.first_contact", "outreach.promotional",
			"outreach.automated_disclosure", "platform.length", "platform.window",
			"agent.unauthorised", "text.encoding", "team.assigned_elsewhere"
		};
		BdmVerdictLevel level = BDM_VERDICT_ALLOW;

		g_assert_true(bdm_policy_rule_severity(defaults, ids[r], &level));
		g_assert_cmpint(level, !=, BDM_VERDICT_ALLOW);
	}
}

int main(int argc, char **argv)
{
	int status;

	policy_tests_init(&argc, &argv, "test_policy_engine-XXXXXX");
	defaults = bdm_policy_new_default();
	g_test_add_func("/policy/engine/first_contact", test_first_contact);
	g_test_add_func("/policy/engine/promotional", test_promotional);
	g_test_add_func("/policy/engine/automated_disclosure", test_automated_disclosure);
	g_test_add_func("/policy/engine/length", test_length);
	g_test_add_func("/policy/engine/window", test_window);
	g_test_add_func("/policy/engine/agents", test_agents);
	g_test_add_func("/policy/engine/assigned_elsewhere", test_assigned_elsewhere);
	g_test_add_func("/policy/engine/invalid_utf8", test_invalid_utf8);
	g_test_add_func("/policy/engine/verdict_order_and_level", test_verdict_order_and_level);
	g_test_add_func("/policy/engine/describe", test_describe);
	g_test_add_func("/policy/engine/json", test_json);
	g_test_add_func("/policy/engine/summary_and_getters", test_summary_and_getters);
	g_test_add_func("/policy/engine/defaults_are_safe", test_defaults_are_safe);
	status = policy_tests_run();
	bdm_policy_free(defaults);
	return status;
}
