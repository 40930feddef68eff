/*
 * Unit tests for Graph API sending (graph.c), through the Facebook module:
 * the 24-hour window and HUMAN_AGENT tag at the boundaries, the agent's
 * explanations, the request body, text rules and the send answer.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "test_proto_helpers.h"

const BdmModule *branddm_module_entry(void);

#define BASE "https://graph.facebook.com/v25.0"
#define PAGE "1000"
#define NOW 1795255200LL /* 2026-11-21T10:00:00Z */
#define HOUR 3600LL
#define DAY (24 * HOUR)

static const BdmModule *m;

typedef struct {
	long long age;            /* seconds since the customer wrote; -1 = never */
	int human_agent, automated;
	BdmErrorClass cls;
	const char *messaging_type;
} WindowCase;

static void test_send_window(void)
{
	const WindowCase cases[] = {
		{ 0, 0, 0, BDM_ERR_NONE, "RESPONSE" },
		{ -30, 0, 0, BDM_ERR_NONE, "RESPONSE" },    /* clock skew: "in the future" */
		{ 23 * HOUR + 59 * 60, 0, 0, BDM_ERR_NONE, "RESPONSE" },
		{ 23 * HOUR + 59 * 60, 1, 1, BDM_ERR_NONE, "RESPONSE" },
		{ 24 * HOUR, 0, 0, BDM_ERR_WINDOW, NULL },
		{ 24 * HOUR + 60, 0, 0, BDM_ERR_WINDOW, NULL },
		{ 24 * HOUR + 60, 1, 0, BDM_ERR_NONE, "MESSAGE_TAG" },
		{ 24 * HOUR + 60, 1, 1, BDM_ERR_WINDOW, NULL },
		{ 24 * HOUR + 60, 0, 1, BDM_ERR_WINDOW, NULL },
		{ 6 * DAY + 23 * HOUR, 1, 0, BDM_ERR_NONE, "MESSAGE_TAG" },
		{ 6 * DAY + 23 * HOUR, 0, 0, BDM_ERR_WINDOW, NULL },
		{ 6 * DAY + 23 * HOUR, 1, 1, BDM_ERR_WINDOW, NULL },
		{ 7 * DAY, 1, 0, BDM_ERR_WINDOW, NULL },
		{ 7 * DAY + HOUR, 1, 0, BDM_ERR_WINDOW, NULL },
		{ 7 * DAY + HOUR, 0, 0, BDM_ERR_WINDOW, NULL },
		{ -1, 1, 0, BDM_ERR_WINDOW, NULL },
	};
	TestAccount acct;
	size_t i;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		BdmSendInput in = { "501", "t_1", "Hello", 0, cases[i].human_agent,
		                    cases[i].automated, NULL, 0 };
		BdmRequest req = { 0 };
		BdmError err = { 0 };
		int rc;

		in.last_customer_message = cases[i].age == -1 ? 0 : NOW - cases[i].age;
		g_test_message("case %zu: age %lld human %d auto %d", i, cases[i].age,
		               cases[i].human_agent, cases[i].automated);
		rc = m->check_send(&acct.ctx, &in, &err);
		g_assert_cmpint(err.cls, ==, cases[i].cls);
		g_assert_cmpint(rc, ==, cases[i].cls ? -1 : 0);
		if (cases[i].cls)
			g_assert_nonnull(err.message);
		bdm_error_clear(&err);

		rc = m->build_send(&acct.ctx, &in, &req, &err);
		g_assert_cmpint(err.cls, ==, cases[i].cls);
		if (cases[i].cls) {
			g_assert_cmpint(rc, ==, -1);
			g_assert_null(req.url);
			bdm_error_clear(&err);
			continue;
		}
		g_assert_cmpint(rc, ==, 0);
		{
			JsonNode *root = test_request_json(&req);
			JsonObject *o = json_node_get_object(root);

			g_assert_cmpstr(json_object_get_string_member(o, "messaging_type"), ==,
			                cases[i].messaging_type);
			if (strcmp(cases[i].messaging_type, "MESSAGE_TAG") == 0)
				g_assert_cmpstr(json_object_get_string_member(o, "tag"), ==,
				                "HUMAN_AGENT");
			else
				g_assert_false(json_object_has_member(o, "tag"));
			json_node_unref(root);
		}
		bdm_request_clear(&req);
	}
	test_account_clear(&acct);
}

static char *window_message(long long age, int human_agent, int automated)
{
	TestAccount acct;
	BdmSendInput in = { "501", NULL, "Hello", 0, human_agent, automated, NULL, 0 };
	BdmError err = { 0 };
	char *msg;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	in.last_customer_message = age < 0 ? 0 : NOW - age;
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_WINDOW);
	msg = g_strdup(err.message);
	bdm_error_clear(&err);
	test_account_clear(&acct);
	return msg;
}

