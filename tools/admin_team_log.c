/*
 * The central log in branddm-admin.  See admin_team_log.h.
 *
 * A shipped chain is checked with the very code that checks a file
 * (bdm_chain_check_*): the records are the same, with the same hashes.
 * Two things differ.  The team database holds no head of its own, so its
 * newest record is taken as the head (a client's unshipped records are not
 * missing); and records a central erase blanked are accounted for by the
 * erasure order that names them, as an agent's own erase record would be.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "branddm/i18n.h"
#include "admin_team_log.h"
#include "admin_util.h"
#include "team_log.h"

enum { OK = 0, BROKEN = 1, UNREADABLE = 2 };

#define FETCH_ROWS "20000"

/* Chains found broken by bdm_admin_team_verify: chain -> first broken id. */
static GHashTable *broken_chains;

static void fail(const GError *error)
{
	bdm_admin_fail("%s", error->message);
}

/* ---- verify ----------------------------------------------------------------------- */

/* Fill r from a row of the verify query (the record columns, then the
 * three hashes); the hashes go into bufs. */
static void record_from_row(const PGresult *res, int i, BdmLogRecord *r, guint8 bufs[3][32])
{
	bdm_admin_pg_record(res, i, r);
	r->personal_hash = bdm_admin_pg_bytea(bdm_admin_pg_text(res, i, 17), bufs[0], 32) ? bufs[0] : NULL;
	r->content_hash = bdm_admin_pg_bytea(bdm_admin_pg_text(res, i, 18), bufs[1], 32) ? bufs[1] : NULL;
	r->hash = bdm_admin_pg_bytea(bdm_admin_pg_text(res, i, 19), bufs[2], 32) ? bufs[2] : NULL;
}

/* Walk one chain's records through the checker; FALSE when unreadable. */
static gboolean check_chain(BdmAdminPg *pg, const char *chain, BdmChainCheck *check,
                            BdmProgress *progress, gint64 *done, GError **error)
{
	const char *params[1] = { chain };
	PGresult *res;
	gboolean ok = TRUE;

	if (!bdm_admin_pg_run(pg, "DECLARE branddm_chain NO SCROLL CURSOR FOR SELECT "
	                      BDM_ADMIN_PG_RECORD_COLUMNS ", personal_hash,"
	                      " content_hash, hash, erase_order IS NOT NULL AND EXISTS (SELECT 1"
	                      " FROM branddm.erasure_order o WHERE o.id = erase_order)"
	                      " FROM branddm.log_record WHERE chain = $1::uuid ORDER BY id",
	                      1, params, _("cannot read the central log"), error))
		return FALSE;
	for (;;) {
		int i, n;

		res = bdm_admin_pg_exec(pg, "FETCH " FETCH_ROWS " FROM branddm_chain", 0, NULL,
		                        _("cannot read the central log"), error);
		if (!res) {
			ok = FALSE;
			break;
		}
		n = PQntuples(res);
		for (i = 0; i < n; i++) {
			guint8 bufs[3][32];
			BdmLogRecord r;

			record_from_row(res, i, &r, bufs);
			bdm_chain_check_add(check, &r, bdm_admin_pg_text(res, i, 20)[0] == 't');
			bdm_progress_tick(progress, ++*done);
		}
		PQclear(res);
		if (n == 0)
			break;
	}
	PQclear(PQexec(pg->conn, "CLOSE branddm_chain"));
	return ok;
}

static int verify_chain(BdmAdminPg *pg, const PGresult *chains, int row, BdmProgress *progress,
                        gint64 *done)
{
	const char *chain = PQgetvalue(chains, row, 0), *agent = PQgetvalue(chains, row, 1);
	guint8 anchor[32];
	BdmLogVerifyResult res;
	BdmChainCheck *check;
	GError *error = NULL;
	gboolean ok;

	if (!bdm_admin_pg_bytea(bdm_admin_pg_text(chains, row, 3), anchor, sizeof anchor))
		memset(anchor, 0xff, sizeof anchor);  /* a damaged anchor breaks the first link */
	check = bdm_chain_check_new(&res, bdm_admin_pg_int(chains, row, 2), anchor);
	ok = check_chain(pg, chain, check, progress, done, &error);
	bdm_chain_check_end(check, FALSE, 0, NULL);
	if (!ok) {
		fail(error);
		g_error_free(error);
		bdm_log_verify_result_clear(&res);
		return UNREADABLE;
	}
	if (res.first_broken_id == 0) {
		printf(_("%s team:%s (%s): intact, %" PRId64 " records, head %" PRId64 " %s\n"),
		       pg->shown, chain, agent, res.records, res.head_id, res.head_hash);
	} else {
		printf(_("%s team:%s (%s): BROKEN at record %" PRId64 ": %s (%" PRId64
		         " problems in %" PRId64 " records)\n"), pg->shown, chain, agent,
		       res.first_broken_id, res.problem, res.broken, res.records);
		g_hash_table_insert(broken_chains, g_strdup(chain),
		                    g_memdup2(&res.first_broken_id, sizeof res.first_broken_id));
	}
	ok = res.first_broken_id == 0;
	bdm_log_verify_result_clear(&res);
	return ok ? OK : BROKEN;
}

