/*
 * Log files and the team database behind one cursor.  See admin_source.h.
 *
 * The team database is read through a server-side cursor in one read-only
 * REPEATABLE READ transaction: a consistent snapshot while clients ship,
 * in constant memory whatever the size, FETCH_ROWS rows per round trip.
 */
#include <stdlib.h>
#include <string.h>

#include "branddm/i18n.h"
#include "admin_source.h"
#include "admin_util.h"

#define FETCH_ROWS 20000

struct BdmAdminSource {
	char *arg;
	BdmLog *log;        /* a file */
	BdmAdminPg pg;      /* the team database (conn NULL for a file) */
	gboolean team;
};

struct BdmAdminCursor {
	BdmAdminSource *src;
	BdmLogCursor *file;
	PGresult *rows;     /* the current block of the team database's rows */
	int row;
	gboolean done;
	BdmLogRecord record;
	char *origin;
};

BdmAdminSource *bdm_admin_source_open(const char *arg, gboolean writable, int *status)
{
	BdmAdminSource *src = g_new0(BdmAdminSource, 1);
	GError *error = NULL;

	src->arg = g_strdup(arg);
	if (bdm_admin_is_conninfo(arg)) {
		src->team = TRUE;
		*status = bdm_admin_pg_open(&src->pg, arg);
		if (*status == 0 && !bdm_admin_pg_check_schema(&src->pg, &error)) {
			bdm_admin_fail("%s", error->message);
			g_error_free(error);
			*status = 1;
		}
	} else {
		src->log = bdm_log_open_full(arg, NULL, BDM_LOG_OPEN_UNTRUSTED |
		                             (writable ? 0 : BDM_LOG_OPEN_READONLY), &error);
		*status = src->log ? 0 : 1;
		if (!src->log) {
			bdm_admin_fail("%s", error->message);
			g_error_free(error);
		}
	}
	if (*status == 0)
		return src;
	bdm_admin_source_close(src);
	return NULL;
}

void bdm_admin_source_close(BdmAdminSource *src)
{
	if (!src)
		return;
	bdm_log_close(src->log);
	bdm_admin_pg_close(&src->pg);
	g_free(src->arg);
	g_free(src);
}

const char *bdm_admin_source_name(const BdmAdminSource *src)
{
	return src->team ? src->pg.shown : src->arg;
}

BdmLog *bdm_admin_source_log(BdmAdminSource *src)
{
	return src->log;
}

BdmAdminPg *bdm_admin_source_pg(BdmAdminSource *src)
{
	return src->team ? &src->pg : NULL;
}

/* ---- the team database --------------------------------------------------------- */

static void append_literal(GString *sql, PGconn *conn, const char *value)
{
	char *quoted = PQescapeLiteral(conn, value, strlen(value));

	g_string_append(sql, quoted ? quoted : "NULL");
	PQfreemem(quoted);
}

/* The SELECT behind a team cursor: q's filters, one copy of each message. */
static char *team_select(PGconn *conn, const BdmLogQuery *q)
{
	GString *sql = g_string_new(
		"SELECT r.id, r.kind, r.platform, r.account, r.conversation_id, r.customer_id,"
		" r.customer_name, r.direction, r.text, r.platform_message_id, r.platform_time,"
		" r.logged_time, r.automated, r.template_name, r.detail, c.agent, r.erased, r.chain"
		" FROM branddm.log_record r JOIN branddm.log_chain c USING (chain) WHERE"
		/* The copy that names the sender, else the first logged: the same
		 * total order every time, whoever shipped first. */
		" (r.kind <> 'message' OR r.platform_message_id IS NULL OR NOT EXISTS"
		" (SELECT 1 FROM branddm.log_record o WHERE o.kind = 'message'"
		" AND o.platform = r.platform AND o.account = r.account"
		" AND o.platform_message_id = r.platform_message_id"
		" AND (o.sent_elsewhere, o.logged_time, o.chain, o.id)"
		" < (r.sent_elsewhere, r.logged_time, r.chain, r.id)))");

	if (q->platform) {
		g_string_append(sql, " AND r.platform = ");
		append_literal(sql, conn, q->platform);
	}
	if (q->customer_id) {
		g_string_append(sql, " AND (r.customer_id = ");
		append_literal(sql, conn, q->customer_id);
		g_string_append(sql, " OR r.conversation_id IN (SELECT conversation_id FROM"
		                " branddm.log_record WHERE conversation_id IS NOT NULL"
		                " AND customer_id = ");
		append_literal(sql, conn, q->customer_id);
		g_string_append(sql, "))");
	}
	if (q->account) {
		g_string_append(sql, " AND r.account = ");
		append_literal(sql, conn, q->account);
	}
	if (q->has_since)
		g_string_append_printf(sql, " AND r.logged_time >= %" G_GINT64_FORMAT, q->since);
	if (q->has_until)
		g_string_append_printf(sql, " AND r.logged_time < %" G_GINT64_FORMAT, q->until);
	g_string_append(sql, q->by_time ? " ORDER BY r.logged_time, r.chain, r.id"
	                                : " ORDER BY r.chain, r.id");
	return g_string_free(sql, FALSE);
}

