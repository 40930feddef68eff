/*
 * Shipping records to the team database, without the database: the array
 * parameters of a batch (escaping, NULLs, damaged hashes, invalid UTF-8),
 * the sent-elsewhere flag, cursors from an id with a limit, and the chain
 * checker fed with copies of records as the team database holds them.
 */
#include <string.h>

#include "log_read.h"
#include "team_log.h"
#include "test_log_util.h"

typedef TlogFixture Fixture;

static void test_array_element(void)
{
	GString *buf = g_string_new(NULL);

	bdm_team_log_array_element(buf, "plain");
	g_string_append_c(buf, ',');
	bdm_team_log_array_element(buf, NULL);
	g_string_append_c(buf, ',');
	bdm_team_log_array_element(buf, "say \"hi\" \\ {NULL}, ok");
	g_string_append_c(buf, ',');
	bdm_team_log_array_element(buf, "NULL");
	g_assert_cmpstr(buf->str, ==, "\"plain\",NULL,\"say \\\"hi\\\" \\\\ {NULL}, ok\",\"NULL\"");
	g_string_free(buf, TRUE);
}

/* Read every record from id `from` with hashes into a new batch. */
static BdmTeamLogBatch *batch_from(BdmLog *log, gint64 from, guint limit)
{
	BdmTeamLogBatch *batch = bdm_team_log_batch_new();
	BdmLogQuery q = { 0 };
	BdmLogCursor *cursor;
	const BdmLogRecord *r;
	GError *error = NULL;

	q.from_id = from;
	q.limit = limit;
	q.with_hashes = TRUE;
	cursor = bdm_log_cursor_new(log, &q, &error);
	g_assert_no_error(error);
	while ((r = bdm_log_cursor_next(cursor, &error))) {
		g_assert_nonnull(r->content_hash);
		g_assert_nonnull(r->hash);
		bdm_team_log_batch_add(batch, r);
	}
	g_assert_no_error(error);
	bdm_log_cursor_free(cursor);
	return batch;
}

static void test_batch_params(Fixture *f, gconstpointer data)
{
	BdmLogMessage m = { 0 };
	BdmTeamLogBatch *batch;
	const char *const *params;
	gboolean inserted;
	GError *error = NULL;
	int i;

	(void)data;
	for (i = 1; i <= 5; i++) {
		char id[8];

		g_snprintf(id, sizeof id, "m%d", i);
		tlog_message(f->log, "facebook", "1000", "42", BDM_DIR_IN, i == 3 ? "a \"quoted\"" : "hi",
		             id, 1700000000 + i);
	}
	m.platform = "facebook";
	m.account = "1000";
	m.customer_id = "42";
	m.direction = BDM_DIR_OUT;
	m.text = "seen";
	m.platform_message_id = "m6";
	m.detail_json = "{\"sent_elsewhere\":true,\"author\":\"Bob\"}";
	g_assert_true(bdm_log_message(f->log, &m, &inserted, &error));
	g_assert_no_error(error);
	tlog_event(f->log, "note", NULL, NULL, NULL, 1700000100);

	/* From id 2, three records: 2, 3, 4. */
	batch = batch_from(f->log, 2, 3);
	g_assert_cmpuint(bdm_team_log_batch_len(batch), ==, 3);
	g_assert_cmpint(bdm_team_log_batch_last_id(batch), ==, 4);
	params = bdm_team_log_batch_params(batch, "chain-id");
	g_assert_cmpstr(params[0], ==, "chain-id");
	g_assert_cmpstr(params[1], ==, "{2,3,4}");
	g_assert_cmpstr(params[2], ==, "{\"message\",\"message\",\"message\"}");
	g_assert_cmpstr(params[9], ==, "{\"hi\",\"a \\\"quoted\\\"\",\"hi\"}");
	g_assert_cmpstr(params[18], ==, "{NULL,NULL,NULL}");   /* no personal hash */
	g_assert_cmpuint(strlen(params[20]), ==, 2 + 3 * 66 + 2);  /* {"64 hex",...} */
	g_assert_cmpstr(params[21], ==, "{f,f,f}");
	bdm_team_log_batch_free(batch);

	/* The rest: the polled reply is flagged, the event has no direction. */
	batch = batch_from(f->log, 5, 0);
	params = bdm_team_log_batch_params(batch, "chain-id");
	g_assert_cmpstr(params[1], ==, "{5,6,7}");
	g_assert_cmpstr(params[8], ==, "{0,1,NULL}");
	g_assert_cmpstr(params[21], ==, "{f,t,f}");
	bdm_team_log_batch_free(batch);

	/* Nothing past the end. */
	batch = batch_from(f->log, 8, 10);
	g_assert_cmpuint(bdm_team_log_batch_len(batch), ==, 0);
	bdm_team_log_batch_free(batch);
}

