/*
 * Unit tests for the protocol helpers: defensive JSON, times, URLs, HTTP
 * status fallback, text limits and the poll page builder.
 */
#include <string.h>

#include "proto_http.h"
#include "proto_json.h"
#include "proto_page.h"
#include "proto_text.h"
#include "proto_time.h"
#include "proto_url.h"
#include "test_proto_helpers.h"

/* ---- JSON --------------------------------------------------------------- */

static void assert_malformed(const char *body, size_t len)
{
	BdmError err = { 0 };
	JsonNode *root = proto_json_parse(body, len, &err);

	g_assert_null(root);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	g_assert_nonnull(err.message);
	bdm_error_clear(&err);
}

static void test_json_parse_good(void)
{
	BdmError err = { 0 };
	/* Not NUL-terminated at body_len: the parser must honour the length. */
	const char body[] = "{\"a\":1}XXXX";
	JsonNode *root = proto_json_parse(body, 7, &err);

	g_assert_nonnull(root);
	g_assert_cmpint(err.cls, ==, BDM_ERR_NONE);
	g_assert_nonnull(proto_json_object(root));
	json_node_unref(root);
}

static void test_json_parse_hostile(void)
{
	char *garbage, *big;

	assert_malformed(NULL, 0);
	assert_malformed("", 0);
	assert_malformed("   \n", 4);
	assert_malformed("{\"data\":[{\"id\":\"1\"", 17);      /* truncated */
	assert_malformed("{\"a\":\"\xff\xfe\"}", 10);         /* not UTF-8 */
	assert_malformed("{\"a\":\"x\"}\0{}", 12);            /* embedded NUL */
	assert_malformed("<html>502 Bad Gateway</html>", 28);

	garbage = test_garbage(10 * 1024 * 1024);
	assert_malformed(garbage, strlen(garbage));
	g_free(garbage);

	/* Over the size cap: refused before parsing, even if it were JSON. */
	big = g_malloc(PROTO_JSON_MAX_BODY + 2);
	memset(big, ' ', PROTO_JSON_MAX_BODY + 1);
	big[0] = '1';
	big[PROTO_JSON_MAX_BODY + 1] = '\0';
	assert_malformed(big, PROTO_JSON_MAX_BODY + 1);
	g_free(big);
}

static JsonObject *parse_object(const char *body, JsonNode **root)
{
	BdmError err = { 0 };

	*root = proto_json_parse(body, strlen(body), &err);
	g_assert_nonnull(*root);
	return proto_json_object(*root);
}

static void test_json_wrong_types(void)
{
	JsonNode *root;
	JsonObject *o = parse_object("{\"s\":\"text\",\"o\":{\"k\":1},\"a\":[1,{\"x\":2}],"
	                             "\"n\":null,\"i\":42,\"b\":true}", &root);
	gint64 v = -7;

	g_assert_nonnull(o);
	/* Each accessor refuses every other type without a warning. */
	g_assert_null(proto_json_get_object(o, "s"));
	g_assert_null(proto_json_get_object(o, "a"));
	g_assert_null(proto_json_get_object(o, "n"));
	g_assert_nonnull(proto_json_get_object(o, "o"));
	g_assert_null(proto_json_get_array(o, "o"));
	g_assert_nonnull(proto_json_get_array(o, "a"));
	g_assert_null(proto_json_get_string(o, "i"));
	g_assert_null(proto_json_get_string(o, "o"));
	g_assert_null(proto_json_get_string(o, "n"));
	g_assert_cmpstr(proto_json_get_string(o, "s"), ==, "text");
	g_assert_null(proto_json_get_string(o, "missing"));
	g_assert_false(proto_json_get_int(o, "o", &v));
	g_assert_false(proto_json_get_int(o, "s", &v));
	g_assert_false(proto_json_get_int(o, "n", &v));
	g_assert_cmpint(v, ==, -7);
	g_assert_true(proto_json_get_bool(o, "b"));
	g_assert_false(proto_json_get_bool(o, "s"));
	g_assert_false(proto_json_get_bool(o, "i"));
	/* Arrays: non-object elements and out-of-range indexes. */
	g_assert_null(proto_json_array_object(proto_json_get_array(o, "a"), 0));
	g_assert_nonnull(proto_json_array_object(proto_json_get_array(o, "a"), 1));
	g_assert_null(proto_json_array_object(proto_json_get_array(o, "a"), 2));
	g_assert_null(proto_json_array_object(NULL, 0));
	/* NULL objects are allowed everywhere. */
	g_assert_null(proto_json_get_string(NULL, "s"));
	g_assert_null(proto_json_dup_id(NULL, "s"));
	g_assert_null(proto_json_object(NULL));
	json_node_unref(root);

	/* A root that is not an object. */
	o = parse_object("[1,2]", &root);
	g_assert_null(o);
	json_node_unref(root);
	o = parse_object("\"just a string\"", &root);
	g_assert_null(o);
	json_node_unref(root);
}

