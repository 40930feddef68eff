/*
 * Sending files on Messenger: upload with the Attachment Upload API, then
 * the Send API refers to the attachment_id (graph.c).
 *
 * The upload is POST /{page-id}/message_attachments, multipart: "message"
 * holds {"attachment":{"type":...,"payload":{"is_reusable":true}}} and
 * "filedata" the file with its name and type.  Reusable, so a retry of the
 * send (or the same manual sent to a second customer) needs no new upload.
 * Instagram's messaging API takes no uploads, so only facebook.c lists
 * these functions.
 */
#include "branddm/i18n.h"
#include "graph.h"
#include "proto_http.h"
#include "proto_json.h"
#include "proto_multipart.h"

/* Messenger's own limit for an attachment. */
#define GRAPH_UPLOAD_MAX (25u * 1024u * 1024u)

const char *graph_attachment_type(BdmAttachmentKind kind)
{
	switch (kind) {
	case BDM_ATTACHMENT_IMAGE:
		return "image";
	case BDM_ATTACHMENT_VIDEO:
		return "video";
	case BDM_ATTACHMENT_AUDIO:
		return "audio";
	case BDM_ATTACHMENT_FILE:
	case BDM_ATTACHMENT_STICKER:
		break;
	}
	return "file";
}

static char *upload_message(BdmAttachmentKind kind)
{
	JsonBuilder *b = json_builder_new_immutable();
	JsonNode *node;
	char *text;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "attachment");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, graph_attachment_type(kind));
	json_builder_set_member_name(b, "payload");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "is_reusable");
	json_builder_add_boolean_value(b, TRUE);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	node = json_builder_get_root(b);
	text = proto_json_to_string(node, NULL);
	json_node_unref(node);
	g_object_unref(b);
	return text;
}

int graph_build_upload(const BdmAccountCtx *ctx, const BdmUploadInput *in, BdmRequest *out,
                       BdmError *err)
{
	const GraphFlavor *flavor = graph_flavor(ctx, err);
	ProtoMultipart *mp;
	char *message;
	GString *url;

	if (!flavor)
		return -1;
	if (in->data == NULL || in->len == 0)
		return bdm_error_set(err, BDM_ERR_INVALID, 0, _("The file is empty."));
	if (in->len > GRAPH_UPLOAD_MAX)
		return bdm_error_set(err, BDM_ERR_REFUSED, 0,
		                     _("Messenger takes files of at most 25 MB."));
	if (in->mime_type == NULL || *in->mime_type == '\0')
		return bdm_error_set(err, BDM_ERR_INVALID, 0, _("The file's type is unknown."));
	url = graph_account_url(flavor, ctx, err);
	if (!url)
		return -1;
	g_string_append(url, "/message_attachments");
	/* Idempotent in effect: a repeated upload only makes a second id. */
	proto_request_init(out, "POST", g_string_free(url, FALSE), 1);
	message = upload_message(in->kind);
	mp = proto_multipart_new(in->data, in->len);
	proto_multipart_add_field(mp, "message", message, "application/json");
	proto_multipart_add_file(mp, "filedata", in->name, in->mime_type, in->data, in->len);
	proto_multipart_finish(mp, out);
	g_free(message);
	return 0;
}

int graph_parse_upload(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmUploadResult *out,
                       BdmError *err)
{
	char *id = graph_reply_id(ctx, resp, "attachment_id",
	                          _("%s accepted the file but sent no attachment id."), err);

	if (!id)
		return -1;
	out->attachment_id = id;
	/* The Send API's message is a text or an attachment (graph.c). */
	out->text_separate = 1;
	return 0;
}
