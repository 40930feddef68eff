/*
 * Unit tests for the Facebook Page Messenger module, and through it the
 * Graph API code it shares with Instagram: metadata, requests, poll parsing,
 * paging safety and hostile responses.  Errors and sending have their own
 * files (test_graph_errors.c, test_graph_send.c).
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "test_proto_helpers.h"

const BdmModule *branddm_module_entry(void);

#define BASE "https://graph.facebook.com/v25.0"
#define PAGE "1000"
#define NOW 1795255200LL /* 2026-11-21T10:00:00Z */

static const BdmModule *m;

/* ---- metadata ----------------------------------------------------------- */

static void test_metadata(void)
{
	const BdmAccountOption *o;
	int seen = 0;

	g_assert_cmpuint(m->magic, ==, BDM_MODULE_MAGIC);
	g_assert_cmpint(m->abi_version, ==, BDM_ABI_VERSION);
	g_assert_cmpuint(m->struct_size, ==, sizeof(BdmModule));
	g_assert_cmpstr(m->protocol_id, ==, "prpl-branddm-facebook");
	g_assert_cmpstr(m->name, ==, "Facebook Page Messenger");
	g_assert_cmpstr(m->platform, ==, "facebook");
	g_assert_cmpstr(m->default_api_base, ==, BASE);
	g_assert_cmpstr(m->username_label, ==, "Facebook Page ID");
	g_assert_cmpstr(m->password_label, ==, "Page access token");
	g_assert_cmpuint(m->text_limit, ==, 2000);
	g_assert_cmpint(m->text_limit_in_bytes, ==, 0);
	g_assert_cmpint(m->min_poll_interval, ==, 2);
	g_assert_cmpuint(m->flags, ==, BDM_MODULE_NUMERIC_USERNAME);
	for (o = m->options; o->key; o++) {
		if (strcmp(o->key, "api_base") == 0) {
			g_assert_cmpint(o->type, ==, BDM_OPT_STRING);
			g_assert_cmpstr(o->default_string, ==, BASE);
			seen |= 1;
		} else if (strcmp(o->key, "poll_interval") == 0) {
			g_assert_cmpint(o->type, ==, BDM_OPT_INT);
			g_assert_cmpint(o->default_int, ==, 10);
			seen |= 2;
		} else if (strcmp(o->key, "human_agent") == 0) {
			g_assert_cmpint(o->type, ==, BDM_OPT_BOOL);
			g_assert_cmpint(o->default_int, ==, FALSE);
			g_assert_cmpstr(o->label, ==, "Allow replies up to 7 days (human agent tag)");
			seen |= 4;
		} else {
			g_assert_not_reached();
		}
	}
	g_assert_cmpint(seen, ==, 7);
}

/* ---- whoami ------------------------------------------------------------- */

