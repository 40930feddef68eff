/*
 * X (Twitter): a brand account's direct messages through the X API v2.
 *
 * Requests and sends live here, page parsing in x_poll.c and error classes
 * in x_error.c.  X has no reply window, so a send is checked only for a
 * recipient and its length (10,000 characters).  Pages are newest first and
 * complete, which lets the host stop paging at the first known message:
 * that matters because X allows 300 dm_events reads per 15 minutes.
 */
#include <gmodule.h>

#include "branddm/i18n.h"
#include "proto_http.h"
#include "proto_json.h"
#include "proto_text.h"
#include "proto_url.h"
#include "x.h"

#define X_TEXT_LIMIT 10000

/* Everything a BdmMessage needs; names of senders come as an expansion. */
#define X_EVENT_FIELDS "id,text,event_type,dm_conversation_id,created_at,sender_id,attachments"
/* Media of DMs come as includes.media, joined on attachments.media_keys. */
#define X_MEDIA_FIELDS "media_key,url,type,preview_image_url,variants,width,height"

const char *x_own_id(const BdmAccountCtx *ctx)
{
	if (ctx->self_id && *ctx->self_id)
		return ctx->self_id;
	if (ctx->account_id && *ctx->account_id)
		return ctx->account_id;
	return NULL;
}

GString *x_api_url(const BdmAccountCtx *ctx, const char *path, BdmError *err)
{
	char *base = proto_url_api_base(ctx, X_DEFAULT_API_BASE, err);
	GString *url;

	if (!base)
		return NULL;
	url = g_string_new(base);
	g_free(base);
	g_string_append(url, path);
	return url;
}

static int x_build_whoami(const BdmAccountCtx *ctx, BdmRequest *out, BdmError *err)
{
	GString *url = x_api_url(ctx, "/users/me", err);

	if (!url)
		return -1;
	proto_request_init(out, "GET", g_string_free(url, FALSE), 1);
	return 0;
}

static int x_parse_whoami(const BdmAccountCtx *ctx, const BdmResponse *resp,
                          BdmIdentity *out, BdmError *err)
{
	JsonNode *root = x_check_response(resp, err);
	JsonObject *user;
	const char *name;
	char *id;

	(void)ctx;
	if (!root)
		return -1;
	user = proto_json_get_object(proto_json_object(root), "data");
	id = proto_json_dup_id(user, "id");
	if (!id) {
		json_node_unref(root);
		return bdm_error_set(err, BDM_ERR_MALFORMED, 0,
		                     _("The X identity response has no user id."));
	}
	name = proto_json_get_string(user, "name");
	if (!name || !*name)
		name = proto_json_get_string(user, "username");
	out->id = id;
	out->name = g_strdup(name && *name ? name : NULL);
	json_node_unref(root);
	return 0;
}

static int x_build_poll(const BdmAccountCtx *ctx, const char *cursor, BdmRequest *out,
                        BdmError *err)
{
	GString *url;

	if (cursor && !*cursor)
		return bdm_error_set(err, BDM_ERR_INVALID, 0, _("The X paging token is empty."));
	url = x_api_url(ctx, "/dm_events", err);
	if (!url)
		return -1;
	proto_url_append_param(url, "dm_event.fields", X_EVENT_FIELDS, ",");
	proto_url_append_param(url, "expansions", "sender_id,attachments.media_keys", ",");
	proto_url_append_param(url, "media.fields", X_MEDIA_FIELDS, ",");
	proto_url_append_param(url, "user.fields", "name,username", ",");
	proto_url_append_param(url, "max_results", "100", NULL);
	/* The token is X's own opaque string: escaped like any value. */
	if (cursor)
		proto_url_append_param(url, "pagination_token", cursor, NULL);
	proto_request_init(out, "GET", g_string_free(url, FALSE), 1);
	return 0;
}

static int x_check_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmError *err)
{
	(void)ctx;
	if (proto_recipient_check(in->recipient_id, err) < 0)
		return -1;
	/* A DM with a file may go without text. */
	if (in->attachment_id != NULL) {
		if (*in->attachment_id == '\0')
			return bdm_error_set(err, BDM_ERR_INVALID, 0,
			                     _("The uploaded file has no media id."));
		if (in->text == NULL || *in->text == '\0')
			return 0;
	}
	return proto_text_check(in->text, X_TEXT_LIMIT, 0, X_SERVICE, err);
}

