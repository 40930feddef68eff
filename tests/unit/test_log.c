/*
 * Conversation log basics on real SQLite files: creation and modes,
 * append and dedupe, the delivered-ids table, customer queries, state,
 * schema migrations and the errors for files that are not ours.
 */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "log_internal.h"
#include "test_log_util.h"

typedef struct {
	char *dir;
	char *path;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
	(void)data;
	f->dir = tlog_tmpdir();
	f->path = g_build_filename(f->dir, "branddm", "log.sqlite", NULL);
}

static void teardown(Fixture *f, gconstpointer data)
{
	(void)data;
	tlog_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->path);
}

static BdmLog *open_ok(const char *path)
{
	GError *error = NULL;
	BdmLog *log = bdm_log_open(path, "alice", &error);

	g_assert_no_error(error);
	g_assert_nonnull(log);
	return log;
}

static void test_creates_private_file(Fixture *f, gconstpointer data)
{
	GStatBuf st;
	char *parent = g_path_get_dirname(f->path);
	BdmLog *log;

	(void)data;
	log = open_ok(f->path);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "hello", "m1", 100);

	g_assert_cmpint(g_stat(f->path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(g_stat(parent, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0700);
	/* The WAL file exists while the log is open and inherits the mode. */
	{
		char *wal = g_strconcat(f->path, "-wal", NULL);

		g_assert_cmpint(g_stat(wal, &st), ==, 0);
		g_assert_cmpint(st.st_mode & 0077, ==, 0);
		g_free(wal);
	}
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT journal_mode = 'wal' FROM "
	                             "pragma_journal_mode"), ==, 1);
	bdm_log_close(log);
	g_free(parent);
}

static void test_append_and_dedupe(Fixture *f, gconstpointer data)
{
	BdmLogMessage m = { 0 };
	GError *error = NULL;
	gboolean inserted = FALSE;
	BdmLog *log;

	(void)data;
	log = open_ok(f->path);
	m.platform = "messenger";
	m.account = "page1";
	m.customer_id = "cust1";
	m.direction = BDM_DIR_IN;
	m.text = "first";
	m.platform_message_id = "m1";
	g_assert_true(bdm_log_message(log, &m, &inserted, &error));
	g_assert_no_error(error);
	g_assert_true(inserted);

	/* The same platform message again, even with other text: stored once. */
	m.text = "first, delivered twice";
	g_assert_true(bdm_log_message(log, &m, &inserted, &error));
	g_assert_false(inserted);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record"), ==, 1);

	/* Near misses: the same id on another account or platform is new. */
	m.account = "page2";
	g_assert_true(bdm_log_message(log, &m, &inserted, &error));
	g_assert_true(inserted);
	m.platform = "instagram";
	g_assert_true(bdm_log_message(log, &m, &inserted, &error));
	g_assert_true(inserted);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record"), ==, 3);

	g_assert_true(bdm_log_seen(log, "messenger", "page1", "m1"));
	g_assert_false(bdm_log_seen(log, "messenger", "page1", "m2"));
	g_assert_false(bdm_log_seen(log, "x", "page1", "m1"));
	g_assert_false(bdm_log_seen(log, "messenger", "page1", NULL));

	/* A failed send has no platform id: each attempt is its own record. */
	m.platform = "messenger";
	m.account = "page1";
	m.direction = BDM_DIR_OUT;
	m.platform_message_id = NULL;
	g_assert_true(bdm_log_message(log, &m, &inserted, &error));
	g_assert_true(inserted);
	g_assert_true(bdm_log_message(log, &m, &inserted, &error));
	g_assert_true(inserted);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record"), ==, 5);

	/* The agent is recorded with every record; logged_time 0 means now. */
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE agent = 'alice'"),
	                ==, 5);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT min(logged_time) FROM record"), >=,
	                bdm_log_now() - 60);
	bdm_log_close(log);
}

