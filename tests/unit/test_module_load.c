/*
 * The loader refuses broken protocol modules with a reason and never crashes:
 * a corrupt file, no entry point, a wrong magic, a newer ABI, a truncated
 * description, a missing function.  A well-formed module is accepted.
 */
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "module_load.h"

static const char *fixtures_dir(void)
{
	static char *dir;
	const char *build = g_getenv("BUILD");

	if (dir == NULL)
		dir = g_build_filename(build ? build : "build", "tests", "fixtures", NULL);
	return dir;
}

static void expect_refused(const char *name, const char *reason_part)
{
	char *path = g_build_filename(fixtures_dir(), name, NULL);
	GModule *handle = (GModule *)0x1;
	char *error = NULL;
	const BdmModule *m = bdm_module_open(path, &handle, &error);

	g_assert_null(m);
	g_assert_null(handle);
	g_assert_nonnull(error);
	if (strstr(error, reason_part) == NULL)
		g_error("%s: expected a reason containing \"%s\", got \"%s\"", name, reason_part, error);
	g_free(error);
	g_free(path);
}

static void test_good(void)
{
	char *path = g_build_filename(fixtures_dir(), "good.bdm", NULL);
	GModule *handle = NULL;
	char *error = NULL;
	const BdmModule *m = bdm_module_open(path, &handle, &error);

	g_assert_null(error);
	g_assert_nonnull(m);
	g_assert_nonnull(handle);
	g_assert_cmpstr(m->protocol_id, ==, "prpl-branddm-fake");
	g_module_close(handle);
	g_free(path);
}

static void test_corrupt(void)
{
	expect_refused("corrupt.bdm", "cannot open module");
}

static void test_missing_file(void)
{
	expect_refused("does-not-exist.bdm", "cannot open module");
}

static void test_no_entry(void)
{
	expect_refused("no_entry.bdm", "entry point");
}

static void test_bad_magic(void)
{
	expect_refused("bad_magic.bdm", "magic");
}

static void test_newer_abi(void)
{
	expect_refused("newer_abi.bdm", "update the branddm plugin");
}

static void test_short_struct(void)
{
	expect_refused("short_struct.bdm", "bytes");
}

static void test_missing_function(void)
{
	expect_refused("missing_function.bdm", "required functions");
}

static void test_check_null(void)
{
	char *why = bdm_module_check(NULL);
	g_assert_nonnull(why);
	g_free(why);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/module-load/good", test_good);
	g_test_add_func("/module-load/corrupt", test_corrupt);
	g_test_add_func("/module-load/missing-file", test_missing_file);
	g_test_add_func("/module-load/no-entry", test_no_entry);
	g_test_add_func("/module-load/bad-magic", test_bad_magic);
	g_test_add_func("/module-load/newer-abi", test_newer_abi);
	g_test_add_func("/module-load/short-struct", test_short_struct);
	g_test_add_func("/module-load/missing-function", test_missing_function);
	g_test_add_func("/module-load/check-null", test_check_null);
	return g_test_run();
}
