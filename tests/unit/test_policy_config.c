/*
 * Loading policies: missing files, broken files named with their line,
 * unknown rules, keys and values, the merge of the system and user files
 * (system wins, locks, "stricter is always allowed", notices), and the
 * example file in docs/.
 */
#include "test_policy_helpers.h"

static BdmVerdictLevel severity_of(const BdmPolicy *p, const char *rule)
{
	BdmVerdictLevel level = BDM_VERDICT_ALLOW;

	g_assert_true(bdm_policy_rule_severity(p, rule, &level));
	return level;
}

static guint notice_count(const BdmPolicy *p)
{
	const char *const *n = bdm_policy_notices(p);
	guint count = 0;

	g_assert_nonnull(n);
	while (n[count] != NULL)
		count++;
	return count;
}

/* Loading must fail with a BDM_CONF_ERROR whose message has every needle. */
static void assert_load_fails(const char *system_text, const char *user_text,
                              const char *needle1, const char *needle2)
{
	GError *error = NULL;
	BdmPolicy *p = policy_from_texts(system_text, user_text, &error);

	g_assert_null(p);
	g_assert_nonnull(error);
	g_assert_true(error->domain == BDM_CONF_ERROR);
	assert_message_has(error, needle1, needle2, NULL);
	g_error_free(error);
}

static void test_missing_files(void)
{
	char *missing = g_build_filename(policy_tmpdir, "nope.conf", NULL);
	GError *error = NULL;
	BdmPolicy *p = bdm_policy_load(missing, missing, &error);
	BdmPolicy *q = bdm_policy_load(NULL, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(p);
	g_assert_nonnull(q);
	g_assert_cmpstr(bdm_policy_source(p), ==, "built-in defaults");
	g_assert_cmpstr(bdm_policy_version(p), ==, "");
	g_assert_cmpuint(notice_count(p), ==, 0);
	g_assert_cmpint(severity_of(p, "sensitive.card"), ==, BDM_VERDICT_BLOCK);
	g_assert_cmpint(severity_of(q, "sensitive.email"), ==, BDM_VERDICT_WARN);
	bdm_policy_free(p);
	bdm_policy_free(q);
	/* A file that exists but cannot be read is an error, not "missing". */
	p = bdm_policy_load(policy_tmpdir, NULL, &error);
	g_assert_null(p);
	g_assert_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_READ);
	g_error_free(error);
	g_free(missing);
}

static void test_system_file(void)
{
	BdmPolicy *p = policy_from_texts("# Acme\n[policy]\nversion = 3\n\n"
	                                 "[rule sensitive.email]\nseverity = block\n"
	                                 "[rule language.offensive]\nseverity = off\n", NULL, NULL);
	char *expected = g_build_filename(policy_tmpdir, "system.conf", NULL);

	g_assert_cmpstr(bdm_policy_version(p), ==, "3");
	g_assert_cmpstr(bdm_policy_source(p), ==, expected);
	g_assert_cmpint(severity_of(p, "sensitive.email"), ==, BDM_VERDICT_BLOCK);
	g_assert_cmpint(severity_of(p, "language.offensive"), ==, BDM_VERDICT_ALLOW);
	/* Rules not mentioned keep their defaults. */
	g_assert_cmpint(severity_of(p, "sensitive.phone"), ==, BDM_VERDICT_WARN);
	assert_quiet(p, "fuck", "language.offensive");
	g_free(expected);
	bdm_policy_free(p);
}