static void test_rejects_bad_records(Fixture *f, gconstpointer data)
{
	BdmLogMessage m = { 0 };
	BdmLogEvent e = { 0 };
	GError *error = NULL;
	gboolean inserted = TRUE;
	BdmLog *log;

	(void)data;
	log = open_ok(f->path);
	m.platform = "messenger";
	m.account = "page1";
	m.direction = BDM_DIR_IN;
	m.text = "no customer";
	g_assert_false(bdm_log_message(log, &m, &inserted, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "customer_id"));
	g_assert_false(inserted);
	g_clear_error(&error);

	m.customer_id = "cust1";
	m.direction = 7;
	g_assert_false(bdm_log_message(log, &m, &inserted, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);

	e.kind = "message";
	g_assert_false(bdm_log_event(log, &e, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	e.kind = "erase";
	g_assert_false(bdm_log_event(log, &e, &error));
	g_clear_error(&error);
	e.kind = "block";
	e.detail_json = "[\"not an object\"]";
	g_assert_false(bdm_log_event(log, &e, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	e.detail_json = "{\"rules\": [";
	g_assert_false(bdm_log_event(log, &e, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record"), ==, 0);

	/* Near miss: a well-formed object under a kind like "erased" is fine. */
	e.kind = "erased";
	e.detail_json = "{\"rules\":[\"sensitive.card\"],\"spans\":[[12,30]]}";
	g_assert_true(bdm_log_event(log, &e, &error));
	g_assert_no_error(error);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE direction IS NULL"),
	                ==, 1);
	bdm_log_close(log);
}

static void test_customer_queries(Fixture *f, gconstpointer data)
{
	BdmLogMessage m = { 0 };
	GError *error = NULL;
	BdmLog *log;

	(void)data;
	log = open_ok(f->path);
	g_assert_false(bdm_log_customer_has_written(log, "messenger", "page1", "cust1"));
	g_assert_cmpint(bdm_log_last_customer_message(log, "messenger", "page1", "cust1"), ==, 0);

	/* Only the brand has written so far: that is not the customer writing. */
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_OUT, "hi", "o1", 500);
	g_assert_false(bdm_log_customer_has_written(log, "messenger", "page1", "cust1"));

	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "a", "i1", 1000);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "b", "i2", 3000);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "c", "i3", 2000);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_OUT, "d", "o2", 9000);
	tlog_message(log, "messenger", "page2", "cust1", BDM_DIR_IN, "e", "i4", 8000);
	g_assert_true(bdm_log_customer_has_written(log, "messenger", "page1", "cust1"));
	g_assert_false(bdm_log_customer_has_written(log, "messenger", "page1", "cust2"));
	g_assert_false(bdm_log_customer_has_written(log, "instagram", "page1", "cust1"));
	g_assert_cmpint(bdm_log_last_customer_message(log, "messenger", "page1", "cust1"), ==, 3000);
	g_assert_cmpint(bdm_log_last_customer_message(log, "messenger", "page2", "cust1"), ==, 8000);

	/* No platform time: the time it was logged stands in. */
	m.platform = "x";
	m.account = "brand";
	m.customer_id = "42";
	m.direction = BDM_DIR_IN;
	m.text = "no time";
	m.platform_message_id = "e1";
	m.logged_time = 7777;
	g_assert_true(bdm_log_message(log, &m, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(bdm_log_last_customer_message(log, "x", "brand", "42"), ==, 7777);
	bdm_log_close(log);
}

static void test_state(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	GHashTable *tags;
	BdmLog *log;
	char *value;

	(void)data;
	log = open_ok(f->path);
	g_assert_null(bdm_log_state_get(log, "policy.ack", &error));
	g_assert_no_error(error);
	g_assert_true(bdm_log_state_set(log, "policy.ack", "3", &error));
	g_assert_true(bdm_log_state_set(log, "policy.ack", "4", &error));
	g_assert_true(bdm_log_state_set(log, "tags/conv1/billing", "1", &error));
	g_assert_true(bdm_log_state_set(log, "tags/conv1/urgent", "1", &error));
	g_assert_true(bdm_log_state_set(log, "tags/conv10/other", "1", &error));
	g_assert_true(bdm_log_state_set(log, "tags/conv%/odd", "1", &error));
	g_assert_no_error(error);
	bdm_log_close(log);

	/* Committed: a new connection sees everything. */
	log = open_ok(f->path);
	value = bdm_log_state_get(log, "policy.ack", &error);
	g_assert_cmpstr(value, ==, "4");
	g_free(value);
	tags = bdm_log_state_get_prefix(log, "tags/conv1/", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_hash_table_size(tags), ==, 2);
	g_assert_true(g_hash_table_contains(tags, "tags/conv1/urgent"));
	g_assert_false(g_hash_table_contains(tags, "tags/conv10/other"));
	g_hash_table_unref(tags);
	/* LIKE wildcards in a prefix are literal. */
	tags = bdm_log_state_get_prefix(log, "tags/conv%", &error);
	g_assert_cmpuint(g_hash_table_size(tags), ==, 1);
	g_hash_table_unref(tags);

	/* Keys naming an id as a whole segment, for erase and subject export. */
	{
		const char *ids[] = { "conv1", "cust9", NULL };

		g_assert_true(bdm_log_state_set(log, "note:cust9", "vip", &error));
		g_assert_true(bdm_log_state_set(log, "note:cust99", "other", &error));
		tags = bdm_log_state_find(log, ids, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(g_hash_table_size(tags), ==, 3);
		g_assert_cmpstr(g_hash_table_lookup(tags, "note:cust9"), ==, "vip");
		g_assert_false(g_hash_table_contains(tags, "note:cust99"));
		g_assert_false(g_hash_table_contains(tags, "tags/conv10/other"));
		g_hash_table_unref(tags);
	}

	g_assert_true(bdm_log_state_set(log, "policy.ack", NULL, &error));
	g_assert_null(bdm_log_state_get(log, "policy.ack", &error));
	g_assert_no_error(error);
	/* State is outside the chain: changing it never breaks verification. */
	g_assert_true(bdm_log_verify(log, NULL, &error));
	bdm_log_close(log);
}

static void test_migrates_old_schema(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	BdmLog *log;

	(void)data;
	log = bdm_log_open_schema(f->path, "alice", BDM_LOG_OPEN_CREATE, 1, &error);
	g_assert_no_error(error);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "from v1", "m1", 100);
	bdm_log_close(log);
	g_assert_cmpint(tlog_sql_int(f->path, "PRAGMA user_version"), ==, 1);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE "
	                             "name = 'record_customer'"), ==, 0);

	/* Read-only opens do not upgrade, but can read an older schema. */
	log = bdm_log_open_full(f->path, NULL, BDM_LOG_OPEN_READONLY, &error);
	g_assert_no_error(error);
	g_assert_cmpint(bdm_log_count(log, &error), ==, 1);
	bdm_log_close(log);
	g_assert_cmpint(tlog_sql_int(f->path, "PRAGMA user_version"), ==, 1);

	log = open_ok(f->path);
	g_assert_cmpint(tlog_sql_int(f->path, "PRAGMA user_version"), ==, BDM_LOG_SCHEMA_VERSION);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE "
	                             "name = 'record_inbound'"), ==, 1);
	g_assert_true(bdm_log_seen(log, "messenger", "page1", "m1"));
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_OUT, "from v2", "m2", 200);
	g_assert_true(bdm_log_verify(log, NULL, &error));
	g_assert_no_error(error);
	bdm_log_close(log);
}

