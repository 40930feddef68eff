/*
 * Erasure (GDPR): after bdm_log_erase_customer the customer's text, name
 * and ids must be gone from every byte of the database files (also after
 * VACUUM), other customers must be untouched, delivered ids must still
 * count as seen, and the chain must still verify.
 */
#include <string.h>

#include "log_internal.h"
#include "test_log_util.h"

#define ALPHA "cust-alpha-7788"
#define ALPHA_CONV "conv-alpha-7788"
#define ALPHA_NAME "Zelda Quarterfield"
#define BETA "cust-beta-1234"

typedef struct {
	char *dir;
	char *path;
	BdmLog *plugin;  /* the plugin's connection, open throughout */
	BdmLog *admin;   /* branddm-admin's connection to the same file */
} Fixture;

static void add_message(BdmLog *log, const char *platform, const char *customer, const char *conv,
                        const char *name, BdmDirection dir, const char *text, const char *msgid,
                        gint64 when)
{
	BdmLogMessage m = { 0 };
	GError *error = NULL;
	gboolean inserted = FALSE;

	m.platform = platform;
	m.account = "page1";
	m.conversation_id = conv;
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
}

static void setup(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	BdmLogEvent e = { 0 };
	int i;

	(void)data;
	f->dir = tlog_tmpdir();
	f->path = g_build_filename(f->dir, "log.sqlite", NULL);
	f->plugin = bdm_log_open(f->path, "alice", &error);
	g_assert_no_error(error);

	for (i = 0; i < 30; i++) {
		char *secret = g_strdup_printf("SECRET-ALPHA-%d my card is 4111", i);
		char *public = g_strdup_printf("PUBLIC-BETA-%d", i);
		char *ida = g_strdup_printf("ma%d", i), *idb = g_strdup_printf("mb%d", i);

		add_message(f->plugin, "messenger", ALPHA, ALPHA_CONV, ALPHA_NAME,
		            i % 2 ? BDM_DIR_OUT : BDM_DIR_IN, secret, ida, 1000 + 2 * i);
		add_message(f->plugin, "messenger", BETA, "conv-beta", "Bob Beta",
		            i % 2 ? BDM_DIR_OUT : BDM_DIR_IN, public, idb, 1001 + 2 * i);
		g_free(secret);
		g_free(public);
		g_free(ida);
		g_free(idb);
	}
	add_message(f->plugin, "instagram", ALPHA, "ig-conv", ALPHA_NAME, BDM_DIR_IN,
	            "SECRET-INSTAGRAM hello", "ig1", 1100);

	/* An event tied to the conversation only, with personal detail. */
	e.kind = "escalate";
	e.platform = "messenger";
	e.account = "page1";
	e.conversation_id = ALPHA_CONV;
	e.detail_json = "{\"department\":\"legal\",\"urgent\":true,"
	                "\"reason\":\"SECRET-ALPHA-reason\"}";
	g_assert_true(bdm_log_event(f->plugin, &e, &error));
	e.kind = "block";
	e.customer_id = ALPHA;
	e.conversation_id = NULL;
	e.text = "SECRET-ALPHA-blocked";
	e.detail_json = "{\"rules\":[\"sensitive.card\"],\"spans\":[[12,30]]}";
	g_assert_true(bdm_log_event(f->plugin, &e, &error));
	g_assert_true(bdm_log_state_set(f->plugin, "tags/" ALPHA_CONV "/billing", "1", &error));
	g_assert_true(bdm_log_state_set(f->plugin, "note/" ALPHA, "SECRET-ALPHA-note", &error));
	g_assert_true(bdm_log_state_set(f->plugin, "tags/conv-beta/billing", "1", &error));
	g_assert_no_error(error);

	f->admin = bdm_log_open_full(f->path, "root", 0, &error);
	g_assert_no_error(error);
}

static void teardown(Fixture *f, gconstpointer data)
{
	(void)data;
	bdm_log_close(f->admin);
	bdm_log_close(f->plugin);
	tlog_rmtree(f->dir);
	g_free(f->dir);
	g_free(f->path);
}

static void assert_alpha_gone(Fixture *f)
{
	g_assert_false(tlog_db_files_contain(f->path, "SECRET-ALPHA"));
	g_assert_false(tlog_db_files_contain(f->path, ALPHA_NAME));
	g_assert_false(tlog_db_files_contain(f->path, ALPHA));
	g_assert_false(tlog_db_files_contain(f->path, ALPHA_CONV));
	/* The other customer is untouched: the search does find text. */
	g_assert_true(tlog_db_files_contain(f->path, "PUBLIC-BETA-29"));
	g_assert_true(tlog_db_files_contain(f->path, "Bob Beta"));
}

