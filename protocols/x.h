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
