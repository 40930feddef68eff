/*
 * Defensive JSON reading for protocol modules: see proto_json.h.
 */
#include <math.h>

#include "branddm/i18n.h"
#include "proto_json.h"
#include "proto_time.h"

JsonNode *proto_json_parse(const char *body, size_t body_len, BdmError *err)
{
	JsonParser *parser;
	JsonNode *root;
	GError *error = NULL;

	if (!body || body_len == 0) {
		bdm_error_set(err, BDM_ERR_MALFORMED, 0, _("The server sent an empty response."));
		return NULL;
	}
	if (body_len > PROTO_JSON_MAX_BODY) {
		bdm_error_set(err, BDM_ERR_MALFORMED, 0, _("The server's response is too large to read."));
		return NULL;
	}
	/* json-glib checks UTF-8 too, but only after tokenising; checking first
	 * gives one clear message, and an embedded NUL fails here as well. */
	if (!g_utf8_validate(body, (gssize)body_len, NULL)) {
		bdm_error_set(err, BDM_ERR_MALFORMED, 0,
		              _("The server's response is not valid UTF-8 text."));
		return NULL;
	}
	parser = json_parser_new_immutable();
	if (!json_parser_load_from_data(parser, body, (gssize)body_len, &error)) {
		char *msg = g_strdup_printf(_("The server's response is not valid JSON: %s"),
		                            error->message);
		bdm_error_set(err, BDM_ERR_MALFORMED, 0, msg);
		g_free(msg);
		g_error_free(error);
		g_object_unref(parser);
		return NULL;
	}
	root = json_parser_steal_root(parser);
	g_object_unref(parser);
	if (!root) {
		/* Whitespace only: json-glib loads it as "no root". */
		bdm_error_set(err, BDM_ERR_MALFORMED, 0, _("The server sent an empty response."));
		return NULL;
	}
	return root;
}

JsonObject *proto_json_object(JsonNode *node)
{
	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		return NULL;
	return json_node_get_object(node);
}

static JsonNode *member(JsonObject *obj, const char *name)
{
	if (!obj)
		return NULL;
	return json_object_get_member(obj, name);
}

JsonObject *proto_json_get_object(JsonObject *obj, const char *name)
{
	return proto_json_object(member(obj, name));
}

JsonArray *proto_json_get_array(JsonObject *obj, const char *name)
{
	JsonNode *node = member(obj, name);

	if (!node || !JSON_NODE_HOLDS_ARRAY(node))
		return NULL;
	return json_node_get_array(node);
}

JsonObject *proto_json_array_object(JsonArray *arr, guint i)
{
	if (!arr || i >= json_array_get_length(arr))
		return NULL;
	return proto_json_object(json_array_get_element(arr, i));
}

/* The raw string member: json-glib decodes a lone surrogate escape
 * ("\ud83d" not followed by its pair) into bytes that are not UTF-8. */
static const char *raw_string(JsonObject *obj, const char *name)
{
	JsonNode *node = member(obj, name);

	if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

const char *proto_json_get_string(JsonObject *obj, const char *name)
{
	const char *s = raw_string(obj, name);

	return s && g_utf8_validate(s, -1, NULL) ? s : NULL;
}

char *proto_json_dup_text(JsonObject *obj, const char *name)
{
	const char *s = raw_string(obj, name);

	return s ? g_utf8_make_valid(s, -1) : NULL;
}

char *proto_json_dup_id(JsonObject *obj, const char *name)
{
	JsonNode *node = member(obj, name);
	const char *s;

	if (!node || !JSON_NODE_HOLDS_VALUE(node))
		return NULL;
	if (json_node_get_value_type(node) == G_TYPE_INT64) {
		gint64 v = json_node_get_int(node);

		/* json-glib wraps integers that overflow, so a negative value
		 * may be a mangled huge one: not an id we can use. */
		if (v < 0)
			return NULL;
		return g_strdup_printf("%" G_GINT64_FORMAT, v);
	}
	s = proto_json_get_string(obj, name);
	if (!s || !*s)
		return NULL;
	return g_strdup(s);
}

gboolean proto_json_get_int(JsonObject *obj, const char *name, gint64 *out)
{
	JsonNode *node = member(obj, name);
	GType type;

	if (!node || !JSON_NODE_HOLDS_VALUE(node))
		return FALSE;
	type = json_node_get_value_type(node);
	if (type == G_TYPE_INT64) {
		*out = json_node_get_int(node);
		return TRUE;
	}
	if (type == G_TYPE_DOUBLE) {
		double d = json_node_get_double(node);

		/* 9.2e18 is the largest double below 2^63: beyond it the
		 * conversion to gint64 is undefined behaviour. */
		if (!isfinite(d) || d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return FALSE;
		*out = (gint64)d;
		return TRUE;
	}
	if (type == G_TYPE_STRING)
		return g_ascii_string_to_signed(json_node_get_string(node), 10,
		                                G_MININT64, G_MAXINT64, out, NULL);
	return FALSE;
}

gboolean proto_json_get_bool(JsonObject *obj, const char *name)
{
	JsonNode *node = member(obj, name);

	if (!node || !JSON_NODE_HOLDS_VALUE(node) ||
	    json_node_get_value_type(node) != G_TYPE_BOOLEAN)
		return FALSE;
	return json_node_get_boolean(node);
}

gboolean proto_json_get_time(JsonObject *obj, const char *name, long long *out)
{
	JsonNode *node = member(obj, name);
	GType type;

	if (!node || !JSON_NODE_HOLDS_VALUE(node))
		return FALSE;
	type = json_node_get_value_type(node);
	if (type == G_TYPE_STRING)
		return proto_time_parse(json_node_get_string(node), out);
	if (type == G_TYPE_INT64)
		return proto_time_from_number((double)json_node_get_int(node), out);
	if (type == G_TYPE_DOUBLE)
		return proto_time_from_number(json_node_get_double(node), out);
	return FALSE;
}

char *proto_json_to_string(JsonNode *node, size_t *len)
{
	JsonGenerator *gen = json_generator_new();
	gsize length = 0;
	char *text;

	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, &length);
	g_object_unref(gen);
	if (len)
		*len = length;
	return text;
}
