/*
 * The loader refuses broken protocol modules with a reason and never crashes:
 * a corrupt file, no entry point, a wrong magic, a newer ABI, a truncated
 * description, a missing function.  A well-formed module is accepted, of
 * this ABI or of version 1 (which has no platform label: its name stands in).
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

/* Never called: bdm_module_check only looks at whether they are there. */
static int never_called(void)
{
	g_assert_not_reached();
	return -1;
}

/* A module as an ABI-version built it, in memory. */
static BdmModule module_of_version(int version, size_t size)
{
	BdmModule m;

	memset(&m, 0, sizeof(m));
	m.magic = BDM_MODULE_MAGIC;
	m.abi_version = version;
	m.struct_size = size;
	m.protocol_id = "prpl-branddm-fake";
	m.name = "Fake Messenger";
	m.platform = "fake";
	m.default_api_base = "https://fake.invalid";
	m.build_whoami = (void *)never_called;
	m.parse_whoami = (void *)never_called;
	m.build_poll = (void *)never_called;
	m.parse_poll = (void *)never_called;
	m.check_send = (void *)never_called;
	m.build_send = (void *)never_called;
	m.parse_send = (void *)never_called;
	return m;
}

static void test_platform_label(void)
{
	BdmModule v2 = module_of_version(2, sizeof(BdmModule));
	BdmModule v1 = module_of_version(1, BDM_MODULE_V1_SIZE);
	BdmModule short_v2 = module_of_version(2, BDM_MODULE_V1_SIZE);
	char *why;

	v2.platform_label = "Fake";
	g_assert_null(bdm_module_check(&v2));
	g_assert_cmpstr(bdm_module_platform_label(&v2), ==, "Fake");
	v2.platform_label = "";
	g_assert_cmpstr(bdm_module_platform_label(&v2), ==, "Fake Messenger");

	/* Version 1 is still accepted; the field past its end is never read,
	 * even when the memory there says otherwise. */
	v1.platform_label = "must not be read";
	g_assert_null(bdm_module_check(&v1));
	g_assert_cmpstr(bdm_module_platform_label(&v1), ==, "Fake Messenger");

	why = bdm_module_check(&short_v2);
	g_assert_nonnull(why);
	g_assert_nonnull(strstr(why, "bytes"));
	g_free(why);
}

/* BDM_MODULE_HAS believes neither a size nor a version alone. */
static void test_module_has(void)
{
	BdmModule v2 = module_of_version(2, sizeof(BdmModule));
	BdmModule v1 = module_of_version(1, BDM_MODULE_V1_SIZE);
	BdmModule v1_large = module_of_version(1, sizeof(BdmModule));
	BdmModule v2_short = module_of_version(2, BDM_MODULE_V1_SIZE);
	BdmAccountCtx ctx = { 0 };
	static const int data = 7;

	g_assert_true(BDM_MODULE_HAS(&v2, parse_send));
	g_assert_false(BDM_MODULE_HAS(&v2, platform_label));
	v2.platform_label = "Fake";
	v2.module_data = &data;
	g_assert_true(BDM_MODULE_HAS(&v2, platform_label));
	g_assert_true(BDM_MODULE_HAS(&v2, module_data));

	/* Memory past a v1 module's end is not its, whatever it holds. */
	v1.platform_label = v1_large.platform_label = v2_short.platform_label = "junk";
	v1.module_data = v1_large.module_data = v2_short.module_data = &data;
	g_assert_true(BDM_MODULE_HAS(&v1, parse_send));
	g_assert_false(BDM_MODULE_HAS(&v1, platform_label));
	g_assert_false(BDM_MODULE_HAS(&v1_large, platform_label));
	g_assert_false(BDM_MODULE_HAS(&v1_large, module_data));
	g_assert_false(BDM_MODULE_HAS(&v2_short, platform_label));

	bdm_ctx_bind(&ctx, &v1_large);
	g_assert_true(ctx.module == &v1_large);
	g_assert_null(ctx.module_data);
	bdm_ctx_bind(&ctx, &v2);
	g_assert_true(ctx.module_data == &data);
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
	g_test_add_func("/module-load/platform-label", test_platform_label);
	g_test_add_func("/module-load/module-has", test_module_has);
	return g_test_run();
}
