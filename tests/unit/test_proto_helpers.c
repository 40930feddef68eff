/*
 * Fixtures shared by the protocol module unit tests: see test_proto_helpers.h.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "test_proto_helpers.h"

static const char *lookup_option(const BdmAccountCtx *ctx, const char *key)
{
	TestAccount *acct = ctx->host_data;

	return g_hash_table_lookup(acct->options, key);
}

void test_account_init(TestAccount *acct, const BdmModule *m, const char *api_base,
                       const char *account_id, const char *self_id, long long now)
{
	memset(acct, 0, sizeof(*acct));
	acct->options = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	acct->ctx.api_base = api_base;
	acct->ctx.account_id = account_id;
	acct->ctx.self_id = self_id;
	acct->ctx.now = now;
	acct->ctx.get_option = lookup_option;
	acct->ctx.host_data = acct;
	bdm_ctx_bind(&acct->ctx, m);
}

void test_account_set_option(TestAccount *acct, const char *key, const char *value)
{
	if (value)
		g_hash_table_replace(acct->options, g_strdup(key), g_strdup(value));
	else
		g_hash_table_remove(acct->options, key);
}

void test_account_clear(TestAccount *acct)
{
	g_hash_table_destroy(acct->options);
	memset(acct, 0, sizeof(*acct));
}

BdmResponse test_response(long status, const char *body, long long now,
                          const BdmHeader *headers, size_t n_headers)
{
	BdmResponse r;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.body = body;
	r.body_len = body ? strlen(body) : 0;
	r.content_type = "application/json";
	r.headers = headers;
	r.n_headers = n_headers;
	r.now = now;
	return r;
}

char *test_url_param(const char *url, const char *name)
{
	GUri *uri = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	GHashTable *params;
	char *value = NULL;

	g_assert_nonnull(uri);
	if (g_uri_get_query(uri)) {
		params = g_uri_parse_params(g_uri_get_query(uri), -1, "&", G_URI_PARAMS_NONE, NULL);
		g_assert_nonnull(params);
		value = g_strdup(g_hash_table_lookup(params, name));
		g_hash_table_unref(params);
	}
	g_uri_unref(uri);
	return value;
}

void test_request_assert_no_token(const BdmRequest *req)
{
	size_t i;

	g_assert_null(strstr(req->url, "access_token"));
	for (i = 0; i < req->n_headers; i++)
		g_assert_cmpstr(req->headers[i].name, !=, "Authorization");
}

JsonNode *test_request_json(const BdmRequest *req)
{
	JsonParser *parser = json_parser_new();
	GError *error = NULL;
	JsonNode *root;

	g_assert_nonnull(req->body);
	g_assert_cmpuint(req->body_len, ==, strlen(req->body));
	json_parser_load_from_data(parser, req->body, (gssize)req->body_len, &error);
	g_assert_no_error(error);
	root = json_parser_steal_root(parser);
	g_object_unref(parser);
	return root;
}

char *test_garbage(size_t n)
{
	char *buf = g_malloc(n + 1);
	guint32 state = 12345;
	size_t i;

	for (i = 0; i < n; i++) {
		state = state * 1103515245u + 12345u;
		buf[i] = (char)(' ' + (state >> 16) % 94);
	}
	buf[n] = '\0';
	return buf;
}

void test_replay_error(const BdmModule *m, TestAccount *acct, const char *source, long status,
                       const char *body, BdmErrorClass cls, int code)
{
	BdmResponse resp = test_response(status, body, acct->ctx.now, NULL, 0);
	BdmSendResult sent = { 0 };
	BdmPollPage page = { 0 };
	BdmError err = { 0 };

	g_test_message("recorded: %s", source);
	g_assert_cmpint(m->parse_send(&acct->ctx, &resp, &sent, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, cls);
	if (code != -1)
		g_assert_cmpint(err.code, ==, code);
	g_assert_nonnull(err.message);
	bdm_error_clear(&err);
	g_assert_cmpint(m->parse_poll(&acct->ctx, &resp, &page, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, cls);
	bdm_error_clear(&err);
}

static void test_part_free(gpointer data)
{
	TestPart *part = data;

	g_free(part->headers);
	g_bytes_unref(part->data);
	g_free(part);
}

static const char *find_bytes(const char *hay, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = hay; p + n <= end; p++) {
		if (memcmp(p, needle, n) == 0)
			return p;
	}
	return NULL;
}

GPtrArray *test_multipart_parts(const BdmRequest *req)
{
	const char *b = req->content_type != NULL ? strstr(req->content_type, "boundary=") : NULL;
	GPtrArray *parts = g_ptr_array_new_with_free_func(test_part_free);
	const char *p, *end = req->body + req->body_len;
	char *delim, *closing;

	g_assert_nonnull(b);
	g_assert_true(g_str_has_prefix(req->content_type, "multipart/form-data; "));
	delim = g_strconcat("\r\n--", b + strlen("boundary="), NULL);
	closing = g_strconcat(delim + 2, "--\r\n", NULL);
	/* The body starts with the first delimiter (without its CRLF) and ends
	 * with the closing one. */
	g_assert_true(req->body_len > strlen(closing));
	g_assert_true(memcmp(req->body, delim + 2, strlen(delim + 2)) == 0);
	g_assert_true(memcmp(end - strlen(closing), closing, strlen(closing)) == 0);
	p = req->body + strlen(delim + 2);
	while (p < end && strncmp(p, "--", 2) != 0) {
		const char *head_end, *next;
		TestPart *part = g_new0(TestPart, 1);

		g_assert_true(strncmp(p, "\r\n", 2) == 0);
		p += 2;
		head_end = find_bytes(p, end, "\r\n\r\n");
		g_assert_nonnull(head_end);
		next = find_bytes(head_end + 4, end, delim);
		g_assert_nonnull(next);
		part->headers = g_strndup(p, (gsize)(head_end - p));
		part->data = g_bytes_new(head_end + 4, (gsize)(next - head_end - 4));
		g_ptr_array_add(parts, part);
		p = next + strlen(delim);
	}
	g_free(delim);
	g_free(closing);
	return parts;
}

const TestPart *test_multipart_part(const GPtrArray *parts, const char *name)
{
	char *want = g_strdup_printf("form-data; name=\"%s\"", name);
	const TestPart *found = NULL;

	for (guint i = 0; i < parts->len && found == NULL; i++) {
		const TestPart *part = g_ptr_array_index(parts, i);

		if (strstr(part->headers, want) != NULL)
			found = part;
	}
	g_free(want);
	return found;
}
