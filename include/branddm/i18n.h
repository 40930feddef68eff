/*
 * Gettext for BrandDM: every user-visible string goes through _() or N_().
 * The text domain is "branddm"; the plugin and branddm-admin bind it once
 * at start-up (bdm_i18n_init), everything else just marks strings.
 */
#ifndef BRANDDM_I18N_H
#define BRANDDM_I18N_H

#ifndef GETTEXT_PACKAGE
#define GETTEXT_PACKAGE "branddm"
#endif
#include <glib/gi18n-lib.h>

#endif /* BRANDDM_I18N_H */
