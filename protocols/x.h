/*
 * X (Twitter) API v2 direct messages: what x.c, x_poll.c and x_error.c
 * share.  The module itself is x.c's BdmModule.
 */
#ifndef BRANDDM_X_H
#define BRANDDM_X_H

#include <json-glib/json-glib.h>
#include "branddm/protocol.h"

/** X API v2 base used when the account does not set "api_base".
 *  api.twitter.com still answers too. */
#define X_DEFAULT_API_BASE "https://api.x.com/2"

/** Name used in messages to the agent.
 *  A brand name: not translated. */
#define X_SERVICE "X"

/** Parse an X response: the owned JSON root object on success, or NULL with
 *  err classified from the problem+json body and the HTTP status. */
G_GNUC_INTERNAL
JsonNode *x_check_response(const BdmResponse *resp, BdmError *err);

/** {api_base}{path}, or NULL with err set when the API base is unusable.
 *  path starts with '/'. */
G_GNUC_INTERNAL
GString *x_api_url(const BdmAccountCtx *ctx, const char *path, BdmError *err);

/** POST {api_base}/media/upload, multipart: media, media_category (dm_image,
 *  dm_gif, dm_video), media_type.  Other files: BDM_ERR_REFUSED, plain reason. */
G_GNUC_INTERNAL
int x_build_upload(const BdmAccountCtx *ctx, const BdmUploadInput *in, BdmRequest *out,
                   BdmError *err);

/** The media id of an upload response (data.id, or v1.1's media_id_string).
 *  A 2xx without one is BDM_ERR_MALFORMED. */
G_GNUC_INTERNAL
int x_parse_upload(const BdmAccountCtx *ctx, const BdmResponse *resp, BdmUploadResult *out,
                   BdmError *err);

/** The brand's own user id: self_id from whoami, else the account id.
 *  NULL when neither is set. */
G_GNUC_INTERNAL
const char *x_own_id(const BdmAccountCtx *ctx);

/** Parse one dm_events page: MessageCreate events, conversations and
 *  the next_token cursor; x-rate-limit-remaining 0 sets not_before. */
G_GNUC_INTERNAL
int x_parse_poll(const BdmAccountCtx *ctx, const BdmResponse *resp,
                 BdmPollPage *out, BdmError *err);

#endif /* BRANDDM_X_H */
