/*
 * bdm-testclient: purple_notify_* as "notify" events.
 *
 * A headless user reads a notification and closes it at once: every
 * notify UI op reports the notification and returns NULL, which tells
 * libpurple the window is already gone (it then runs the close callback).
 * Search results are the exception: their window stays open (its event has
 * a "notify_id") so a test can press a button on a row.
 */
#ifndef BDM_CLIENT_UI_NOTIFY_H
#define BDM_CLIENT_UI_NOTIFY_H

#include <purple.h>

/* Notify UI ops for purple_notify_set_ui_ops(); static storage. */
PurpleNotifyUiOps *bdm_notify_ui_ops(void);

/* Press the button called name ("im", "info", "add", ... or a labelled
 * button's label) of open search results id on row (0-based). */
gboolean bdm_notify_search_button(guint id, const char *name, guint row, GError **error);

/* Close what is still open; before purple_core_quit's notify uninit. */
void bdm_notify_shutdown(void);

#endif /* BDM_CLIENT_UI_NOTIFY_H */
