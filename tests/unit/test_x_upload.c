/*
 * Unit tests for sending files on X (x_upload.c, x.c): the media upload
 * request on the account's API base, what X takes and refuses, the
 * upload's answer, and the DM that names the media id.
 */
#include <string.h>
#include <json-glib/json-glib.h>

#include "test_proto_helpers.h"

const BdmModule *branddm_module_entry(void);

#define BASE "https://api.x.com/2"
#define ME "2000"
#define NOW 1795255200LL /* 2026-11-21T10:00:00Z */

static const BdmModule *m;

static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
static const unsigned char gif[] = "GIF89a\x10\0\x10\0\x80\0\0";

static BdmUploadInput upload_input(const unsigned char *data, size_t len, const char *type,
                                   BdmAttachmentKind kind)
{
	BdmUploadInput in = { 0 };

	in.data = data;
	in.len = len;
	in.name = "photo";
	in.mime_type = type;
	in.kind = kind;
	in.recipient_id = "3001";
	return in;
}

static char *part_text(const GPtrArray *parts, const char *name)
{
	const TestPart *part = test_multipart_part(parts, name);

	g_assert_nonnull(part);
	return g_strndup(g_bytes_get_data(part->data, NULL), g_bytes_get_size(part->data));
}

static void test_upload_request(void)
{
	TestAccount acct;
	BdmUploadInput in = upload_input(png, sizeof(png) - 1, "image/png", BDM_ATTACHMENT_IMAGE);
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	GPtrArray *parts;
	const TestPart *media;
	char *v;

	g_assert_true(BDM_MODULE_HAS(m, build_upload));
	g_assert_true(BDM_MODULE_HAS(m, parse_upload));
	/* The account's API base, so that an emulator takes the upload. */
	test_account_init(&acct, m, "http://127.0.0.1:9999/2", ME, ME, NOW);
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, 0);
	g_assert_cmpstr(req.method, ==, "POST");
	g_assert_cmpstr(req.url, ==, "http://127.0.0.1:9999/2/media/upload");
	test_request_assert_no_token(&req);
	parts = test_multipart_parts(&req);
	g_assert_cmpuint(parts->len, ==, 3);
	v = part_text(parts, "media_category");
	g_assert_cmpstr(v, ==, "dm_image");
	g_free(v);
	v = part_text(parts, "media_type");
	g_assert_cmpstr(v, ==, "image/png");
	g_free(v);
	media = test_multipart_part(parts, "media");
	g_assert_nonnull(media);
	g_assert_nonnull(strstr(media->headers, "Content-Type: image/png"));
	g_assert_cmpuint(g_bytes_get_size(media->data), ==, sizeof(png) - 1);
	g_assert_true(memcmp(g_bytes_get_data(media->data, NULL), png, sizeof(png) - 1) == 0);
	g_ptr_array_unref(parts);
	bdm_request_clear(&req);

	in = upload_input(gif, sizeof(gif) - 1, "image/gif", BDM_ATTACHMENT_IMAGE);
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, 0);
	parts = test_multipart_parts(&req);
	v = part_text(parts, "media_category");
	g_assert_cmpstr(v, ==, "dm_gif");
	g_free(v);
	g_ptr_array_unref(parts);
	bdm_request_clear(&req);
	test_account_clear(&acct);
}