static gboolean team_open(BdmAdminCursor *c, const BdmLogQuery *q, GError **error)
{
	char *select = team_select(c->src->pg.conn, q);
	char *declare = g_strconcat("DECLARE branddm_records NO SCROLL CURSOR FOR ", select, NULL);
	gboolean ok;

	ok = bdm_admin_pg_snapshot(&c->src->pg, error) &&
	     bdm_admin_pg_run(&c->src->pg, declare, 0, NULL, _("cannot read the central log"),
	                      error);
	g_free(declare);
	g_free(select);
	return ok;
}

static const BdmLogRecord *team_next(BdmAdminCursor *c, GError **error)
{
	BdmLogRecord *r = &c->record;
	const PGresult *res;
	int i;

	if (c->rows == NULL || c->row >= PQntuples(c->rows)) {
		PQclear(c->rows);
		c->rows = bdm_admin_pg_exec(&c->src->pg, "FETCH " G_STRINGIFY(FETCH_ROWS)
		                            " FROM branddm_records", 0, NULL,
		                            _("cannot read the central log"), error);
		c->row = 0;
		if (c->rows == NULL || PQntuples(c->rows) == 0) {
			c->done = TRUE;
			return NULL;
		}
	}
	res = c->rows;
	i = c->row++;
	bdm_admin_pg_record(res, i, r);
	g_free(c->origin);
	c->origin = g_strconcat("team:", PQgetvalue(res, i, 17), NULL);
	return r;
}

/* ---- either ------------------------------------------------------------------ */

BdmAdminCursor *bdm_admin_cursor_new(BdmAdminSource *src, const BdmLogQuery *q, GError **error)
{
	static const BdmLogQuery all = { 0 };
	BdmAdminCursor *c = g_new0(BdmAdminCursor, 1);

	c->src = src;
	if (!q)
		q = &all;
	if (!src->team) {
		c->file = bdm_log_cursor_new(src->log, q, error);
		c->origin = g_strdup(src->arg);
		if (c->file)
			return c;
	} else if (team_open(c, q, error)) {
		return c;
	}
	bdm_admin_cursor_free(c);
	return NULL;
}

const BdmLogRecord *bdm_admin_cursor_next(BdmAdminCursor *cursor, GError **error)
{
	if (cursor->done)
		return NULL;
	if (cursor->file)
		return bdm_log_cursor_next(cursor->file, error);
	return team_next(cursor, error);
}

const char *bdm_admin_cursor_origin(const BdmAdminCursor *cursor)
{
	return cursor->origin;
}

void bdm_admin_cursor_free(BdmAdminCursor *cursor)
{
	if (!cursor)
		return;
	bdm_log_cursor_free(cursor->file);
	PQclear(cursor->rows);
	if (cursor->src->team)
		bdm_admin_pg_rollback(&cursor->src->pg);
	g_free(cursor->origin);
	g_free(cursor);
}
