/*
 * Unit tests for the Instagram module: what differs from Messenger (the
 * shared Graph code is covered by test_facebook.c): byte-counted text limit,
 * platform=instagram, usernames, the 20-message gap rule, the extra brand id
 * option and Instagram's window subcode.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "test_proto_helpers.h"

const BdmModule *branddm_module_entry(void);

#define BASE "https://graph.facebook.com/v25.0"
#define NOW 1795255200LL
#define HOUR 3600LL

static const BdmModule *m;

static void test_metadata(void)
{
	const BdmAccountOption *o;
	gboolean human_agent = FALSE, ig_id = FALSE;

	g_assert_cmpstr(m->protocol_id, ==, "prpl-branddm-instagram");
	g_assert_cmpstr(m->name, ==, "Instagram");
	g_assert_cmpstr(m->platform, ==, "instagram");
	g_assert_cmpstr(m->username_label, ==, "Instagram account ID or Page ID");
	g_assert_cmpuint(m->text_limit, ==, 1000);
	g_assert_cmpint(m->text_limit_in_bytes, ==, 1);
	g_assert_cmpuint(m->flags, ==, BDM_MODULE_NUMERIC_USERNAME);
	g_assert_cmpstr(m->default_api_base, ==, BASE);
	/* Instagram's messaging API takes no uploads: no file sending. */
	g_assert_false(BDM_MODULE_HAS(m, build_upload));
	g_assert_false(BDM_MODULE_HAS(m, parse_upload));
	for (o = m->options; o->key; o++) {
		if (strcmp(o->key, "human_agent") == 0) {
			g_assert_cmpint(o->type, ==, BDM_OPT_BOOL);
			g_assert_cmpint(o->default_int, ==, FALSE);
			human_agent = TRUE;
		} else if (strcmp(o->key, "instagram_id") == 0) {
			g_assert_cmpint(o->type, ==, BDM_OPT_STRING);
			ig_id = TRUE;
		}
	}
	g_assert_true(human_agent);
	g_assert_true(ig_id);
}

static void test_requests(void)
{
	TestAccount acct;
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	char *v;

	test_account_init(&acct, m, BASE, "17841400000000000", NULL, NOW);
	g_assert_cmpint(m->build_whoami(&acct.ctx, &req, &err), ==, 0);
	g_assert_cmpstr(req.url, ==, BASE "/17841400000000000?fields=id,name,username");
	bdm_request_clear(&req);

	g_assert_cmpint(m->build_poll(&acct.ctx, NULL, &req, &err), ==, 0);
	g_assert_true(g_str_has_prefix(req.url, BASE "/17841400000000000/conversations?"));
	v = test_url_param(req.url, "platform");
	g_assert_cmpstr(v, ==, "instagram");
	g_free(v);
	bdm_request_clear(&req);
	test_account_clear(&acct);
}

static void test_whoami_username(void)
{
	TestAccount acct;
	BdmIdentity id = { 0 };
	BdmError err = { 0 };
	BdmResponse resp = test_response(200, "{\"id\":\"178\",\"username\":\"acme.shop\"}",
	                                 NOW, NULL, 0);

	test_account_init(&acct, m, BASE, "178", NULL, NOW);
	g_assert_cmpint(m->parse_whoami(&acct.ctx, &resp, &id, &err), ==, 0);
	g_assert_cmpstr(id.name, ==, "acme.shop");
	bdm_identity_clear(&id);
	/* A name, when present, wins. */
	resp = test_response(200, "{\"id\":\"178\",\"name\":\"Acme\",\"username\":\"acme.shop\"}",
	                     NOW, NULL, 0);
	g_assert_cmpint(m->parse_whoami(&acct.ctx, &resp, &id, &err), ==, 0);
	g_assert_cmpstr(id.name, ==, "Acme");
	bdm_identity_clear(&id);
	test_account_clear(&acct);
}

/* A conversation with n inline messages from customer 601, newest first,
 * plus an optional nested paging link. */