int bdm_admin_team_verify(BdmAdminSource *team, gboolean progress_forced)
{
	BdmAdminPg *pg = bdm_admin_source_pg(team);
	BdmProgress progress;
	GError *error = NULL;
	PGresult *chains;
	gint64 done = 0;
	int status = OK, i;
	char *label;

	if (!broken_chains)
		broken_chains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	chains = bdm_admin_pg_snapshot(pg, &error)
	         ? bdm_admin_pg_exec(pg, "SELECT chain, agent, anchor_id, anchor_hash FROM"
	                             " branddm.log_chain ORDER BY agent, chain", 0, NULL,
	                             _("cannot read the central log"), &error) : NULL;
	if (!chains) {
		fail(error);
		g_error_free(error);
		bdm_admin_pg_rollback(pg);
		return UNREADABLE;
	}
	label = g_strdup_printf(_("verify %s"), pg->shown);
	bdm_progress_init(&progress, label, progress_forced);
	if (PQntuples(chains) == 0)
		printf(_("%s: no agent has shipped a log yet\n"), pg->shown);
	for (i = 0; i < PQntuples(chains); i++) {
		int one = verify_chain(pg, chains, i, &progress, &done);

		status = MAX(status, one);
		fflush(stdout);
	}
	bdm_progress_end(&progress, done);
	g_free(label);
	PQclear(chains);
	bdm_admin_pg_rollback(pg);
	return status;
}

/* ---- a file against its shipped copy ------------------------------------------------ */

typedef struct {
	gint64 id;
	guint8 hash[32];
	gboolean valid;
} Link;

/* The next shipped (id, hash) of the chain; FALSE at the end or on error. */
static gboolean next_shipped(BdmAdminPg *pg, PGresult **block, int *row, Link *out,
                             GError **error)
{
	if (*block == NULL || *row >= PQntuples(*block)) {
		PQclear(*block);
		*block = bdm_admin_pg_exec(pg, "FETCH " FETCH_ROWS " FROM branddm_shipped", 0, NULL,
		                           _("cannot read the central log"), error);
		*row = 0;
		if (*block == NULL || PQntuples(*block) == 0)
			return FALSE;
	}
	out->id = bdm_admin_pg_int(*block, *row, 0);
	out->valid = bdm_admin_pg_bytea(bdm_admin_pg_text(*block, *row, 1), out->hash, 32);
	(*row)++;
	return TRUE;
}

typedef struct {
	gint64 first_diff;      /* 0: none */
	const char *what;       /* kind of the first difference */
	gint64 unshipped;       /* local records not in the team database yet */
	gint64 compared;
} Comparison;

static void differ(Comparison *c, gint64 id, const char *what)
{
	if (c->first_diff == 0) {
		c->first_diff = id;
		c->what = what;
	}
}

