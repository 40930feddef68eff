/*
 * bdm-testclient: connection state and errors as events.
 *
 * "connection" events follow the signing-on / signed-on / signed-off
 * signals; "connection-error" comes from report_disconnect_reason, the one
 * place libpurple tells a UI why an account went offline (the text Pidgin
 * shows in its account error bar).
 */
#ifndef BDM_CLIENT_UI_CONNECTION_H
#define BDM_CLIENT_UI_CONNECTION_H

#include <purple.h>

#include "client.h"

/* Connection UI ops for purple_connections_set_ui_ops(); static storage. */
PurpleConnectionUiOps *bdm_connection_ui_ops(void);

/* Report the connection signals as "connection" events; client is the
 * signal handle, for purple_signals_disconnect_by_handle(). */
void bdm_connection_connect_signals(BdmClient *client);

#endif /* BDM_CLIENT_UI_CONNECTION_H */
