/*
 * Configuration files of the desk (templates.conf, desk.conf): a system-wide
 * file the administrator owns and a per-user file, merged into one GKeyFile.
 *
 * Merge rules, shared by every desk file:
 *  - either file may be missing; a file that exists but cannot be parsed is
 *    an error naming the file and the offending line;
 *  - the user's groups add to the system's; a group both define is merged key
 *    by key (the user's value wins), except groups whose name starts with one
 *    of the caller's "replace" prefixes, which the user's version replaces
 *    whole (a user's [template greeting] must not inherit stray translations);
 *  - a system group with `locked=true` cannot be changed by the user file at
 *    all; `locked` in a user file means nothing.  The merged key file holds
 *    no `locked` keys, so readers never mistake it for a setting.
 * Plain C + GLib.
 */
#ifndef BRANDDM_CONF_FILE_H
#define BRANDDM_CONF_FILE_H

#include <glib.h>

typedef struct BdmConfFile BdmConfFile;

#define BDM_CONF_ERROR (bdm_conf_error_quark())

/** Why a configuration file was refused. */
typedef enum {
	BDM_CONF_ERROR_READ,  /* the file exists but cannot be read */
	BDM_CONF_ERROR_PARSE, /* not a valid key file, or a bad value */
} BdmConfError;

/** The GError domain of BdmConfError.
 *  Also used by the desk modules for bad values found after merging. */
GQuark bdm_conf_error_quark(void);

/** Read system_path, then user_path (either may be NULL or absent), and merge
 *  them; replace_prefixes is a NULL-terminated list of group-name prefixes, or NULL. */
BdmConfFile *bdm_conf_file_load(const char *system_path, const char *user_path,
                                const char *const *replace_prefixes, GError **error);

/** Release a loaded configuration; NULL is allowed.
 *  The key file from bdm_conf_file_keyfile() goes with it. */
void bdm_conf_file_free(BdmConfFile *cf);

/** The merged key file, owned by cf.  Loaded with translations kept, so
 *  "text[de]" keys are all there whatever the process locale. */
GKeyFile *bdm_conf_file_keyfile(const BdmConfFile *cf);

/** TRUE when the system file locked group against user changes.
 *  Lets callers tell a user why an override had no effect. */
gboolean bdm_conf_file_is_locked(const BdmConfFile *cf, const char *group);

/** "path:line" where group (key NULL) or group's key was defined, for error
 *  messages; "path" alone when the line is unknown; never NULL.  g_free it. */
char *bdm_conf_file_where(const BdmConfFile *cf, const char *group, const char *key);

/** Set error to BDM_CONF_ERROR_PARSE: "where: message" for group/key.
 *  Returns FALSE so parsers can `return bdm_conf_file_fail(...)`. */
gboolean bdm_conf_file_fail(const BdmConfFile *cf, const char *group, const char *key,
                            GError **error, const char *format, ...) G_GNUC_PRINTF(5, 6);

#endif /* BRANDDM_CONF_FILE_H */
