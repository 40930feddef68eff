/*
 * Sending files on X: upload the media, then the DM names its media id
 * (x.c's build_send, "attachments":[{"media_id"}]).
 *
 * POST {api_base}/media/upload is multipart: "media" the file,
 * "media_category" dm_image, dm_gif or dm_video (a DM's media must be
 * uploaded for DMs), "media_type" its MIME type.  The URL follows the
 * account's API base, so a test account's emulator takes the upload too.
 * X DMs carry pictures and videos only: a PDF is refused here, with the
 * reason, before anything is sent.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "proto_http.h"
#include "proto_json.h"
#include "proto_multipart.h"
#include "x.h"

/* X's limits for media in DMs. */
#define X_IMAGE_MAX (5u * 1024u * 1024u)
#define X_GIF_MAX (15u * 1024u * 1024u)
#define X_VIDEO_MAX (512u * 1024u * 1024u)

/* The media category and size limit for a file; NULL with err set when X
 * takes no such file. */
static const char *media_category(const BdmUploadInput *in, size_t *max, BdmError *err)
{
	if (in->kind == BDM_ATTACHMENT_IMAGE && in->mime_type != NULL &&
	    strcmp(in->mime_type, "image/gif") == 0) {
		*max = X_GIF_MAX;
		return "dm_gif";
	}
	if (in->kind == BDM_ATTACHMENT_IMAGE) {
		*max = X_IMAGE_MAX;
		return "dm_image";
	}
	if (in->kind == BDM_ATTACHMENT_VIDEO) {
		*max = X_VIDEO_MAX;
		return "dm_video";
	}
	bdm_error_set(err, BDM_ERR_REFUSED, 0,
	              _("X direct messages carry only pictures, GIFs and videos; send a "
	                "link to this file instead."));
	return NULL;
}

int x_build_upload(const BdmAccountCtx *ctx, const BdmUploadInput *in, BdmRequest *out,
                   BdmError *err)
{
	const char *category;
	ProtoMultipart *mp;
	size_t max = 0;
	GString *url;

	if (in->data == NULL || in->len == 0)
		return bdm_error_set(err, BDM_ERR_INVALID, 0, _("The file is empty."));
	if (in->mime_type == NULL || *in->mime_type == '\0')
		return bdm_error_set(err, BDM_ERR_INVALID, 0, _("The file's type is unknown."));
	category = media_category(in, &max, err);
	if (category == NULL)
		return -1;
	if (in->len > max) {
		char *msg = g_strdup_printf(_("X takes files of this kind up to %u MB."),
		                            (unsigned)(max / (1024u * 1024u)));

		bdm_error_set(err, BDM_ERR_REFUSED, 0, msg);
		g_free(msg);
		return -1;
	}
	url = x_api_url(ctx, "/media/upload", err);
	if (!url)
		return -1;
	/* A repeated upload only makes an unused second media id. */
	proto_request_init(out, "POST", g_string_free(url, FALSE), 1);
	mp = proto_multipart_new(in->data, in->len);
	proto_multipart_add_field(mp, "media_category", category, NULL);
	proto_multipart_add_field(mp, "media_type", in->mime_type, NULL);
	proto_multipart_add_file(mp, "media", in->name, in->mime_type, in->data, in->len);
	proto_multipart_finish(mp, out);
	return 0;
}

int x_parse_upload(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmUploadResult *out,
                   BdmError *err)
{
	JsonNode *root = x_check_response(resp, err);
	JsonObject *obj;
	char *id;

	(void)ctx;
	if (!root)
		return -1;
	obj = proto_json_object(root);
	id = proto_json_dup_id(proto_json_get_object(obj, "data"), "id");
	if (!id)
		id = proto_json_dup_id(obj, "media_id_string");
	json_node_unref(root);
	if (!id)
		return bdm_error_set(err, BDM_ERR_MALFORMED, 0,
		                     _("X accepted the file but sent no media id."));
	out->attachment_id = id;
	return 0;
}