static char *conversation_body(int n, const char *nested_next, const char *brand_id)
{
	GString *s = g_string_new("{\"data\":[{\"id\":\"ig_t_1\",\"participants\":{\"data\":[");
	int i;

	g_string_append_printf(s, "{\"username\":\"acme.shop\",\"id\":\"%s\"},"
	                       "{\"username\":\"ann.ig\",\"id\":\"601\"}]},"
	                       "\"messages\":{\"data\":[", brand_id);
	for (i = 0; i < n; i++)
		g_string_append_printf(s, "%s{\"id\":\"aWdf_%d\",\"message\":\"m%d\","
		                       "\"from\":{\"username\":\"ann.ig\",\"id\":\"601\"},"
		                       "\"to\":{\"data\":[{\"username\":\"acme.shop\",\"id\":\"%s\"}]},"
		                       "\"created_time\":\"2026-11-21T09:%02d:00+0000\"}",
		                       i ? "," : "", n - i, n - i, brand_id, 59 - i);
	g_string_append(s, "]");
	if (nested_next)
		g_string_append_printf(s, ",\"paging\":{\"next\":\"%s\"}", nested_next);
	g_string_append(s, "}}]}");
	return g_string_free(s, FALSE);
}

static void poll_with(TestAccount *acct, const char *body, BdmPollPage *page)
{
	BdmResponse resp = test_response(200, body, NOW, NULL, 0);
	BdmError err = { 0 };

	g_assert_cmpint(m->parse_poll(&acct->ctx, &resp, page, &err), ==, 0);
}

static void test_gap_rule(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	char *body;

	test_account_init(&acct, m, BASE, "178", NULL, NOW);
	body = conversation_body(20, NULL, "178");
	poll_with(&acct, body, &page);
	g_assert_cmpuint(page.n_messages, ==, 20);
	g_assert_cmpint(page.gap, ==, 1);
	g_assert_cmpstr(page.conversations[0].customer_name, ==, "ann.ig");
	g_assert_cmpstr(page.messages[0].sender_name, ==, "ann.ig");
	bdm_poll_page_clear(&page);
	g_free(body);

	/* Near misses: one message fewer, or a link to older messages. */
	body = conversation_body(19, NULL, "178");
	poll_with(&acct, body, &page);
	g_assert_cmpuint(page.n_messages, ==, 19);
	g_assert_cmpint(page.gap, ==, 0);
	bdm_poll_page_clear(&page);
	g_free(body);

	body = conversation_body(20, BASE "/ig_t_1/messages?after=X", "178");
	poll_with(&acct, body, &page);
	g_assert_cmpint(page.gap, ==, 0);
	g_assert_cmpuint(page.n_next, ==, 1);
	bdm_poll_page_clear(&page);
	g_free(body);
	test_account_clear(&acct);
}

static void test_brand_id_option(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	char *body = conversation_body(2, NULL, "17841400000000000");
	BdmResponse resp;
	BdmError err = { 0 };
	char *reply;

	/* Username is the Page id: without the option the brand's Instagram
	 * id is unknown, so the brand could pass for the customer. */
	test_account_init(&acct, m, BASE, "1000", "1000", NOW);
	poll_with(&acct, body, &page);
	g_assert_cmpstr(page.conversations[0].customer_id, ==, "17841400000000000");
	bdm_poll_page_clear(&page);

	test_account_set_option(&acct, "instagram_id", "17841400000000000");
	poll_with(&acct, body, &page);
	g_assert_cmpstr(page.conversations[0].customer_id, ==, "601");
	g_assert_false(page.messages[0].from_brand);
	bdm_poll_page_clear(&page);
	g_free(body);

	/* The brand's own reply, recognised through the option. */
	reply = g_strdup("{\"data\":[{\"id\":\"aWdf_9\",\"message\":\"hi\","
	                 "\"from\":{\"username\":\"acme.shop\",\"id\":\"17841400000000000\"},"
	                 "\"to\":{\"data\":[{\"id\":\"601\"}]},\"created_time\":1795255000}],"
	                 "\"paging\":{\"previous\":\"" BASE "/ig_t_1/messages?before=Q\"}}");
	resp = test_response(200, reply, NOW, NULL, 0);
	g_assert_cmpint(m->parse_poll(&acct.ctx, &resp, &page, &err), ==, 0);
	g_assert_true(page.messages[0].from_brand);
	g_assert_cmpstr(page.messages[0].recipient_id, ==, "601");
	g_assert_cmpstr(page.messages[0].conversation_id, ==, "ig_t_1");
	bdm_poll_page_clear(&page);
	/* An empty option is no id at all: it must not match a missing one. */
	test_account_set_option(&acct, "instagram_id", "");
	g_assert_cmpint(m->parse_poll(&acct.ctx, &resp, &page, &err), ==, 0);
	g_assert_false(page.messages[0].from_brand);
	bdm_poll_page_clear(&page);
	g_free(reply);
	test_account_clear(&acct);
}

