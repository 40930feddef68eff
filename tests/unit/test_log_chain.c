/*
 * Tamper evidence: verification must name the first broken record for an
 * edited, deleted, reordered or hand-blanked record, and must keep passing
 * after the log's own erase and purge.
 */
#include <string.h>

#include <sqlite3.h>

#include "log_internal.h"
#include "test_log_util.h"

#define N_RECORDS 20

typedef struct {
	char *dir;
	char *path;
	BdmLog *log;
} Fixture;

/* Records 1..20: odd ids are inbound from cust1, even ids are replies,
 * every fifth is an event instead, logged at 1000 + id. */
static void setup(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	int i;

	(void)data;
	f->dir = tlog_tmpdir();
	f->path = g_build_filename(f->dir, "log.sqlite", NULL);
	f->log = bdm_log_open(f->path, "alice", &error);
	g_assert_no_error(error);
	for (i = 1; i <= N_RECORDS; i++) {
		char *text = g_strdup_printf("message number %d", i);
		char *id = g_strdup_printf("m%d", i);

		if (i % 5 == 0)
			tlog_event(f->log, "escalate", i < 10 ? "cust1" : "cust2",
			           "{\"department\":\"legal\",\"urgent\":true,\"reason\":\"threat\"}",
			           NULL, 1000 + i);
		else
			tlog_message(f->log, "messenger", "page1", i < 10 ? "cust1" : "cust2",
			             i % 2 ? BDM_DIR_IN : BDM_DIR_OUT, text, id, 1000 + i);
		g_free(text);
		g_free(id);
	}
}

static void teardown(Fixture *f, gconstpointer data)
{
	(void)data;
	bdm_log_close(f->log);
	tlog_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->path);
}

/* Verify and return the first broken id (0 when intact); the error must
 * agree with the result. */
static gint64 first_broken(Fixture *f)
{
	GError *error = NULL;
	gint64 id = -1;

	if (bdm_log_verify(f->log, &id, &error)) {
		g_assert_no_error(error);
		g_assert_cmpint(id, ==, 0);
		return 0;
	}
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_BROKEN);
	g_assert_nonnull(strstr(error->message, f->path));
	g_test_message("%s", error->message);
	g_error_free(error);
	g_assert_cmpint(id, >, 0);
	return id;
}

static void test_intact(Fixture *f, gconstpointer data)
{
	BdmLogVerifyResult res;
	GError *error = NULL;
	char hex[65];

	(void)data;
	g_assert_true(bdm_log_verify_full(f->log, &res, NULL, NULL, &error));
	g_assert_no_error(error);
	g_assert_cmpint(res.records, ==, N_RECORDS);
	g_assert_cmpint(res.head_id, ==, N_RECORDS);
	g_assert_cmpint(res.first_broken_id, ==, 0);
	g_assert_cmpint(res.broken, ==, 0);
	g_assert_null(res.problem);
	g_assert_cmpuint(strlen(res.head_hash), ==, 64);
	memcpy(hex, res.head_hash, sizeof hex);
	bdm_log_verify_result_clear(&res);

	/* The head hash moves with every append: what admins write down. */
	tlog_message(f->log, "x", "brand", "7", BDM_DIR_IN, "one more", "x1", 5000);
	g_assert_true(bdm_log_verify_full(f->log, &res, NULL, NULL, &error));
	g_assert_cmpstr(res.head_hash, !=, hex);
	bdm_log_verify_result_clear(&res);
}

static void test_edited_text(Fixture *f, gconstpointer data)
{
	(void)data;
	tlog_sql(f->path, "UPDATE record SET text = 'message number 8 (edited)' WHERE id = 7");
	g_assert_cmpint(first_broken(f), ==, 7);
	/* Putting the text back makes it intact again: no false positives. */
	tlog_sql(f->path, "UPDATE record SET text = 'message number 7' WHERE id = 7");
	g_assert_cmpint(first_broken(f), ==, 0);
}

