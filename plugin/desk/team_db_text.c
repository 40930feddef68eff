/*
 * The team link's words: every text that may leave it (debug lines,
 * callbacks) without the password.  See team_db_private.h.
 */
#include "team_db_private.h"

static void add_secret(GPtrArray *secrets, const char *start, gsize len, gboolean uri)
{
	char *raw, *decoded = NULL;

	if (len == 0)
		return;
	raw = g_strndup(start, len);
	/* A URI carries it percent-encoded; libpq may quote either form. */
	if (uri)
		decoded = g_uri_unescape_string(raw, NULL);
	if (decoded != NULL && *decoded != '\0' && strcmp(decoded, raw) != 0)
		g_ptr_array_add(secrets, decoded);
	else
		g_free(decoded);
	g_ptr_array_add(secrets, raw);
}

/* The keyword form ("host=/x password='a b'"), as libpq's parser reads it:
 * a password value becomes ***; after anything unparseable the rest is
 * dropped, because it could be a password we failed to recognise. */
static void redact_keywords(const char *p, GString *out, GPtrArray *secrets)
{
	while (*p != '\0') {
		const char *key, *value;
		gsize key_len;
		gboolean is_password;
		GString *unescaped;

		if (g_ascii_isspace(*p)) {
			g_string_append_c(out, *p++);
			continue;
		}
		key = p;
		while (*p != '\0' && *p != '=' && !g_ascii_isspace(*p))
			p++;
		key_len = (gsize)(p - key);
		while (g_ascii_isspace(*p))
			p++;
		if (*p != '=') {
			g_string_append(out, "…");
			return;
		}
		p++;
		while (g_ascii_isspace(*p))
			p++;
		is_password = key_len == strlen("password") && strncmp(key, "password", key_len) == 0;
		g_string_append_len(out, key, (gssize)key_len);
		g_string_append_c(out, '=');
		value = p;
		unescaped = g_string_new(NULL);
		if (*p == '\'') {
			for (p++; *p != '\0' && *p != '\''; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				g_string_append_c(unescaped, *p);
			}
			if (*p == '\'')
				p++;
		} else {
			for (; *p != '\0' && !g_ascii_isspace(*p); p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				g_string_append_c(unescaped, *p);
			}
		}
		if (is_password) {
			g_string_append(out, "***");
			add_secret(secrets, value, (gsize)(p - value), FALSE);
			add_secret(secrets, unescaped->str, unescaped->len, FALSE);
		} else {
			g_string_append_len(out, value, p - value);
		}
		g_string_free(unescaped, TRUE);
	}
}

/* The URI form: user:password@ and a password= query parameter. */
static void redact_uri(const char *uri, gsize prefix_len, GString *out, GPtrArray *secrets)
{
	const char *p = uri + prefix_len, *at, *query;

	g_string_append_len(out, uri, (gssize)prefix_len);
	/* libpq ends the user part at the first '@' or '/'. */
	at = p + strcspn(p, "@/");
	if (*at == '@') {
		const char *colon = memchr(p, ':', (gsize)(at - p));
		if (colon != NULL) {
			g_string_append_len(out, p, colon - p);
			g_string_append(out, ":***");
			add_secret(secrets, colon + 1, (gsize)(at - colon - 1), TRUE);
		} else {
			g_string_append_len(out, p, at - p);
		}
		p = at;
	}
	query = strchr(p, '?');
	if (query == NULL) {
		g_string_append(out, p);
		return;
	}
	g_string_append_len(out, p, query - p + 1);
	p = query + 1;
	while (*p != '\0') {
		gsize len = strcspn(p, "&");
		if (len > strlen("password=") && strncmp(p, "password=", strlen("password=")) == 0) {
			g_string_append(out, "password=***");
			add_secret(secrets, p + strlen("password="), len - strlen("password="),
			           TRUE);
		} else {
			g_string_append_len(out, p, (gssize)len);
		}
		p += len;
		if (*p == '&')
			g_string_append_c(out, *p++);
	}
}

/* A copy of conninfo fit for debug output (passwords as ***), collecting
 * the password as written into secrets so messages can be scrubbed of it
 * even when libpq refused the string and never told us the password. */