static gboolean compare_chain(BdmAdminPg *pg, BdmLog *log, gint64 local_anchor, Comparison *c,
                              GError **error)
{
	BdmLogQuery q = { 0 };
	BdmLogCursor *local;
	const BdmLogRecord *r;
	PGresult *block = NULL;
	Link shipped;
	gboolean have = FALSE;
	int row = 0;

	q.with_hashes = TRUE;
	local = bdm_log_cursor_new(log, &q, error);
	if (!local)
		return FALSE;
	have = next_shipped(pg, &block, &row, &shipped, error);
	while ((r = bdm_log_cursor_next(local, error))) {
		/* Shipped records the local log no longer has. */
		while (have && shipped.id < r->id) {
			if (shipped.id > local_anchor)
				differ(c, shipped.id, _("shipped, but missing from the local log"));
			have = next_shipped(pg, &block, &row, &shipped, error);
		}
		if (have && shipped.id == r->id) {
			c->compared++;
			if (!shipped.valid || !r->hash || memcmp(shipped.hash, r->hash, 32) != 0)
				differ(c, r->id, _("differs from its shipped copy"));
			have = next_shipped(pg, &block, &row, &shipped, error);
		} else if (!have) {
			c->unshipped++;
		} else {
			differ(c, r->id, _("missing from the team database"));
		}
	}
	while (have) {
		if (shipped.id > local_anchor)
			differ(c, shipped.id, _("shipped, but missing from the local log"));
		have = next_shipped(pg, &block, &row, &shipped, error);
	}
	PQclear(block);
	bdm_log_cursor_free(local);
	return !(error && *error);
}

int bdm_admin_team_compare(BdmAdminSource *team, const char *path, BdmLog *log)
{
	BdmAdminPg *pg = bdm_admin_source_pg(team);
	Comparison c = { 0 };
	GError *error = NULL;
	char *chain = bdm_log_state_get(log, "ship/chain", &error);
	const char *params[1];
	guint8 anchor_hash[32];
	gint64 anchor = 0, *broken;
	gboolean ok;

	if (error || !bdm_log_anchor(log, &anchor, anchor_hash, &error)) {
		fail(error);
		g_error_free(error);
		g_free(chain);
		return UNREADABLE;
	}
	if (!chain || !g_uuid_string_is_valid(chain)) {
		printf(_("%s: never shipped to the team database %s\n"), path, pg->shown);
		g_free(chain);
		return OK;
	}
	params[0] = chain;
	ok = bdm_admin_pg_snapshot(pg, &error) &&
	     bdm_admin_pg_run(pg, "DECLARE branddm_shipped NO SCROLL CURSOR FOR SELECT id, hash"
	                      " FROM branddm.log_record WHERE chain = $1::uuid ORDER BY id", 1,
	                      params, _("cannot read the central log"), &error) &&
	     compare_chain(pg, log, anchor, &c, &error);
	bdm_admin_pg_rollback(pg);
	if (!ok) {
		fail(error);
		g_error_free(error);
		g_free(chain);
		return UNREADABLE;
	}
	broken = broken_chains ? g_hash_table_lookup(broken_chains, chain) : NULL;
	if (broken) {
		/* Hashes may still match: an edit that left them alone breaks only
		 * the central chain, and this file holds the original. */
		printf(_("%s: the team database's copy team:%s was edited (its chain breaks at "
		         "record %" PRId64 "); this log holds the original\n"), path, chain, *broken);
	} else if (c.first_diff == 0) {
		printf(_("%s: matches its shipped copy team:%s (%" PRId64 " records compared, %"
		         PRId64 " not shipped yet)\n"), path, chain, c.compared, c.unshipped);
	} else {
		printf(_("%s: record %" PRId64 " %s: the local log was rewritten after it was "
		         "shipped to team:%s\n"), path, c.first_diff, c.what, chain);
	}
	g_free(chain);
	return c.first_diff == 0 && !broken ? OK : BROKEN;
}

gint64 bdm_admin_team_shipped_up_to(BdmAdminSource *team, BdmLog *log)
{
	BdmAdminPg *pg = bdm_admin_source_pg(team);
	GError *error = NULL;
	char *chain = bdm_log_state_get(log, "ship/chain", &error);
	const char *params[1] = { chain };
	PGresult *res;
	gint64 up_to = 0;

	if (!error && chain && g_uuid_string_is_valid(chain)) {
		res = bdm_admin_pg_exec(pg, "SELECT coalesce(max(id), 0) FROM branddm.log_record"
		                        " WHERE chain = $1::uuid", 1, params,
		                        _("cannot read the central log"), &error);
		if (res)
			up_to = bdm_admin_pg_int(res, 0, 0);
		PQclear(res);
	}
	g_free(chain);
	if (!error)
		return up_to;
	fail(error);
	g_error_free(error);
	return -1;
}

/* ---- erase ------------------------------------------------------------------------ */

