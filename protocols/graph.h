/*
 * Meta Graph API messaging, shared by the Facebook (Messenger) and Instagram
 * modules.
 *
 * Both platforms use the same edges (/{id}/conversations, /{id}/messages),
 * the same error envelope and the same 24-hour window with the HUMAN_AGENT
 * tag; they differ in a few numbers and names, which a GraphFlavor carries.
 * Each module puts its GraphFlavor in BdmModule.module_data and these
 * functions straight into its table: the host hands the flavor back in
 * every call as ctx->module_data.
 *
 * Tokens: requests never carry access_token; the host adds the bearer
 * header.  Paging links from responses are followed only on the API base's
 * origin and with any access_token parameter removed.
 */
#ifndef BRANDDM_GRAPH_H
#define BRANDDM_GRAPH_H

#include <json-glib/json-glib.h>
#include "branddm/protocol.h"

/** Graph API base used when the account does not set "api_base".
 *  Always versioned: an unversioned Graph call uses the oldest version. */
#define GRAPH_DEFAULT_API_BASE "https://graph.facebook.com/v25.0"

/** Seconds in the standard reply window and in the HUMAN_AGENT window.
 *  A reply is allowed while the customer's last message is younger. */
#define GRAPH_REPLY_WINDOW (24 * 3600)
#define GRAPH_HUMAN_AGENT_WINDOW (7 * 24 * 3600)

/** What differs between the Graph platforms. */
typedef struct {
	const char *service;          /* who answers, in errors: "Facebook" */
	const char *messaging;        /* whose rules, in window errors: "Messenger" */
	const char *platform_query;   /* platform= of the conversations edge */
	const char *whoami_fields;    /* fields= of the identity request */
	size_t text_limit;
	int text_limit_in_bytes;
	/* The conversation list shows at most this many messages and older ones
	 * cannot be fetched (Instagram: 20); 0 = the list pages normally. */
	guint message_cap;
	/* Account option holding another id of the brand (e.g. the Instagram
	 * account id when the username is the Page id), or NULL. */
	const char *extra_self_option;
} GraphFlavor;

/** The calling module's flavor (ctx->module_data), or NULL with err set when
 *  the host gave none (a host older than ABI 2 never calls an ABI-2 module). */
G_GNUC_INTERNAL
const GraphFlavor *graph_flavor(const BdmAccountCtx *ctx, BdmError *err);

/** {api_base}/{account_id}, or NULL with err set (BDM_ERR_INVALID) when the
 *  account has no id or the API base is unusable. */
G_GNUC_INTERNAL
GString *graph_account_url(const GraphFlavor *flavor, const BdmAccountCtx *ctx, BdmError *err);

/** The Send API's attachment type for a kind: "image", "video", "audio" or
 *  "file" (stickers and anything else are files). */
G_GNUC_INTERNAL
const char *graph_attachment_type(BdmAttachmentKind kind);

/** POST {api_base}/{page-id}/message_attachments, multipart: message (the
 *  type, reusable) and filedata (the file).  Messenger only. */
G_GNUC_INTERNAL
int graph_build_upload(const BdmAccountCtx *ctx, const BdmUploadInput *in, BdmRequest *out,
                       BdmError *err);

/** The attachment_id of an upload response; a 2xx without one is
 *  BDM_ERR_MALFORMED, errors are classified as for every Graph call. */
G_GNUC_INTERNAL
int graph_parse_upload(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmUploadResult *out,
                       BdmError *err);

/** Parse a Graph response: the owned JSON root object on success, or NULL
 *  with err classified from error.code/error_subcode (status as fallback). */
G_GNUC_INTERNAL
JsonNode *graph_check_response(const GraphFlavor *flavor, const BdmResponse *resp,
                               BdmError *err);

/** The string id under key of a successful Graph reply (g_free it), or NULL
 *  with err set: the reply's own error, or missing (flavor->service into missing_format). */
G_GNUC_INTERNAL
char *graph_reply_id(const BdmAccountCtx *ctx, const BdmResponse *resp, const char *key,
                     const char *missing_format, BdmError *err);

/** TRUE when id is one of the brand's own ids (account, self, extra option).
 *  NULL ids are never the brand. */
G_GNUC_INTERNAL
gboolean graph_is_brand(const GraphFlavor *flavor, const BdmAccountCtx *ctx, const char *id);

/** GET {api_base}/{account_id}?fields=...: checks the token, learns the name.
 *  Fails with BDM_ERR_INVALID when the account id or API base is unusable. */
G_GNUC_INTERNAL
int graph_build_whoami(const BdmAccountCtx *ctx, BdmRequest *out, BdmError *err);

/** Identity from a whoami response; the name falls back to username.
 *  A response without an id is BDM_ERR_MALFORMED. */
G_GNUC_INTERNAL
int graph_parse_whoami(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmIdentity *out,
                       BdmError *err);

/** The conversations list (cursor NULL), or the paging link a previous
 *  parse put in next: refused (BDM_ERR_INVALID) unless on the API origin. */
G_GNUC_INTERNAL
int graph_build_poll(const BdmAccountCtx *ctx, const char *cursor, BdmRequest *out,
                     BdmError *err);

/** Parse a conversations page or a /{conversation-id}/messages page (told
 *  apart by the items' shape).  Bad items are skipped and set page.gap. */
G_GNUC_INTERNAL
int graph_parse_poll(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmPollPage *out,
                     BdmError *err);

/** Length, recipient and reply-window rules for a send.
 *  BDM_ERR_WINDOW carries a plain explanation of what the agent can do. */
G_GNUC_INTERNAL
int graph_check_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmError *err);

/** POST {api_base}/{account_id}/messages as RESPONSE or HUMAN_AGENT tag.
 *  Not idempotent: a repeated POST sends the message twice. */
G_GNUC_INTERNAL
int graph_build_send(const BdmAccountCtx *ctx, const BdmSendInput *in, BdmRequest *out,
                     BdmError *err);

/** message_id from {"recipient_id","message_id"}; errors as classified.
 *  A success without message_id is BDM_ERR_MALFORMED. */
G_GNUC_INTERNAL
int graph_parse_send(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmSendResult *out,
                     BdmError *err);

#endif /* BRANDDM_GRAPH_H */