static char *redact_conninfo(const char *conninfo, GPtrArray *secrets)
{
	GString *out = g_string_new(NULL);

	if (g_str_has_prefix(conninfo, "postgresql://"))
		redact_uri(conninfo, strlen("postgresql://"), out, secrets);
	else if (g_str_has_prefix(conninfo, "postgres://"))
		redact_uri(conninfo, strlen("postgres://"), out, secrets);
	else
		redact_keywords(conninfo, out, secrets);
	return g_string_free(out, FALSE);
}

static gint longest_first(gconstpointer a, gconstpointer b)
{
	gsize la = strlen(*(const char *const *)a), lb = strlen(*(const char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

static void replace_all(GString *text, const char *secret)
{
	gsize len = strlen(secret);
	char *hit;
	gsize from = 0;

	while (from < text->len && (hit = strstr(text->str + from, secret)) != NULL) {
		gsize pos = (gsize)(hit - text->str);
		g_string_erase(text, (gssize)pos, (gssize)len);
		g_string_insert(text, (gssize)pos, "***");
		from = pos + 3;
	}
}

/* A libpq or server message as one plain line for debug output and
 * callbacks.  libpq's messages do not quote the password, but a server
 * message may quote anything (a user name equal to the password, a value
 * that failed a cast), so every known password is replaced anyway. */
char *tdb_scrub(const BdmTeamDb *db, const char *message)
{
	GString *text = g_string_new(message != NULL ? message : "");
	gsize i, j;
	gboolean space = FALSE;

	for (i = 0; i < db->secrets->len; i++)
		replace_all(text, g_ptr_array_index(db->secrets, i));
	/* Multi-line messages ("...failed: ...\n\tIs the server running...")
	 * become one line; runs of white space become one space. */
	for (i = 0, j = 0; i < text->len; i++) {
		char c = text->str[i];
		if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
			space = TRUE;
			continue;
		}
		if (space && j > 0)
			text->str[j++] = ' ';
		space = FALSE;
		text->str[j++] = c;
	}
	g_string_truncate(text, j);
	for (i = 0; i < db->secrets->len; i++)
		replace_all(text, g_ptr_array_index(db->secrets, i));
	return g_string_free(text, FALSE);
}

char *tdb_conn_error(const BdmTeamDb *db, const char *prefix)
{
	/* When the server said why it ended the session, that beats libpq's
	 * "server closed the connection unexpectedly". */
	char *detail = db->last_fatal != NULL ? g_strdup(db->last_fatal)
	               : tdb_scrub(db, db->conn != NULL ? PQerrorMessage(db->conn) : NULL);
	char *why = g_strdup_printf("%s%s%s", prefix, *detail != '\0' ? ": " : "", detail);
	g_free(detail);
	return why;
}

/* libpq prints notices on stderr by default; Pidgin's users never see
 * stderr, so they go to the debug log.  A session the server ends while
 * idle (pg_terminate_backend, shutdown: FATAL, or SQLSTATE class 57,
 * operator intervention) arrives here too: kept as the reason for "down". */
void tdb_notice_cb(void *arg, const PGresult *res)
{
	BdmTeamDb *db = arg;
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	char *text = tdb_scrub(db, PQresultErrorMessage(res));

	purple_debug_info(DEBUG_CAT, "server notice: %s\n", text);
	if ((severity != NULL && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0)) ||
	    (sqlstate != NULL && g_str_has_prefix(sqlstate, "57"))) {
		g_free(db->last_fatal);
		db->last_fatal = text;
		return;
	}
	g_free(text);
}

void tdb_collect_secrets(BdmTeamDb *db, const char *conninfo)
{
	const char *env_password = g_getenv("PGPASSWORD");
	const char *password = db->options != NULL ? tdb_option(db, "password") : NULL;
	GString *safe;
	guint i;

	db->secrets = g_ptr_array_new_with_free_func(g_free);
	db->safe_conninfo = redact_conninfo(conninfo, db->secrets);
	if (env_password != NULL && *env_password != '\0')
		g_ptr_array_add(db->secrets, g_strdup(env_password));
	if (password != NULL && *password != '\0')
		g_ptr_array_add(db->secrets, g_strdup(password));
	g_ptr_array_sort(db->secrets, longest_first);
	/* Even the redacted string may hold the password elsewhere (say, a
	 * user name equal to it). */
	safe = g_string_new(db->safe_conninfo);
	for (i = 0; i < db->secrets->len; i++)
		replace_all(safe, g_ptr_array_index(db->secrets, i));
	g_free(db->safe_conninfo);
	db->safe_conninfo = g_string_free(safe, FALSE);
}
