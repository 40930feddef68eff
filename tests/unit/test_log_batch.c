/*
 * Group commit: writes between bdm_log_batch_begin and bdm_log_batch_commit
 * reach the file together or not at all, on real SQLite files read back
 * through a second connection (what another process would see).
 */
#include <string.h>

#include "log_internal.h"
#include "test_log_util.h"

typedef TlogFixture Fixture;

static gint64 records(Fixture *f)
{
	return tlog_sql_int(f->path, "SELECT count(*) FROM record");
}

/* Log an inbound message; returns bdm_log_message's result, *inserted too. */
static gboolean message(BdmLog *log, const char *customer, const char *text, const char *msgid,
                        gboolean *inserted, GError **error)
{
	BdmLogMessage m = { 0 };

	m.platform = "messenger";
	m.account = "page1";
	m.customer_id = customer;
	m.direction = BDM_DIR_IN;
	m.text = text;
	m.platform_message_id = msgid;
	m.logged_time = 1000;
	return bdm_log_message(log, &m, inserted, error);
}

static void begin_ok(BdmLog *log)
{
	GError *error = NULL;

	g_assert_true(bdm_log_batch_begin(log, &error));
	g_assert_no_error(error);
	g_assert_true(bdm_log_in_batch(log));
}

static void verify_ok(BdmLog *log)
{
	gint64 broken = -1;
	GError *error = NULL;

	g_assert_true(bdm_log_verify(log, &broken, &error));
	g_assert_no_error(error);
	g_assert_cmpint(broken, ==, 0);
}

static void test_commit_together(Fixture *f, gconstpointer data)
{
	BdmLogEvent e = { 0 };
	GError *error = NULL;
	gboolean inserted = FALSE;
	char *value;

	(void)data;
	tlog_message(f->log, "messenger", "page1", "c0", BDM_DIR_IN, "before", "m0", 900);
	begin_ok(f->log);
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	g_assert_true(inserted);
	g_assert_true(message(f->log, "c2", "two", "m2", &inserted, &error));
	e.kind = "escalate";
	e.customer_id = "c1";
	e.detail_json = "{\"department\":\"legal\"}";
	g_assert_true(bdm_log_event(f->log, &e, &error));
	g_assert_true(bdm_log_state_set(f->log, "display/messenger/page1", "m1\nm2", &error));
	g_assert_no_error(error);

	/* This connection sees its own batch; another process sees none of it. */
	g_assert_true(bdm_log_seen(f->log, "messenger", "page1", "m2"));
	g_assert_true(bdm_log_customer_has_written(f->log, "messenger", "page1", "c2"));
	g_assert_cmpint(records(f), ==, 1);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM state"), ==, 0);

	g_assert_true(bdm_log_batch_commit(f->log, &error));
	g_assert_no_error(error);
	g_assert_false(bdm_log_in_batch(f->log));
	g_assert_cmpint(records(f), ==, 4);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE kind = 'escalate'"),
	                ==, 1);
	value = bdm_log_state_get(f->log, "display/messenger/page1", &error);
	g_assert_cmpstr(value, ==, "m1\nm2");
	g_free(value);
	/* The chain runs on through the batch and past it. */
	tlog_message(f->log, "messenger", "page1", "c3", BDM_DIR_IN, "after", "m3", 1100);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT max(id) FROM record"), ==, 5);
	verify_ok(f->log);
}

/* The chain row is moved once, at the commit, to the batch's last record;
 * an abort leaves it where it was, for the next append to chain on. */
static void test_head_moves_at_commit(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	gboolean inserted;

	(void)data;
	tlog_message(f->log, "messenger", "page1", "c0", BDM_DIR_IN, "before", "m0", 900);
	begin_ok(f->log);
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	g_assert_true(message(f->log, "c2", "two", "m2", &inserted, &error));
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT head_id FROM chain"), ==, 1);
	g_assert_true(bdm_log_batch_commit(f->log, &error));
	g_assert_no_error(error);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT head_id FROM chain"), ==, 3);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT (SELECT head_hash FROM chain) = "
	                             "(SELECT hash FROM record WHERE id = 3)"), ==, 1);

	begin_ok(f->log);
	g_assert_true(message(f->log, "c3", "dropped", "m3", &inserted, &error));
	bdm_log_batch_abort(f->log);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT head_id FROM chain"), ==, 3);
	tlog_message(f->log, "messenger", "page1", "c4", BDM_DIR_IN, "after", "m4", 1100);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT head_id FROM chain"), ==, 4);
	verify_ok(f->log);
}

