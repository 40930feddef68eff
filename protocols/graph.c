/*
 * Graph API requests: identity, polling requests and sends with the reply
 * window.  Poll parsing lives in graph_poll.c, errors in graph_error.c.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "graph.h"
#include "proto_http.h"
#include "proto_json.h"
#include "proto_text.h"
#include "proto_time.h"
#include "proto_url.h"

/* What the conversations edge returns; nested messages carry what a
 * BdmMessage and its attachments need and nothing more (Graph leaves
 * attachments out unless asked). */
#define GRAPH_CONVERSATION_FIELDS \
	"participants,updated_time,messages{id,message,from,to,created_time,attachments,sticker}"

gboolean graph_is_brand(const GraphFlavor *flavor, const BdmAccountCtx *ctx, const char *id)
{
	const char *extra = NULL;

	if (!id || !*id)
		return FALSE;
	if (flavor->extra_self_option && ctx->get_option)
		extra = ctx->get_option(ctx, flavor->extra_self_option);
	return g_strcmp0(id, ctx->account_id) == 0 || g_strcmp0(id, ctx->self_id) == 0 ||
	       (extra && *extra && strcmp(id, extra) == 0);
}

/* {api_base}/{account_id}: every request starts here. */
GString *graph_account_url(const GraphFlavor *flavor, const BdmAccountCtx *ctx,
                           BdmError *err)
{
	GString *url;
	char *base;

	if (!ctx->account_id || !*ctx->account_id) {
		char *msg = g_strdup_printf(_("The %s account has no id; enter the Page or "
		                              "account id as the username."), flavor->service);

		bdm_error_set(err, BDM_ERR_INVALID, 0, msg);
		g_free(msg);
		return NULL;
	}
	base = proto_url_api_base(ctx, GRAPH_DEFAULT_API_BASE, err);
	if (!base)
		return NULL;
	url = g_string_new(base);
	g_free(base);
	proto_url_append_segment(url, ctx->account_id);
	return url;
}

const GraphFlavor *graph_flavor(const BdmAccountCtx *ctx, BdmError *err)
{
	if (!ctx->module_data) {
		bdm_error_set(err, BDM_ERR_INVALID, 0,
		              _("The Graph module was called without its settings; "
		                "update the branddm plugin."));
		return NULL;
	}
	return ctx->module_data;
}

int graph_build_whoami(const BdmAccountCtx *ctx, BdmRequest *out, BdmError *err)
{
	const GraphFlavor *flavor = graph_flavor(ctx, err);
	GString *url;

	if (!flavor)
		return -1;
	url = graph_account_url(flavor, ctx, err);
	if (!url)
		return -1;
	proto_url_append_param(url, "fields", flavor->whoami_fields, ",");
	proto_request_init(out, "GET", g_string_free(url, FALSE), 1);
	return 0;
}

int graph_parse_whoami(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmIdentity *out,
                       BdmError *err)
{
	const GraphFlavor *flavor = graph_flavor(ctx, err);
	JsonNode *root;
	JsonObject *obj;
	const char *name;
	char *id;

	if (!flavor)
		return -1;
	root = graph_check_response(flavor, resp, err);
	if (!root)
		return -1;
	obj = proto_json_object(root);
	id = proto_json_dup_id(obj, "id");
	if (!id) {
		char *msg = g_strdup_printf(_("The %s identity response has no id."),
		                            flavor->service);

		bdm_error_set(err, BDM_ERR_MALFORMED, 0, msg);
		g_free(msg);
		json_node_unref(root);
		return -1;
	}
	name = proto_json_get_string(obj, "name");
	if (!name || !*name)
		name = proto_json_get_string(obj, "username");
	out->id = id;
	out->name = g_strdup(name && *name ? name : NULL);
	json_node_unref(root);
	return 0;
}

