/*
 * Desk configuration: defaults, the shipped example, system/user merging
 * with locks, and errors that name file and line for every bad value.
 */
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "conf_file.h"
#include "desk_config.h"

static char *tmpdir;

static char *write_file(const char *name, const char *text)
{
	char *path = g_build_filename(tmpdir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static BdmDeskConfig *load_texts(const char *system_text, const char *user_text)
{
	char *sys = system_text != NULL ? write_file("system.conf", system_text) : NULL;
	char *user = user_text != NULL ? write_file("user.conf", user_text) : NULL;
	GError *error = NULL;
	BdmDeskConfig *cfg = bdm_desk_config_load(sys, user, &error);

	g_assert_no_error(error);
	g_assert_nonnull(cfg);
	if (sys != NULL)
		g_unlink(sys);
	if (user != NULL)
		g_unlink(user);
	g_free(sys);
	g_free(user);
	return cfg;
}

static const BdmDepartment *department_at(const BdmDeskConfig *cfg, guint i)
{
	return g_ptr_array_index(bdm_desk_config_departments(cfg), i);
}

static const BdmTrigger *trigger_at(const BdmDeskConfig *cfg, guint i)
{
	return g_ptr_array_index(bdm_desk_config_triggers(cfg), i);
}

static void check_defaults(const BdmDeskConfig *cfg)
{
	g_assert_null(bdm_desk_config_brand(cfg));
	g_assert_cmpuint(bdm_desk_config_departments(cfg)->len, ==, 4);
	g_assert_cmpstr(department_at(cfg, 0)->name, ==, "billing");
	g_assert_cmpstr(department_at(cfg, 1)->label, ==, "Legal");
	g_assert_nonnull(bdm_desk_config_department(cfg, "privacy"));
	g_assert_null(bdm_desk_config_department(cfg, "sales"));
	g_assert_cmpuint(bdm_desk_config_labels(cfg)->len, ==, 0);
	g_assert_cmpuint(bdm_desk_config_triggers(cfg)->len, ==, 2);
	g_assert_cmpstr(trigger_at(cfg, 0)->name, ==, "legal");
	g_assert_true(trigger_at(cfg, 0)->urgent);
	g_assert_cmpstr(trigger_at(cfg, 1)->department, ==, "privacy");
	g_assert_false(trigger_at(cfg, 1)->urgent);
	g_assert_cmpint(bdm_desk_config_sla_target(cfg, TRUE), ==, 2 * 3600);
	g_assert_cmpint(bdm_desk_config_sla_target(cfg, FALSE), ==, 24 * 3600);
	g_assert_cmpint(bdm_desk_config_sla_mode(cfg, TRUE), ==, BDM_COUNT_BUSINESS_HOURS);
	g_assert_cmpint(bdm_desk_config_sla_mode(cfg, FALSE), ==, BDM_COUNT_BUSINESS_DAYS);
	g_assert_cmpuint(bdm_desk_config_sla_warn_percent(cfg), ==, 75);
	g_assert_nonnull(bdm_desk_config_business_hours(cfg));
	g_assert_null(bdm_desk_config_webhook_url(cfg, "legal"));
	g_assert_cmpuint(bdm_desk_config_webhook_retries(cfg), ==, 3);
	g_assert_cmpuint(bdm_desk_config_webhook_timeout(cfg), ==, 10);
	g_assert_cmpint(bdm_desk_config_log_retention(cfg), ==, 0);
	g_assert_false(bdm_desk_config_auto_reply_enabled(cfg));
	g_assert_cmpstr(bdm_desk_config_auto_reply_template(cfg), ==, "out_of_hours");
	g_assert_false(bdm_desk_config_auto_reply_applies(cfg, "facebook", "1000"));
}

static void test_defaults(void)
{
	BdmDeskConfig *cfg = bdm_desk_config_new_default();
	char *missing = g_build_filename(tmpdir, "missing.conf", NULL);
	GError *error = NULL;

	check_defaults(cfg);
	bdm_desk_config_free(cfg);
	bdm_desk_config_free(NULL);
	/* No files at all is the same desk. */
	cfg = bdm_desk_config_load(missing, NULL, &error);
	g_assert_no_error(error);
	check_defaults(cfg);
	bdm_desk_config_free(cfg);
	g_free(missing);
}

static void test_example_file(void)
{
	GError *error = NULL;
	BdmDeskConfig *cfg;
	const BdmTrigger *t;

	if (!g_file_test("docs/desk.conf.example", G_FILE_TEST_EXISTS))
		g_error("docs/desk.conf.example not found: run the tests from the source tree");
	cfg = bdm_desk_config_load("docs/desk.conf.example", NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(bdm_desk_config_brand(cfg), ==, "Acme");
	g_assert_cmpint(bdm_desk_config_log_retention(cfg), ==, 365 * 86400);
	g_assert_cmpuint(bdm_desk_config_departments(cfg)->len, ==, 4);
	g_assert_cmpstr(bdm_desk_config_department(cfg, "privacy")->label, ==, "Data protection");
	g_assert_cmpstr(bdm_desk_config_department(cfg, "billing")->label, ==, "billing");
	g_assert_cmpstr(bdm_desk_config_webhook_url(cfg, "legal"), ==,
	                "https://hooks.example.com/legal");
	g_assert_null(bdm_desk_config_webhook_url(cfg, "billing"));
	g_assert_true(bdm_desk_config_has_label(cfg, "vip"));
	g_assert_false(bdm_desk_config_has_label(cfg, "vips"));
	g_assert_cmpuint(bdm_desk_config_triggers(cfg)->len, ==, 3);
	t = trigger_at(cfg, 0);
	g_assert_cmpstr(t->name, ==, "refund");
	g_assert_cmpstr(t->keywords[1], ==, "money back");
	g_assert_cmpstr(t->tag, ==, "refund");
	g_assert_false(t->urgent);
	g_assert_false(bdm_desk_config_auto_reply_enabled(cfg));
	bdm_desk_config_free(cfg);
}

static void test_merge_and_lock(void)
{
	BdmDeskConfig *cfg = load_texts(
		"[desk]\nbrand=Acme\n"
		"[departments]\nnames=billing;legal\n"
		"[labels]\nnames=refund;vip\n"
		"[sla]\nlocked=true\nurgent=1h\n"
		"[log]\nlocked=true\nretention=30d\n"
		"[webhook]\ndefault_url=https://hooks.example.com/all\nretries=5\n"
		"[trigger refund]\nkeywords=refund;chargeback\ndepartment=billing\ntag=refund\n"
		"[trigger legal]\nkeywords=lawyer\ndepartment=legal\nurgent=true\n",
		"[desk]\nbrand=Acme Europe\n"
		"[sla]\nurgent=4h\nnormal=8h\n"
		"[log]\nretention=1d\n"
		"[webhook]\nretries=1\n"
		"[trigger refund]\nkeywords=money back\ntag=refund\n"
		"[trigger vip]\nkeywords=influencer\ntag=vip\n");
	const BdmTrigger *t;

	g_assert_cmpstr(bdm_desk_config_brand(cfg), ==, "Acme Europe");
	/* [sla] is locked: neither of the user's values counts. */
	g_assert_cmpint(bdm_desk_config_sla_target(cfg, TRUE), ==, 3600);
	g_assert_cmpint(bdm_desk_config_sla_target(cfg, FALSE), ==, 24 * 3600);
	/* Retention is the administrator's when locked: an agent cannot shorten it. */
	g_assert_cmpint(bdm_desk_config_log_retention(cfg), ==, 30 * 86400);
	/* Unlocked groups merge key by key. */
	g_assert_cmpuint(bdm_desk_config_webhook_retries(cfg), ==, 1);
	g_assert_cmpstr(bdm_desk_config_webhook_url(cfg, "legal"), ==,
	                "https://hooks.example.com/all");
	/* A user trigger replaces the system one whole: no department inherited. */
	g_assert_cmpuint(bdm_desk_config_triggers(cfg)->len, ==, 3);
	t = trigger_at(cfg, 0);
	g_assert_cmpstr(t->name, ==, "refund");
	g_assert_cmpstr(t->keywords[0], ==, "money back");
	g_assert_null(t->keywords[1]);
	g_assert_null(t->department);
	g_assert_cmpstr(trigger_at(cfg, 1)->name, ==, "legal");
	g_assert_cmpstr(trigger_at(cfg, 2)->name, ==, "vip");
	bdm_desk_config_free(cfg);
}

static void test_auto_reply_accounts(void)
{
	BdmDeskConfig *cfg = load_texts("[auto_reply]\nenabled=true\ntemplate=closed\n"
	                                "accounts=facebook:1000; x:*\n", NULL);
	BdmDeskConfig *all = load_texts("[auto_reply]\nenabled=true\n", NULL);
	BdmDeskConfig *none = load_texts("[auto_reply]\nenabled=true\naccounts=\n", NULL);
	BdmDeskConfig *off = load_texts("[auto_reply]\nenabled=false\naccounts=*\n", NULL);

	g_assert_cmpstr(bdm_desk_config_auto_reply_template(cfg), ==, "closed");
	g_assert_true(bdm_desk_config_auto_reply_applies(cfg, "facebook", "1000"));
	g_assert_false(bdm_desk_config_auto_reply_applies(cfg, "facebook", "10000"));
	g_assert_false(bdm_desk_config_auto_reply_applies(cfg, "facebook", "100"));
	g_assert_false(bdm_desk_config_auto_reply_applies(cfg, "instagram", "1000"));
	g_assert_true(bdm_desk_config_auto_reply_applies(cfg, "x", "42"));
	g_assert_false(bdm_desk_config_auto_reply_applies(cfg, "xx", "42"));
	g_assert_true(bdm_desk_config_auto_reply_applies(all, "instagram", "7"));
	g_assert_false(bdm_desk_config_auto_reply_applies(none, "instagram", "7"));
	g_assert_false(bdm_desk_config_auto_reply_applies(off, "instagram", "7"));
	bdm_desk_config_free(cfg);
	bdm_desk_config_free(all);
	bdm_desk_config_free(none);
	bdm_desk_config_free(off);
}

static void test_durations(void)
{
	static const struct {
		const char *text;
		gint64 seconds; /* 0: refused */
	} cases[] = {
		{ "90s", 90 }, { "30m", 1800 }, { "2h", 7200 }, { "1d", 86400 },
		{ "1h30m", 5400 }, { "3600", 3600 }, { "1d2h3m4s", 93784 },
		{ "0", 0 }, { "0h", 0 }, { "", 0 }, { "h", 0 }, { "2 h", 0 }, { "-1h", 0 },
		{ "1h30", 0 }, { "1.5h", 0 }, { "2H", 0 }, { "1w", 0 }, { "9999999999", 0 },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		gint64 seconds = -1;
		gboolean ok = bdm_desk_parse_duration(cases[i].text, &seconds);

		if (ok != (cases[i].seconds != 0) || (ok && seconds != cases[i].seconds))
			g_error("duration “%s”: ok=%d seconds=%" G_GINT64_FORMAT, cases[i].text, ok,
			        seconds);
	}
	g_assert_false(bdm_desk_parse_duration(NULL, NULL));
}

/* The system file must be refused, its message naming "system.conf:LINE". */
static void assert_refused(const char *text, int line, const char *needle)
{
	char *path = write_file("system.conf", text);
	char *where = g_strdup_printf("%s:%d:", path, line);
	GError *error = NULL;
	BdmDeskConfig *cfg = bdm_desk_config_load(path, NULL, &error);

	g_assert_null(cfg);
	g_assert_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_PARSE);
	if (!g_str_has_prefix(error->message, where) || strstr(error->message, needle) == NULL)
		g_error("“%s” gave “%s”: expected “%s” and “%s”", text, error->message, where, needle);
	g_error_free(error);
	g_unlink(path);
	g_free(path);
	g_free(where);
}

static void test_errors_name_file_and_line(void)
{
	assert_refused("[desk]\nbrand=Acme\nbrnd=typo\n", 3, "brnd");
	assert_refused("[desk]\n[sales]\n", 2, "unknown group");
	assert_refused("[departments]\nnames=billing;Legal\n", 2, "Legal");
	assert_refused("[departments]\nnames=billing;billing\n", 2, "billing");
	assert_refused("[departments]\nnames=\n", 2, "at least one");
	assert_refused("[departments]\nnames=billing\n\n[department legal]\nlabel=L\n", 4,
	               "not in [departments]");
	assert_refused("[department legal]\nwebhook=http://hooks.example.com/x\n", 2, "https");
	assert_refused("[webhook]\ndefault_url=ftp://127.0.0.1/x\n", 2, "https");
	assert_refused("[webhook]\ndefault_url=hooks.example.com\n", 2, "https");
	assert_refused("[webhook]\nretries=11\n", 2, "0 to 10");
	assert_refused("[webhook]\ntimeout=0\n", 2, "timeout");
	assert_refused("[sla]\nurgent=2 hours\n", 2, "duration");
	assert_refused("[sla]\nnormal_mode=calendar\n", 2, "business_days");
	assert_refused("[sla]\nwarn_at=0\n", 2, "1 to 100");
	assert_refused("[sla]\nwarn_at=101%\n", 2, "warn_at");
	assert_refused("[labels]\nnames=vip\n[trigger t]\nkeywords=x\ntag=vips\n", 5, "vips");
	assert_refused("[trigger t]\nkeywords=x\ndepartment=sales\n", 3, "sales");
	assert_refused("[trigger t]\nkeywords=;\ndepartment=legal\n", 2, "keyword");
	assert_refused("[trigger t]\nkeywords=x\nurgent=yes please\n", 3, "urgent");
	assert_refused("[trigger t]\nkeywords=x\n", 1, "does nothing");
	assert_refused("[trigger Refund]\nkeywords=x\nurgent=true\n", 1, "trigger names");
	assert_refused("[trigger t]\nkeywords=x\nurgent=true\nlevel=3\n", 4, "level");
	assert_refused("[auto_reply]\naccounts=facebook\n", 2, "PLATFORM:ACCOUNT");
	assert_refused("[auto_reply]\naccounts=x:\n", 2, "x:");
	assert_refused("[auto_reply]\ntemplate=\n", 2, "template");
	assert_refused("[sla]\nlocked=sometimes\n", 2, "locked");
	assert_refused("[desk]\nbrand=Acme\nthis is not a key file line\n", 3, "not a key");
	/* [business_hours] errors come with the group's line and the key. */
	assert_refused("[desk]\n\n[business_hours]\nopen=9\n", 3, "open");
}

static void test_near_misses_accepted(void)
{
	BdmDeskConfig *cfg = load_texts("[webhook]\ndefault_url=http://127.0.0.1:8080/hook\n"
	                                "retries=0\ntimeout=300\n[sla]\nwarn_at=100%\n"
	                                "[department legal]\nwebhook=http://localhost/legal\n",
	                                NULL);

	g_assert_cmpstr(bdm_desk_config_webhook_url(cfg, "billing"), ==,
	                "http://127.0.0.1:8080/hook");
	g_assert_cmpstr(bdm_desk_config_webhook_url(cfg, "legal"), ==, "http://localhost/legal");
	g_assert_cmpstr(bdm_desk_config_webhook_url(cfg, NULL), ==, "http://127.0.0.1:8080/hook");
	g_assert_cmpuint(bdm_desk_config_webhook_retries(cfg), ==, 0);
	g_assert_cmpuint(bdm_desk_config_webhook_timeout(cfg), ==, 300);
	g_assert_cmpuint(bdm_desk_config_sla_warn_percent(cfg), ==, 100);
	bdm_desk_config_free(cfg);
}

static void test_user_file_errors(void)
{
	char *sys = write_file("system.conf", "[desk]\nbrand=Acme\n");
	char *user = write_file("user.conf", "[sla]\n\nurgent=soon\n");
	char *where = g_strdup_printf("%s:3:", user);
	GError *error = NULL;

	g_assert_null(bdm_desk_config_load(sys, user, &error));
	g_assert_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_PARSE);
	g_assert_true(g_str_has_prefix(error->message, where));
	g_clear_error(&error);
	g_unlink(sys);
	g_unlink(user);
	g_free(sys);
	g_free(user);
	g_free(where);
}

/* [team]: the admin's file names the database, the agent's own file names
 * the agent; together they make one team member.  Alone, nothing is set. */
static void test_team(void)
{
	BdmDeskConfig *alone = load_texts("[desk]\nbrand=Acme\n", NULL);
	BdmDeskConfig *both = load_texts("[team]\ndatabase=host=/run/pg dbname=desk\n",
	                                 "[team]\nagent=Alice Martin\n");
	BdmDeskConfig *uri = load_texts("[team]\ndatabase=postgresql://desk@/branddm?host=/run/pg\n"
	                                "assign=manual\n", NULL);
	BdmDeskConfig *blank = load_texts("[team]\nagent=\n", NULL);

	g_assert_null(bdm_desk_config_team_database(alone));
	g_assert_null(bdm_desk_config_team_agent(alone));
	g_assert_cmpint(bdm_desk_config_team_assign(alone), ==, BDM_ASSIGN_FIRST_REPLY);
	g_assert_cmpstr(bdm_desk_config_team_database(both), ==, "host=/run/pg dbname=desk");
	g_assert_cmpstr(bdm_desk_config_team_agent(both), ==, "Alice Martin");
	g_assert_cmpstr(bdm_desk_config_team_database(uri), ==,
	                "postgresql://desk@/branddm?host=/run/pg");
	g_assert_cmpint(bdm_desk_config_team_assign(uri), ==, BDM_ASSIGN_MANUAL);
	g_assert_null(bdm_desk_config_team_agent(blank));
	bdm_desk_config_free(alone);
	bdm_desk_config_free(both);
	bdm_desk_config_free(uri);
	bdm_desk_config_free(blank);
}

/* A broken connection string is named by file and key, and its value (it
 * may hold a password) is never repeated in the message. */
static void test_team_errors(void)
{
	char *path = write_file("system.conf", "[team]\ndatabase=host=/run/pg password='S3cret\n");
	GError *error = NULL;
	BdmDeskConfig *cfg = bdm_desk_config_load(path, NULL, &error);

	g_assert_null(cfg);
	g_assert_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_PARSE);
	g_assert_nonnull(strstr(error->message, "database"));
	g_assert_nonnull(strstr(error->message, "connection string"));
	g_assert_null(strstr(error->message, "S3cret"));
	g_error_free(error);
	g_unlink(path);
	g_free(path);
	assert_refused("[team]\nassign=first\n", 2, "first_reply or manual");
	assert_refused("[team]\ndatabase=\n", 2, "connection string is needed");
	assert_refused("[team]\ndatabse=x\n", 2, "databse");
}

int main(int argc, char **argv)
{
	int status;

	g_setenv("LC_ALL", "C", TRUE);
	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("test_desk_config-XXXXXX", NULL);
	g_assert_nonnull(tmpdir);
	g_test_add_func("/desk_config/defaults", test_defaults);
	g_test_add_func("/desk_config/example_file", test_example_file);
	g_test_add_func("/desk_config/merge_and_lock", test_merge_and_lock);
	g_test_add_func("/desk_config/auto_reply_accounts", test_auto_reply_accounts);
	g_test_add_func("/desk_config/durations", test_durations);
	g_test_add_func("/desk_config/errors_name_file_and_line", test_errors_name_file_and_line);
	g_test_add_func("/desk_config/near_misses_accepted", test_near_misses_accepted);
	g_test_add_func("/desk_config/user_file_errors", test_user_file_errors);
	g_test_add_func("/desk_config/team", test_team);
	g_test_add_func("/desk_config/team_errors", test_team_errors);
	status = g_test_run();
	g_rmdir(tmpdir);
	g_free(tmpdir);
	return status;
}
