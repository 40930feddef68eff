/*
 * Unit tests for sending files on Messenger (graph_upload.c, graph.c),
 * through the Facebook module: the multipart upload request, its answer,
 * and the Send API message that refers to the attachment id.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "test_proto_helpers.h"

const BdmModule *branddm_module_entry(void);

#define BASE "https://graph.facebook.com/v25.0"
#define PAGE "1000"
#define NOW 1795255200LL /* 2026-11-21T10:00:00Z */

static const BdmModule *m;

/* A PNG header followed by bytes that look like multipart syntax: the
 * boundary must not be fooled by them. */
static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0"
                                   "\r\n--BrandDM-\r\n\r\n--\r\n";

static BdmUploadInput upload_input(const unsigned char *data, size_t len, const char *name,
                                   const char *type, BdmAttachmentKind kind)
{
	BdmUploadInput in = { 0 };

	in.data = data;
	in.len = len;
	in.name = name;
	in.mime_type = type;
	in.kind = kind;
	in.recipient_id = "501";
	return in;
}

static void test_upload_request(void)
{
	TestAccount acct;
	BdmUploadInput in = upload_input(png, sizeof(png) - 1, "label.png", "image/png",
	                                 BDM_ATTACHMENT_IMAGE);
	BdmRequest req = { 0 }, again = { 0 };
	BdmError err = { 0 };
	GPtrArray *parts;
	const TestPart *message, *file;
	JsonParser *parser = json_parser_new();
	JsonObject *att;

	g_assert_true(BDM_MODULE_HAS(m, build_upload));
	g_assert_true(BDM_MODULE_HAS(m, parse_upload));
	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, 0);
	g_assert_cmpstr(req.method, ==, "POST");
	g_assert_cmpstr(req.url, ==, BASE "/1000/message_attachments");
	test_request_assert_no_token(&req);
	parts = test_multipart_parts(&req);
	g_assert_cmpuint(parts->len, ==, 2);
	message = test_multipart_part(parts, "message");
	file = test_multipart_part(parts, "filedata");
	g_assert_nonnull(message);
	g_assert_nonnull(file);
	g_assert_true(json_parser_load_from_data(parser, g_bytes_get_data(message->data, NULL),
	                                         (gssize)g_bytes_get_size(message->data), NULL));
	att = json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)),
	                                    "attachment");
	g_assert_cmpstr(json_object_get_string_member(att, "type"), ==, "image");
	g_assert_true(json_object_get_boolean_member(json_object_get_object_member(att, "payload"),
	                                             "is_reusable"));
	g_assert_nonnull(strstr(file->headers, "filename=\"label.png\""));
	g_assert_nonnull(strstr(file->headers, "Content-Type: image/png"));
	g_assert_cmpuint(g_bytes_get_size(file->data), ==, sizeof(png) - 1);
	g_assert_true(memcmp(g_bytes_get_data(file->data, NULL), png, sizeof(png) - 1) == 0);
	/* The same file gives the same request, byte for byte. */
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &again, &err), ==, 0);
	g_assert_cmpstr(again.content_type, ==, req.content_type);
	g_assert_cmpuint(again.body_len, ==, req.body_len);
	g_assert_true(memcmp(again.body, req.body, req.body_len) == 0);
	g_ptr_array_unref(parts);
	g_object_unref(parser);
	bdm_request_clear(&req);
	bdm_request_clear(&again);
	test_account_clear(&acct);
}

static void test_upload_kinds_and_names(void)
{
	static const unsigned char pdf[] = "%PDF-1.7\n";
	static const struct {
		BdmAttachmentKind kind;
		const char *type;
	} kinds[] = {
		{ BDM_ATTACHMENT_IMAGE, "\"type\":\"image\"" },
		{ BDM_ATTACHMENT_FILE, "\"type\":\"file\"" },
		{ BDM_ATTACHMENT_VIDEO, "\"type\":\"video\"" },
		{ BDM_ATTACHMENT_AUDIO, "\"type\":\"audio\"" },
	};
	TestAccount acct;
	BdmError err = { 0 };

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		BdmUploadInput in = upload_input(pdf, sizeof(pdf) - 1, "x", "application/pdf",
		                                 kinds[i].kind);
		BdmRequest req = { 0 };
		GPtrArray *parts;
		const TestPart *message;

		g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, 0);
		parts = test_multipart_parts(&req);
		message = test_multipart_part(parts, "message");
		g_assert_nonnull(message);
		g_assert_nonnull(g_strstr_len(g_bytes_get_data(message->data, NULL),
		                              (gssize)g_bytes_get_size(message->data), kinds[i].type));
		g_ptr_array_unref(parts);
		bdm_request_clear(&req);
	}
	/* A name cannot break out of its header line. */
	{
		BdmUploadInput in = upload_input(pdf, sizeof(pdf) - 1, "a\"b\r\nX-Evil: 1.pdf",
		                                 "application/pdf", BDM_ATTACHMENT_FILE);
		BdmRequest req = { 0 };
		GPtrArray *parts;
		const TestPart *file;

		g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, 0);
		parts = test_multipart_parts(&req);
		file = test_multipart_part(parts, "filedata");
		g_assert_nonnull(file);
		g_assert_nonnull(strstr(file->headers, "filename=\"a%22b%0D%0AX-Evil: 1.pdf\""));
		g_assert_null(strstr(file->headers, "\r\nX-Evil"));
		g_ptr_array_unref(parts);
		bdm_request_clear(&req);
	}
	test_account_clear(&acct);
}