static void test_duplicates_inside(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	gboolean inserted = TRUE;

	(void)data;
	tlog_message(f->log, "messenger", "page1", "c1", BDM_DIR_IN, "earlier", "m1", 900);
	begin_ok(f->log);
	/* Logged before the batch, and twice within it: stored once, and a
	 * duplicate is no failure that would cost the batch. */
	g_assert_true(message(f->log, "c1", "earlier again", "m1", &inserted, &error));
	g_assert_false(inserted);
	g_assert_true(message(f->log, "c1", "new", "m2", &inserted, &error));
	g_assert_true(inserted);
	g_assert_true(message(f->log, "c1", "new, polled twice", "m2", &inserted, &error));
	g_assert_false(inserted);
	g_assert_true(bdm_log_batch_commit(f->log, &error));
	g_assert_no_error(error);
	g_assert_cmpint(records(f), ==, 2);
	verify_ok(f->log);
}

static void test_abort_keeps_nothing(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	gboolean inserted;

	(void)data;
	begin_ok(f->log);
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	g_assert_true(bdm_log_state_set(f->log, "k", "v", &error));
	bdm_log_batch_abort(f->log);
	g_assert_false(bdm_log_in_batch(f->log));
	bdm_log_batch_abort(f->log);   /* no batch: nothing happens */
	bdm_log_batch_abort(NULL);
	g_assert_cmpint(records(f), ==, 0);
	/* Not marked delivered: the next poll brings it again. */
	g_assert_false(bdm_log_seen(f->log, "messenger", "page1", "m1"));
	g_assert_null(bdm_log_state_get(f->log, "k", &error));
	g_assert_no_error(error);

	/* Closing with a batch open drops it too. */
	begin_ok(f->log);
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	bdm_log_close(f->log);
	f->log = bdm_log_open(f->path, "alice", &error);
	g_assert_no_error(error);
	g_assert_cmpint(records(f), ==, 0);
	g_assert_false(bdm_log_seen(f->log, "messenger", "page1", "m1"));
}