static void test_edited_other_fields(Fixture *f, gconstpointer data)
{
	(void)data;
	tlog_sql(f->path, "UPDATE record SET logged_time = logged_time + 1 WHERE id = 12");
	g_assert_cmpint(first_broken(f), ==, 12);
	tlog_sql(f->path, "UPDATE record SET logged_time = logged_time - 1 WHERE id = 12");
	tlog_sql(f->path, "UPDATE record SET direction = 1 WHERE id = 3");
	g_assert_cmpint(first_broken(f), ==, 3);
	tlog_sql(f->path, "UPDATE record SET direction = 0 WHERE id = 3");
	tlog_sql(f->path, "UPDATE record SET detail = '{\"department\":\"sales\",\"urgent\":true,"
	         "\"reason\":\"threat\"}' WHERE id = 15");
	g_assert_cmpint(first_broken(f), ==, 15);
}

static void test_deleted_row(Fixture *f, gconstpointer data)
{
	(void)data;
	tlog_sql(f->path, "DELETE FROM record WHERE id = 6");
	g_assert_cmpint(first_broken(f), ==, 6);
}

static void test_deleted_newest_row(Fixture *f, gconstpointer data)
{
	(void)data;
	tlog_sql(f->path, "DELETE FROM record WHERE id = 20");
	g_assert_cmpint(first_broken(f), ==, 20);
}

static void test_reordered_rows(Fixture *f, gconstpointer data)
{
	(void)data;
	/* Swap records 4 and 9 completely, hashes included. */
	tlog_sql(f->path, "UPDATE record SET id = -4 WHERE id = 4;"
	         "UPDATE record SET id = 4 WHERE id = 9;"
	         "UPDATE record SET id = 9 WHERE id = -4");
	g_assert_cmpint(first_broken(f), ==, 4);
}

static void test_swapped_texts(Fixture *f, gconstpointer data)
{
	(void)data;
	tlog_sql(f->path, "UPDATE record SET text = CASE id WHEN 11 THEN 'message number 13'"
	         " ELSE 'message number 11' END WHERE id IN (11, 13)");
	g_assert_cmpint(first_broken(f), ==, 11);
}

/* Rewrite record id with new text and recompute its own hashes, as a
 * forger who knows the scheme would: the next record's link breaks. */
static void forge(const char *path, gint64 id, const char *text)
{
	guint8 prev[BDM_HASH_LEN], content[BDM_HASH_LEN], hash[BDM_HASH_LEN];
	sqlite3_stmt *stmt = NULL;
	BdmLogRecord r;
	sqlite3 *db = NULL;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT hash FROM record WHERE id = ?1", -1, &stmt,
	                                   NULL), ==, SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, id - 1);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	memcpy(prev, sqlite3_column_blob(stmt, 0), BDM_HASH_LEN);
	sqlite3_finalize(stmt);

	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT " BDM_LOG_RECORD_COLUMNS " FROM record"
	                                   " WHERE id = ?1", -1, &stmt, NULL), ==, SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, id);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	bdm_log_record_from_row(stmt, &r);
	r.text = text;
	bdm_log_hash_content(&r, NULL, content);
	bdm_log_hash_link(prev, content, hash);
	sqlite3_finalize(stmt);

	g_assert_cmpint(sqlite3_prepare_v2(db, "UPDATE record SET text = ?2, content_hash = ?3,"
	                                   " hash = ?4 WHERE id = ?1", -1, &stmt, NULL), ==,
	                SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 3, content, BDM_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(stmt, 4, hash, BDM_HASH_LEN, SQLITE_STATIC);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_DONE);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

static void test_forged_record_breaks_next_link(Fixture *f, gconstpointer data)
{
	(void)data;
	forge(f->path, 7, "we never said that");
	g_assert_cmpint(first_broken(f), ==, 8);
}