static void test_json_ids_and_numbers(void)
{
	JsonNode *root;
	JsonObject *o = parse_object("{\"s\":\"123\",\"e\":\"\",\"n\":456,\"neg\":-5,"
	                             "\"huge\":99999999999999999999999,\"f\":1.5,"
	                             "\"whole\":17.0,\"inf\":1e400,\"ds\":\"-12\","
	                             "\"bad\":\"12x\",\"o\":{}}", &root);
	char *id;
	gint64 v = 0;

	id = proto_json_dup_id(o, "s");
	g_assert_cmpstr(id, ==, "123");
	g_free(id);
	id = proto_json_dup_id(o, "n");
	g_assert_cmpstr(id, ==, "456");
	g_free(id);
	g_assert_null(proto_json_dup_id(o, "e"));
	g_assert_null(proto_json_dup_id(o, "neg"));
	/* json-glib wraps this to -1: it must not become an id. */
	g_assert_null(proto_json_dup_id(o, "huge"));
	g_assert_null(proto_json_dup_id(o, "f"));
	g_assert_null(proto_json_dup_id(o, "o"));

	g_assert_true(proto_json_get_int(o, "n", &v));
	g_assert_cmpint(v, ==, 456);
	g_assert_true(proto_json_get_int(o, "whole", &v));
	g_assert_cmpint(v, ==, 17);
	g_assert_true(proto_json_get_int(o, "ds", &v));
	g_assert_cmpint(v, ==, -12);
	g_assert_true(proto_json_get_int(o, "s", &v));
	g_assert_cmpint(v, ==, 123);
	v = 99;
	g_assert_false(proto_json_get_int(o, "f", &v));
	g_assert_false(proto_json_get_int(o, "inf", &v));
	g_assert_false(proto_json_get_int(o, "bad", &v));
	g_assert_false(proto_json_get_int(o, "e", &v));
	g_assert_cmpint(v, ==, 99);
	json_node_unref(root);
}

/* ---- times -------------------------------------------------------------- */

static void test_time_formats(void)
{
	/* 2026-11-21T10:00:00Z */
	const long long expected = 1795255200LL;
	const char *same[] = {
		"2026-11-21T10:00:00+0000", "2026-11-21T10:00:00+00:00",
		"2026-11-21T10:00:00Z", "2026-11-21T10:00:00.000Z",
		"2026-11-21T10:00:00.999999Z", "2026-11-21T11:00:00+0100",
		"2026-11-21T05:30:00-04:30", "2026-11-21T10:00:00", "1795255200",
	};
	const char *bad[] = {
		"", "yesterday", "2026-13-01T00:00:00Z", "2026-11-21T25:00:00Z",
		"2026-11-21T10:00:00+99", "-1795255200", "1795255200.5", " 1795255200",
		"99999999999999999999", "2026-11-21T10:00:00Zjunk",
	};
	long long t;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(same); i++) {
		t = 0;
		g_assert_true(proto_time_parse(same[i], &t));
		g_assert_cmpint(t, ==, expected);
	}
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		t = 42;
		g_assert_false(proto_time_parse(bad[i], &t));
		g_assert_cmpint(t, ==, 42);
	}
	g_assert_false(proto_time_parse(NULL, &t));
}

