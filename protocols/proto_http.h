/*
 * HTTP request and response helpers shared by the protocol modules.
 *
 * Platform error bodies are the first thing to trust when classifying a
 * failure; the HTTP status is the fallback for answers without one (a proxy's
 * HTML 502 page, a timeout, an empty 401).
 */
#ifndef BRANDDM_PROTO_HTTP_H
#define BRANDDM_PROTO_HTTP_H

#include <json-glib/json-glib.h>
#include "branddm/protocol.h"

/** Fill out as a body-less request; url is taken over (g_malloc'ed).
 *  idempotent tells the host whether a transient failure may be retried. */
G_GNUC_INTERNAL
void proto_request_init(BdmRequest *out, const char *method, char *url, int idempotent);

/** Serialise body (not consumed) as the request's application/json body.
 *  Replaces any previous body. */
G_GNUC_INTERNAL
void proto_request_set_json(BdmRequest *out, JsonNode *body);

/** TRUE for a 2xx status.
 *  Status 0 (no response) is not a success. */
G_GNUC_INTERNAL
gboolean proto_status_ok(long status);

/** Classify a failed response by HTTP status alone; always returns -1.
 *  detail (may be NULL) becomes the message; else a translated default. */
G_GNUC_INTERNAL
int proto_error_from_status(const BdmResponse *resp, const char *platform,
                            const char *detail, BdmError *err);

/** A response header as a whole number; FALSE when absent or not an integer.
 *  Surrounding blanks are ignored. */
G_GNUC_INTERNAL
gboolean proto_header_int(const BdmResponse *resp, const char *name, long long *out);

/** Seconds to wait according to Retry-After, or fallback when it is absent
 *  or unparsable.  Never below 1, so a host never spins. */
G_GNUC_INTERNAL
long long proto_retry_after(const BdmResponse *resp, long long fallback);

#endif /* BRANDDM_PROTO_HTTP_H */