static void test_forged_newest_record(Fixture *f, gconstpointer data)
{
	BdmLogVerifyResult res;
	GError *error = NULL;
	char recorded[65];

	(void)data;
	g_assert_true(bdm_log_verify_full(f->log, &res, NULL, NULL, &error));
	memcpy(recorded, res.head_hash, sizeof recorded);
	bdm_log_verify_result_clear(&res);

	/* The newest record has no successor: the chain head catches it. */
	forge(f->path, N_RECORDS, "rewritten");
	g_assert_cmpint(first_broken(f), ==, N_RECORDS);

	/* The limit of the scheme: a forger who also moves the head passes
	 * verification, and only a head hash recorded elsewhere shows it. */
	tlog_sql(f->path, "UPDATE chain SET head_hash = (SELECT hash FROM record WHERE id = 20)");
	g_assert_cmpint(first_broken(f), ==, 0);
	g_assert_true(bdm_log_verify_full(f->log, &res, NULL, NULL, &error));
	g_assert_cmpstr(res.head_hash, !=, recorded);
	bdm_log_verify_result_clear(&res);
}

static void test_blanked_by_hand(Fixture *f, gconstpointer data)
{
	guint8 personal[BDM_HASH_LEN];
	sqlite3_stmt *stmt = NULL;
	BdmLogRecord r;
	sqlite3 *db = NULL;

	(void)data;
	/* Blank record 3 the way an erase does, but without an erase record. */
	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT " BDM_LOG_RECORD_COLUMNS " FROM record"
	                                   " WHERE id = 3", -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	bdm_log_record_from_row(stmt, &r);
	bdm_log_hash_personal(&r, personal);
	sqlite3_finalize(stmt);
	g_assert_cmpint(sqlite3_prepare_v2(db, "UPDATE record SET text = NULL, erased = 1,"
	                                   " personal_hash = ?1 WHERE id = 3", -1, &stmt, NULL),
	                ==, SQLITE_OK);
	sqlite3_bind_blob(stmt, 1, personal, BDM_HASH_LEN, SQLITE_STATIC);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_DONE);
	sqlite3_finalize(stmt);
	sqlite3_close(db);

	g_assert_cmpint(first_broken(f), ==, 3);
}

static void test_erase_keeps_chain(Fixture *f, gconstpointer data)
{
	BdmLogEraseResult res = { 0 };
	GError *error = NULL;

	(void)data;
	g_assert_true(bdm_log_erase_customer(f->log, NULL, "cust1", NULL, &res, &error));
	g_assert_no_error(error);
	/* Records 1-9 are about cust1 (8 messages and the event at 5). */
	g_assert_cmpuint(res.records, ==, 9);
	g_assert_cmpint(first_broken(f), ==, 0);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE kind = 'erase'"),
	                ==, 1);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE erased = 1"), ==, 9);

	/* Editing an erased record's remaining fields is still detected. */
	tlog_sql(f->path, "UPDATE record SET logged_time = 1 WHERE id = 4");
	g_assert_cmpint(first_broken(f), ==, 4);
	tlog_sql(f->path, "UPDATE record SET logged_time = 1004 WHERE id = 4");
	g_assert_cmpint(first_broken(f), ==, 0);
	/* So is dropping a record from the erase record's list. */
	tlog_sql(f->path, "UPDATE record SET erased = 0 WHERE id = 2");
	g_assert_cmpint(first_broken(f), ==, 2);
}