/* Version 3 drops an index no query used: the file of version 2 keeps its
 * records, the customer and time indexes stay, and the desk's and the
 * admin's look-ups answer as before. */
static void test_migrates_v2_drops_conversation_index(Fixture *f, gconstpointer data)
{
	BdmLogQuery about = { .customer_id = "cust1" };
	BdmLogCursor *cursor;
	const BdmLogRecord *r;
	GError *error = NULL;
	BdmLog *log;
	int n = 0;

	(void)data;
	log = bdm_log_open_schema(f->path, "alice", BDM_LOG_OPEN_CREATE, 2, &error);
	g_assert_no_error(error);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "from v2", "m1", 100);
	bdm_log_close(log);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE "
	                             "name = 'record_conversation'"), ==, 1);

	log = bdm_log_open_schema(f->path, "alice", 0, 3, &error);
	g_assert_no_error(error);
	g_assert_cmpint(tlog_sql_int(f->path, "PRAGMA user_version"), ==, 3);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE "
	                             "name = 'record_conversation'"), ==, 0);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE "
	                             "name IN ('record_customer', 'record_time')"), ==, 2);
	g_assert_true(bdm_log_customer_has_written(log, "messenger", "page1", "cust1"));
	g_assert_cmpint(bdm_log_last_customer_message(log, "messenger", "page1", "cust1"), ==, 100);
	cursor = bdm_log_cursor_new(log, &about, &error);
	g_assert_no_error(error);
	while ((r = bdm_log_cursor_next(cursor, &error)) != NULL)
		{
		g_assert_cmpstr(r->text, ==, "from v2");
		n++;
	}
	g_assert_no_error(error);
	g_assert_cmpint(n, ==, 1);
	bdm_log_cursor_free(cursor);
	g_assert_true(bdm_log_verify(log, NULL, &error));
	g_assert_no_error(error);
	bdm_log_close(log);
}

