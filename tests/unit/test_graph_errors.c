/*
 * Unit tests for Graph API error classification (graph_error.c), through the
 * Facebook module: every class from error.code/error_subcode, the HTTP
 * status fallback, Retry-After, and which text reaches the agent.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "test_proto_helpers.h"

const BdmModule *branddm_module_entry(void);

#define BASE "https://graph.facebook.com/v25.0"
#define PAGE "1000"
#define NOW 1795255200LL /* 2026-11-21T10:00:00Z */

static const BdmModule *m;

static int parse_page(const char *body, long status, TestAccount *acct, BdmPollPage *page,
                      BdmError *err)
{
	BdmResponse resp = test_response(status, body, acct->ctx.now, NULL, 0);

	return m->parse_poll(&acct->ctx, &resp, page, err);
}

typedef struct {
	long status;
	const char *body;
	const char *retry_after;   /* header, or NULL */
	BdmErrorClass cls;
	int code;
	long long retry;           /* expected retry_after */
} ErrorCase;

#define GERR(code, sub) "{\"error\":{\"message\":\"m\",\"type\":\"OAuthException\",\"code\":" \
	#code ",\"error_subcode\":" #sub ",\"fbtrace_id\":\"A\"}}"

static void test_errors(void)
{
	const ErrorCase cases[] = {
		{ 400, GERR(190, 460), NULL, BDM_ERR_AUTH, 190, 0 },
		{ 400, GERR(102, 0), NULL, BDM_ERR_AUTH, 102, 0 },
		{ 400, GERR(4, 0), NULL, BDM_ERR_RATE_LIMIT, 4, 60 },
		{ 400, GERR(4, 0), "30", BDM_ERR_RATE_LIMIT, 4, 30 },
		{ 400, GERR(17, 0), NULL, BDM_ERR_RATE_LIMIT, 17, 60 },
		{ 400, GERR(32, 0), "5", BDM_ERR_RATE_LIMIT, 32, 5 },
		{ 400, GERR(613, 0), NULL, BDM_ERR_RATE_LIMIT, 613, 60 },
		{ 400, GERR(80006, 0), NULL, BDM_ERR_RATE_LIMIT, 80006, 60 },
		{ 500, GERR(1, 0), NULL, BDM_ERR_TRANSIENT, 1, 0 },
		{ 503, GERR(2, 0), NULL, BDM_ERR_TRANSIENT, 2, 0 },
		{ 400, GERR(10, 2018278), NULL, BDM_ERR_WINDOW, 10, 0 },
		{ 400, GERR(10, 2018065), NULL, BDM_ERR_REFUSED, 10, 0 },
		{ 400, GERR(10, 0), NULL, BDM_ERR_REFUSED, 10, 0 },
		{ 400, GERR(551, 1545041), NULL, BDM_ERR_REFUSED, 551, 0 },
		{ 400, GERR(100, 2018001), NULL, BDM_ERR_INVALID, 100, 0 },
		{ 403, GERR(200, 0), NULL, BDM_ERR_REFUSED, 200, 0 },
		{ 403, GERR(230, 0), NULL, BDM_ERR_REFUSED, 230, 0 },
		{ 400, GERR(368, 1390008), NULL, BDM_ERR_REFUSED, 368, 0 },
		/* HTTP status does not decide when a code is there ... */
		{ 200, GERR(190, 0), NULL, BDM_ERR_AUTH, 190, 0 },
		{ 500, GERR(100, 0), NULL, BDM_ERR_INVALID, 100, 0 },
		/* ... but does for codes we do not know. */
		{ 400, GERR(99999, 0), NULL, BDM_ERR_INVALID, 99999, 0 },
		{ 502, GERR(99999, 0), NULL, BDM_ERR_TRANSIENT, 99999, 0 },
		{ 400, "{\"error\":{\"message\":\"m\",\"code\":12345,\"is_transient\":true}}", NULL,
		  BDM_ERR_TRANSIENT, 12345, 0 },
		{ 400, "{\"error\":{\"message\":\"m\",\"code\":99999999999999999999999}}", NULL,
		  BDM_ERR_INVALID, 0, 0 },
		{ 400, "{\"error\":{\"message\":\"m\",\"code\":\"190\"}}", NULL, BDM_ERR_AUTH, 190, 0 },
		{ 400, "{\"error\":\"bad request\"}", NULL, BDM_ERR_INVALID, 0, 0 },
		{ 502, "<html>Bad Gateway</html>", NULL, BDM_ERR_TRANSIENT, 0, 0 },
		{ 503, "", "12", BDM_ERR_TRANSIENT, 0, 0 },
		{ 500, "{\"error\":{\"code\":{}}}", NULL, BDM_ERR_TRANSIENT, 0, 0 },
		{ 401, "", NULL, BDM_ERR_AUTH, 0, 0 },
		{ 429, "", "7", BDM_ERR_RATE_LIMIT, 0, 7 },
		{ 0, NULL, NULL, BDM_ERR_TRANSIENT, 0, 0 },
	};
	TestAccount acct;
	size_t i;

	test_account_init(&acct, BASE, PAGE, NULL, NOW);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		BdmHeader h[] = { { "retry-after", (char *)cases[i].retry_after } };
		BdmResponse resp = test_response(cases[i].status, cases[i].body, NOW, h,
		                                 cases[i].retry_after ? 1 : 0);
		BdmPollPage page = { 0 };
		BdmSendResult sent = { 0 };
		BdmError err = { 0 };

		g_test_message("case %zu: HTTP %ld %s", i, cases[i].status, cases[i].body);
		/* Every parser classifies alike. */
		g_assert_cmpint(m->parse_poll(&acct.ctx, &resp, &page, &err), ==, -1);
		g_assert_cmpint(err.cls, ==, cases[i].cls);
		g_assert_cmpint(err.code, ==, cases[i].code);
		g_assert_cmpint(err.retry_after, ==, cases[i].retry);
		g_assert_nonnull(err.message);
		g_assert_cmpuint(page.n_messages, ==, 0);
		bdm_error_clear(&err);
		g_assert_cmpint(m->parse_send(&acct.ctx, &resp, &sent, &err), ==, -1);
		g_assert_cmpint(err.cls, ==, cases[i].cls);
		g_assert_null(sent.message_id);
		bdm_error_clear(&err);
	}
	test_account_clear(&acct);
}

