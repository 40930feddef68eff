/*
 * URL building and checking for protocol modules.
 *
 * Ids and cursors come from the network or the user, so every one is
 * percent-escaped before it becomes part of a path or query: an id such as
 * "1/../../me?x=" must stay one opaque path segment.  Links the platform hands
 * back (Graph's paging.next) are followed only on the API's own origin, so a
 * spoofed response cannot make the host send the bearer token elsewhere.
 */
#ifndef BRANDDM_PROTO_URL_H
#define BRANDDM_PROTO_URL_H

#include <glib.h>
#include "branddm/protocol.h"

/** Percent-escape s for a path segment or query value (only RFC 3986
 *  unreserved characters stay as they are).  Returns a g_malloc'ed string. */
G_GNUC_INTERNAL
char *proto_url_escape(const char *s);

/** Append "/" and the escaped segment to url.
 *  Use for every id placed in a path. */
G_GNUC_INTERNAL
void proto_url_append_segment(GString *url, const char *segment);

/** Append "?key=value" or "&key=value" (value escaped; key is a literal).
 *  Characters listed in keep are left unescaped in value. */
G_GNUC_INTERNAL
void proto_url_append_param(GString *url, const char *key, const char *value,
                            const char *keep);

/** The account's API base: ctx->api_base, or fallback when that is empty,
 *  without trailing slashes.  NULL with BDM_ERR_INVALID unless http(s). */
G_GNUC_INTERNAL
char *proto_url_api_base(const BdmAccountCtx *ctx, const char *fallback, BdmError *err);

/** TRUE when url has the same scheme, host and port as base and no user
 *  information.  Parses both: a prefix test would accept "base.evil.com". */
G_GNUC_INTERNAL
gboolean proto_url_same_origin(const char *url, const char *base);

/** url without any query parameter named param (compared after unescaping).
 *  Returns a g_malloc'ed string, or NULL when url is not an absolute URL. */
G_GNUC_INTERNAL
char *proto_url_strip_param(const char *url, const char *param);

/** The path segment just before the final "/tail" of url's path, unescaped
 *  (e.g. the conversation id of ".../t_1/messages").  NULL if none. */
G_GNUC_INTERNAL
char *proto_url_segment_before(const char *url, const char *tail);

#endif /* BRANDDM_PROTO_URL_H */