static void test_broken_files(void)
{
	/* Syntax: the line is named. */
	assert_load_fails("[policy]\nversion = 1\nthis is not a setting\n", NULL,
	                  "system.conf:3", NULL);
	assert_load_fails(NULL, "[rule sensitive.card]\nseverity = block\n[broken\n",
	                  "user.conf:3", NULL);
	/* Unknown rule: the group's line. */
	assert_load_fails("[policy]\nversion = 1\n\n[rule sensitive.cards]\nseverity = block\n",
	                  NULL, "system.conf:4", "\"sensitive.cards\" is not a rule");
	/* Unknown severity: file, line, group and key. */
	assert_load_fails("[rule sensitive.card]\n\nseverity = blok\n", NULL,
	                  "system.conf:3: [rule sensitive.card] severity", "\"blok\"");
	assert_load_fails("[rule links.ip]\nseverity = allow\n", NULL, "severity", "\"allow\"");
	/* Unknown keys and groups. */
	assert_load_fails("[rule links.domain]\nallow = acme.com\nalow = acme.help\n", NULL,
	                  "system.conf:3: [rule links.domain] alow", "allow");
	assert_load_fails("[rule sensitive.card]\nallow = x\n", NULL,
	                  "[rule sensitive.card] allow", "unknown key");
	assert_load_fails("[links]\nallow = acme.com\n", NULL, "system.conf:1: [links]",
	                  "unknown group");
	assert_load_fails("[policy]\nversoin = 1\n", NULL, "[policy] versoin", NULL);
	/* Bad values of lists and numbers. */
	assert_load_fails("[rule links.domain]\nallow = acme.com; not a domain\n", NULL,
	                  "system.conf:2: [rule links.domain] allow", "\"not a domain\"");
	assert_load_fails("[rule links.domain]\nallow = acme\n", NULL, "\"acme\"", NULL);
	assert_load_fails("[rule sensitive.email]\nallow = help@\n", NULL, "\"help@\"", NULL);
	assert_load_fails("[rule sensitive.phone]\nallow = call us\n", NULL, "\"call us\"", NULL);
	assert_load_fails("[rule sensitive.phone]\nallow = 12345\n", NULL, "\"12345\"", NULL);
	assert_load_fails("[rule language.offensive]\nwords = b4d\n", NULL, "\"b4d\"", NULL);
	assert_load_fails("[rule language.shouting]\npercent = 150\n", NULL,
	                  "[rule language.shouting] percent", "1 to 100");
	assert_load_fails("[rule language.shouting]\nmin_letters = ten\n", NULL, "\"ten\"", NULL);
	/* [agents] keys and names. */
	assert_load_fails("[agents]\nFacebook:1 = alice\n", NULL, "[agents] Facebook:1", NULL);
	assert_load_fails("[agents]\nfacebook = alice\n", NULL, "[agents] facebook", NULL);
	assert_load_fails("[agents]\nfacebook:1 = alice smith\n", NULL, "\"alice smith\"", NULL);
	assert_load_fails("[rule links.ip]\nlocked = maybe\n", NULL, "locked", NULL);
	/* The user file is validated as strictly. */
	assert_load_fails("[policy]\nversion = 1\n", "[rule links.ip]\nseverity = never\n",
	                  "user.conf:2", "\"never\"");
}

static void test_user_file_fills_gaps(void)
{
	BdmPolicy *p = policy_from_texts("[rule sensitive.email]\nseverity = block\n",
	                                 "[rule language.shouting]\nseverity = off\n"
	                                 "[rule links.domain]\nallow = acme.com\n", NULL);
	char *sys = g_build_filename(policy_tmpdir, "system.conf", NULL);
	char *user = g_build_filename(policy_tmpdir, "user.conf", NULL);
	char *source = g_strdup_printf("%s, %s", sys, user);

	/* What the system file leaves open, the user may set, even looser. */
	g_assert_cmpint(severity_of(p, "language.shouting"), ==, BDM_VERDICT_ALLOW);
	assert_quiet(p, "https://acme.com/x", "links.domain");
	g_assert_cmpstr(bdm_policy_source(p), ==, source);
	g_assert_cmpuint(notice_count(p), ==, 0);
	g_free(sys);
	g_free(user);
	g_free(source);
	bdm_policy_free(p);
}

static void test_system_wins(void)
{
	BdmPolicy *p = policy_from_texts("[policy]\nversion = 7\n"
	                                 "[rule sensitive.email]\nseverity = warn\n"
	                                 "[rule sensitive.phone]\nseverity = warn\n"
	                                 "[rule links.domain]\nallow = acme.com; acme.help\n",
	                                 "[policy]\nversion = 8\n"
	                                 "[rule sensitive.email]\nseverity = off\n"
	                                 "[rule sensitive.phone]\nseverity = block\n"
	                                 "[rule links.domain]\nallow = acme.com; evil.io\n", NULL);
	const char *const *notices = bdm_policy_notices(p);

	/* Looser: ignored and noted.  Stricter: taken. */
	g_assert_cmpint(severity_of(p, "sensitive.email"), ==, BDM_VERDICT_WARN);
	g_assert_cmpint(severity_of(p, "sensitive.phone"), ==, BDM_VERDICT_BLOCK);
	assert_fires(p, "https://evil.io", "links.domain", NULL);
	assert_quiet(p, "https://acme.help", "links.domain");
	g_assert_cmpstr(bdm_policy_version(p), ==, "7");
	g_assert_cmpuint(notice_count(p), ==, 3);
	g_assert_nonnull(strstr(notices[0], "user.conf: [policy] version was ignored"));
	g_assert_nonnull(strstr(notices[1], "[rule sensitive.email] severity was ignored"));
	g_assert_nonnull(strstr(notices[2], "[rule links.domain] allow was ignored"));
	bdm_policy_free(p);
	/* A narrower allow-list is stricter: taken. */
	p = policy_from_texts("[rule links.domain]\nallow = acme.com; acme.help\n",
	                      "[rule links.domain]\nallow = acme.com\n", NULL);
	assert_fires(p, "https://acme.help", "links.domain", NULL);
	assert_quiet(p, "https://acme.com", "links.domain");
	g_assert_cmpuint(notice_count(p), ==, 0);
	bdm_policy_free(p);
	/* Without a system version, the user's counts. */
	p = policy_from_texts("[rule links.ip]\nseverity = block\n", "[policy]\nversion = u1\n",
	                      NULL);
	g_assert_cmpstr(bdm_policy_version(p), ==, "u1");
	bdm_policy_free(p);
}

