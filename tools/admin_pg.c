/*
 * Connections to the team database for branddm-admin.  See admin_pg.h.
 */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "branddm/i18n.h"
#include "admin_pg.h"
#include "admin_util.h"
#include "team_schema.h"

/* A CLI may block, but not forever on an unanswering host: libpq waits
 * indefinitely by default.  A connect_timeout in CONNINFO wins. */
#define CONNECT_TIMEOUT "10"

/* text with every secret of db replaced by "***"; g_free it. */
char *bdm_admin_pg_scrub(const BdmAdminPg *db, const char *text)
{
	char *result = g_strdup(text ? text : "");
	int i;

	for (i = 0; db->secrets && db->secrets[i]; i++) {
		char **parts = g_strsplit(result, db->secrets[i], -1);

		g_free(result);
		result = g_strjoinv("***", parts);
		g_strfreev(parts);
	}
	return g_strstrip(result);
}

void bdm_admin_pg_close(BdmAdminPg *db)
{
	if (db->conn)
		PQfinish(db->conn);
	g_free(db->shown);
	g_strfreev(db->secrets);
	memset(db, 0, sizeof(*db));
}

/* Connect synchronously; 0, or the exit status with a message given. */
int bdm_admin_pg_open(BdmAdminPg *db, const char *conninfo)
{
	const char *const keywords[] = {
		"connect_timeout", "fallback_application_name", "dbname", NULL
	};
	const char *values[] = { CONNECT_TIMEOUT, "branddm-admin", conninfo, NULL };
	PQconninfoOption *options, *o;
	GPtrArray *secrets;
	char *errmsg = NULL, *message;

	memset(db, 0, sizeof(*db));
	/* libpq's parse error quotes the string, so it is never shown. */
	options = PQconninfoParse(conninfo, &errmsg);
	PQfreemem(errmsg);
	if (!options) {
		bdm_admin_fail(_("--db: malformed connection string (expected keyword=value pairs "
		                 "such as \"host=/run/postgresql dbname=branddm\", or a "
		                 "postgresql:// URI)"));
		return 2;
	}
	secrets = g_ptr_array_new();
	for (o = options; o->keyword; o++)
		if (o->val && *o->val &&
		    (strcmp(o->keyword, "password") == 0 || strcmp(o->keyword, "sslpassword") == 0))
			g_ptr_array_add(secrets, g_strdup(o->val));
	g_ptr_array_add(secrets, NULL);
	db->secrets = (char **)g_ptr_array_free(secrets, FALSE);
	PQconninfoFree(options);
	db->shown = bdm_team_conninfo_redact(conninfo);

	/* The string goes in as dbname with expand_dbname set: its own
	 * settings are applied after the defaults before it in the list. */
	db->conn = PQconnectdbParams(keywords, values, 1);
	if (!db->conn) {
		bdm_admin_fail(_("cannot connect to the team database %s: out of memory"), db->shown);
		bdm_admin_pg_close(db);
		return 1;
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		message = bdm_admin_pg_scrub(db, PQerrorMessage(db->conn));
		bdm_admin_fail(_("cannot connect to the team database %s: %s"), db->shown, message);
		g_free(message);
		bdm_admin_pg_close(db);
		return 1;
	}
	return 0;
}

gboolean bdm_admin_is_conninfo(const char *arg)
{
	GStatBuf st;

	if (g_str_has_prefix(arg, "postgresql://") || g_str_has_prefix(arg, "postgres://"))
		return TRUE;
	/* "host=/run/postgresql dbname=desk": a file of that name wins. */
	return strchr(arg, '=') != NULL && g_stat(arg, &st) != 0;
}

PGresult *bdm_admin_pg_exec(BdmAdminPg *db, const char *sql, int n, const char *const *params,
                            const char *what, GError **error)
{
	PGresult *res = PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *primary;
	char *message;

	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return res;
	primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	message = bdm_admin_pg_scrub(db, primary ? primary : PQerrorMessage(db->conn));
	g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_QUERY, "%s: %s: %s", db->shown, what,
	            *message ? message : _("unknown error"));
	g_free(message);
	PQclear(res);
	return NULL;
}

