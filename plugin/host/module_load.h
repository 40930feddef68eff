/*
 * Opening and validating protocol-module files.  No libpurple here, so the
 * checks can be unit-tested against deliberately broken modules: a corrupt
 * file, a missing entry point, a wrong magic number, a newer ABI or a module
 * missing a required function must be refused with a reason, never crash.
 */
#ifndef BRANDDM_MODULE_LOAD_H
#define BRANDDM_MODULE_LOAD_H

#include <gmodule.h>
#include "branddm/protocol.h"

/** Open path, find its entry point and check the module it returns.
 *  On success returns the module and its GModule in *handle; else NULL and *error. */
const BdmModule *bdm_module_open(const char *path, GModule **handle, char **error);

/** Check an in-memory module description against this host's ABI.
 *  Returns NULL when usable, else a newly allocated reason. */
char *bdm_module_check(const BdmModule *module);

/** The platform's name to show beside a customer's ("X"): the module's
 *  platform_label, or its name when the module predates ABI 2. */
const char *bdm_module_platform_label(const BdmModule *module);

#endif /* BRANDDM_MODULE_LOAD_H */