static void test_upload_refusals(void)
{
	static const unsigned char pdf[] = "%PDF-1.7\n";
	TestAccount acct;
	BdmUploadInput in = upload_input(pdf, sizeof(pdf) - 1, "application/pdf",
	                                 BDM_ATTACHMENT_FILE);
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	test_account_init(&acct, m, BASE, ME, ME, NOW);
	/* X DMs take no documents: said before anything is sent. */
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_REFUSED);
	g_assert_nonnull(strstr(err.message, "link"));
	g_assert_null(req.url);
	bdm_error_clear(&err);
	in.kind = BDM_ATTACHMENT_AUDIO;
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_REFUSED);
	bdm_error_clear(&err);
	/* Images up to 5 MB (checked on the length, before reading). */
	in = upload_input(png, 5u * 1024u * 1024u + 1, "image/png", BDM_ATTACHMENT_IMAGE);
	g_assert_cmpint(m->build_upload(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_REFUSED);
	g_assert_nonnull(strstr(err.message, "5 MB"));
	g_assert_null(req.url);
	bdm_error_clear(&err);
	in.len = 0;
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

	test_account_init(&acct, m, BASE, ME, ME, NOW);
	resp = test_response(200, "{\"data\":{\"id\":\"1880028106020515840\",\"media_key\":"
	                     "\"3_1880028106020515840\",\"size\":1024,\"expires_after_secs\":86400}}",
	                     NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, 0);
	g_assert_cmpstr(res.attachment_id, ==, "1880028106020515840");
	/* An X DM carries its text beside the media. */
	g_assert_cmpint(res.text_separate, ==, 0);
	bdm_upload_result_clear(&res);
	/* v1.1's answer, which some proxies still give. */
	resp = test_response(200, "{\"media_id\":710511363345354753,\"media_id_string\":"
	                     "\"710511363345354753\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, 0);
	g_assert_cmpstr(res.attachment_id, ==, "710511363345354753");
	bdm_upload_result_clear(&res);
	resp = test_response(200, "{\"data\":{}}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_MALFORMED);
	g_assert_null(res.attachment_id);
	bdm_error_clear(&err);
	resp = test_response(401, "{\"title\":\"Unauthorized\",\"type\":\"about:blank\","
	                     "\"status\":401,\"detail\":\"Unauthorized\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_AUTH);
	bdm_error_clear(&err);
	resp = test_response(400, "{\"title\":\"Invalid Request\",\"detail\":\"media type "
	                     "unrecognized.\",\"type\":\"https://api.twitter.com/2/problems/"
	                     "invalid-request\"}", NOW, NULL, 0);
	g_assert_cmpint(m->parse_upload(&acct.ctx, &resp, &res, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	g_assert_nonnull(strstr(err.message, "media type unrecognized"));
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

static void test_send_attachment(void)
{
	TestAccount acct;
	BdmSendInput in = { "3001", NULL, "Here is the photo", 0, 0, 0, "1880028106020515840",
	                    BDM_ATTACHMENT_IMAGE };
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	JsonNode *root;
	JsonObject *o;
	JsonArray *atts;

	test_account_init(&acct, m, BASE, ME, ME, NOW);
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, 0);
	g_assert_cmpstr(req.url, ==, BASE "/dm_conversations/with/3001/messages");
	root = test_request_json(&req);
	o = json_node_get_object(root);
	g_assert_cmpstr(json_object_get_string_member(o, "text"), ==, "Here is the photo");
	atts = json_object_get_array_member(o, "attachments");
	g_assert_cmpuint(json_array_get_length(atts), ==, 1);
	g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(atts, 0),
	                                              "media_id"), ==, "1880028106020515840");
	json_node_unref(root);
	bdm_request_clear(&req);
	/* Without a caption: the media alone. */
	in.text = NULL;
	g_assert_cmpint(m->check_send(&acct.ctx, &in, &err), ==, 0);
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, 0);
	root = test_request_json(&req);
	g_assert_false(json_object_has_member(json_node_get_object(root), "text"));
	json_node_unref(root);
	bdm_request_clear(&req);
	/* Text only still needs text. */
	in.attachment_id = NULL;
	g_assert_cmpint(m->build_send(&acct.ctx, &in, &req, &err), ==, -1);
	g_assert_cmpint(err.cls, ==, BDM_ERR_INVALID);
	bdm_error_clear(&err);
	test_account_clear(&acct);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	m = branddm_module_entry();
	g_test_add_func("/x/upload/request", test_upload_request);
	g_test_add_func("/x/upload/refusals", test_upload_refusals);
	g_test_add_func("/x/upload/parse", test_upload_parse);
	g_test_add_func("/x/upload/send-attachment", test_send_attachment);
	return g_test_run();
}