/* The query plan of one of the log's cached statements, one line a step. */
static char *query_plan(BdmLog *log, BdmLogStmt which)
{
	sqlite3_stmt *stmt = bdm_log_stmt(log, which, NULL);
	char *sql = g_strconcat("EXPLAIN QUERY PLAN ", sqlite3_sql(stmt), NULL);
	sqlite3_stmt *plan = NULL;
	GString *out = g_string_new(NULL);

	g_assert_cmpint(sqlite3_prepare_v2(log->db, sql, -1, &plan, NULL), ==, SQLITE_OK);
	while (sqlite3_step(plan) == SQLITE_ROW)
		g_string_append_printf(out, "%s\n", (const char *)sqlite3_column_text(plan, 3));
	sqlite3_finalize(plan);
	g_free(sql);
	return g_string_free(out, FALSE);
}

/* Version 4 keeps an index of inbound messages only: a file of version 3
 * loses its index of every record by customer, the desk's two questions
 * are answered from the new index (never by a scan) with the same answers,
 * and the brand's replies and desk events are not in it. */
static void test_migrates_v3_inbound_index(Fixture *f, gconstpointer data)
{
	static const BdmLogStmt desk_questions[] = { BDM_STMT_HAS_WRITTEN, BDM_STMT_LAST_INBOUND };
	GError *error = NULL;
	BdmLog *log;
	gsize i;

	(void)data;
	log = bdm_log_open_schema(f->path, "alice", BDM_LOG_OPEN_CREATE, 3, &error);
	g_assert_no_error(error);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "from v3", "m1", 100);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_OUT, "reply", "m2", 150);
	tlog_message(log, "messenger", "page1", "cust2", BDM_DIR_OUT, "first contact", "m3", 160);
	bdm_log_close(log);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE "
	                             "name = 'record_customer'"), ==, 1);

	log = open_ok(f->path);
	g_assert_cmpint(tlog_sql_int(f->path, "PRAGMA user_version"), ==, 4);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE "
	                             "name = 'record_customer'"), ==, 0);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM sqlite_master WHERE "
	                             "name IN ('record_inbound', 'record_time')"), ==, 2);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "from v4", "m4", 200);
	tlog_event(log, "escalate", "cust2", "{\"department\": \"legal\"}", NULL, 210);
	/* Only the two inbound messages are in the index. */
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record INDEXED BY "
	                             "record_inbound WHERE direction = 0 AND kind = 'message'"),
	                ==, 2);

	g_assert_true(bdm_log_customer_has_written(log, "messenger", "page1", "cust1"));
	g_assert_false(bdm_log_customer_has_written(log, "messenger", "page1", "cust2"));
	g_assert_false(bdm_log_customer_has_written(log, "messenger", "page2", "cust1"));
	g_assert_cmpint(bdm_log_last_customer_message(log, "messenger", "page1", "cust1"), ==, 200);
	g_assert_cmpint(bdm_log_last_customer_message(log, "messenger", "page1", "cust2"), ==, 0);
	for (i = 0; i < G_N_ELEMENTS(desk_questions); i++) {
		char *plan = query_plan(log, desk_questions[i]);

		g_test_message("plan: %s", plan);
		g_assert_nonnull(strstr(plan, "INDEX record_inbound"));
		g_assert_null(strstr(plan, "SCAN"));
		g_free(plan);
	}
	g_assert_true(bdm_log_verify(log, NULL, &error));
	g_assert_no_error(error);
	bdm_log_close(log);
}