static void test_locked(void)
{
	BdmPolicy *p = policy_from_texts("[rule language.shouting]\nlocked = true\n"
	                                 "[rule links.shortener]\nlocked = true\n",
	                                 "[rule language.shouting]\nseverity = off\npercent = 90\n"
	                                 "min_letters = 10\n"
	                                 "[rule links.shortener]\ndomains = lnk.to\n"
	                                 "[rule sensitive.phone]\nseverity = off\n", NULL);

	/* The system file set nothing here, but the lock keeps the defaults
	 * from being loosened; stricter values still apply. */
	g_assert_cmpint(severity_of(p, "language.shouting"), ==, BDM_VERDICT_WARN);
	assert_fires(p, "ABCDEFGHIJKLMN abcdef", "language.shouting", NULL);   /* 70 % still */
	assert_fires(p, "ABCDEFGHIJ", "language.shouting", NULL);              /* 10 letters */
	/* A locked deny list grows, it never loses the defaults. */
	assert_fires(p, "see https://lnk.to/x", "links.shortener", NULL);
	assert_fires(p, "see https://bit.ly/x", "links.shortener", NULL);
	/* Unlocked rules stay open. */
	g_assert_cmpint(severity_of(p, "sensitive.phone"), ==, BDM_VERDICT_ALLOW);
	g_assert_cmpuint(notice_count(p), ==, 2);
	{
		char *summary = bdm_policy_summary(p);

		g_assert_nonnull(strstr(summary, "(language.shouting), locked"));
		g_assert_null(strstr(summary, "(sensitive.phone), locked"));
		g_free(summary);
	}
	bdm_policy_free(p);
	/* [policy] locked = true locks everything. */
	p = policy_from_texts("[policy]\nversion = 1\nlocked = true\n",
	                      "[rule sensitive.phone]\nseverity = off\n"
	                      "[rule sensitive.card]\nseverity = off\n"
	                      "[rule links.domain]\nallow = evil.io\n", NULL);
	g_assert_cmpint(severity_of(p, "sensitive.phone"), ==, BDM_VERDICT_WARN);
	g_assert_cmpint(severity_of(p, "sensitive.card"), ==, BDM_VERDICT_BLOCK);
	assert_fires(p, "https://evil.io", "links.domain", NULL);
	g_assert_cmpuint(notice_count(p), ==, 3);
	bdm_policy_free(p);
	/* "locked" in a user file locks nothing and is noted. */
	p = policy_from_texts(NULL, "[rule sensitive.phone]\nlocked = true\nseverity = off\n", NULL);
	g_assert_cmpint(severity_of(p, "sensitive.phone"), ==, BDM_VERDICT_ALLOW);
	g_assert_cmpuint(notice_count(p), ==, 1);
	g_assert_nonnull(strstr(bdm_policy_notices(p)[0], "only the administrator"));
	bdm_policy_free(p);
}

static void test_agents_both_files(void)
{
	BdmPolicy *p = policy_from_texts("[agents]\nfacebook:1000 = alice; bob\n",
	                                 "[agents]\nfacebook:1000 = bob; mallory\n", NULL);

	/* Both files must allow: the user file cannot add mallory. */
	g_assert_true(bdm_policy_agent_may_send(p, "facebook", "1000", "bob"));
	g_assert_false(bdm_policy_agent_may_send(p, "facebook", "1000", "alice"));
	g_assert_false(bdm_policy_agent_may_send(p, "facebook", "1000", "mallory"));
	bdm_policy_free(p);
}

static void test_example_file(void)
{
	GError *error = NULL;
	BdmPolicy *p;

	if (!g_file_test("docs/policy.conf.example", G_FILE_TEST_EXISTS))
		g_error("docs/policy.conf.example not found: run the tests from the source tree");
	p = bdm_policy_load("docs/policy.conf.example", NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(p);
	g_assert_cmpstr(bdm_policy_version(p), ==, "2026-03");
	g_assert_cmpuint(notice_count(p), ==, 0);
	assert_quiet(p, "See https://help.acme.com/returns", "links.domain");
	assert_fires(p, "See https://acme.com.evil.io/", "links.domain", NULL);
	assert_quiet(p, "Write to support@acme.com", "sensitive.email");
	g_assert_true(bdm_policy_agent_may_send(p, "facebook", "1000123", "alice"));
	g_assert_false(bdm_policy_agent_may_send(p, "facebook", "1000123", "mallory"));
	bdm_policy_free(p);
}

int main(int argc, char **argv)
{
	policy_tests_init(&argc, &argv, "test_policy_config-XXXXXX");
	g_test_add_func("/policy/config/missing_files", test_missing_files);
	g_test_add_func("/policy/config/system_file", test_system_file);
	g_test_add_func("/policy/config/broken_files", test_broken_files);
	g_test_add_func("/policy/config/user_file_fills_gaps", test_user_file_fills_gaps);
	g_test_add_func("/policy/config/system_wins", test_system_wins);
	g_test_add_func("/policy/config/locked", test_locked);
	g_test_add_func("/policy/config/agents_both_files", test_agents_both_files);
	g_test_add_func("/policy/config/example_file", test_example_file);
	return policy_tests_run();
}