int graph_build_poll(const BdmAccountCtx *ctx, const char *cursor, BdmRequest *out,
                     BdmError *err)
{
	const GraphFlavor *flavor = graph_flavor(ctx, err);
	GString *url;
	char *base, *link;

	if (!flavor)
		return -1;
	if (!cursor) {
		url = graph_account_url(flavor, ctx, err);
		if (!url)
			return -1;
		g_string_append(url, "/conversations");
		proto_url_append_param(url, "platform", flavor->platform_query, NULL);
		proto_url_append_param(url, "fields", GRAPH_CONVERSATION_FIELDS, ",");
		proto_request_init(out, "GET", g_string_free(url, FALSE), 1);
		return 0;
	}
	/* Cursors are the paging links parse_poll checked; check again, since
	 * the host may have stored them and this is where the token goes. */
	base = proto_url_api_base(ctx, GRAPH_DEFAULT_API_BASE, err);
	if (!base)
		return -1;
	if (!proto_url_same_origin(cursor, base)) {
		char *msg = g_strdup_printf(_("Refusing to follow a paging link that leads "
		                              "away from %s (%s)."), base, cursor);

		bdm_error_set(err, BDM_ERR_INVALID, 0, msg);
		g_free(msg);
		g_free(base);
		return -1;
	}
	g_free(base);
	link = proto_url_strip_param(cursor, "access_token");
	if (!link)
		return bdm_error_set(err, BDM_ERR_INVALID, 0, _("The paging link is not a URL."));
	proto_request_init(out, "GET", link, 1);
	return 0;
}

typedef enum {
	GRAPH_REPLY_STANDARD,   /* messaging_type RESPONSE */
	GRAPH_REPLY_HUMAN_AGENT /* MESSAGE_TAG + HUMAN_AGENT */
} GraphReplyKind;

static int window_refusal(BdmError *err, const char *format, const GraphFlavor *flavor,
                          long long age)
{
	char *when = proto_time_describe_age(age);
	char *msg = g_strdup_printf(format, when, flavor->messaging);

	bdm_error_set(err, BDM_ERR_WINDOW, 0, msg);
	g_free(msg);
	g_free(when);
	return -1;
}

/* Meta's rules: anything within 24 h of the customer's last message; up to
 * 7 days only with the HUMAN_AGENT tag, which a person must write. */
static int reply_kind(const GraphFlavor *flavor, const BdmAccountCtx *ctx,
                      const BdmSendInput *in, GraphReplyKind *kind, BdmError *err)
{
	long long age;

	if (in->last_customer_message <= 0) {
		char *msg = g_strdup_printf(_("The customer has not written to this Page; %s "
		                              "only allows replies to people who wrote first."),
		                            flavor->messaging);

		bdm_error_set(err, BDM_ERR_WINDOW, 0, msg);
		g_free(msg);
		return -1;
	}
	/* A message "from the future" (clock skew) is simply recent. */
	age = ctx->now - in->last_customer_message;
	if (age < GRAPH_REPLY_WINDOW) {
		*kind = GRAPH_REPLY_STANDARD;
		return 0;
	}
	if (age >= GRAPH_HUMAN_AGENT_WINDOW)
		/* TRANSLATORS: 1: "3 days ago" etc., 2: Messenger or Instagram. */
		return window_refusal(err, _("The customer last wrote %s; %s only allows "
		                             "replies within 24 hours, or within 7 days with "
		                             "the human-agent tag. You can reply when the "
		                             "customer writes again."), flavor, age);
	if (in->automated)
		/* TRANSLATORS: 1: "3 days ago" etc., 2: Messenger or Instagram. */
		return window_refusal(err, _("The customer last wrote %s; %s only allows "
		                             "replies within 24 hours, and automated messages "
		                             "may not use the human-agent tag. An agent must "
		                             "write this reply."), flavor, age);
	if (!in->allow_human_agent)
		/* TRANSLATORS: 1: "3 days ago" etc., 2: Messenger or Instagram. */
		return window_refusal(err, _("The customer last wrote %s; %s only allows "
		                             "replies within 24 hours. Enable the human-agent "
		                             "tag in the account settings to reply for up "
		                             "to 7 days."), flavor, age);
	*kind = GRAPH_REPLY_HUMAN_AGENT;
	return 0;
}