static void assert_open_fails(const char *path, BdmLogOpenFlags flags, int code)
{
	GError *error = NULL;
	BdmLog *log = bdm_log_open_full(path, "alice", flags, &error);

	g_assert_null(log);
	g_assert_error(error, BDM_LOG_ERROR, code);
	/* Every message names the file, so an admin knows which one. */
	g_assert_nonnull(strstr(error->message, path));
	g_test_message("%s", error->message);
	g_error_free(error);
}

static void test_newer_schema_refused(Fixture *f, gconstpointer data)
{
	(void)data;
	bdm_log_close(open_ok(f->path));
	tlog_sql(f->path, "PRAGMA user_version = 99");
	assert_open_fails(f->path, BDM_LOG_OPEN_CREATE, BDM_LOG_ERROR_VERSION);
	assert_open_fails(f->path, BDM_LOG_OPEN_READONLY, BDM_LOG_ERROR_VERSION);
	/* Nothing was changed by the refused opens. */
	g_assert_cmpint(tlog_sql_int(f->path, "PRAGMA user_version"), ==, 99);
}

static void test_foreign_and_corrupt_files(Fixture *f, gconstpointer data)
{
	char *garbage = g_build_filename(f->dir, "garbage.sqlite", NULL);
	char *foreign = g_build_filename(f->dir, "other.sqlite", NULL);
	char *missing = g_build_filename(f->dir, "missing.sqlite", NULL);
	char *empty = g_build_filename(f->dir, "empty.sqlite", NULL);

	(void)data;
	g_assert_true(g_file_set_contents(garbage, "This is certainly not a SQLite database, "
	                                  "just text that is long enough to have a header.\n"
	                                  "More text, more text, more text, more text.\n",
	                                  -1, NULL));
	assert_open_fails(garbage, BDM_LOG_OPEN_CREATE, BDM_LOG_ERROR_NOT_LOG);
	assert_open_fails(garbage, BDM_LOG_OPEN_READONLY, BDM_LOG_ERROR_NOT_LOG);

	/* A real SQLite database of another program is refused, not changed. */
	g_assert_true(g_file_set_contents(foreign, "", 0, NULL));
	tlog_sql(foreign, "CREATE TABLE contacts(name TEXT)");
	assert_open_fails(foreign, BDM_LOG_OPEN_CREATE, BDM_LOG_ERROR_NOT_LOG);
	g_assert_cmpint(tlog_sql_int(foreign, "SELECT count(*) FROM sqlite_master"), ==, 1);
	g_assert_cmpint(tlog_sql_int(foreign, "SELECT journal_mode = 'delete' FROM "
	                             "pragma_journal_mode"), ==, 1);

	assert_open_fails(missing, BDM_LOG_OPEN_READONLY, BDM_LOG_ERROR_OPEN);
	assert_open_fails(missing, 0, BDM_LOG_ERROR_OPEN);
	g_assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));
	assert_open_fails(f->dir, BDM_LOG_OPEN_READONLY, BDM_LOG_ERROR_OPEN);
	assert_open_fails(f->dir, BDM_LOG_OPEN_CREATE, BDM_LOG_ERROR_OPEN);
	g_assert_true(g_file_set_contents(empty, "", 0, NULL));
	assert_open_fails(empty, BDM_LOG_OPEN_READONLY, BDM_LOG_ERROR_NOT_LOG);

	g_free(garbage);
	g_free(foreign);
	g_free(missing);
	g_free(empty);
}

