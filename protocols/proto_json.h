/*
 * Defensive JSON reading for protocol modules.
 *
 * Platform responses are untrusted input: a field may be missing, have the
 * wrong type, hold a number too large for any C type, or the body may not be
 * JSON (or UTF-8) at all.  These accessors never assert and never crash on
 * such input; they answer NULL/FALSE and let the caller decide whether the
 * gap is fatal (BDM_ERR_MALFORMED) or just one item to skip.
 */
#ifndef BRANDDM_PROTO_JSON_H
#define BRANDDM_PROTO_JSON_H

#include <json-glib/json-glib.h>
#include "branddm/protocol.h"

/** Largest response body a module will parse (bytes); bigger is MALFORMED.
 *  A real page is a few hundred kilobytes; this guards memory, not speed. */
#define PROTO_JSON_MAX_BODY (32u * 1024u * 1024u)

/** Parse a response body (body_len bytes, need not be NUL-terminated).
 *  Returns the owned root (json_node_unref) or NULL with BDM_ERR_MALFORMED. */
G_GNUC_INTERNAL
JsonNode *proto_json_parse(const char *body, size_t body_len, BdmError *err);

/** The object inside node, or NULL when node is NULL or not an object.
 *  Never warns, whatever the node holds. */
G_GNUC_INTERNAL
JsonObject *proto_json_object(JsonNode *node);

/** Member `name` of obj when it is an object, else NULL.
 *  obj may be NULL. */
G_GNUC_INTERNAL
JsonObject *proto_json_get_object(JsonObject *obj, const char *name);

/** Member `name` of obj when it is an array, else NULL.
 *  obj may be NULL. */
G_GNUC_INTERNAL
JsonArray *proto_json_get_array(JsonObject *obj, const char *name);

/** Element i of arr when it is an object, else NULL.
 *  Out-of-range indexes answer NULL too. */
G_GNUC_INTERNAL
JsonObject *proto_json_array_object(JsonArray *arr, guint i);

/** Member `name` of obj when it is a string of valid UTF-8, else NULL.
 *  The string belongs to obj. */
G_GNUC_INTERNAL
const char *proto_json_get_string(JsonObject *obj, const char *name);

/** A copy of string member `name` with bytes that are not UTF-8 replaced by
 *  U+FFFD (a customer's text is kept, damaged parts marked); NULL when absent. */
G_GNUC_INTERNAL
char *proto_json_dup_text(JsonObject *obj, const char *name);

/** A platform id: a non-empty string, or a non-negative integer (as text).
 *  Returns a g_malloc'ed copy, or NULL when absent or of another type. */
G_GNUC_INTERNAL
char *proto_json_dup_id(JsonObject *obj, const char *name);

/** An integer member: a JSON integer, an integral float or a decimal string.
 *  FALSE (and *out untouched) when absent, fractional or out of gint64 range. */
G_GNUC_INTERNAL
gboolean proto_json_get_int(JsonObject *obj, const char *name, gint64 *out);

/** A boolean member; FALSE when absent or not a boolean.
 *  Strings such as "true" are not booleans. */
G_GNUC_INTERNAL
gboolean proto_json_get_bool(JsonObject *obj, const char *name);

/** A time member: ISO 8601 text or Unix seconds (number or digit string).
 *  FALSE (and *out untouched) when absent or unparsable. */
G_GNUC_INTERNAL
gboolean proto_json_get_time(JsonObject *obj, const char *name, long long *out);

/** Serialise node compactly; returns a g_malloc'ed string and its length.
 *  Used for request bodies. */
G_GNUC_INTERNAL
char *proto_json_to_string(JsonNode *node, size_t *len);

#endif /* BRANDDM_PROTO_JSON_H */
