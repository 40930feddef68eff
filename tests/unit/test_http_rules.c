/*
 * The HTTP engine's URL rules: https anywhere, plain http only to loopback
 * hosts, and token-like query parameters redacted before debug output.
 */
#include <glib.h>
#include "http.h"

static void test_allowed(void)
{
	g_assert_true(bdm_http_url_allowed("https://graph.facebook.com/v25.0/me"));
	g_assert_true(bdm_http_url_allowed("http://127.0.0.1:8080/v25.0"));
	g_assert_true(bdm_http_url_allowed("http://127.1.2.3/x"));
	g_assert_true(bdm_http_url_allowed("http://localhost:99/x"));
	g_assert_true(bdm_http_url_allowed("http://[::1]:8080/x"));
}

static void test_refused(void)
{
	g_assert_false(bdm_http_url_allowed(NULL));
	g_assert_false(bdm_http_url_allowed(""));
	g_assert_false(bdm_http_url_allowed("http://graph.facebook.com/v25.0"));
	g_assert_false(bdm_http_url_allowed("http://10.0.0.1/x"));
	g_assert_false(bdm_http_url_allowed("http://127.0.0.1.evil.com/x"));
	g_assert_false(bdm_http_url_allowed("http://127.0.0.1@evil.example/x"));
	g_assert_false(bdm_http_url_allowed("http://localhost.evil.com/x"));
	g_assert_false(bdm_http_url_allowed("ftp://127.0.0.1/x"));
	g_assert_false(bdm_http_url_allowed("file:///etc/passwd"));
	g_assert_false(bdm_http_url_allowed("not a url"));
}

static void test_redact(void)
{
	char *r = bdm_http_redact_url("https://h/x?a=1&access_token=SECRET&b=2");
	g_assert_null(g_strstr_len(r, -1, "SECRET"));
	g_assert_nonnull(g_strstr_len(r, -1, "a=1"));
	g_assert_nonnull(g_strstr_len(r, -1, "b=2"));
	g_free(r);
	r = bdm_http_redact_url("https://h/x?token=SECRET#frag");
	g_assert_null(g_strstr_len(r, -1, "SECRET"));
	g_assert_nonnull(g_strstr_len(r, -1, "#frag"));
	g_free(r);
	/* A parameter that merely ends in "token" is not a secret name. */
	r = bdm_http_redact_url("https://h/x?pagination_token=abc");
	g_assert_nonnull(g_strstr_len(r, -1, "pagination_token=abc"));
	g_free(r);
	r = bdm_http_redact_url("https://h/no-query");
	g_assert_cmpstr(r, ==, "https://h/no-query");
	g_free(r);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/http/allowed", test_allowed);
	g_test_add_func("/http/refused", test_refused);
	g_test_add_func("/http/redact", test_redact);
	return g_test_run();
}
