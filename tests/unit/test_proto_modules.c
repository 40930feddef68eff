/*
 * Load each built protocol module the way the host does (GModule, the one
 * exported entry point) and check what the host checks before trusting it:
 * magic, ABI version, struct size and a complete function table.
 *
 * The modules are found in ../plugins relative to this program, so the
 * test checks the files of its own build tree (plain or sanitizer build).
 */
#include <string.h>
#include <gmodule.h>

#include "branddm/protocol.h"

typedef struct {
	const char *file;        /* branddm-<name>.bdm */
	const char *protocol_id;
	const char *platform;
	size_t text_limit;
	int in_bytes;
	unsigned int flags;
} Expected;

static const Expected modules[] = {
	{ "branddm-facebook.bdm", "prpl-branddm-facebook", "facebook", 2000, 0,
	  BDM_MODULE_NUMERIC_USERNAME },
	{ "branddm-instagram.bdm", "prpl-branddm-instagram", "instagram", 1000, 1,
	  BDM_MODULE_NUMERIC_USERNAME },
	{ "branddm-x.bdm", "prpl-branddm-x", "x", 10000, 0,
	  BDM_MODULE_NEWEST_FIRST | BDM_MODULE_NUMERIC_USERNAME },
};

static char *plugin_dir;

static void test_load(gconstpointer data)
{
	const Expected *e = data;
	char *path = g_build_filename(plugin_dir, e->file, NULL);
	GModule *mod;
	BdmModuleEntryFunc entry = NULL;
	const BdmModule *m;
	gpointer internal = NULL;

	mod = g_module_open(path, G_MODULE_BIND_LOCAL);
	if (!mod)
		g_error("cannot open %s: %s", path, g_module_error());
	g_assert_true(g_module_symbol(mod, BDM_MODULE_ENTRY_SYMBOL, (gpointer *)&entry));
	g_assert_nonnull(entry);
	/* Helpers stay internal: two modules in one process must not
	 * interpose each other's (or the host's) symbols. */
	g_assert_false(g_module_symbol(mod, "graph_build_poll", &internal));
	g_assert_false(g_module_symbol(mod, "proto_json_parse", &internal));

	m = entry();
	g_assert_nonnull(m);
	g_assert_cmpuint(m->magic, ==, BDM_MODULE_MAGIC);
	g_assert_cmpint(m->abi_version, ==, BDM_ABI_VERSION);
	g_assert_cmpint(m->abi_version, >=, BDM_ABI_VERSION_MIN);
	g_assert_cmpuint(m->struct_size, ==, sizeof(BdmModule));
	g_assert_cmpuint(m->struct_size, >=, BDM_MODULE_V1_SIZE);
	g_assert_cmpstr(m->protocol_id, ==, e->protocol_id);
	g_assert_cmpstr(m->platform, ==, e->platform);
	g_assert_cmpuint(m->text_limit, ==, e->text_limit);
	g_assert_cmpint(m->text_limit_in_bytes, ==, e->in_bytes);
	g_assert_cmpuint(m->flags, ==, e->flags);
	g_assert_cmpint(m->min_poll_interval, >=, 1);
	g_assert_nonnull(m->name);
	g_assert_nonnull(m->default_api_base);
	g_assert_true(g_str_has_prefix(m->default_api_base, "https://"));
	g_assert_nonnull(m->username_label);
	g_assert_nonnull(m->password_label);
	g_assert_nonnull(m->options);
	g_assert_nonnull(m->build_whoami);
	g_assert_nonnull(m->parse_whoami);
	g_assert_nonnull(m->build_poll);
	g_assert_nonnull(m->parse_poll);
	g_assert_nonnull(m->check_send);
	g_assert_nonnull(m->build_send);
	g_assert_nonnull(m->parse_send);
	/* The same table on every call: hosts may cache the pointer. */
	g_assert_true(entry() == m);

	g_assert_true(g_module_close(mod));
	g_free(path);
}

int main(int argc, char **argv)
{
	char *self_dir;
	size_t i;

	g_test_init(&argc, &argv, NULL);
	self_dir = g_path_get_dirname(argv[0]);
	plugin_dir = g_build_filename(self_dir, "..", "plugins", NULL);
	g_free(self_dir);
	for (i = 0; i < G_N_ELEMENTS(modules); i++) {
		char *name = g_strdup_printf("/proto-modules/load/%s", modules[i].platform);

		g_test_add_data_func(name, &modules[i], test_load);
		g_free(name);
	}
	i = g_test_run();
	g_free(plugin_dir);
	return (int)i;
}