static void test_damaged_and_invalid(void)
{
	BdmTeamLogBatch *batch = bdm_team_log_batch_new();
	BdmLogRecord r = { 0 };
	const char *const *params;

	r.id = 9;
	r.kind = "message";
	r.direction = BDM_DIR_IN;
	r.text = "caf\xc3 broken";   /* not UTF-8: the server would refuse it */
	r.agent = "ada";
	bdm_team_log_batch_add(batch, &r);
	params = bdm_team_log_batch_params(batch, "c");
	g_assert_true(g_utf8_validate(params[9], -1, NULL));
	g_assert_nonnull(strstr(params[9], "broken"));
	g_assert_cmpstr(params[19], ==, "{\"\"}");   /* damaged content hash: empty */
	g_assert_cmpstr(params[20], ==, "{\"\"}");
	bdm_team_log_batch_free(batch);
}

static void test_sent_elsewhere(void)
{
	BdmLogRecord r = { 0 };

	r.kind = "message";
	r.direction = BDM_DIR_OUT;
	r.detail_json = "{\"sent_elsewhere\":true}";
	g_assert_true(bdm_team_log_sent_elsewhere(&r));
	r.detail_json = "{\"sent_elsewhere\":\"yes\"}";   /* forged types confirm nothing */
	g_assert_false(bdm_team_log_sent_elsewhere(&r));
	r.detail_json = "not json";
	g_assert_false(bdm_team_log_sent_elsewhere(&r));
	r.detail_json = "{\"sent_elsewhere\":true}";
	r.direction = BDM_DIR_IN;
	g_assert_false(bdm_team_log_sent_elsewhere(&r));
}

/* The checker over copies: intact, then a changed text, then a blanked
 * record that only a central erasure order accounts for, then without it. */
static void test_chain_check_copies(Fixture *f, gconstpointer data)
{
	BdmLogVerifyResult res;
	BdmLogQuery q = { 0 };
	BdmLogCursor *cursor;
	const BdmLogRecord *r;
	BdmChainCheck *check;
	GError *error = NULL;
	guint i;
	int pass;

	(void)data;
	for (i = 0; i < 4; i++)
		tlog_message(f->log, "x", "9", "7", BDM_DIR_IN, "text", NULL, 1700000000 + i);
	q.with_hashes = TRUE;
	/* 0 intact, 1 edited, 2 blanked under an order, 3 blanked without one. */
	for (pass = 0; pass < 4; pass++) {
		cursor = bdm_log_cursor_new(f->log, &q, &error);
		check = bdm_chain_check_new(&res, 0, NULL);
		while ((r = bdm_log_cursor_next(cursor, &error))) {
			BdmLogRecord copy = *r;
			BdmLogErasure erasure = { { 0 }, NULL, NULL };

			if (pass == 1 && r->id == 2)
				copy.text = "edited";
			if (pass >= 2 && r->id == 3) {
				bdm_log_erasure_of(r, &erasure);
				copy.text = NULL;
				copy.erased = TRUE;
				copy.personal_hash = erasure.personal_hash;
			}
			bdm_chain_check_add(check, &copy, pass == 2);
			bdm_log_erasure_clear(&erasure);
		}
		bdm_chain_check_end(check, FALSE, 0, NULL);
		bdm_log_cursor_free(cursor);
		g_assert_no_error(error);
		g_assert_cmpint(res.records, ==, 4);
		g_assert_cmpint(res.first_broken_id, ==, pass == 1 ? 2 : pass == 3 ? 3 : 0);
		bdm_log_verify_result_clear(&res);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/team-log/array-element", test_array_element);
	g_test_add("/team-log/batch-params", Fixture, NULL, tlog_fixture_setup, test_batch_params,
	           tlog_fixture_teardown);
	g_test_add_func("/team-log/damaged-and-invalid", test_damaged_and_invalid);
	g_test_add_func("/team-log/sent-elsewhere", test_sent_elsewhere);
	g_test_add("/team-log/chain-check-copies", Fixture, NULL, tlog_fixture_setup,
	           test_chain_check_copies, tlog_fixture_teardown);
	return g_test_run();
}
