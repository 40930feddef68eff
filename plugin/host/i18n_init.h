/*
 * Binding the "branddm" gettext domain for the plugin.
 */
#ifndef BRANDDM_I18N_INIT_H
#define BRANDDM_I18N_INIT_H

/** Bind the text domain: catalogues next to the plugin file (branddm-locale/,
 *  as install-user puts them) win over the system LOCALEDIR. */
void bdm_i18n_init(const char *plugin_path);

#endif /* BRANDDM_I18N_INIT_H */