#define ABOUT_CUSTOMER \
	"(customer_id = $1 OR conversation_id IN (SELECT conversation_id FROM branddm.log_record" \
	" WHERE customer_id = $1 AND conversation_id IS NOT NULL" \
	" AND ($2::text IS NULL OR platform = $2))) AND ($2::text IS NULL OR platform = $2)"

/* The blanked copies as arrays for one UPDATE: chain, id, message id, detail, personal hash. */
typedef struct {
	GString *col[5];
	guint n;
} Blanking;

static void blanking_add(Blanking *b, const PGresult *res, int i)
{
	guint8 bufs[3][32];
	BdmLogErasure e;
	BdmLogRecord r;
	char hex[65];
	const char *values[5];
	int c;

	record_from_row(res, i, &r, bufs);
	bdm_log_erasure_of(&r, &e);
	bdm_log_hash_hex(e.personal_hash, hex);
	values[0] = PQgetvalue(res, i, 20);
	values[1] = PQgetvalue(res, i, 0);
	values[2] = e.message_id;
	values[3] = e.detail;
	values[4] = hex;
	for (c = 0; c < 5; c++) {
		g_string_append_c(b->col[c], b->n ? ',' : '{');
		bdm_team_log_array_element(b->col[c], values[c]);
	}
	b->n++;
	bdm_log_erasure_clear(&e);
}

static gboolean erase_in_transaction(BdmAdminPg *pg, const char *platform, const char *customer,
                                     const char *tombstone, gint64 *order, guint *records,
                                     GError **error)
{
	const char *about[2] = { customer, platform };
	const char *params[7];
	Blanking b;
	PGresult *res;
	char order_text[24];
	int c;
	gboolean ok;

	memset(&b, 0, sizeof b);
	/* No client can ship while the order is being made: a batch either
	 * committed before (and is blanked here) or sees the order. */
	if (!bdm_admin_pg_run(pg, "LOCK TABLE branddm.log_record IN SHARE ROW EXCLUSIVE MODE",
	                      0, NULL, _("cannot lock the central log"), error))
		return FALSE;
	params[0] = platform;
	params[1] = customer;
	params[2] = tombstone;
	res = bdm_admin_pg_exec(pg, "INSERT INTO branddm.erasure_order (platform, customer_id,"
	                        " tombstone) VALUES ($1, $2, $3) RETURNING id", 3, params,
	                        _("cannot leave the erasure order"), error);
	if (!res)
		return FALSE;
	*order = bdm_admin_pg_int(res, 0, 0);
	g_snprintf(order_text, sizeof order_text, "%" G_GINT64_FORMAT, *order);
	PQclear(res);

	res = bdm_admin_pg_exec(pg, "SELECT " BDM_ADMIN_PG_RECORD_COLUMNS ", NULL, NULL, NULL,"
	                        " chain FROM branddm.log_record"
	                        " WHERE NOT erased AND " ABOUT_CUSTOMER, 2, about,
	                        _("cannot find the customer's records"), error);
	if (!res)
		return FALSE;
	for (c = 0; c < 5; c++)
		b.col[c] = g_string_new(NULL);
	for (c = 0; c < PQntuples(res); c++)
		blanking_add(&b, res, c);
	PQclear(res);
	*records = b.n;
	ok = TRUE;
	if (b.n > 0) {
		for (c = 0; c < 5; c++)
			g_string_append_c(b.col[c], '}');
		for (c = 0; c < 5; c++)
			params[c] = b.col[c]->str;
		params[5] = tombstone;
		params[6] = order_text;
		ok = bdm_admin_pg_run(pg, "UPDATE branddm.log_record r SET"
		                        " conversation_id = CASE WHEN r.conversation_id IS NULL"
		                        "  THEN NULL ELSE $6 END,"
		                        " customer_id = CASE WHEN r.customer_id IS NULL THEN NULL"
		                        "  ELSE $6 END,"
		                        " customer_name = NULL, text = NULL, platform_message_id = u.mid,"
		                        " detail = u.detail, personal_hash = decode(u.ph, 'hex'),"
		                        " erased = true, erase_order = $7::bigint"
		                        " FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[],"
		                        " $5::text[]) AS u(chain, id, mid, detail, ph)"
		                        " WHERE r.chain = u.chain AND r.id = u.id", 7, params,
		                        _("cannot blank the customer's records"), error);
	}
	for (c = 0; c < 5; c++)
		g_string_free(b.col[c], TRUE);
	if (!ok)
		return FALSE;

	/* The team's shared state about the customer goes too. */
	params[0] = customer;
	params[1] = platform;
	params[2] = order_text;
	return bdm_admin_pg_run(pg, "WITH c AS (DELETE FROM branddm.conversation WHERE customer = $1"
	                        " AND ($2::text IS NULL OR platform = $2)),"
	                        " m AS (DELETE FROM branddm.message WHERE customer = $1"
	                        " AND ($2::text IS NULL OR platform = $2)),"
	                        " k AS (DELETE FROM branddm.claim WHERE customer = $1"
	                        " AND ($2::text IS NULL OR platform = $2))"
	                        " UPDATE branddm.erasure_order SET central_records = (SELECT count(*)"
	                        " FROM branddm.log_record WHERE erase_order = $3::bigint)"
	                        " WHERE id = $3::bigint", 3, params,
	                        _("cannot erase the team's state about the customer"), error);
}