static void test_erase_everywhere(Fixture *f, gconstpointer data)
{
	BdmLogEraseResult res = { 0 };
	GError *error = NULL;

	(void)data;
	g_assert_true(tlog_db_files_contain(f->path, "SECRET-ALPHA-17"));
	g_assert_true(tlog_db_files_contain(f->path, ALPHA_NAME));

	g_assert_true(bdm_log_erase_customer(f->admin, NULL, ALPHA, NULL, &res, &error));
	g_assert_no_error(error);
	/* 30 messenger + 1 instagram messages, the escalation, the block. */
	g_assert_cmpuint(res.records, ==, 33);
	g_assert_cmpuint(res.state_entries, ==, 2);
	g_assert_true(res.wal_truncated);
	assert_alpha_gone(f);

	/* The plugin carries on: chain intact, delivered ids still seen. */
	g_assert_true(bdm_log_verify(f->plugin, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(bdm_log_seen(f->plugin, "messenger", "page1", "ma3"));
	g_assert_true(bdm_log_seen(f->plugin, "instagram", "page1", "ig1"));
	g_assert_false(bdm_log_customer_has_written(f->plugin, "messenger", "page1", ALPHA));
	g_assert_true(bdm_log_customer_has_written(f->plugin, "messenger", "page1", BETA));
	add_message(f->plugin, "messenger", BETA, "conv-beta", "Bob Beta", BDM_DIR_IN, "later",
	            "mb-later", 5000);
	g_assert_true(bdm_log_verify(f->admin, NULL, &error));

	/* The desk's decisions stay countable; the free text does not. */
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE kind = 'escalate'"
	                             " AND json_extract(detail, '$.department') = 'legal'"
	                             " AND json_extract(detail, '$.reason') IS NULL"), ==, 1);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE kind = 'block'"
	                             " AND json_extract(detail, '$.rules[0]') = 'sensitive.card'"),
	                ==, 1);
	/* One tombstone per erase keeps the conversation countable as one. */
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(DISTINCT customer_id) FROM record"
	                             " WHERE erased = 1"), ==, 1);
	/* Beta's state stays; Alpha's is gone but for the marker that asks the
	 * plugin to clear libpurple's copies: a hash, not the id. */
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM state"), ==, 2);
	{
		char *marker = bdm_log_forget_key(ALPHA);
		char *sql = g_strdup_printf("SELECT count(*) FROM state WHERE key = '%s'", marker);

		g_assert_cmpint(tlog_sql_int(f->path, sql), ==, 1);
		g_assert_null(strstr(marker, ALPHA));
		g_free(sql);
		g_free(marker);
	}

	/* Nothing lingers after VACUUM either. */
	bdm_log_close(f->plugin);
	f->plugin = NULL;
	tlog_sql(f->path, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE)");
	assert_alpha_gone(f);
	g_assert_true(bdm_log_verify(f->admin, NULL, &error));
	g_assert_no_error(error);
}

static void test_erase_one_platform(Fixture *f, gconstpointer data)
{
	BdmLogEraseResult res = { 0 };
	GError *error = NULL;

	(void)data;
	g_assert_true(bdm_log_erase_customer(f->admin, "instagram", ALPHA, NULL, &res, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(res.records, ==, 1);
	g_assert_false(tlog_db_files_contain(f->path, "SECRET-INSTAGRAM"));
	g_assert_true(tlog_db_files_contain(f->path, "SECRET-ALPHA-17"));
	g_assert_true(bdm_log_customer_has_written(f->plugin, "messenger", "page1", ALPHA));
	g_assert_false(bdm_log_customer_has_written(f->plugin, "instagram", "page1", ALPHA));
	g_assert_true(bdm_log_verify(f->admin, NULL, &error));

	/* Then the rest, under a given tombstone (as branddm-admin passes one
	 * to every agent's log); a second erase of the same id finds nothing. */
	g_assert_true(bdm_log_erase_customer(f->admin, NULL, ALPHA, "erased-fixed", &res, &error));
	g_assert_cmpuint(res.records, ==, 32);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE customer_id ="
	                             " 'erased-fixed' AND erased = 1"), ==, 31);
	g_assert_true(bdm_log_erase_customer(f->admin, NULL, ALPHA, NULL, &res, &error));
	g_assert_cmpuint(res.records, ==, 0);
	g_assert_cmpuint(res.state_entries, ==, 0);
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE kind = 'erase'"),
	                ==, 2);
	g_assert_true(bdm_log_verify(f->admin, NULL, &error));
	g_assert_no_error(error);
}

static void test_erase_needs_customer(Fixture *f, gconstpointer data)
{
	GError *error = NULL;

	(void)data;
	g_assert_false(bdm_log_erase_customer(f->admin, NULL, "", NULL, NULL, &error));
	g_assert_error(error, BDM_LOG_ERROR, BDM_LOG_ERROR_INVALID);
	g_clear_error(&error);
	/* A prefix of an id is not the id. */
	g_assert_true(bdm_log_erase_customer(f->admin, NULL, "cust-alpha", NULL, NULL, &error));
	g_assert_true(tlog_db_files_contain(f->path, "SECRET-ALPHA-17"));
	g_assert_cmpint(tlog_sql_int(f->path, "SELECT count(*) FROM record WHERE kind = 'erase'"),
	                ==, 0);
}