static void test_time_json_numbers(void)
{
	JsonNode *root;
	JsonObject *o = parse_object("{\"n\":1795255200,\"s\":\"1795255200\",\"f\":1795255200.7,"
	                             "\"neg\":-1,\"huge\":1e300,\"obj\":{},"
	                             "\"iso\":\"2026-11-21T10:00:00+0000\"}", &root);
	long long t = 0;

	g_assert_true(proto_json_get_time(o, "n", &t));
	g_assert_cmpint(t, ==, 1795255200LL);
	t = 0;
	g_assert_true(proto_json_get_time(o, "s", &t));
	g_assert_cmpint(t, ==, 1795255200LL);
	t = 0;
	g_assert_true(proto_json_get_time(o, "f", &t));
	g_assert_cmpint(t, ==, 1795255200LL);
	t = 0;
	g_assert_true(proto_json_get_time(o, "iso", &t));
	g_assert_cmpint(t, ==, 1795255200LL);
	t = 5;
	g_assert_false(proto_json_get_time(o, "neg", &t));
	g_assert_false(proto_json_get_time(o, "huge", &t));
	g_assert_false(proto_json_get_time(o, "obj", &t));
	g_assert_false(proto_json_get_time(o, "missing", &t));
	g_assert_cmpint(t, ==, 5);
	json_node_unref(root);
}

static void test_time_retry_after(void)
{
	const long long now = 784111777LL; /* Sun, 06 Nov 1994 08:49:37 GMT */

	g_assert_cmpint(proto_time_retry_after("120", now), ==, 120);
	g_assert_cmpint(proto_time_retry_after(" 7 ", now), ==, 7);
	g_assert_cmpint(proto_time_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now), ==, 60);
	g_assert_cmpint(proto_time_retry_after("Sun, 06 Nov 1994 08:40:00 GMT", now), ==, 0);
	g_assert_cmpint(proto_time_retry_after("Sun, 06 Nov 1994 08:50:37 PST", now), ==, -1);
	g_assert_cmpint(proto_time_retry_after("Sun, 06 Foo 1994 08:50:37 GMT", now), ==, -1);
	g_assert_cmpint(proto_time_retry_after("-5", now), ==, -1);
	g_assert_cmpint(proto_time_retry_after("soon", now), ==, -1);
	g_assert_cmpint(proto_time_retry_after("", now), ==, -1);
	g_assert_cmpint(proto_time_retry_after(NULL, now), ==, -1);
}