static void test_invalid_record_spares_batch(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	gboolean inserted;

	(void)data;
	begin_ok(f->log);
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	/* Refused before it touches the database: the rest of the batch stands. */
	g_assert_false(message(f->log, NULL, "no customer", "m2", &inserted, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_true(message(f->log, "c3", "three", "m3", &inserted, &error));
	g_assert_true(bdm_log_batch_commit(f->log, &error));
	g_assert_no_error(error);
	g_assert_cmpint(records(f), ==, 2);
}

static void test_failed_write_fails_batch(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	gboolean inserted = TRUE;

	(void)data;
	/* A write that fails at the database, after its seen row went in. */
	tlog_sql(f->path, "CREATE TRIGGER refuse BEFORE INSERT ON record WHEN NEW.text = 'boom'"
	                  " BEGIN SELECT RAISE(ABORT, 'refused by test'); END");
	begin_ok(f->log);
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	g_assert_false(message(f->log, "c2", "boom", "m2", &inserted, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_assert_nonnull(strstr(error->message, "refused by test"));
	g_assert_false(inserted);
	g_clear_error(&error);
	/* Everything after it fails at once, saying why. */
	g_assert_false(message(f->log, "c3", "three", "m3", &inserted, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_assert_nonnull(strstr(error->message, "batch"));
	g_clear_error(&error);
	g_assert_false(bdm_log_state_set(f->log, "k", "v", &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_clear_error(&error);

	g_assert_false(bdm_log_batch_commit(f->log, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_assert_nonnull(strstr(error->message, f->path));
	g_clear_error(&error);
	g_assert_false(bdm_log_in_batch(f->log));
	g_assert_cmpint(records(f), ==, 0);
	g_assert_false(bdm_log_seen(f->log, "messenger", "page1", "m1"));
	g_assert_false(bdm_log_seen(f->log, "messenger", "page1", "m2"));

	/* The log works on: the next attempt, alone or batched, goes in. */
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	g_assert_true(inserted);
	begin_ok(f->log);
	g_assert_true(message(f->log, "c3", "three", "m3", &inserted, &error));
	g_assert_true(bdm_log_batch_commit(f->log, &error));
	g_assert_no_error(error);
	g_assert_cmpint(records(f), ==, 2);
	verify_ok(f->log);
}

static void test_disk_full(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	gboolean inserted;
	char *big = g_strnfill(64 * 1024, 'x');
	gint64 pages;

	(void)data;
	tlog_message(f->log, "messenger", "page1", "c0", BDM_DIR_IN, "before", "m0", 900);
	pages = tlog_sql_int(f->path, "PRAGMA page_count");
	begin_ok(f->log);
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	/* The file may not grow: SQLite fails with SQLITE_FULL and may roll the
	 * whole transaction back by itself.  The batch must not go on without it. */
	{
		char *sql = g_strdup_printf("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages + 1);

		g_assert_true(bdm_log_exec(f->log, sql, "test", &error));
		g_free(sql);
	}
	g_assert_false(message(f->log, "c2", big, "m2", &inserted, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_clear_error(&error);
	g_assert_false(message(f->log, "c3", "three", "m3", &inserted, &error));
	g_clear_error(&error);
	g_assert_false(bdm_log_batch_commit(f->log, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_clear_error(&error);
	g_assert_true(bdm_log_exec(f->log, "PRAGMA max_page_count = 1073741823", "test", &error));
	g_assert_cmpint(records(f), ==, 1);
	g_assert_false(bdm_log_seen(f->log, "messenger", "page1", "m1"));
	g_assert_false(bdm_log_seen(f->log, "messenger", "page1", "m3"));
	verify_ok(f->log);
	g_free(big);
}

/* SQLite may end a transaction by itself after an error in any statement,
 * a read too (I/O, out of memory): later writes must not then commit one by
 * one outside the batch their caller believes in. */
static void test_transaction_lost(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	gboolean inserted;

	(void)data;
	begin_ok(f->log);
	g_assert_true(message(f->log, "c1", "one", "m1", &inserted, &error));
	g_assert_true(bdm_log_exec(f->log, "ROLLBACK", "test", &error));   /* as SQLite would */
	g_assert_false(message(f->log, "c2", "two", "m2", &inserted, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_clear_error(&error);
	g_assert_false(bdm_log_state_set(f->log, "k", "v", &error));
	g_clear_error(&error);
	g_assert_false(bdm_log_batch_commit(f->log, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_DB);
	g_clear_error(&error);
	g_assert_cmpint(records(f), ==, 0);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM state"), ==, 0);
}

static void test_refusals(Fixture *f, gconstpointer data)
{
	BdmLogEraseResult erased;
	BdmLog *ro;
	GError *error = NULL;
	guint removed;

	(void)data;
	tlog_message(f->log, "messenger", "page1", "c1", BDM_DIR_IN, "one", "m1", 900);
	begin_ok(f->log);
	g_assert_false(bdm_log_batch_begin(f->log, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	/* Erase and purge commit on their own: not inside somebody's batch. */
	g_assert_false(bdm_log_purge(f->log, 2000, &removed, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(bdm_log_erase_customer(f->log, NULL, "c1", NULL, &erased, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	/* Refusals do not cost the batch. */
	g_assert_true(bdm_log_state_set(f->log, "k", "v", &error));
	g_assert_true(bdm_log_batch_commit(f->log, &error));
	g_assert_no_error(error);
	g_assert_cmpint(records(f), ==, 1);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM state"), ==, 1);

	ro = bdm_log_open_full(f->path, NULL, BDM_LOG_OPEN_READONLY, &error);
	g_assert_no_error(error);
	g_assert_false(bdm_log_batch_begin(ro, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(bdm_log_in_batch(ro));
	bdm_log_close(ro);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) \
	g_test_add(name, Fixture, NULL, tlog_fixture_setup, fn, tlog_fixture_teardown)
	ADD("/log-batch/commit-together", test_commit_together);
	ADD("/log-batch/head-moves-at-commit", test_head_moves_at_commit);
	ADD("/log-batch/duplicates-inside", test_duplicates_inside);
	ADD("/log-batch/abort-keeps-nothing", test_abort_keeps_nothing);
	ADD("/log-batch/invalid-record-spares-batch", test_invalid_record_spares_batch);
	ADD("/log-batch/failed-write-fails-batch", test_failed_write_fails_batch);
	ADD("/log-batch/disk-full", test_disk_full);
	ADD("/log-batch/transaction-lost", test_transaction_lost);
	ADD("/log-batch/refusals", test_refusals);
#undef ADD
	return g_test_run();
}