static void test_purge_leaves_no_text(Fixture *f, gconstpointer data)
{
	GError *error = NULL;
	guint removed = 0;

	(void)data;
	/* Everything of both customers before 1030 goes (ids 1..30). */
	g_assert_true(bdm_log_purge(f->plugin, 1030, &removed, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(removed, ==, 30);
	g_assert_false(tlog_db_files_contain(f->path, "SECRET-ALPHA-14 "));
	g_assert_false(tlog_db_files_contain(f->path, "PUBLIC-BETA-14"));
	g_assert_true(tlog_db_files_contain(f->path, "PUBLIC-BETA-15"));
	g_assert_true(bdm_log_verify(f->admin, NULL, &error));
	g_assert_no_error(error);
}

static void media_message(BdmLog *log, const char *customer, const char *id, gint64 when,
                          const char *sha)
{
	BdmLogMessage m = { 0 };
	GError *error = NULL;
	gboolean inserted = FALSE;
	char *detail = g_strdup_printf("{\"attachments\":[{\"name\":\"p.png\",\"sha256\":\"%s\"},"
	                               "{\"sha256\":\"../log.sqlite\"}]}", sha);

	m.platform = "messenger";
	m.account = "1000";
	m.customer_id = customer;
	m.direction = BDM_DIR_IN;
	m.text = "photo";
	m.platform_message_id = id;
	m.platform_time = when;
	m.logged_time = when;
	m.detail_json = detail;
	g_assert_true(bdm_log_message(log, &m, &inserted, &error));
	g_assert_no_error(error);
	g_assert_true(inserted);
	g_free(detail);
}

static char *media_file(const char *dir, const char *name)
{
	char *media = g_build_filename(dir, "media", NULL);
	char *path = g_build_filename(media, name, NULL);

	g_assert_cmpint(g_mkdir_with_parents(media, 0700), ==, 0);
	g_assert_true(g_file_set_contents(path, "x", 1, NULL));
	g_free(media);
	return path;
}

/* Retention and erase delete the attachment files of the records they
 * drop, and only those no kept record names; a forged digest names nothing. */
static void test_media_files(TlogFixture *f, gconstpointer data)
{
	const char *a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	const char *b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	char *a_png, *a_pdf, *b_png, *other;
	char *a_name = g_strconcat(a, ".png", NULL), *a_pdf_name = g_strconcat(a, ".pdf", NULL);
	char *b_name = g_strconcat(b, ".png", NULL);
	BdmLogEraseResult res = { 0 };
	GError *error = NULL;
	guint removed = 0;

	(void)data;
	a_png = media_file(f->dir, a_name);
	a_pdf = media_file(f->dir, a_pdf_name);
	b_png = media_file(f->dir, b_name);
	other = media_file(f->dir, "log.sqlite.png");
	media_message(f->log, "c1", "m1", 1000, a);
	media_message(f->log, "c1", "m2", 1000, b);
	media_message(f->log, "c2", "m3", 2000, b);

	g_assert_true(bdm_log_purge(f->log, 1500, &removed, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(removed, ==, 2);
	g_assert_false(g_file_test(a_png, G_FILE_TEST_EXISTS));
	g_assert_false(g_file_test(a_pdf, G_FILE_TEST_EXISTS));
	/* m3 is kept and names b. */
	g_assert_true(g_file_test(b_png, G_FILE_TEST_EXISTS));

	g_assert_true(bdm_log_erase_customer(f->log, NULL, "c2", NULL, &res, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(res.media_files, ==, 1);
	g_assert_false(g_file_test(b_png, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(other, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(f->path, G_FILE_TEST_EXISTS));
	g_assert_true(bdm_log_verify(f->log, NULL, &error));
	g_assert_no_error(error);
	g_free(a_png);
	g_free(a_pdf);
	g_free(b_png);
	g_free(other);
	g_free(a_name);
	g_free(a_pdf_name);
	g_free(b_name);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, setup, fn, teardown)
	ADD("/log-erase/everywhere", test_erase_everywhere);
	ADD("/log-erase/one-platform", test_erase_one_platform);
	ADD("/log-erase/needs-customer", test_erase_needs_customer);
	ADD("/log-erase/purge-leaves-no-text", test_purge_leaves_no_text);
#undef ADD
	g_test_add("/log-erase/media-files", TlogFixture, NULL, tlog_fixture_setup, test_media_files,
	           tlog_fixture_teardown);
	return g_test_run();
}
