/*
 * bdm-testclient: file transfers as Pidgin's and Finch's transfer windows
 * see them, as "xfer" events, and the commands that start and cancel them.
 *
 * Each event carries the transfer's number (in order of creation), its
 * status ("not-started", "started", "done", "cancel-local", ...), file
 * name, size, bytes sent and what happened ("add", "progress", "cancel-local",
 * "cancel-remote", "destroy").
 */
#ifndef BDM_CLIENT_UI_XFER_H
#define BDM_CLIENT_UI_XFER_H

#include <purple.h>

#include "commands.h"

/* Transfer UI ops for purple_xfers_set_ui_ops(); static storage. */
PurpleXferUiOps *bdm_xfer_ui_ops(void);

/* send-file (the Send File menu, or a file dropped on the conversation),
 * xfer-cancel (Cancel in the transfer window), xfers (the window's list). */
extern const BdmCommand bdm_xfer_commands[];

#endif /* BDM_CLIENT_UI_XFER_H */
