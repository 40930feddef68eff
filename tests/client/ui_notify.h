/*
 * bdm-testclient: purple_notify_* as "notify" events.
 *
 * A headless user reads a notification and closes it at once: every
 * notify UI op reports the notification and returns NULL, which tells
 * libpurple the window is already gone (it then runs the close callback).
 */
#ifndef BDM_CLIENT_UI_NOTIFY_H
#define BDM_CLIENT_UI_NOTIFY_H

#include <purple.h>

/* Notify UI ops for purple_notify_set_ui_ops(); static storage. */
PurpleNotifyUiOps *bdm_notify_ui_ops(void);

#endif /* BDM_CLIENT_UI_NOTIFY_H */