gboolean bdm_admin_pg_run(BdmAdminPg *db, const char *sql, int n, const char *const *params,
                          const char *what, GError **error)
{
	PGresult *res = bdm_admin_pg_exec(db, sql, n, params, what, error);

	if (res == NULL)
		return FALSE;
	PQclear(res);
	return TRUE;
}

gboolean bdm_admin_pg_snapshot(BdmAdminPg *db, GError **error)
{
	return bdm_admin_pg_run(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
	                        _("cannot start a transaction"), error);
}

void bdm_admin_pg_rollback(BdmAdminPg *db)
{
	if (db->conn != NULL && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
}

gboolean bdm_admin_pg_check_schema(BdmAdminPg *db, GError **error)
{
	GError *local = NULL;
	int version = bdm_team_schema_version(db->conn, &local);
	char *message;

	if (version < 0) {
		message = bdm_admin_pg_scrub(db, local->message);
		g_set_error(error, BDM_TEAM_ERROR, local->code, "%s: %s", db->shown, message);
		g_free(message);
		g_error_free(local);
		return FALSE;
	}
	if (version > BDM_TEAM_SCHEMA_VERSION) {
		g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_SCHEMA_NEWER,
		            _("%s: the team database has schema version %d, newer than this BrandDM "
		              "(%d); upgrade BrandDM"), db->shown, version, BDM_TEAM_SCHEMA_VERSION);
		return FALSE;
	}
	if (version < 2) {
		g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_SCHEMA_OLD,
		            _("%s: the team database has no central log (schema version %d); run "
		              "\"branddm-admin team init --db …\""), db->shown, version);
		return FALSE;
	}
	return TRUE;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

gboolean bdm_admin_pg_bytea(const char *text, guint8 *out, gsize len)
{
	gsize i;

	if (text == NULL || text[0] != '\\' || text[1] != 'x' || strlen(text + 2) != 2 * len)
		return FALSE;
	for (i = 0; i < len; i++) {
		int hi = hex_value(text[2 + 2 * i]), lo = hex_value(text[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			return FALSE;
		out[i] = (guint8)(hi << 4 | lo);
	}
	return TRUE;
}

const char *bdm_admin_pg_text(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

gint64 bdm_admin_pg_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : g_ascii_strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static gboolean bool_value(const PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

void bdm_admin_pg_record(const PGresult *res, int row, BdmLogRecord *r)
{
	memset(r, 0, sizeof *r);
	r->id = bdm_admin_pg_int(res, row, 0);
	r->kind = bdm_admin_pg_text(res, row, 1) ? bdm_admin_pg_text(res, row, 1) : "";
	r->platform = bdm_admin_pg_text(res, row, 2);
	r->account = bdm_admin_pg_text(res, row, 3);
	r->conversation_id = bdm_admin_pg_text(res, row, 4);
	r->customer_id = bdm_admin_pg_text(res, row, 5);
	r->customer_name = bdm_admin_pg_text(res, row, 6);
	r->direction = PQgetisnull(res, row, 7) ? -1 : (int)bdm_admin_pg_int(res, row, 7);
	r->text = bdm_admin_pg_text(res, row, 8);
	r->platform_message_id = bdm_admin_pg_text(res, row, 9);
	r->platform_time = bdm_admin_pg_int(res, row, 10);
	r->logged_time = bdm_admin_pg_int(res, row, 11);
	r->automated = bool_value(res, row, 12);
	r->template_name = bdm_admin_pg_text(res, row, 13);
	r->detail_json = bdm_admin_pg_text(res, row, 14);
	r->agent = bdm_admin_pg_text(res, row, 15);
	r->erased = bool_value(res, row, 16);
}
