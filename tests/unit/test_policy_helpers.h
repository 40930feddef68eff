/*
 * Helpers shared by the policy unit tests: policies from inline key-file
 * text, a standard check context, and "does rule R fire on text T, on
 * exactly this part" assertions that name the text when they fail.
 *
 * The assertions mark the test failed and go on (g_test_fail), so one run
 * lists every example that went wrong, not just the first.
 */
#ifndef BRANDDM_TEST_POLICY_HELPERS_H
#define BRANDDM_TEST_POLICY_HELPERS_H

#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "conf_file.h"
#include "policy.h"

/* Where the policy files of a test go; main() creates and removes it. */
static char *policy_tmpdir;

static void policy_tests_init(int *argc, char ***argv, const char *name)
{
	g_unsetenv("LANGUAGE");
	g_setenv("LC_ALL", "C", TRUE);
	g_test_init(argc, argv, NULL);
	policy_tmpdir = g_dir_make_tmp(name, NULL);
	g_assert_nonnull(policy_tmpdir);
}

static int policy_tests_run(void)
{
	int status = g_test_run();

	g_rmdir(policy_tmpdir);
	g_free(policy_tmpdir);
	return status;
}

/* Write text to a file of the temporary directory; returns its path. */
static G_GNUC_UNUSED char *write_policy_file(const char *name, const char *text)
{
	char *path = g_build_filename(policy_tmpdir, name, NULL);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

/* Load a policy from inline system and user file texts (NULL: no file).
 *  On failure returns NULL and sets *error, when error is given; else the
 *  load must succeed. */
static G_GNUC_UNUSED BdmPolicy *policy_from_texts(const char *system_text,
                                                  const char *user_text, GError **error)
{
	char *sys = system_text != NULL ? write_policy_file("system.conf", system_text) : NULL;
	char *user = user_text != NULL ? write_policy_file("user.conf", user_text) : NULL;
	GError *local = NULL;
	BdmPolicy *p = bdm_policy_load(sys, user, &local);

	if (error != NULL) {
		if (local != NULL)
			g_propagate_error(error, local);
	} else {
		g_assert_no_error(local);
		g_assert_nonnull(p);
	}
	if (sys != NULL)
		g_unlink(sys);
	if (user != NULL)
		g_unlink(user);
	g_free(sys);
	g_free(user);
	return p;
}

/* A reply by alice on facebook:1000 to a customer who wrote first. */
static G_GNUC_UNUSED BdmCheckInput reply_input(const char *text)
{
	BdmCheckInput in = { 0 };

	in.text = text;
	in.platform = "facebook";
	in.account = "1000";
	in.agent = "alice";
	in.customer_has_written = TRUE;
	return in;
}

static G_GNUC_UNUSED const BdmFinding *finding_of(const BdmVerdict *v, const char *rule)
{
	for (guint i = 0; i < v->findings->len; i++) {
		const BdmFinding *f = g_ptr_array_index(v->findings, i);

		if (strcmp(f->rule_id, rule) == 0)
			return f;
	}
	return NULL;
}

static G_GNUC_UNUSED guint count_of(const BdmVerdict *v, const char *rule)
{
	guint n = 0;

	for (guint i = 0; i < v->findings->len; i++)
		n += strcmp(((const BdmFinding *)g_ptr_array_index(v->findings, i))->rule_id,
		            rule) == 0;
	return n;
}

/* rule must fire on text under p; when span is not NULL its first finding
 * must cover exactly that part of the text. */
static G_GNUC_UNUSED void check_fires(const BdmPolicy *p, const char *text, const char *rule,
                                      const char *span, const char *where)
{
	BdmCheckInput in = reply_input(text);
	BdmVerdict *v = bdm_policy_check(p, &in);
	const BdmFinding *f = finding_of(v, rule);

	if (f == NULL) {
		g_test_message("%s: %s did not fire on \"%s\"", where, rule, text);
		g_test_fail();
	} else if (span != NULL && (f->end > strlen(text) || f->start > f->end ||
	                            f->end - f->start != strlen(span) ||
	                            strncmp(text + f->start, span, strlen(span)) != 0)) {
		char *got = f->end <= strlen(text) && f->start <= f->end ?
		            g_strndup(text + f->start, f->end - f->start) : g_strdup("(out of range)");

		g_test_message("%s: %s fired on \"%s\" instead of \"%s\" in \"%s\"", where, rule, got,
		               span, text);
		g_test_fail();
		g_free(got);
	}
	bdm_verdict_free(v);
}

/* rule must not fire on text under p. */
static G_GNUC_UNUSED void check_quiet(const BdmPolicy *p, const char *text, const char *rule,
                                      const char *where)
{
	BdmCheckInput in = reply_input(text);
	BdmVerdict *v = bdm_policy_check(p, &in);
	const BdmFinding *f = finding_of(v, rule);

	if (f != NULL) {
		g_test_message("%s: %s fired on \"%s\" (bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT
		               ") but should not", where, rule, text, f->start, f->end);
		g_test_fail();
	}
	bdm_verdict_free(v);
}

#define assert_fires(p, text, rule, span) check_fires(p, text, rule, span, G_STRLOC)
#define assert_quiet(p, text, rule) check_quiet(p, text, rule, G_STRLOC)

/* The message of a failed load must contain every needle (NULL-terminated). */
static G_GNUC_UNUSED void assert_message_has(const GError *error, const char *needle, ...)
{
	va_list args;

	g_assert_nonnull(error);
	va_start(args, needle);
	for (; needle != NULL; needle = va_arg(args, const char *)) {
		if (strstr(error->message, needle) == NULL) {
			g_test_message("error \"%s\" lacks \"%s\"", error->message, needle);
			g_test_fail();
		}
	}
	va_end(args);
}

#endif /* BRANDDM_TEST_POLICY_HELPERS_H */
