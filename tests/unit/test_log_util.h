/*
 * Helpers shared by the log unit tests: temporary directories, raw SQL
 * for tampering with a log behind its back, and byte-level file searches.
 */
#ifndef BRANDDM_TEST_LOG_UTIL_H
#define BRANDDM_TEST_LOG_UTIL_H

#include <glib.h>

#include "log.h"

/** A new empty temporary directory (g_free the name).
 *  Aborts the test when it cannot be made. */
char *tlog_tmpdir(void);

/** Delete dir and everything in it.
 *  Used at the end of each test. */
void tlog_rmtree(const char *dir);

/** Run sql on the database at path with a separate connection.
 *  Asserts that it succeeds. */
void tlog_sql(const char *path, const char *sql);

/** The first column of the first row of sql, as an integer.
 *  Asserts that there is one. */
gint64 tlog_sql_int(const char *path, const char *sql);

/** TRUE when the bytes of the database file, its -wal or its -shm
 *  contain needle: where deleted text could linger. */
gboolean tlog_db_files_contain(const char *db_path, const char *needle);

/** Log one message and assert it was inserted.
 *  msgid may be NULL (a failed send). */
void tlog_message(BdmLog *log, const char *platform, const char *account, const char *customer,
                  BdmDirection dir, const char *text, const char *msgid, gint64 when);

/** Log one event and assert it worked.
 *  detail may be NULL. */
void tlog_event(BdmLog *log, const char *kind, const char *customer, const char *detail,
                const char *text, gint64 when);

/** A fresh log in a temporary directory, for g_test_add fixtures. */
typedef struct {
	char *dir;
	char *path;   /* dir/log.sqlite */
	BdmLog *log;  /* open for agent "alice" */
} TlogFixture;

/** g_test_add setup: make the directory and open the log.
 *  Aborts the test when either fails. */
void tlog_fixture_setup(TlogFixture *f, gconstpointer data);

/** g_test_add teardown: close the log (if still open) and remove the directory.
 *  Frees the strings. */
void tlog_fixture_teardown(TlogFixture *f, gconstpointer data);

#endif /* BRANDDM_TEST_LOG_UTIL_H */
