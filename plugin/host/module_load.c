/*
 * Opening and validating protocol modules.  See module_load.h.
 */
#include <string.h>

#include "module_load.h"

char *bdm_module_check(const BdmModule *m)
{
	if (m == NULL)
		return g_strdup("the entry point returned no module");
	if (m->magic != BDM_MODULE_MAGIC)
		return g_strdup_printf("bad magic number 0x%08x (not a BrandDM module)", m->magic);
	if (m->abi_version > BDM_ABI_VERSION)
		return g_strdup_printf("built for module ABI %d, this plugin supports up to %d: "
		                       "update the branddm plugin", m->abi_version, BDM_ABI_VERSION);
	if (m->abi_version < BDM_ABI_VERSION_MIN)
		return g_strdup_printf("built for module ABI %d, this plugin needs at least %d: "
		                       "rebuild the module", m->abi_version, BDM_ABI_VERSION_MIN);
	if (m->struct_size < BDM_MODULE_V1_SIZE)
		return g_strdup_printf("module description is %zu bytes, ABI %d needs %zu",
		                       m->struct_size, m->abi_version, (size_t)BDM_MODULE_V1_SIZE);
	if (m->abi_version >= 2 && m->struct_size < BDM_MODULE_V2_SIZE)
		return g_strdup_printf("module description is %zu bytes, ABI %d needs %zu",
		                       m->struct_size, m->abi_version, (size_t)BDM_MODULE_V2_SIZE);
	if (m->protocol_id == NULL || !g_str_has_prefix(m->protocol_id, "prpl-branddm-") ||
	    m->name == NULL || m->platform == NULL || m->default_api_base == NULL)
		return g_strdup("module lacks its protocol id (prpl-branddm-*), name, platform or API base");
	if (m->build_whoami == NULL || m->parse_whoami == NULL || m->build_poll == NULL ||
	    m->parse_poll == NULL || m->check_send == NULL || m->build_send == NULL ||
	    m->parse_send == NULL)
		return g_strdup("module lacks one of the required functions");
	return NULL;
}

const char *bdm_module_platform_label(const BdmModule *m)
{
	/* A version-1 module has no such field: reading it would run off its struct. */
	if (BDM_MODULE_HAS(m, platform_label) && *m->platform_label != '\0')
		return m->platform_label;
	return m->name;
}

const BdmModule *bdm_module_open(const char *path, GModule **handle, char **error)
{
	GModule *gm;
	gpointer sym = NULL;
	const BdmModule *m;
	char *why;

	*handle = NULL;
	*error = NULL;
	/* LOCAL: two modules may share internal symbol names without clashing. */
	gm = g_module_open(path, G_MODULE_BIND_LOCAL);
	if (gm == NULL) {
		*error = g_strdup_printf("cannot open module: %s", g_module_error());
		return NULL;
	}
	if (!g_module_symbol(gm, BDM_MODULE_ENTRY_SYMBOL, &sym) || sym == NULL) {
		*error = g_strdup_printf("no %s entry point: not a BrandDM module",
		                         BDM_MODULE_ENTRY_SYMBOL);
		g_module_close(gm);
		return NULL;
	}
	m = ((BdmModuleEntryFunc)sym)();
	why = bdm_module_check(m);
	if (why != NULL) {
		*error = why;
		g_module_close(gm);
		return NULL;
	}
	*handle = gm;
	return m;
}
