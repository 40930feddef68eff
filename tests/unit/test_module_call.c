/*
 * The host's side of the module contract: after a failing call the output
 * is empty whatever the module left in it (freed once: ASan and valgrind
 * runs see no leak and no double free), a failure always has a class, a
 * success leaves no error behind; the module gets its data and the host's
 * debug callback in every call; bdm_error_set replaces the whole error.
 */
#include <string.h>
#include <glib.h>

#include "module_call.h"
#include "module_load.h"

static GModule *handle;
static const BdmModule *garbage;
static GPtrArray *debug_lines;

static void record_debug(const BdmAccountCtx *ctx, BdmDebugLevel level, const char *line)
{
	g_assert_true(ctx->module == garbage);
	g_ptr_array_add(debug_lines, g_strdup_printf("%d %s", (int)level, line));
}

static BdmAccountCtx bound_ctx(void)
{
	BdmAccountCtx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.api_base = "https://fake.invalid";
	ctx.account_id = "1";
	ctx.debug = record_debug;
	bdm_ctx_bind(&ctx, garbage);
	return ctx;
}

static gboolean all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return FALSE;
	return TRUE;
}

static void test_requests_cleared(void)
{
	BdmAccountCtx ctx = bound_ctx();
	BdmSendInput in = { 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	g_assert_cmpint(bdm_call_build_whoami(&ctx, &req, &err), ==, -1);
	g_assert_true(all_zero(&req, sizeof(req)));
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_cmpstr(err.message, ==, "half-built request");
	bdm_error_clear(&err);

	/* Failed without saying why: the host still gets a class to act on. */
	g_assert_cmpint(bdm_call_build_poll(&ctx, NULL, &req, &err), ==, -1);
	g_assert_true(all_zero(&req, sizeof(req)));
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);

	in.recipient_id = "2";
	in.text = "hello";
	g_assert_cmpint(bdm_call_build_send(&ctx, &in, &req, &err), ==, -1);
	g_assert_true(all_zero(&req, sizeof(req)));
	g_assert_cmpint(err.cls, ==, BDM_ERR_REFUSED);
	bdm_error_clear(&err);
	/* Clearing the emptied output again is harmless (no double free). */
	bdm_request_clear(&req);
}

static void test_parses_cleared(void)
{
	BdmAccountCtx ctx = bound_ctx();
	BdmResponse resp = { 0 };
	BdmIdentity me = { 0 };
	BdmPollPage page = { 0 };
	BdmSendResult sent = { 0 };
	BdmError err = { 0 };

	resp.status = 200;
	g_assert_cmpint(bdm_call_parse_whoami(&ctx, &resp, &me, &err), ==, -1);
	g_assert_true(all_zero(&me, sizeof(me)));
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);

	g_assert_cmpint(bdm_call_parse_poll(&ctx, &resp, &page, &err), ==, -1);
	g_assert_true(all_zero(&page, sizeof(page)));
	g_assert_cmpstr(err.message, ==, "truncated page");
	bdm_error_clear(&err);

	g_assert_cmpint(bdm_call_parse_send(&ctx, &resp, &sent, &err), ==, -1);
	g_assert_true(all_zero(&sent, sizeof(sent)));
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);
	bdm_poll_page_clear(&page);
	bdm_identity_clear(&me);
	bdm_send_result_clear(&sent);
}