gboolean bdm_admin_team_erase(BdmAdminSource *team, const char *platform, const char *customer,
                              const char *tombstone, gboolean dry_run)
{
	BdmAdminPg *pg = bdm_admin_source_pg(team);
	const char *about[2] = { customer, platform };
	GError *error = NULL;
	gint64 order = 0;
	guint records = 0;
	PGresult *res;
	gboolean ok;

	if (dry_run) {
		res = bdm_admin_pg_exec(pg, "SELECT count(*) FROM branddm.log_record WHERE NOT erased"
		                        " AND " ABOUT_CUSTOMER, 2, about,
		                        _("cannot find the customer's records"), &error);
		if (res)
			printf(_("%s: would erase %s records and leave an erasure order for every "
			         "client\n"), pg->shown, PQgetvalue(res, 0, 0));
		PQclear(res);
	} else {
		ok = bdm_admin_pg_run(pg, "BEGIN", 0, NULL, _("cannot start a transaction"), &error) &&
		     erase_in_transaction(pg, platform, customer, tombstone, &order, &records,
		                          &error) &&
		     bdm_admin_pg_run(pg, "COMMIT", 0, NULL, _("cannot commit the erasure"), &error);
		if (!ok)
			bdm_admin_pg_rollback(pg);
		else
			printf(_("%s: erased %u records; erasure order %" PRId64 " left for every "
			         "client (see erase --status)\n"), pg->shown, records, order);
	}
	if (!error)
		return TRUE;
	fail(error);
	g_error_free(error);
	return FALSE;
}

int bdm_admin_team_erase_status(BdmAdminSource *team)
{
	BdmAdminPg *pg = bdm_admin_source_pg(team);
	GError *error = NULL;
	PGresult *res;
	int i;

	res = bdm_admin_pg_exec(pg, "SELECT o.id, to_char(o.ordered_at AT TIME ZONE 'UTC',"
	                        " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(o.platform, '*'),"
	                        " o.tombstone, o.central_records,"
	                        " (SELECT string_agg(c.agent || ' (' || a.records || ')', ', '"
	                        "  ORDER BY c.agent, c.chain) FROM branddm.erasure_applied a JOIN"
	                        "  branddm.log_chain c USING (chain) WHERE a.order_id = o.id),"
	                        " (SELECT string_agg(c.agent, ', ' ORDER BY c.agent, c.chain)"
	                        "  FROM branddm.log_chain c WHERE NOT EXISTS (SELECT 1 FROM"
	                        "  branddm.erasure_applied a WHERE a.order_id = o.id"
	                        "  AND a.chain = c.chain))"
	                        " FROM branddm.erasure_order o ORDER BY o.id", 0, NULL,
	                        _("cannot read the erasure orders"), &error);
	if (!res) {
		fail(error);
		g_error_free(error);
		return 1;
	}
	if (PQntuples(res) == 0)
		printf(_("%s: no erasure orders\n"), pg->shown);
	for (i = 0; i < PQntuples(res); i++) {
		printf(_("order %s, %s, platform %s, %s: %s central records erased\n"),
		       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		       PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
		printf(_("  applied by: %s\n"),
		       bdm_admin_pg_text(res, i, 5) ? bdm_admin_pg_text(res, i, 5) : _("nobody yet"));
		printf(_("  waiting for: %s\n"),
		       bdm_admin_pg_text(res, i, 6) ? bdm_admin_pg_text(res, i, 6) : _("nobody"));
	}
	PQclear(res);
	return 0;
}
