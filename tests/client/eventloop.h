/*
 * bdm-testclient: libpurple's event loop on a GLib main loop.
 *
 * libpurple never runs a loop of its own; a UI lends it timers and fd
 * watches through PurpleEventLoopUiOps.  The test client uses the default
 * GMainContext, like Pidgin and Finch, so plugin code sees the same
 * scheduling it will see in the real UIs.
 */
#ifndef BDM_CLIENT_EVENTLOOP_H
#define BDM_CLIENT_EVENTLOOP_H

#include <purple.h>

/* The event loop UI ops to hand to purple_eventloop_set_ui_ops() before
 * purple_core_init(); static storage, valid for the life of the process. */
PurpleEventLoopUiOps *bdm_eventloop_ui_ops(void);

#endif /* BDM_CLIENT_EVENTLOOP_H */
