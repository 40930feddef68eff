/*
 * Binding the "branddm" gettext domain.  See i18n_init.h.
 */
#include <glib.h>
#include <libintl.h>

#include "branddm/i18n.h"
#include "i18n_init.h"

void bdm_i18n_init(const char *plugin_path)
{
	char *dir = plugin_path ? g_path_get_dirname(plugin_path) : NULL;
	char *local = dir ? g_build_filename(dir, "branddm-locale", NULL) : NULL;

	/* A per-user install has no write access to LOCALEDIR: look beside the plugin. */
	if (local && g_file_test(local, G_FILE_TEST_IS_DIR))
		bindtextdomain(GETTEXT_PACKAGE, local);
	else
		bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	g_free(local);
	g_free(dir);
}
