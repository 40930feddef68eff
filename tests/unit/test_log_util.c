/*
 * Helpers shared by the log unit tests.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "test_log_util.h"

char *tlog_tmpdir(void)
{
	GError *error = NULL;
	char *dir = g_dir_make_tmp("bdm-log-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

void tlog_rmtree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (!d)
		return;
	while ((name = g_dir_read_name(d))) {
		char *path = g_build_filename(dir, name, NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			tlog_rmtree(path);
		else
			g_unlink(path);
		g_free(path);
	}
	g_dir_close(d);
	g_rmdir(dir);
}

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

void tlog_sql(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		g_error("%s: %s", sql, msg);
	sqlite3_close(db);
}

gint64 tlog_sql_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	sqlite3_stmt *stmt = NULL;
	gint64 v;

	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return v;
}

static gboolean file_contains(const char *path, const char *needle)
{
	char *data = NULL;
	gsize len = 0;
	gboolean found;

	if (!g_file_get_contents(path, &data, &len, NULL))
		return FALSE;
	found = memmem(data, len, needle, strlen(needle)) != NULL;
	g_free(data);
	return found;
}

gboolean tlog_db_files_contain(const char *db_path, const char *needle)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		char *path = g_strconcat(db_path, suffixes[i], NULL);
		gboolean found = file_contains(path, needle);

		g_free(path);
		if (found)
			return TRUE;
	}
	return FALSE;
}

void tlog_message(BdmLog *log, const char *platform, const char *account, const char *customer,
                  BdmDirection dir, const char *text, const char *msgid, gint64 when)
{
	BdmLogMessage m = { 0 };
	GError *error = NULL;
	gboolean inserted = FALSE;
	char *name = g_strconcat("Name of ", customer, NULL);

	m.platform = platform;
	m.account = account;
	m.customer_id = customer;
	m.customer_name = name;
	m.direction = dir;
	m.text = text;
	m.platform_message_id = msgid;
	m.platform_time = when;
	m.logged_time = when;
	g_assert_true(bdm_log_message(log, &m, &inserted, &error));
	g_assert_no_error(error);
	g_assert_true(inserted);
	g_free(name);
}

void tlog_event(BdmLog *log, const char *kind, const char *customer, const char *detail,
                const char *text, gint64 when)
{
	BdmLogEvent e = { 0 };
	GError *error = NULL;

	e.kind = kind;
	e.platform = "messenger";
	e.account = "page1";
	e.customer_id = customer;
	e.detail_json = detail;
	e.text = text;
	e.logged_time = when;
	g_assert_true(bdm_log_event(log, &e, &error));
	g_assert_no_error(error);
}

void tlog_fixture_setup(TlogFixture *f, gconstpointer data)
{
	GError *error = NULL;

	(void)data;
	f->dir = tlog_tmpdir();
	f->path = g_build_filename(f->dir, "log.sqlite", NULL);
	f->log = bdm_log_open(f->path, "alice", &error);
	g_assert_no_error(error);
	g_assert_nonnull(f->log);
}

void tlog_fixture_teardown(TlogFixture *f, gconstpointer data)
{
	(void)data;
	bdm_log_close(f->log);
	tlog_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->path);
}