static void test_uploads(void)
{
	BdmAccountCtx ctx = bound_ctx();
	BdmUploadInput in = { 0 };
	BdmRequest req = { 0 };
	BdmResponse resp = { 0 };
	BdmUploadResult up = { 0 };
	BdmError err = { 0 };
	BdmModule old;

	g_assert_true(bdm_call_can_upload(garbage));
	g_assert_cmpint(bdm_call_build_upload(&ctx, &in, &req, &err), ==, -1);
	g_assert_true(all_zero(&req, sizeof(req)));
	g_assert_cmpstr(err.message, ==, "no such files");
	bdm_error_clear(&err);
	resp.status = 200;
	g_assert_cmpint(bdm_call_parse_upload(&ctx, &resp, &up, &err), ==, -1);
	g_assert_true(all_zero(&up, sizeof(up)));
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);

	/* The same module as version 1 declares no upload functions: the host
	 * says so instead of calling past the end of its table. */
	old = *garbage;
	old.abi_version = 1;
	old.struct_size = BDM_MODULE_V1_SIZE;
	ctx.module = &old;
	g_assert_false(bdm_call_can_upload(&old));
	g_assert_cmpint(bdm_call_build_upload(&ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_REFUSED);
	g_assert_nonnull(strstr(err.message, "cannot send files"));
	g_assert_null(req.url);
	bdm_error_clear(&err);
	g_assert_cmpint(bdm_call_parse_upload(&ctx, &resp, &up, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_REFUSED);
	g_assert_null(up.attachment_id);
	bdm_error_clear(&err);
}

static void test_success_leaves_no_error(void)
{
	BdmAccountCtx ctx = bound_ctx();
	BdmSendInput in = { 0 };
	BdmError err = { 0 };

	in.recipient_id = "2";
	in.text = "hello";
	g_assert_cmpint(bdm_call_check_send(&ctx, &in, &err), ==, 0);
	g_assert_true(all_zero(&err, sizeof(err)));
}

static void test_module_data_and_debug(void)
{
	BdmAccountCtx ctx = bound_ctx();
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	g_assert_true(ctx.module == garbage);
	g_assert_cmpstr(ctx.module_data, ==, "garbage-module-data");
	g_ptr_array_set_size(debug_lines, 0);
	bdm_call_build_whoami(&ctx, &req, &err);
	bdm_error_clear(&err);
	g_assert_cmpuint(debug_lines->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(debug_lines, 0), ==,
	                "1 build_whoami for garbage-module-data");

	/* No callback given: a module's debug lines go nowhere, without a crash. */
	ctx.debug = NULL;
	bdm_call_build_whoami(&ctx, &req, &err);
	bdm_error_clear(&err);
	g_assert_cmpuint(debug_lines->len, ==, 1);
}

static void test_error_set_resets_all(void)
{
	BdmError err = { 0 };

	err.cls = BDM_ERR_RATE_LIMIT;
	err.code = 4;
	err.subcode = 2446079;
	err.retry_after = 3600;
	err.message = g_strdup("slow down");
	g_assert_cmpint(bdm_error_set(&err, BDM_ERR_INVALID, 100, "bad request"), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_cmpint(err.code, ==, 100);
	g_assert_cmpint(err.subcode, ==, 0);
	g_assert_cmpint(err.retry_after, ==, 0);
	g_assert_cmpstr(err.message, ==, "bad request");

	/* Its own message as the new one: copied before the old is freed. */
	bdm_error_set(&err, BDM_ERR_REFUSED, 0, err.message);
	g_assert_cmpstr(err.message, ==, "bad request");
	bdm_error_set(&err, BDM_ERR_TRANSIENT, 0, NULL);
	g_assert_null(err.message);
	bdm_error_clear(&err);
}

int main(int argc, char **argv)
{
	const char *build = g_getenv("BUILD");
	char *path = g_build_filename(build ? build : "build", "tests", "fixtures", "garbage.bdm",
	                              NULL);
	char *error = NULL;
	int rc;

	g_test_init(&argc, &argv, NULL);
	garbage = bdm_module_open(path, &handle, &error);
	if (garbage == NULL)
		g_error("cannot load %s: %s", path, error);
	debug_lines = g_ptr_array_new_with_free_func(g_free);
	g_test_add_func("/module-call/requests-cleared", test_requests_cleared);
	g_test_add_func("/module-call/parses-cleared", test_parses_cleared);
	g_test_add_func("/module-call/uploads", test_uploads);
	g_test_add_func("/module-call/success-leaves-no-error", test_success_leaves_no_error);
	g_test_add_func("/module-call/module-data-and-debug", test_module_data_and_debug);
	g_test_add_func("/module-call/error-set-resets-all", test_error_set_resets_all);
	rc = g_test_run();
	g_ptr_array_free(debug_lines, TRUE);
	g_module_close(handle);
	g_free(path);
	return rc;
}