static void test_error_messages(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };

	test_account_init(&acct, BASE, PAGE, NULL, NOW);
	/* error_user_msg wins over the developer message. */
	g_assert_cmpint(parse_page("{\"error\":{\"message\":\"(#10) dev text\",\"code\":10,"
	                           "\"error_subcode\":2018278,\"error_user_title\":\"T\","
	                           "\"error_user_msg\":\"Outside the window.\"}}", 400,
	                           &acct, &page, &err), ==, -1);
	g_assert_cmpstr(err.message, ==, "Outside the window.");
	g_assert_cmpint(err.subcode, ==, 2018278);
	bdm_error_clear(&err);
	g_assert_cmpint(parse_page("{\"error\":{\"message\":\"(#100) bad\",\"code\":100,"
	                           "\"error_user_msg\":\"\"}}", 400, &acct, &page, &err), ==, -1);
	g_assert_cmpstr(err.message, ==, "(#100) bad");
	bdm_error_clear(&err);
	g_assert_cmpint(parse_page("{\"error\":{\"code\":100}}", 400, &acct, &page, &err), ==, -1);
	g_assert_cmpstr(err.message, ==, "Facebook reported error 100.");
	bdm_error_clear(&err);
	test_account_clear(&acct);
}
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	m = branddm_module_entry();
	g_test_add_func("/graph/errors/classes", test_errors);
	g_test_add_func("/graph/errors/messages", test_error_messages);
	return g_test_run();
}