static void test_damaged_pages(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	BdmLogVerifyResult res;
	char *contents = NULL;
	gsize len = 0, off;
	BdmLog *log;
	int i;

	(void)data;
	log = open_ok(f->path);
	for (i = 0; i < 400; i++) {
		char *id = g_strdup_printf("m%d", i);

		tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN,
		             "a message long enough to fill a few pages of the database file", id,
		             1000 + i);
		g_free(id);
	}
	bdm_log_close(log);
	tlog_sql(f->path, "PRAGMA wal_checkpoint(TRUNCATE)");

	/* Smash every page after the first few: the file header stays valid. */
	g_assert_true(g_file_get_contents(f->path, &contents, &len, NULL));
	g_assert_cmpuint(len, >, 8 * 4096);
	for (off = 4 * 4096; off < len; off++)
		contents[off] = (char)(0xA5 ^ off);
	g_assert_true(g_file_set_contents(f->path, contents, len, NULL));
	g_free(contents);

	/* Open may or may not notice; reading the chain must fail cleanly. */
	log = bdm_log_open_full(f->path, NULL, BDM_LOG_OPEN_READONLY, &error);
	if (log) {
		g_assert_false(bdm_log_verify_full(log, &res, NULL, NULL, &error));
		bdm_log_close(log);
	}
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_NOT_LOG);
	g_assert_nonnull(strstr(error->message, f->path));
	g_error_free(error);
}

static void test_readonly(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	BdmLogEvent e = { 0 };
	BdmLog *log;

	(void)data;
	log = open_ok(f->path);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "hello", "m1", 100);
	bdm_log_close(log);

	log = bdm_log_open_full(f->path, NULL, BDM_LOG_OPEN_READONLY, &error);
	g_assert_no_error(error);
	g_assert_true(bdm_log_seen(log, "messenger", "page1", "m1"));
	e.kind = "tag";
	g_assert_false(bdm_log_event(log, &e, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	g_assert_false(bdm_log_state_set(log, "k", "v", &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	bdm_log_close(log);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record"), ==, 1);
}

/* A log made readable by others (copied by hand, an old version) is made
 * private again when the plugin opens it, WAL files included. */
static void test_tightens_existing_file(Fixture *f, gconstpointer data)
{
	char *wal = g_strconcat(f->path, "-wal", NULL);
	GStatBuf st;
	BdmLog *log;

	(void)data;
	log = open_ok(f->path);
	tlog_message(log, "messenger", "page1", "cust1", BDM_DIR_IN, "hello", "m1", 100);
	bdm_log_close(log);
	g_assert_cmpint(g_chmod(f->path, 0644), ==, 0);
	g_assert_true(g_file_set_contents(wal, "", 0, NULL));
	g_assert_cmpint(g_chmod(wal, 0666), ==, 0);

	log = open_ok(f->path);
	g_assert_cmpint(g_stat(f->path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
	g_assert_cmpint(g_stat(wal, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0077, ==, 0);
	/* Nothing lost by the change of mode. */
	g_assert_true(bdm_log_seen(log, "messenger", "page1", "m1"));
	bdm_log_close(log);
	g_free(wal);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, setup, fn, teardown)
	ADD("/log/creates-private-file", test_creates_private_file);
	ADD("/log/tightens-existing-file", test_tightens_existing_file);
	ADD("/log/append-and-dedupe", test_append_and_dedupe);
	ADD("/log/rejects-bad-records", test_rejects_bad_records);
	ADD("/log/customer-queries", test_customer_queries);
	ADD("/log/state", test_state);
	ADD("/log/migrates-old-schema", test_migrates_old_schema);
	ADD("/log/migrates-v2-drops-conversation-index", test_migrates_v2_drops_conversation_index);
	ADD("/log/migrates-v3-inbound-index", test_migrates_v3_inbound_index);
	ADD("/log/newer-schema-refused", test_newer_schema_refused);
	ADD("/log/foreign-and-corrupt-files", test_foreign_and_corrupt_files);
	ADD("/log/damaged-pages", test_damaged_pages);
	ADD("/log/readonly", test_readonly);
#undef ADD
	return g_test_run();
}