static void test_whoami_request(void)
{
	TestAccount acct;
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	g_assert_cmpint(m->build_whoami(&acct.ctx, &req, &err), ==, 0);
	g_assert_cmpstr(req.method, ==, "GET");
	g_assert_cmpstr(req.url, ==, BASE "/1000?fields=id,name");
	g_assert_true(req.idempotent);
	g_assert_null(req.body);
	test_request_assert_no_token(&req);
	bdm_request_clear(&req);

	/* Ids never escape their path segment. */
	acct.ctx.account_id = "10/0?x&y";
	g_assert_cmpint(m->build_whoami(&acct.ctx, &req, &err), ==, 0);
	g_assert_cmpstr(req.url, ==, BASE "/10%2F0%3Fx%26y?fields=id,name");
	bdm_request_clear(&req);

	/* The emulator's base, with a trailing slash the user typed. */
	acct.ctx.account_id = PAGE;
	acct.ctx.api_base = "http://127.0.0.1:4567/v25.0/";
	g_assert_cmpint(m->build_whoami(&acct.ctx, &req, &err), ==, 0);
	g_assert_cmpstr(req.url, ==, "http://127.0.0.1:4567/v25.0/1000?fields=id,name");
	bdm_request_clear(&req);

	/* Unset base: the real one. */
	acct.ctx.api_base = NULL;
	g_assert_cmpint(m->build_whoami(&acct.ctx, &req, &err), ==, 0);
	g_assert_true(g_str_has_prefix(req.url, BASE "/1000?"));
	bdm_request_clear(&req);

	acct.ctx.account_id = "";
	g_assert_cmpint(m->build_whoami(&acct.ctx, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_null(req.url);
	bdm_error_clear(&err);

	acct.ctx.account_id = PAGE;
	acct.ctx.api_base = "file:///etc/passwd";
	g_assert_cmpint(m->build_whoami(&acct.ctx, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

static void test_whoami_parse(void)
{
	TestAccount acct;
	BdmIdentity id = { 0 };
	BdmError err = { 0 };
	BdmResponse resp;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	resp = test_response(200, "{\"id\":\"1000\",\"name\":\"Acme <Support>\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_whoami(&acct.ctx, &resp, &id, &err), ==, 0);
	g_assert_cmpstr(id.id, ==, "1000");
	g_assert_cmpstr(id.name, ==, "Acme <Support>");
	bdm_identity_clear(&id);

	resp = test_response(200, "{\"id\":1000}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_whoami(&acct.ctx, &resp, &id, &err), ==, 0);
	g_assert_cmpstr(id.id, ==, "1000");
	g_assert_null(id.name);
	bdm_identity_clear(&id);

	resp = test_response(200, "{\"name\":\"Acme\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_whoami(&acct.ctx, &resp, &id, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	g_assert_null(id.id);
	bdm_error_clear(&err);

	resp = test_response(200, "{\"id\":{\"nested\":1}}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_whoami(&acct.ctx, &resp, &id, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);

	resp = test_response(401, "{\"error\":{\"message\":\"Error validating access token: "
	                     "Session has expired\",\"type\":\"OAuthException\",\"code\":190,"
	                     "\"error_subcode\":463}}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_whoami(&acct.ctx, &resp, &id, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_AUTH);
	g_assert_cmpint(err.code, ==, 190);
	g_assert_cmpint(err.subcode, ==, 463);
	g_assert_cmpstr(err.message, ==, "Error validating access token: Session has expired");
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

/* ---- poll requests ------------------------------------------------------ */

static void test_poll_request(void)
{
	TestAccount acct;
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	char *v;

	test_account_init(&acct, m, BASE, PAGE, "1000", NOW);
	g_assert_cmpint(m->build_poll(&acct.ctx, NULL, &req, &err), ==, 0);
	g_assert_cmpstr(req.method, ==, "GET");
	g_assert_true(g_str_has_prefix(req.url, BASE "/1000/conversations?"));
	v = test_url_param(req.url, "platform");
	g_assert_cmpstr(v, ==, "messenger");
	g_free(v);
	v = test_url_param(req.url, "fields");
	g_assert_cmpstr(v, ==, "participants,updated_time,messages{id,message,from,to,created_time,attachments,sticker}");
	g_free(v);
	g_assert_true(req.idempotent);
	test_request_assert_no_token(&req);
	bdm_request_clear(&req);

	/* A cursor is the link itself, minus any token in it. */
	g_assert_cmpint(m->build_poll(&acct.ctx, BASE "/1000/conversations?access_token=SECRET"
	                              "&after=QVFI&limit=25", &req, &err), ==, 0);
	g_assert_cmpstr(req.url, ==, BASE "/1000/conversations?after=QVFI&limit=25");
	bdm_request_clear(&req);

	/* Cursors leading anywhere else are refused, near misses included. */
	{
		const char *evil[] = {
			"https://evil.example/v25.0/1000/conversations?after=x",
			"https://graph.facebook.com.evil.example/v25.0/1000/conversations",
			"https://graph.facebook.com@evil.example/v25.0/x",
			"http://graph.facebook.com/v25.0/1000/conversations",
			"https://graph.facebook.com:444/v25.0/1000/conversations",
			"QVFIcursor",
		};
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(evil); i++) {
			g_assert_cmpint(m->build_poll(&acct.ctx, evil[i], &req, &err), ==, -1);
			g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
			g_assert_null(req.url);
			bdm_error_clear(&err);
		}
	}
	test_account_clear(&acct);
}

/* ---- poll parsing ------------------------------------------------------- */

static const char conversations_page[] =
	"{\"data\":["
	" {\"id\":\"t_1\",\"updated_time\":\"2026-11-21T09:59:00+0000\","
	"  \"participants\":{\"data\":[{\"name\":\"Acme\",\"id\":\"1000\"},"
	"                            {\"name\":\"Ann Customer\",\"email\":\"1@facebook.com\",\"id\":\"501\"}]},"
	"  \"messages\":{\"data\":["
	"   {\"id\":\"m_2\",\"message\":\"Thanks <b>Ann</b>!\",\"created_time\":\"2026-11-21T09:59:00+0000\","
	"    \"from\":{\"name\":\"Acme\",\"id\":\"1000\"},\"to\":{\"data\":[{\"name\":\"Ann Customer\",\"id\":\"501\"}]}},"
	"   {\"id\":\"m_1\",\"message\":\"Where is my order?\",\"created_time\":\"2026-11-21T09:58:00+0000\","
	"    \"from\":{\"name\":\"Ann Customer\",\"id\":\"501\"},\"to\":{\"data\":[{\"name\":\"Acme\",\"id\":\"1000\"}]}}],"
	"   \"paging\":{\"cursors\":{\"after\":\"M2\"},"
	"    \"next\":\"" BASE "/t_1/messages?access_token=SECRET&fields=id,message&limit=2&after=M2\"}}},"
	" {\"id\":\"t_2\",\"updated_time\":1795254000,"
	"  \"participants\":{\"data\":[{\"name\":\"Bob\",\"id\":\"502\"},{\"name\":\"Acme\",\"id\":\"1000\"}]},"
	"  \"messages\":{\"data\":["
	"   {\"id\":\"m_3\",\"message\":\"Hi\",\"created_time\":\"2026-11-21T09:40:00+0000\","
	"    \"from\":{\"name\":\"Bob\",\"id\":\"502\"},\"to\":{\"data\":[{\"name\":\"Acme\",\"id\":\"1000\"}]}}]}}"
	"],\"paging\":{\"cursors\":{\"before\":\"B\",\"after\":\"A\"},"
	" \"next\":\"" BASE "/1000/conversations?access_token=SECRET&platform=messenger&after=A\"}}";

static int parse_page(const char *body, long status, TestAccount *acct, BdmPollPage *page,
                      BdmError *err)
{
	BdmResponse resp = test_response(status, body, acct->ctx.now, NULL, 0);

	return m->parse_poll(&acct->ctx, &resp, page, err);
}

static const BdmMessage *find_message(const BdmPollPage *page, const char *id)
{
	size_t i;

	for (i = 0; i < page->n_messages; i++)
		if (g_strcmp0(page->messages[i].id, id) == 0)
			return &page->messages[i];
	return NULL;
}

static void test_poll_parse_conversations(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };
	const BdmMessage *msg;
	size_t i;

	test_account_init(&acct, m, BASE, PAGE, "1000", NOW);
	g_assert_cmpint(parse_page(conversations_page, 200, &acct, &page, &err), ==, 0);

	g_assert_cmpuint(page.n_conversations, ==, 2);
	g_assert_cmpstr(page.conversations[0].id, ==, "t_1");
	g_assert_cmpstr(page.conversations[0].customer_id, ==, "501");
	g_assert_cmpstr(page.conversations[0].customer_name, ==, "Ann Customer");
	g_assert_cmpint(page.conversations[0].updated, ==, NOW - 60);
	/* The brand listed second does not confuse who the customer is. */
	g_assert_cmpstr(page.conversations[1].customer_id, ==, "502");
	g_assert_cmpint(page.conversations[1].updated, ==, 1795254000LL);

	g_assert_cmpuint(page.n_messages, ==, 3);
	msg = find_message(&page, "m_1");
	g_assert_nonnull(msg);
	g_assert_false(msg->from_brand);
	g_assert_cmpstr(msg->sender_id, ==, "501");
	g_assert_cmpstr(msg->sender_name, ==, "Ann Customer");
	g_assert_cmpstr(msg->recipient_id, ==, "1000");
	g_assert_cmpstr(msg->conversation_id, ==, "t_1");
	g_assert_cmpint(msg->created, ==, NOW - 120);
	msg = find_message(&page, "m_2");
	g_assert_true(msg->from_brand);
	g_assert_cmpstr(msg->recipient_id, ==, "501");
	/* Raw text: escaping is the host's job. */
	g_assert_cmpstr(msg->text, ==, "Thanks <b>Ann</b>!");
	msg = find_message(&page, "m_3");
	g_assert_cmpstr(msg->conversation_id, ==, "t_2");

	/* Both links, token stripped: the list's and t_1's nested one. */
	g_assert_cmpuint(page.n_next, ==, 2);
	for (i = 0; i < page.n_next; i++)
		g_assert_null(strstr(page.next[i], "SECRET"));
	g_assert_cmpstr(page.next[0], ==, BASE "/t_1/messages?fields=id,message&limit=2&after=M2");
	g_assert_cmpstr(page.next[1], ==, BASE "/1000/conversations?platform=messenger&after=A");
	g_assert_cmpint(page.gap, ==, 0);
	g_assert_cmpint(page.not_before, ==, 0);
	bdm_poll_page_clear(&page);

	/* Without self_id, the account id alone recognises the brand. */
	acct.ctx.self_id = NULL;
	g_assert_cmpint(parse_page(conversations_page, 200, &acct, &page, &err), ==, 0);
	g_assert_true(find_message(&page, "m_2")->from_brand);
	g_assert_false(find_message(&page, "m_1")->from_brand);
	bdm_poll_page_clear(&page);

	/* A near-miss account id ("100") must not claim Ann's messages. */
	acct.ctx.account_id = "100";
	g_assert_cmpint(parse_page(conversations_page, 200, &acct, &page, &err), ==, 0);
	g_assert_false(find_message(&page, "m_1")->from_brand);
	g_assert_false(find_message(&page, "m_2")->from_brand);
	bdm_poll_page_clear(&page);
	test_account_clear(&acct);
}

static void test_poll_parse_nested_messages_page(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };
	const char body[] =
		"{\"data\":["
		" {\"id\":\"m_0\",\"message\":\"older\",\"created_time\":\"2026-11-21T08:00:00+0000\","
		"  \"from\":{\"name\":\"Ann\",\"id\":\"501\"},\"to\":{\"data\":[{\"id\":\"1000\"}]}},"
		" {\"id\":\"m_00\",\"message\":\"oldest\",\"created_time\":\"2026-11-21T07:00:00+0000\","
		"  \"from\":{\"name\":\"Acme\",\"id\":\"1000\"},\"to\":{\"data\":[{\"id\":\"501\"}]}}],"
		"\"paging\":{\"cursors\":{\"before\":\"X\",\"after\":\"Y\"},"
		" \"previous\":\"" BASE "/t_1/messages?access_token=SECRET&before=X\","
		" \"next\":\"" BASE "/t_1/messages?access_token=SECRET&after=Y\"}}";
	const char last_page[] =
		"{\"data\":[{\"id\":\"m_000\",\"message\":\"first\",\"created_time\":1795230000,"
		"  \"from\":{\"id\":\"501\"}}],"
		"\"paging\":{\"previous\":\"" BASE "/t_9/messages?before=Z\"}}";

	test_account_init(&acct, m, BASE, PAGE, "1000", NOW);
	g_assert_cmpint(parse_page(body, 200, &acct, &page, &err), ==, 0);
	g_assert_cmpuint(page.n_conversations, ==, 0);
	g_assert_cmpuint(page.n_messages, ==, 2);
	g_assert_cmpstr(page.messages[0].id, ==, "m_0");
	g_assert_cmpstr(page.messages[0].conversation_id, ==, "t_1");
	g_assert_false(page.messages[0].from_brand);
	g_assert_true(page.messages[1].from_brand);
	g_assert_cmpstr(page.messages[1].recipient_id, ==, "501");
	g_assert_cmpuint(page.n_next, ==, 1);
	g_assert_cmpstr(page.next[0], ==, BASE "/t_1/messages?after=Y");
	bdm_poll_page_clear(&page);

	/* The last page has only "previous", which still names the conversation. */
	g_assert_cmpint(parse_page(last_page, 200, &acct, &page, &err), ==, 0);
	g_assert_cmpuint(page.n_messages, ==, 1);
	g_assert_cmpstr(page.messages[0].conversation_id, ==, "t_9");
	g_assert_cmpint(page.messages[0].created, ==, 1795230000LL);
	g_assert_cmpuint(page.n_next, ==, 0);
	bdm_poll_page_clear(&page);
	test_account_clear(&acct);
}

static void test_poll_parse_spoofed_next(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };
	const char *links[] = {
		"https://evil.example/v25.0/1000/conversations?after=A",
		"https://graph.facebook.com.evil.example/v25.0/1000/conversations?after=A",
		"https://graph.facebook.com@evil.example/v25.0/1000/conversations?after=A",
		"http://graph.facebook.com/v25.0/1000/conversations?after=A",
	};
	size_t i;

	test_account_init(&acct, m, BASE, PAGE, "1000", NOW);
	for (i = 0; i < G_N_ELEMENTS(links); i++) {
		char *body = g_strdup_printf(
			"{\"data\":[{\"id\":\"t_5\",\"participants\":{\"data\":[{\"id\":\"505\"}]},"
			"\"messages\":{\"data\":[{\"id\":\"m_5\",\"message\":\"hi\",\"from\":{\"id\":\"505\"},"
			"\"created_time\":\"2026-11-21T09:00:00+0000\"}],"
			"\"paging\":{\"next\":\"%s&n=1\"}}}],"
			"\"paging\":{\"next\":\"%s\"}}", links[i], links[i]);

		g_assert_cmpint(parse_page(body, 200, &acct, &page, &err), ==, 0);
		/* The messages arrive; the foreign links do not; the page says
		 * it may be incomplete. */
		g_assert_cmpuint(page.n_messages, ==, 1);
		g_assert_cmpuint(page.n_next, ==, 0);
		g_assert_cmpint(page.gap, ==, 1);
		bdm_poll_page_clear(&page);
		g_free(body);
	}
	test_account_clear(&acct);
}

static void test_poll_parse_dedupe(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };
	const char body[] =
		"{\"data\":["
		" {\"id\":\"t_1\",\"participants\":{\"data\":[{\"id\":\"501\"}]},\"messages\":{\"data\":["
		"  {\"id\":\"m_1\",\"message\":\"a\",\"from\":{\"id\":\"501\"},\"created_time\":1795250000},"
		"  {\"id\":\"m_1\",\"message\":\"a again\",\"from\":{\"id\":\"501\"},\"created_time\":1795250000}]}},"
		" {\"id\":\"t_1\",\"participants\":{\"data\":[{\"id\":\"501\"}]},\"messages\":{\"data\":["
		"  {\"id\":\"m_1\",\"message\":\"a\",\"from\":{\"id\":\"501\"},\"created_time\":1795250000},"
		"  {\"id\":\"m_9\",\"message\":\"b\",\"from\":{\"id\":\"501\"},\"created_time\":1795250001}]}}"
		"]}";

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	g_assert_cmpint(parse_page(body, 200, &acct, &page, &err), ==, 0);
	/* One conversation, each message once, and the repeat's new one kept. */
	g_assert_cmpuint(page.n_conversations, ==, 1);
	g_assert_cmpuint(page.n_messages, ==, 2);
	g_assert_cmpstr(page.messages[0].text, ==, "a");
	g_assert_cmpstr(page.messages[1].id, ==, "m_9");
	bdm_poll_page_clear(&page);
	test_account_clear(&acct);
}

static void test_poll_parse_attachments(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };
	const char body[] =
		"{\"data\":[{\"id\":\"t_1\",\"participants\":{\"data\":[{\"id\":\"501\"}]},"
		" \"messages\":{\"data\":["
		"  {\"id\":\"m_1\",\"from\":{\"id\":\"501\"},\"created_time\":1795250000,"
		"   \"attachments\":{\"data\":["
		"    {\"id\":\"a1\",\"mime_type\":\"image/png\",\"name\":\"p.png\",\"size\":12,"
		"     \"image_data\":{\"url\":\"https://cdn.example/p.png\",\"width\":640,\"height\":\"480\"}},"
		"    {\"id\":\"a2\",\"mime_type\":\"application/pdf\",\"file_url\":\"https://cdn.example/f\","
		"     \"size\":-4},"
		"    {\"id\":\"a3\",\"mime_type\":\"image/png\"},"
		"    {\"id\":[1],\"image_data\":{\"url\":7}}, 5]}},"
		"  {\"id\":\"m_1\",\"from\":{\"id\":\"501\"},\"created_time\":1795250000,"
		"   \"attachments\":{\"data\":[{\"file_url\":\"https://cdn.example/again\"}]}},"
		"  {\"id\":\"m_2\",\"from\":{\"id\":\"501\"},\"created_time\":1795250001,"
		"   \"sticker\":\"https://cdn.example/s.png\"},"
		"  {\"id\":\"m_3\",\"from\":{\"id\":\"501\"},\"created_time\":1795250002,"
		"   \"attachments\":{\"data\":{\"id\":\"x\"}}}]}}]}";

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	g_assert_cmpint(parse_page(body, 200, &acct, &page, &err), ==, 0);
	g_assert_cmpuint(page.n_messages, ==, 3);
	/* A message that is its attachments has no text of its own... */
	g_assert_cmpstr(find_message(&page, "m_1")->text, ==, "");
	g_assert_cmpstr(find_message(&page, "m_2")->text, ==, "");
	/* ...one whose attachments cannot be read keeps the notice. */
	g_assert_cmpstr(find_message(&page, "m_3")->text, !=, "");
	/* The repeat's attachment is dropped with it; items without a link
	 * are skipped and mark the gap. */
	g_assert_cmpuint(page.n_attachments, ==, 3);
	g_assert_true(page.gap);
	g_assert_cmpstr(page.attachments[0].message_id, ==, "m_1");
	g_assert_cmpint(page.attachments[0].kind, ==, BDM_ATTACHMENT_IMAGE);
	g_assert_cmpstr(page.attachments[0].url, ==, "https://cdn.example/p.png");
	g_assert_cmpstr(page.attachments[0].name, ==, "p.png");
	g_assert_cmpstr(page.attachments[0].platform_id, ==, "a1");
	g_assert_cmpint(page.attachments[0].size, ==, 12);
	g_assert_cmpint(page.attachments[0].width, ==, 640);
	g_assert_cmpint(page.attachments[0].height, ==, 480);
	g_assert_cmpint(page.attachments[1].kind, ==, BDM_ATTACHMENT_FILE);
	g_assert_cmpint(page.attachments[1].size, ==, 0);
	g_assert_cmpstr(page.attachments[2].message_id, ==, "m_2");
	g_assert_cmpint(page.attachments[2].kind, ==, BDM_ATTACHMENT_STICKER);
	bdm_poll_page_clear(&page);
	test_account_clear(&acct);
}

static void test_poll_parse_hostile_items(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };
	const BdmMessage *msg;
	const char body[] =
		"{\"data\":["
		" \"a string\", 42, null, [1,2], {},"
		" {\"id\":\"t_1\",\"participants\":\"nobody\",\"messages\":{\"data\":["
		"  {\"message\":\"no id\",\"from\":{\"id\":\"501\"}},"
		"  {\"id\":\"m_nofrom\",\"message\":\"no sender\"},"
		"  {\"id\":\"m_badfrom\",\"message\":\"x\",\"from\":\"501\"},"
		"  {\"id\":\"m_num\",\"message\":12345,\"from\":{\"id\":\"501\"},\"created_time\":\"when?\"},"
		"  {\"id\":\"m_att\",\"from\":{\"id\":\"501\",\"name\":[\"x\"]},\"created_time\":1e300},"
		"  {\"id\":\"m_ok\",\"message\":\"fine\",\"from\":{\"id\":\"501\"},\"to\":\"nobody\","
		"   \"created_time\":\"2026-11-21T09:00:00+0000\"},"
		"  \"not an object\"],\"paging\":{\"next\":42}}},"
		" {\"participants\":{\"data\":[{\"id\":\"600\"}]}},"
		" {\"id\":\"t_2\",\"updated_time\":{\"x\":1},\"messages\":[]}"
		"],\"paging\":\"nope\"}";

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	g_assert_cmpint(parse_page(body, 200, &acct, &page, &err), ==, 0);
	g_assert_cmpint(page.gap, ==, 1);
	g_assert_cmpuint(page.n_messages, ==, 3);
	/* Wrong-typed text becomes the attachment notice; a bad time, now. */
	msg = find_message(&page, "m_num");
	g_assert_nonnull(msg);
	g_assert_nonnull(strstr(msg->text, "attachment"));
	g_assert_cmpint(msg->created, ==, NOW);
	msg = find_message(&page, "m_att");
	g_assert_nonnull(msg);
	g_assert_null(msg->sender_name);
	g_assert_cmpint(msg->created, ==, NOW);
	msg = find_message(&page, "m_ok");
	g_assert_cmpstr(msg->text, ==, "fine");
	g_assert_null(msg->recipient_id);
	g_assert_null(find_message(&page, "m_nofrom"));
	g_assert_null(find_message(&page, "m_badfrom"));
	/* t_1 has no usable participants, but its messages name the customer;
	 * t_2 has nobody to reply to and is left out. */
	g_assert_cmpuint(page.n_conversations, ==, 1);
	g_assert_cmpstr(page.conversations[0].id, ==, "t_1");
	g_assert_cmpstr(page.conversations[0].customer_id, ==, "501");
	g_assert_cmpuint(page.n_next, ==, 0);
	bdm_poll_page_clear(&page);
	test_account_clear(&acct);
}

static void test_poll_parse_malformed_bodies(void)
{
	TestAccount acct;
	BdmPollPage page = { 0 };
	BdmError err = { 0 };
	const char *bodies[] = {
		"{\"data\":[{\"id\":\"t_1\",\"participants\":{\"data\":[{\"id\":\"5",
		"", "   ", "[]", "\"data\"", "null", "{}", "{\"data\":{}}", "{\"data\":\"x\"}",
		"<html><body>Sorry, something went wrong.</body></html>",
		"{\"data\":[],\"paging\":{\"next\":\"\xc3\x28\"}}",
	};
	char *garbage;
	size_t i;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	for (i = 0; i < G_N_ELEMENTS(bodies); i++) {
		g_assert_cmpint(parse_page(bodies[i], 200, &acct, &page, &err), ==, -1);
		g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
		g_assert_nonnull(err.message);
		g_assert_cmpuint(page.n_messages, ==, 0);
		bdm_error_clear(&err);
	}
	garbage = test_garbage(10 * 1024 * 1024);
	g_assert_cmpint(parse_page(garbage, 200, &acct, &page, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);
	g_free(garbage);

	/* The near miss: an empty list is a valid, empty page. */
	g_assert_cmpint(parse_page("{\"data\":[]}", 200, &acct, &page, &err), ==, 0);
	g_assert_cmpuint(page.n_messages, ==, 0);
	g_assert_cmpint(page.gap, ==, 0);
	bdm_poll_page_clear(&page);
	test_account_clear(&acct);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	m = branddm_module_entry();
	g_test_add_func("/facebook/metadata", test_metadata);
	g_test_add_func("/facebook/whoami/request", test_whoami_request);
	g_test_add_func("/facebook/whoami/parse", test_whoami_parse);
	g_test_add_func("/facebook/poll/request", test_poll_request);
	g_test_add_func("/facebook/poll/conversations", test_poll_parse_conversations);
	g_test_add_func("/facebook/poll/nested-messages-page", test_poll_parse_nested_messages_page);
	g_test_add_func("/facebook/poll/spoofed-next", test_poll_parse_spoofed_next);
	g_test_add_func("/facebook/poll/dedupe", test_poll_parse_dedupe);
	g_test_add_func("/facebook/poll/attachments", test_poll_parse_attachments);
	g_test_add_func("/facebook/poll/hostile-items", test_poll_parse_hostile_items);
	g_test_add_func("/facebook/poll/malformed-bodies", test_poll_parse_malformed_bodies);
	return g_test_run();
}