static void test_purge_keeps_chain(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	BdmLogVerifyResult res;
	guint removed = 99;

	(void)data;
	/* Records logged before 1008 are 1..7. */
	g_assert_true(bdm_log_purge(f->log, 1008, &removed, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(removed, ==, 7);
	g_assert_cmpint(first_broken(f), ==, 0);
	g_assert_true(bdm_log_verify_full(f->log, &res, NULL, NULL, &error));
	g_assert_cmpint(res.anchor_id, ==, 7);
	g_assert_cmpint(res.records, ==, N_RECORDS - 7 + 1);
	bdm_log_verify_result_clear(&res);
	/* Delivered ids survive the purge: no replay of old messages. */
	g_assert_true(bdm_log_seen(f->log, "messenger", "page1", "m1"));

	/* Nothing older left: a second purge with the same limit is a no-op. */
	g_assert_true(bdm_log_purge(f->log, 1008, &removed, &error));
	g_assert_cmpuint(removed, ==, 0);

	/* Purge again, past the first purge record, then append: still intact. */
	g_assert_true(bdm_log_purge(f->log, 1016, &removed, &error));
	g_assert_cmpuint(removed, ==, 8);
	tlog_message(f->log, "messenger", "page1", "cust3", BDM_DIR_IN, "after purge", "m99", 3000);
	g_assert_cmpint(first_broken(f), ==, 0);

	/* Everything, including the purge records. */
	g_assert_true(bdm_log_purge(f->log, G_MAXINT64, &removed, &error));
	g_assert_cmpint(first_broken(f), ==, 0);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record"), ==, 1);
}

static void test_purge_by_hand_detected(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	guint removed = 0;

	(void)data;
	g_assert_true(bdm_log_purge(f->log, 1005, &removed, &error));
	g_assert_cmpuint(removed, ==, 4);
	g_assert_cmpint(first_broken(f), ==, 0);

	/* Delete the oldest remaining record: a gap after the anchor. */
	tlog_sql(f->path, "CREATE TABLE saved AS SELECT hash FROM record WHERE id = 5;"
	         "DELETE FROM record WHERE id = 5");
	g_assert_cmpint(first_broken(f), ==, 5);

	/* Move the anchor along as a purge would: without a purge record
	 * confirming the new anchor, that is caught too. */
	tlog_sql(f->path, "UPDATE chain SET anchor_id = 5,"
	         " anchor_hash = (SELECT hash FROM saved) WHERE one = 1");
	g_assert_cmpint(first_broken(f), ==, 6);
}

static void progress_count(gint64 done, gpointer user_data)
{
	*(gint64 *)user_data = done;
}

static void test_progress(Fixture *f, gconstpointer data)
{
	BdmLogVerifyResult res;
	GError *error = NULL;
	gint64 reported = 0;
	int i;

	(void)data;
	for (i = 0; i < 20000; i++)
		tlog_message(f->log, "messenger", "page1", "bulk", BDM_DIR_IN, "bulk", NULL, 2000);
	g_assert_true(bdm_log_verify_full(f->log, &res, progress_count, &reported, &error));
	g_assert_cmpint(res.records, ==, 20000 + N_RECORDS);
	g_assert_cmpint(reported, ==, 20000);
	bdm_log_verify_result_clear(&res);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, setup, fn, teardown)
	ADD("/log-chain/intact", test_intact);
	ADD("/log-chain/edited-text", test_edited_text);
	ADD("/log-chain/edited-other-fields", test_edited_other_fields);
	ADD("/log-chain/deleted-row", test_deleted_row);
	ADD("/log-chain/deleted-newest-row", test_deleted_newest_row);
	ADD("/log-chain/reordered-rows", test_reordered_rows);
	ADD("/log-chain/swapped-texts", test_swapped_texts);
	ADD("/log-chain/forged-record-breaks-next-link", test_forged_record_breaks_next_link);
	ADD("/log-chain/forged-newest-record", test_forged_newest_record);
	ADD("/log-chain/blanked-by-hand", test_blanked_by_hand);
	ADD("/log-chain/erase-keeps-chain", test_erase_keeps_chain);
	ADD("/log-chain/purge-keeps-chain", test_purge_keeps_chain);
	ADD("/log-chain/purge-by-hand-detected", test_purge_by_hand_detected);
	ADD("/log-chain/progress", test_progress);
#undef ADD
	return g_test_run();
}