static void test_byte_limit(void)
{
	TestAccount acct;
	BdmSendInput in = { "601", NULL, NULL, NOW - 60, 0, 0, NULL, 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	GString *text = g_string_new(NULL);
	int i;

	test_account_init(&acct, m, BASE, "178", NULL, NOW);
	for (i = 0; i < 500; i++)
		g_string_append(text, "é");            /* 1000 bytes, 500 characters */
	in.text = text->str;
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, 0);
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, 0);
	g_assert_cmpstr(req.url, ==, BASE "/178/messages");
	bdm_request_clear(&req);

	g_string_append(text, "x");                 /* 1001 bytes */
	in.text = text->str;
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_nonnull(strstr(err.message, "1000 bytes"));
	g_assert_nonnull(strstr(err.message, "Instagram"));
	bdm_error_clear(&err);

	/* 334 characters, far under a character limit of 1000, but 1336 bytes. */
	g_string_truncate(text, 0);
	for (i = 0; i < 334; i++)
		g_string_append(text, "\xF0\x9F\x98\x80");
	in.text = text->str;
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_null(req.url);
	bdm_error_clear(&err);
	g_string_free(text, TRUE);
	test_account_clear(&acct);
}

static void test_window(void)
{
	TestAccount acct;
	BdmSendInput in = { "601", NULL, "Hello", NOW - 30 * HOUR, 1, 0, NULL, 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	BdmResponse resp;
	BdmSendResult res = { 0 };
	JsonNode *root;

	test_account_init(&acct, m, BASE, "178", NULL, NOW);
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, 0);
	root = test_request_json(&req);
	g_assert_cmpstr(json_object_get_string_member(json_node_get_object(root), "tag"), ==,
	                "HUMAN_AGENT");
	json_node_unref(root);
	bdm_request_clear(&req);

	in.allow_human_agent = 0;
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_WINDOW);
	g_assert_nonnull(strstr(err.message, "Instagram only allows replies within 24 hours"));
	bdm_error_clear(&err);

	/* Instagram's own "outside of allowed window" subcode. */
	resp = test_response(400, "{\"error\":{\"message\":\"(#10) This message is sent outside "
	                     "of allowed window.\",\"code\":10,\"error_subcode\":2534022}}",
	                     NOW, NULL, 0);
	g_assert_cmpint(m->parse_send(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_WINDOW);
	g_assert_cmpint(err.subcode, ==, 2534022);
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	m = branddm_module_entry();
	g_test_add_func("/instagram/metadata", test_metadata);
	g_test_add_func("/instagram/requests", test_requests);
	g_test_add_func("/instagram/whoami-username", test_whoami_username);
	g_test_add_func("/instagram/gap-rule", test_gap_rule);
	g_test_add_func("/instagram/brand-id-option", test_brand_id_option);
	g_test_add_func("/instagram/byte-limit", test_byte_limit);
	g_test_add_func("/instagram/window", test_window);
	return g_test_run();
}
