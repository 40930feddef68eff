/*
 * bdm-testclient: connection events (see ui_connection.h).
 */
#include "event.h"
#include "ui_connection.h"

static void report_disconnect_reason(PurpleConnection *gc, PurpleConnectionError reason,
                                     const char *text)
{
	JsonBuilder *builder = bdm_event_begin("connection-error");

	bdm_event_add_account(builder, purple_connection_get_account(gc));
	bdm_event_add_int(builder, "reason", reason);
	bdm_event_add_string(builder, "reason_name", bdm_connection_error_name(reason));
	bdm_event_add_string(builder, "description", text);
	bdm_event_emit(builder);
}

static PurpleConnectionUiOps connection_ui_ops = {
	NULL,                   /* connect_progress */
	NULL,                   /* connected: the signed-on signal reports it */
	NULL,                   /* disconnected: the signed-off signal reports it */
	NULL,                   /* notice */
	NULL,                   /* report_disconnect: superseded by the _reason op */
	NULL,                   /* network_connected */
	NULL,                   /* network_disconnected */
	report_disconnect_reason,
	NULL, NULL, NULL
};

PurpleConnectionUiOps *bdm_connection_ui_ops(void)
{
	return &connection_ui_ops;
}

static void emit_state(PurpleConnection *gc, const char *state)
{
	JsonBuilder *builder = bdm_event_begin("connection");

	bdm_event_add_account(builder, purple_connection_get_account(gc));
	bdm_event_add_string(builder, "state", state);
	bdm_event_emit(builder);
}

static void signing_on_cb(PurpleConnection *gc, gpointer data)
{
	(void)data;
	emit_state(gc, "connecting");
}

static void signed_on_cb(PurpleConnection *gc, gpointer data)
{
	(void)data;
	emit_state(gc, "connected");
}

static void signed_off_cb(PurpleConnection *gc, gpointer data)
{
	(void)data;
	emit_state(gc, "disconnected");
}

void bdm_connection_connect_signals(BdmClient *client)
{
	void *connections = purple_connections_get_handle();

	purple_signal_connect(connections, "signing-on", client,
	                      PURPLE_CALLBACK(signing_on_cb), client);
	purple_signal_connect(connections, "signed-on", client,
	                      PURPLE_CALLBACK(signed_on_cb), client);
	purple_signal_connect(connections, "signed-off", client,
	                      PURPLE_CALLBACK(signed_off_cb), client);
}