static int x_build_send(const BdmAccountCtx *ctx, const BdmSendInput *in,
                        BdmRequest *out, BdmError *err)
{
	JsonBuilder *b;
	JsonNode *body;
	GString *url;

	if (x_check_send(ctx, in, err) < 0)
		return -1;
	url = x_api_url(ctx, "/dm_conversations/with", err);
	if (!url)
		return -1;
	proto_url_append_segment(url, in->recipient_id);
	g_string_append(url, "/messages");
	/* Not idempotent: a repeated POST sends the message twice. */
	proto_request_init(out, "POST", g_string_free(url, FALSE), 0);

	b = json_builder_new_immutable();
	json_builder_begin_object(b);
	if (in->text != NULL && *in->text != '\0') {
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, in->text);
	}
	if (in->attachment_id != NULL) {
		/* X takes one media item per DM. */
		json_builder_set_member_name(b, "attachments");
		json_builder_begin_array(b);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "media_id");
		json_builder_add_string_value(b, in->attachment_id);
		json_builder_end_object(b);
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
	body = json_builder_get_root(b);
	proto_request_set_json(out, body);
	json_node_unref(body);
	g_object_unref(b);
	return 0;
}

static int x_parse_send(const BdmAccountCtx *ctx, const BdmResponse *resp,
                        BdmSendResult *out, BdmError *err)
{
	JsonNode *root = x_check_response(resp, err);
	JsonObject *data;
	char *event_id;

	(void)ctx;
	if (!root)
		return -1;
	data = proto_json_get_object(proto_json_object(root), "data");
	event_id = proto_json_dup_id(data, "dm_event_id");
	if (!event_id) {
		json_node_unref(root);
		return bdm_error_set(err, BDM_ERR_MALFORMED, 0,
		                     _("X accepted the message but sent no event id; it may "
		                       "or may not have been delivered."));
	}
	out->message_id = event_id;
	out->conversation_id = proto_json_dup_id(data, "dm_conversation_id");
	json_node_unref(root);
	return 0;
}

static const BdmAccountOption x_options[] = {
	{ "api_base", N_("API base URL"), BDM_OPT_STRING, X_DEFAULT_API_BASE, 0 },
	/* X allows 300 dm_events reads per 15 minutes, shared with lookups. */
	{ "poll_interval", N_("Seconds between checks for new messages"), BDM_OPT_INT, NULL, 60 },
	{ NULL, NULL, 0, NULL, 0 }
};

static const BdmModule x_module = {
	.magic = BDM_MODULE_MAGIC,
	.abi_version = BDM_ABI_VERSION,
	.struct_size = sizeof(BdmModule),
	.protocol_id = "prpl-branddm-x",
	.name = "X (Twitter)",
	.platform = "x",
	.default_api_base = X_DEFAULT_API_BASE,
	.username_label = N_("X user ID (numeric)"),
	.password_label = N_("OAuth 2.0 user access token"),
	.options = x_options,
	.flags = BDM_MODULE_NEWEST_FIRST | BDM_MODULE_NUMERIC_USERNAME,
	.text_limit = X_TEXT_LIMIT,
	.text_limit_in_bytes = 0,
	/* One read per 3 s exhausts the 15-minute allowance; leave room
	 * for paging and the identity check. */
	.min_poll_interval = 5,
	.build_whoami = x_build_whoami,
	.parse_whoami = x_parse_whoami,
	.build_poll = x_build_poll,
	.parse_poll = x_parse_poll,
	.check_send = x_check_send,
	.build_send = x_build_send,
	.parse_send = x_parse_send,
	.platform_label = "X",
	.build_upload = x_build_upload,
	.parse_upload = x_parse_upload,
};

G_MODULE_EXPORT const BdmModule *branddm_module_entry(void);

G_MODULE_EXPORT const BdmModule *branddm_module_entry(void)
{
	return &x_module;
}