static int check_and_classify(const GraphFlavor *flavor, const BdmAccountCtx *ctx,
                              const BdmSendInput *in, GraphReplyKind *kind, BdmError *err)
{
	if (proto_recipient_check(in->recipient_id, err) < 0)
		return -1;
	if (in->attachment_id != NULL) {
		/* A Send API message is a text or an attachment, never both. */
		if (in->text != NULL && *in->text != '\0')
			return bdm_error_set(err, BDM_ERR_INVALID, 0,
			                     _("A Messenger message carries a text or a file, not "
			                       "both; send the caption as a message of its own."));
		if (*in->attachment_id == '\0')
			return bdm_error_set(err, BDM_ERR_INVALID, 0,
			                     _("The uploaded file has no attachment id."));
	} else if (proto_text_check(in->text, flavor->text_limit, flavor->text_limit_in_bytes,
	                            flavor->messaging, err) < 0) {
		return -1;
	}
	return reply_kind(flavor, ctx, in, kind, err);
}

int graph_check_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmError *err)
{
	const GraphFlavor *flavor = graph_flavor(ctx, err);
	GraphReplyKind kind;

	if (!flavor)
		return -1;
	return check_and_classify(flavor, ctx, in, &kind, err);
}

static JsonNode *send_body(const BdmSendInput *in, GraphReplyKind kind)
{
	JsonBuilder *b = json_builder_new_immutable();
	JsonNode *node;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "recipient");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, in->recipient_id);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "messaging_type");
	if (kind == GRAPH_REPLY_HUMAN_AGENT) {
		json_builder_add_string_value(b, "MESSAGE_TAG");
		json_builder_set_member_name(b, "tag");
		json_builder_add_string_value(b, "HUMAN_AGENT");
	} else {
		json_builder_add_string_value(b, "RESPONSE");
	}
	json_builder_set_member_name(b, "message");
	json_builder_begin_object(b);
	if (in->attachment_id != NULL) {
		json_builder_set_member_name(b, "attachment");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, graph_attachment_type(in->attachment_kind));
		json_builder_set_member_name(b, "payload");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "attachment_id");
		json_builder_add_string_value(b, in->attachment_id);
		json_builder_end_object(b);
		json_builder_end_object(b);
	} else {
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, in->text);
	}
	json_builder_end_object(b);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	g_object_unref(b);
	return node;
}

int graph_build_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmRequest *out,
                     BdmError *err)
{
	const GraphFlavor *flavor = graph_flavor(ctx, err);
	GraphReplyKind kind;
	JsonNode *body;
	GString *url;

	if (!flavor || check_and_classify(flavor, ctx, in, &kind, err) < 0)
		return -1;
	url = graph_account_url(flavor, ctx, err);
	if (!url)
		return -1;
	g_string_append(url, "/messages");
	/* Not idempotent: Graph has no request key, a retry sends twice. */
	proto_request_init(out, "POST", g_string_free(url, FALSE), 0);
	body = send_body(in, kind);
	proto_request_set_json(out, body);
	json_node_unref(body);
	return 0;
}

char *graph_reply_id(const BdmAccountCtx *ctx, const BdmResponse *resp, const char *key,
                     const char *missing_format, BdmError *err)
{
	const GraphFlavor *flavor = graph_flavor(ctx, err);
	JsonNode *root;
	char *id;

	if (!flavor)
		return NULL;
	root = graph_check_response(flavor, resp, err);
	if (!root)
		return NULL;
	id = proto_json_dup_id(proto_json_object(root), key);
	json_node_unref(root);
	if (!id) {
		char *msg = g_strdup_printf(missing_format, flavor->service);

		bdm_error_set(err, BDM_ERR_MALFORMED, 0, msg);
		g_free(msg);
	}
	return id;
}

int graph_parse_send(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmSendResult *out,
                     BdmError *err)
{
	char *message_id = graph_reply_id(ctx, resp, "message_id",
	                                  _("%s accepted the message but sent no message id; "
	                                    "it may or may not have been delivered."), err);

	if (!message_id)
		return -1;
	out->message_id = message_id;
	out->conversation_id = NULL;
	return 0;
}
