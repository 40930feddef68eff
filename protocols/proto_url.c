/*
 * URL building and checking for protocol modules: see proto_url.h.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "proto_url.h"

char *proto_url_escape(const char *s)
{
	return g_uri_escape_string(s ? s : "", NULL, FALSE);
}

void proto_url_append_segment(GString *url, const char *segment)
{
	g_string_append_c(url, '/');
	g_string_append_uri_escaped(url, segment ? segment : "", NULL, FALSE);
}

void proto_url_append_param(GString *url, const char *key, const char *value,
                            const char *keep)
{
	g_string_append_c(url, strchr(url->str, '?') ? '&' : '?');
	g_string_append(url, key);
	g_string_append_c(url, '=');
	g_string_append_uri_escaped(url, value ? value : "", keep, FALSE);
}

static gboolean is_web_scheme(const char *scheme)
{
	return scheme && (g_ascii_strcasecmp(scheme, "https") == 0 ||
	                  g_ascii_strcasecmp(scheme, "http") == 0);
}

char *proto_url_api_base(const BdmAccountCtx *ctx, const char *fallback, BdmError *err)
{
	const char *base = ctx->api_base && *ctx->api_base ? ctx->api_base : fallback;
	GUri *uri;
	gboolean ok;
	char *copy;
	size_t len;

	uri = base ? g_uri_parse(base, G_URI_FLAGS_ENCODED, NULL) : NULL;
	ok = uri && is_web_scheme(g_uri_get_scheme(uri)) && g_uri_get_host(uri) &&
	     *g_uri_get_host(uri) && !g_uri_get_query(uri) && !g_uri_get_userinfo(uri);
	if (uri)
		g_uri_unref(uri);
	if (!ok) {
		char *msg = g_strdup_printf(_("The API base URL \"%s\" is not an http:// or "
		                              "https:// address without query."),
		                            base ? base : "");
		bdm_error_set(err, BDM_ERR_INVALID, 0, msg);
		g_free(msg);
		return NULL;
	}
	copy = g_strdup(base);
	len = strlen(copy);
	while (len > 0 && copy[len - 1] == '/')
		copy[--len] = '\0';
	return copy;
}

static int effective_port(GUri *uri)
{
	int port = g_uri_get_port(uri);

	if (port > 0)
		return port;
	return g_ascii_strcasecmp(g_uri_get_scheme(uri), "https") == 0 ? 443 : 80;
}

gboolean proto_url_same_origin(const char *url, const char *base)
{
	GUri *a, *b;
	gboolean same = FALSE;

	if (!url || !base)
		return FALSE;
	a = g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL);
	b = g_uri_parse(base, G_URI_FLAGS_ENCODED, NULL);
	/* Userinfo is refused outright: "https://host@evil/" fools people,
	 * and we never need credentials in a followed link. */
	if (a && b && is_web_scheme(g_uri_get_scheme(a)) && g_uri_get_host(a) &&
	    g_uri_get_host(b) && !g_uri_get_userinfo(a) &&
	    g_ascii_strcasecmp(g_uri_get_scheme(a), g_uri_get_scheme(b)) == 0 &&
	    g_ascii_strcasecmp(g_uri_get_host(a), g_uri_get_host(b)) == 0 &&
	    effective_port(a) == effective_port(b))
		same = TRUE;
	if (a)
		g_uri_unref(a);
	if (b)
		g_uri_unref(b);
	return same;
}

static gboolean param_is(const char *pair, const char *param)
{
	const char *eq = strchr(pair, '=');
	char *name = g_strndup(pair, eq ? (gsize)(eq - pair) : strlen(pair));
	char *plain = g_uri_unescape_string(name, NULL);
	/* An undecodable name cannot be ours; keep comparing the raw one. */
	gboolean match = g_strcmp0(plain ? plain : name, param) == 0;

	g_free(name);
	g_free(plain);
	return match;
}

char *proto_url_strip_param(const char *url, const char *param)
{
	GUri *uri;
	GString *query;
	char **pairs;
	char *result;
	size_t i;

	uri = url ? g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL) : NULL;
	if (!uri)
		return NULL;
	query = g_string_new(NULL);
	pairs = g_strsplit(g_uri_get_query(uri) ? g_uri_get_query(uri) : "", "&", -1);
	for (i = 0; pairs[i]; i++) {
		if (!*pairs[i] || param_is(pairs[i], param))
			continue;
		if (query->len)
			g_string_append_c(query, '&');
		g_string_append(query, pairs[i]);
	}
	g_strfreev(pairs);
	/* The fragment is dropped: it is never sent and has no use here. */
	result = g_uri_join(G_URI_FLAGS_ENCODED, g_uri_get_scheme(uri),
	                    g_uri_get_userinfo(uri), g_uri_get_host(uri),
	                    g_uri_get_port(uri), g_uri_get_path(uri),
	                    query->len ? query->str : NULL, NULL);
	g_string_free(query, TRUE);
	g_uri_unref(uri);
	return result;
}

char *proto_url_segment_before(const char *url, const char *tail)
{
	GUri *uri;
	char **segments;
	char *result = NULL;
	guint n;

	uri = url ? g_uri_parse(url, G_URI_FLAGS_ENCODED, NULL) : NULL;
	if (!uri)
		return NULL;
	segments = g_strsplit(g_uri_get_path(uri), "/", -1);
	n = g_strv_length(segments);
	if (n >= 2 && strcmp(segments[n - 1], tail) == 0 && *segments[n - 2])
		result = g_uri_unescape_string(segments[n - 2], NULL);
	g_strfreev(segments);
	g_uri_unref(uri);
	return result;
}
