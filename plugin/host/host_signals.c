/*
 * Registering and emitting the host's signals.  See host_signals.h.
 */
#include <signals.h>
#include <value.h>

#include "host_signals.h"

static PurplePlugin *signal_handle;

static const char *const account_signals[] = {
	BDM_SIGNAL_ACCOUNT_CONNECTING, BDM_SIGNAL_ACCOUNT_CONNECTED, BDM_SIGNAL_ACCOUNT_DISCONNECTED,
};
static const char *const delivery_signals[] = {
	BDM_SIGNAL_MESSAGE_RECORDED, BDM_SIGNAL_MESSAGE_SHOWN, BDM_SIGNAL_REPLY_SENDING,
	BDM_SIGNAL_REPLY_CONFIRMED,
};

void bdm_signals_register(PurplePlugin *handle)
{
	guint i;

	g_assert(signal_handle == NULL);
	signal_handle = handle;
	for (i = 0; i < G_N_ELEMENTS(account_signals); i++)
		purple_signal_register(handle, account_signals[i], purple_marshal_VOID__POINTER, NULL,
		                       1, purple_value_new(PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT));
	for (i = 0; i < G_N_ELEMENTS(delivery_signals); i++)
		purple_signal_register(handle, delivery_signals[i], purple_marshal_VOID__POINTER_POINTER,
		                       NULL, 2,
		                       purple_value_new(PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
		                       purple_value_new(PURPLE_TYPE_POINTER));
	purple_signal_register(handle, BDM_SIGNAL_PROTOCOL_ADDED, purple_marshal_VOID__POINTER, NULL,
	                       1, purple_value_new(PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_PLUGIN));
	purple_signal_register(handle, BDM_SIGNAL_AGENT_TYPING,
	                       purple_marshal_VOID__POINTER_POINTER_UINT, NULL, 3,
	                       purple_value_new(PURPLE_TYPE_SUBTYPE, PURPLE_SUBTYPE_ACCOUNT),
	                       purple_value_new(PURPLE_TYPE_STRING),
	                       purple_value_new(PURPLE_TYPE_UINT));
}

void bdm_signals_unregister(void)
{
	guint i;

	if (signal_handle == NULL)
		return;
	for (i = 0; i < G_N_ELEMENTS(account_signals); i++)
		purple_signal_unregister(signal_handle, account_signals[i]);
	for (i = 0; i < G_N_ELEMENTS(delivery_signals); i++)
		purple_signal_unregister(signal_handle, delivery_signals[i]);
	purple_signal_unregister(signal_handle, BDM_SIGNAL_PROTOCOL_ADDED);
	purple_signal_unregister(signal_handle, BDM_SIGNAL_AGENT_TYPING);
	signal_handle = NULL;
}

PurplePlugin *bdm_signals_handle(void)
{
	return signal_handle;
}

void bdm_signals_emit_account(const char *signal, PurpleAccount *account)
{
	if (signal_handle != NULL)
		purple_signal_emit(signal_handle, signal, account);
}

void bdm_signals_emit_delivery(const char *signal, PurpleAccount *account, const BdmDelivery *d)
{
	g_assert(d != NULL && d->text != NULL && d->customer_id != NULL);
	if (signal_handle != NULL)
		purple_signal_emit(signal_handle, signal, account, d);
}

void bdm_signals_emit_protocol_added(PurplePlugin *prpl)
{
	if (signal_handle != NULL)
		purple_signal_emit(signal_handle, BDM_SIGNAL_PROTOCOL_ADDED, prpl);
}

void bdm_signals_emit_typing(PurpleAccount *account, const char *who, guint state)
{
	if (signal_handle != NULL)
		purple_signal_emit(signal_handle, BDM_SIGNAL_AGENT_TYPING, account, who, state);
}