static void test_upload_refusals(void)
{
	TestAccount acct;
	BdmUploadInput in = upload_input(png, 0, "e.png", "image/png", BDM_ATTACHMENT_IMAGE);
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_null(req.url);
	bdm_error_clear(&err);
	/* Refused on the declared length alone, before the bytes are read. */
	in.len = 25u * 1024u * 1024u + 1;
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_REFUSED);
	g_assert_nonnull(strstr(err.message, "25 MB"));
	g_assert_null(req.url);
	bdm_error_clear(&err);
	in.len = sizeof(png) - 1;
	in.mime_type = NULL;
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

static void test_upload_parse(void)
{
	TestAccount acct;
	BdmUploadResult res = { 0 };
	BdmError err = { 0 };
	BdmResponse resp;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	resp = test_response(200, "{\"attachment_id\":\"1857777774821032\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, 0);
	g_assert_cmpstr(res.attachment_id, ==, "1857777774821032");
	/* A Send API message holds a file or a text: a caption goes on its own. */
	g_assert_cmpint(res.text_separate, !=, 0);
	bdm_upload_result_clear(&res);
	g_assert_cmpint(res.text_separate, ==, 0);
	resp = test_response(200, "{\"attachment_id\":1857777774821032}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, 0);
	g_assert_cmpstr(res.attachment_id, ==, "1857777774821032");
	bdm_upload_result_clear(&res);

	resp = test_response(200, "{\"id\":\"1\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	g_assert_nonnull(strstr(err.message, "attachment id"));
	g_assert_null(res.attachment_id);
	bdm_error_clear(&err);
	/* The platform's reason reaches the agent. */
	resp = test_response(400, "{\"error\":{\"message\":\"(#100) Upload attachment failure.\","
	                     "\"type\":\"OAuthException\",\"code\":100}}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_nonnull(strstr(err.message, "Upload attachment failure"));
	bdm_error_clear(&err);
	resp = test_response(400, "{\"error\":{\"message\":\"Error validating access token: "
	                     "Session has expired.\",\"type\":\"OAuthException\",\"code\":190,"
	                     "\"error_subcode\":463}}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_AUTH);
	bdm_error_clear(&err);
	resp = test_response(200, "not json", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

static void test_send_attachment(void)
{
	TestAccount acct;
	BdmSendInput in = { "501", NULL, NULL, NOW - 60, 0, 0, "1857777774821032",
	                    BDM_ATTACHMENT_FILE };
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	JsonNode *root;
	JsonObject *message, *attachment;

	test_account_init(&acct, m, BASE, PAGE, NULL, NOW);
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, 0);
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, 0);
	g_assert_cmpstr(req.url, ==, BASE "/1000/messages");
	root = test_request_json(&req);
	message = json_object_get_object_member(json_node_get_object(root), "message");
	g_assert_false(json_object_has_member(message, "text"));
	attachment = json_object_get_object_member(message, "attachment");
	g_assert_cmpstr(json_object_get_string_member(attachment, "type"), ==, "file");
	g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(attachment,
	                                                                            "payload"),
	                                              "attachment_id"), ==, "1857777774821032");
	json_node_unref(root);
	bdm_request_clear(&req);

	/* A caption goes as a message of its own. */
	in.text = "Your return label";
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_null(req.url);
	bdm_error_clear(&err);
	/* The reply window applies to files as to text. */
	in.text = "";
	in.last_customer_message = NOW - 8 * 24 * 3600;
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_WINDOW);
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	m = branddm_module_entry();
	g_test_add_func("/graph/upload/request", test_upload_request);
	g_test_add_func("/graph/upload/kinds-and-names", test_upload_kinds_and_names);
	g_test_add_func("/graph/upload/refusals", test_upload_refusals);
	g_test_add_func("/graph/upload/parse", test_upload_parse);
	g_test_add_func("/graph/upload/send-attachment", test_send_attachment);
	return g_test_run();
}