static void test_time_describe_age(void)
{
	struct { long long age; const char *text; } cases[] = {
		{ 5, "just now" }, { 60, "1 minute ago" }, { 150, "2 minutes ago" },
		{ 3600, "1 hour ago" }, { 24 * 3600 + 60, "24 hours ago" },
		{ 47 * 3600, "47 hours ago" }, { 2 * 86400, "2 days ago" },
		{ 3 * 86400 + 7200, "3 days ago" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *s = proto_time_describe_age(cases[i].age);

		g_assert_cmpstr(s, ==, cases[i].text);
		g_free(s);
	}
}

/* ---- URLs --------------------------------------------------------------- */

static void test_url_escape(void)
{
	GString *url = g_string_new("https://h/v1");
	char *s;

	s = proto_url_escape("a/b?c&d=e f#g%");
	g_assert_cmpstr(s, ==, "a%2Fb%3Fc%26d%3De%20f%23g%25");
	g_free(s);
	s = proto_url_escape("safe-._~AZ09");
	g_assert_cmpstr(s, ==, "safe-._~AZ09");
	g_free(s);
	s = proto_url_escape("é");
	g_assert_cmpstr(s, ==, "%C3%A9");
	g_free(s);

	proto_url_append_segment(url, "1/../../me");
	proto_url_append_param(url, "fields", "id,name{x}", ",");
	proto_url_append_param(url, "q", "a&b=c", NULL);
	g_assert_cmpstr(url->str, ==,
	                "https://h/v1/1%2F..%2F..%2Fme?fields=id,name%7Bx%7D&q=a%26b%3Dc");
	g_string_free(url, TRUE);
}

static void test_url_api_base(void)
{
	TestAccount acct;
	BdmError err = { 0 };
	char *base;

	test_account_init(&acct, NULL, "https://graph.facebook.com/v25.0//", "1", NULL, 0);
	base = proto_url_api_base(&acct.ctx, "https://fallback/v1", &err);
	g_assert_cmpstr(base, ==, "https://graph.facebook.com/v25.0");
	g_free(base);

	acct.ctx.api_base = "";
	base = proto_url_api_base(&acct.ctx, "https://fallback/v1", &err);
	g_assert_cmpstr(base, ==, "https://fallback/v1");
	g_free(base);

	acct.ctx.api_base = "http://127.0.0.1:8080/v25.0";
	base = proto_url_api_base(&acct.ctx, NULL, &err);
	g_assert_cmpstr(base, ==, "http://127.0.0.1:8080/v25.0");
	g_free(base);

	{
		const char *bad[] = { "ftp://host/v1", "graph.facebook.com/v25.0",
		                      "https:///v1", "https://h/v1?access_token=x",
		                      "https://user:pw@h/v1", "not a url" };
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(bad); i++) {
			acct.ctx.api_base = bad[i];
			g_assert_null(proto_url_api_base(&acct.ctx, "https://fallback/v1", &err));
			g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
			g_assert_nonnull(strstr(err.message, bad[i]));
			bdm_error_clear(&err);
		}
	}
	acct.ctx.api_base = NULL;
	g_assert_null(proto_url_api_base(&acct.ctx, NULL, &err));
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

static void test_url_same_origin(void)
{
	const char *base = "https://graph.facebook.com/v25.0";

	g_assert_true(proto_url_same_origin("https://graph.facebook.com/v25.0/1/x?a=b", base));
	g_assert_true(proto_url_same_origin("https://GRAPH.facebook.com/other", base));
	g_assert_true(proto_url_same_origin("https://graph.facebook.com:443/v25.0/x", base));
	/* Near misses: each differs from the base in one way. */
	g_assert_false(proto_url_same_origin("https://graph.facebook.com.evil.com/v25.0/x", base));
	g_assert_false(proto_url_same_origin("https://evil.com/graph.facebook.com/v25.0", base));
	g_assert_false(proto_url_same_origin("https://graph.facebook.com@evil.com/v25.0", base));
	g_assert_false(proto_url_same_origin("https://user@graph.facebook.com/v25.0", base));
	g_assert_false(proto_url_same_origin("http://graph.facebook.com/v25.0/x", base));
	g_assert_false(proto_url_same_origin("https://graph.facebook.com:8443/v25.0/x", base));
	g_assert_false(proto_url_same_origin("/v25.0/relative", base));
	g_assert_false(proto_url_same_origin("javascript:alert(1)", base));
	g_assert_false(proto_url_same_origin("", base));
	g_assert_false(proto_url_same_origin(NULL, base));

	g_assert_true(proto_url_same_origin("http://127.0.0.1:4000/v25.0/x",
	                                    "http://127.0.0.1:4000/v25.0"));
	g_assert_false(proto_url_same_origin("http://127.0.0.1:4001/v25.0/x",
	                                     "http://127.0.0.1:4000/v25.0"));
}

static void test_url_strip_param(void)
{
	struct { const char *in, *out; } cases[] = {
		{ "https://h/p?access_token=SECRET&after=abc", "https://h/p?after=abc" },
		{ "https://h/p?a=1&access_token=SECRET&b=2", "https://h/p?a=1&b=2" },
		{ "https://h/p?a=1&access_token=SECRET", "https://h/p?a=1" },
		{ "https://h/p?access_token=SECRET", "https://h/p" },
		{ "https://h/p?access%5Ftoken=SECRET&a=1", "https://h/p?a=1" },
		{ "https://h/p?access_token&a=1", "https://h/p?a=1" },
		{ "https://h/p?a=1&access_token=S1&access_token=S2", "https://h/p?a=1" },
		/* Near misses keep their parameters. */
		{ "https://h/p?access_tokens=1&my_access_token=2",
		  "https://h/p?access_tokens=1&my_access_token=2" },
		{ "https://h/p?fields=messages%7Bid%7D&after=QVF", "https://h/p?fields=messages%7Bid%7D&after=QVF" },
		{ "https://h:8080/p#frag", "https://h:8080/p" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *s = proto_url_strip_param(cases[i].in, "access_token");

		g_assert_cmpstr(s, ==, cases[i].out);
		g_free(s);
	}
	g_assert_null(proto_url_strip_param("not a url", "access_token"));
	g_assert_null(proto_url_strip_param(NULL, "access_token"));
}

static void test_url_segment_before(void)
{
	char *s;

	s = proto_url_segment_before("https://h/v25.0/t_10%2F2/messages?after=x", "messages");
	g_assert_cmpstr(s, ==, "t_10/2");
	g_free(s);
	g_assert_null(proto_url_segment_before("https://h/v25.0/t_1/messagesX", "messages"));
	g_assert_null(proto_url_segment_before("https://h/messages", "messages"));
	g_assert_null(proto_url_segment_before("https://h/v25.0/1/conversations", "messages"));
	g_assert_null(proto_url_segment_before("junk", "messages"));
}

/* ---- HTTP --------------------------------------------------------------- */

static void test_http_status_fallback(void)
{
	struct { long status; BdmErrorClass cls; } cases[] = {
		{ 0, BDM_ERR_TRANSIENT }, { 401, BDM_ERR_AUTH }, { 403, BDM_ERR_REFUSED },
		{ 400, BDM_ERR_INVALID }, { 404, BDM_ERR_INVALID }, { 408, BDM_ERR_TRANSIENT },
		{ 429, BDM_ERR_RATE_LIMIT }, { 500, BDM_ERR_TRANSIENT }, { 502, BDM_ERR_TRANSIENT },
		{ 599, BDM_ERR_TRANSIENT }, { 200, BDM_ERR_INVALID }, { 302, BDM_ERR_MALFORMED },
		{ 600, BDM_ERR_MALFORMED },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		BdmResponse resp = test_response(cases[i].status, NULL, 1000, NULL, 0);
		BdmError err = { 0 };

		g_assert_cmpint(proto_error_from_status(&resp, "Facebook", NULL, &err), ==, -1);
		g_assert_cmpint(err.cls, ==, cases[i].cls);
		g_assert_nonnull(err.message);
		g_assert_nonnull(strstr(err.message, "Facebook"));
		bdm_error_clear(&err);
	}
	{
		BdmResponse resp = test_response(500, NULL, 1000, NULL, 0);
		BdmError err = { 0 };

		proto_error_from_status(&resp, "X", "Service down for maintenance", &err);
		g_assert_cmpstr(err.message, ==, "Service down for maintenance");
		bdm_error_clear(&err);
	}
}

static void test_http_retry_after(void)
{
	BdmHeader h[] = { { "retry-after", "17" }, { "x-n", " 42 " }, { "x-bad", "4x" } };
	BdmResponse with = test_response(429, NULL, 1000, h, 3);
	BdmResponse without = test_response(429, NULL, 1000, NULL, 0);
	BdmHeader zero[] = { { "retry-after", "0" } };
	BdmResponse zero_resp = test_response(429, NULL, 1000, zero, 1);
	BdmError err = { 0 };
	long long v = 0;

	g_assert_cmpint(proto_retry_after(&with, 60), ==, 17);
	g_assert_cmpint(proto_retry_after(&without, 60), ==, 60);
	/* Never zero: a host must not spin on "retry now". */
	g_assert_cmpint(proto_retry_after(&zero_resp, 60), ==, 1);
	g_assert_true(proto_header_int(&with, "x-n", &v));
	g_assert_cmpint(v, ==, 42);
	g_assert_false(proto_header_int(&with, "x-bad", &v));
	g_assert_false(proto_header_int(&with, "x-missing", &v));

	proto_error_from_status(&with, "X", NULL, &err);
	g_assert_cmpint(err.cls, ==, BDM_ERR_RATE_LIMIT);
	g_assert_cmpint(err.retry_after, ==, 17);
	bdm_error_clear(&err);
	proto_error_from_status(&without, "X", NULL, &err);
	g_assert_cmpint(err.retry_after, ==, 60);
	bdm_error_clear(&err);
}

static void test_http_request(void)
{
	BdmRequest req = { 0 };
	JsonNode *node = json_from_string("{\"k\":\"v\"}", NULL);

	proto_request_init(&req, "POST", g_strdup("https://h/x"), 0);
	proto_request_set_json(&req, node);
	g_assert_cmpstr(req.method, ==, "POST");
	g_assert_cmpstr(req.url, ==, "https://h/x");
	g_assert_cmpint(req.idempotent, ==, 0);
	g_assert_cmpstr(req.body, ==, "{\"k\":\"v\"}");
	g_assert_cmpuint(req.body_len, ==, 9);
	g_assert_cmpstr(req.content_type, ==, "application/json");
	for (size_t i = 0; i < req.n_headers; i++)
		g_assert_cmpstr(req.headers[i].name, !=, "Authorization");
	json_node_unref(node);
	bdm_request_clear(&req);
}

/* ---- text --------------------------------------------------------------- */

static void assert_text(const char *text, size_t limit, int bytes, BdmErrorClass cls)
{
	BdmError err = { 0 };
	int rc = proto_text_check(text, limit, bytes, "Testland", &err);

	g_assert_cmpint(rc, ==, cls == BDM_ERR_NONE ? 0 : -1);
	g_assert_cmpint(err.cls, ==, cls);
	bdm_error_clear(&err);
}

static void test_text_limits(void)
{
	BdmError err = { 0 };
	char *five_e = g_strdup("ééééé"); /* 5 characters, 10 bytes */

	assert_text(NULL, 10, 0, BDM_ERR_INVALID);
	assert_text("", 10, 0, BDM_ERR_INVALID);
	assert_text("ok\xff", 10, 0, BDM_ERR_INVALID);
	assert_text(five_e, 5, 0, BDM_ERR_NONE);
	assert_text(five_e, 4, 0, BDM_ERR_INVALID);
	assert_text(five_e, 10, 1, BDM_ERR_NONE);
	assert_text(five_e, 9, 1, BDM_ERR_INVALID);
	assert_text("anything at all", 0, 0, BDM_ERR_NONE);

	proto_text_check(five_e, 9, 1, "Testland", &err);
	g_assert_nonnull(strstr(err.message, "10 bytes"));
	g_assert_nonnull(strstr(err.message, "at most 9 bytes"));
	g_assert_nonnull(strstr(err.message, "Testland"));
	bdm_error_clear(&err);
	proto_text_check(five_e, 4, 0, "Testland", &err);
	g_assert_nonnull(strstr(err.message, "5 characters"));
	g_assert_nonnull(strstr(err.message, "at most 4 characters"));
	bdm_error_clear(&err);
	g_free(five_e);

	g_assert_cmpint(proto_recipient_check("123", &err), ==, 0);
	g_assert_cmpint(proto_recipient_check("", &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	bdm_error_clear(&err);
	g_assert_cmpint(proto_recipient_check(NULL, &err), ==, -1);
	bdm_error_clear(&err);
}

/* ---- page builder ------------------------------------------------------- */

static void test_page_builder(void)
{
	ProtoPage *page = proto_page_new();
	BdmPollPage out = { 0 };
	BdmMessage m = { 0 };
	BdmConversation c = { 0 };

	m.id = g_strdup("m1");
	m.text = g_strdup("first");
	g_assert_true(proto_page_add_message(page, &m));
	g_assert_null(m.id);
	m.id = g_strdup("m1");
	m.text = g_strdup("repeat");
	g_assert_false(proto_page_add_message(page, &m));
	g_assert_null(m.text);
	g_assert_false(proto_page_add_message(page, &m)); /* no id */
	m.id = g_strdup("m2");
	g_assert_true(proto_page_add_message(page, &m));

	c.id = g_strdup("c1");
	c.customer_id = g_strdup("u1");
	proto_page_add_conversation(page, &c);
	c.id = g_strdup("c1");
	c.customer_id = g_strdup("u2");
	proto_page_add_conversation(page, &c);

	proto_page_add_next(page, "n1");
	proto_page_add_next(page, "n1");
	proto_page_add_next(page, "");
	proto_page_add_next(page, NULL);
	/* A cursor may equal an id without colliding with it. */
	proto_page_add_next(page, "m1");

	proto_page_finish(page, 77, &out);
	g_assert_cmpuint(out.n_messages, ==, 2);
	g_assert_cmpstr(out.messages[0].text, ==, "first");
	g_assert_cmpstr(out.messages[1].id, ==, "m2");
	g_assert_cmpuint(out.n_conversations, ==, 1);
	g_assert_cmpstr(out.conversations[0].customer_id, ==, "u1");
	g_assert_cmpuint(out.n_next, ==, 2);
	g_assert_cmpstr(out.next[0], ==, "n1");
	g_assert_cmpstr(out.next[1], ==, "m1");
	g_assert_cmpint(out.not_before, ==, 77);
	g_assert_cmpint(out.gap, ==, 0);
	bdm_poll_page_clear(&out);

	page = proto_page_new();
	proto_page_set_gap(page);
	proto_page_finish(page, 0, &out);
	g_assert_cmpint(out.gap, ==, 1);
	g_assert_cmpuint(out.n_messages, ==, 0);
	bdm_poll_page_clear(&out);

	proto_page_free(NULL);
	page = proto_page_new();
	m.id = g_strdup("x");
	proto_page_add_message(page, &m);
	proto_page_free(page);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/proto/json/parse-good", test_json_parse_good);
	g_test_add_func("/proto/json/parse-hostile", test_json_parse_hostile);
	g_test_add_func("/proto/json/wrong-types", test_json_wrong_types);
	g_test_add_func("/proto/json/ids-and-numbers", test_json_ids_and_numbers);
	g_test_add_func("/proto/time/formats", test_time_formats);
	g_test_add_func("/proto/time/json-numbers", test_time_json_numbers);
	g_test_add_func("/proto/time/retry-after", test_time_retry_after);
	g_test_add_func("/proto/time/describe-age", test_time_describe_age);
	g_test_add_func("/proto/url/escape", test_url_escape);
	g_test_add_func("/proto/url/api-base", test_url_api_base);
	g_test_add_func("/proto/url/same-origin", test_url_same_origin);
	g_test_add_func("/proto/url/strip-param", test_url_strip_param);
	g_test_add_func("/proto/url/segment-before", test_url_segment_before);
	g_test_add_func("/proto/http/status-fallback", test_http_status_fallback);
	g_test_add_func("/proto/http/retry-after", test_http_retry_after);
	g_test_add_func("/proto/http/request", test_http_request);
	g_test_add_func("/proto/text/limits", test_text_limits);
	g_test_add_func("/proto/page/builder", test_page_builder);
	return g_test_run();
}