static void test_send_window_explanations(void)
{
	char *msg;

	msg = window_message(3 * DAY, 0, 0);
	g_assert_cmpstr(msg, ==, "The customer last wrote 3 days ago; Messenger only allows "
	                "replies within 24 hours. Enable the human-agent tag in the account "
	                "settings to reply for up to 7 days.");
	g_free(msg);
	msg = window_message(25 * HOUR, 1, 1);
	g_assert_nonnull(strstr(msg, "25 hours ago"));
	g_assert_nonnull(strstr(msg, "automated messages may not use the human-agent tag"));
	g_free(msg);
	msg = window_message(8 * DAY, 1, 0);
	g_assert_nonnull(strstr(msg, "8 days ago"));
	g_assert_nonnull(strstr(msg, "within 7 days"));
	g_assert_nonnull(strstr(msg, "writes again"));
	g_free(msg);
	msg = window_message(-1, 1, 0);
	g_assert_nonnull(strstr(msg, "has not written to this Page"));
	g_free(msg);
}

static void test_send_request(void)
{
	TestAccount acct;
	BdmSendInput in = { "50\"1/?&", "t_1", "Line 1\n\"quoted\" <b>é</b>", NOW - 60, 0, 0, NULL, 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	JsonNode *root;
	JsonObject *o;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, 0);
	g_assert_cmpstr(req.method, ==, "POST");
	g_assert_cmpstr(req.url, ==, BASE "/1000/messages");
	g_assert_cmpstr(req.content_type, ==, "application/json");
	g_assert_false(req.idempotent);
	test_request_assert_no_token(&req);
	root = test_request_json(&req);
	o = json_node_get_object(root);
	g_assert_cmpuint(json_object_get_size(o), ==, 3);
	g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(o, "recipient"),
	                                              "id"), ==, "50\"1/?&");
	g_assert_cmpstr(json_object_get_string_member(o, "messaging_type"), ==, "RESPONSE");
	g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(o, "message"),
	                                              "text"), ==, "Line 1\n\"quoted\" <b>é</b>");
	json_node_unref(root);
	bdm_request_clear(&req);
	test_account_clear(&acct);
}

static void test_send_text_rules(void)
{
	TestAccount acct;
	BdmSendInput in = { "501", NULL, NULL, NOW - 60, 0, 0, NULL, 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	GString *text = g_string_new(NULL);
	int i;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	/* 2000 characters of 2 bytes each: within the character limit. */
	for (i = 0; i < 2000; i++)
		g_string_append(text, "é");
	in.text = text->str;
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, 0);
	g_string_append(text, "x");
	in.text = text->str;
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_nonnull(strstr(err.message, "2000"));
	g_assert_null(req.url);
	bdm_error_clear(&err);

	in.text = "";
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	bdm_error_clear(&err);
	/* Text rules come before the window: an empty message to a stale
	 * conversation is INVALID, not WINDOW. */
	in.last_customer_message = 0;
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	bdm_error_clear(&err);
	in.text = "hi";
	in.last_customer_message = NOW - 60;
	in.recipient_id = NULL;
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	bdm_error_clear(&err);
	g_string_free(text, TRUE);
	test_account_clear(&acct);
}

static void test_send_parse(void)
{
	TestAccount acct;
	BdmSendResult res = { 0 };
	BdmError err = { 0 };
	BdmResponse resp;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	resp = test_response(200, "{\"recipient_id\":\"501\",\"message_id\":\"m_AbC\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_send(&acct.ctx, &resp, &res, &err), ==, 0);
	g_assert_cmpstr(res.message_id, ==, "m_AbC");
	g_assert_null(res.conversation_id);
	bdm_send_result_clear(&res);

	resp = test_response(200, "{\"recipient_id\":\"501\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_send(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);
	resp = test_response(200, "{\"recipient_id\":\"501\",\"message_id\":", NOW, NULL, 0);
	g_assert_cmpint(m->parse_send(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);
	resp = test_response(200, "{\"message_id\":[\"m_1\"]}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_send(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	g_assert_null(res.message_id);
	bdm_error_clear(&err);
	test_account_clear(&acct);
}
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	m = branddm_module_entry();
	g_test_add_func("/graph/send/window", test_send_window);
	g_test_add_func("/graph/send/window-explanations", test_send_window_explanations);
	g_test_add_func("/graph/send/request", test_send_request);
	g_test_add_func("/graph/send/text-rules", test_send_text_rules);
	g_test_add_func("/graph/send/parse", test_send_parse);
	return g_test_run();
}
