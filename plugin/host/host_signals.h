/*
 * What the protocol host announces: libpurple signals on the BrandDM
 * loader's plugin handle (purple_plugins_find_with_id("core-branddm")).
 *
 * The desk listens to these, and so may any other plugin:
 *
 *   purple_signal_connect(purple_plugins_find_with_id("core-branddm"),
 *                         "branddm-message-shown", my_handle,
 *                         PURPLE_CALLBACK(on_shown), NULL);
 *
 * Account signals:  void cb(PurpleAccount *account, gpointer data)
 *   "branddm-account-connecting"    login began (the desk starts up here if the
 *                                   main loop has not run yet)
 *   "branddm-account-connected"     the token was accepted; polling starts
 *   "branddm-account-disconnected"  the connection is closing
 * Message signals:  void cb(PurpleAccount *account, const BdmDelivery *d, gpointer data)
 *   "branddm-message-recorded"  a new message of a poll is in the log and is
 *                               about to be shown (customer's or the brand's)
 *   "branddm-message-shown"     that message is now on screen
 *   "branddm-reply-sending"     a reply passed every check and goes to the
 *                               platform now (message_id NULL; it may still fail)
 *   "branddm-reply-confirmed"   the platform confirmed a reply sent from this
 *                               client, and it is in the log
 * Typing signal:  void cb(PurpleAccount *account, const char *who, guint state, gpointer data)
 *   "branddm-agent-typing"      the agent types to who in this client (state is a
 *                               PurpleTypingState: PURPLE_TYPING, _TYPED, _NOT_TYPING)
 * Protocol signal:  void cb(PurplePlugin *prpl, gpointer data)
 *   "branddm-protocol-added"    a protocol module became a libpurple protocol;
 *                               its prpl info (tooltip, emblem, actions) may be
 *                               filled in now
 *
 * Message signals come after the delivery turn: the log transaction holding
 * the message is committed before anyone hears of it, so a handler that
 * crashes the client loses nothing.  The BdmDelivery and its strings are
 * valid only during the emission.
 */
#ifndef BRANDDM_HOST_SIGNALS_H
#define BRANDDM_HOST_SIGNALS_H

#include <account.h>
#include <plugin.h>

/** One message the host delivered or sent. */
typedef struct {
	const char *platform;       /* "facebook", as the log stores it */
	const char *account;        /* the brand account's login name */
	const char *customer_id;
	const char *customer_name;  /* the platform's display name, or NULL */
	const char *message_id;     /* the platform's id, or NULL */
	const char *text;           /* plain text, never NULL */
	gint64 time;                /* platform time, Unix seconds (0: unknown) */
	gboolean from_brand;        /* written by the brand (any agent or tool) */
	gboolean automated;         /* an automatic reply sent by this client */
	gboolean relayed;           /* brought by a colleague's client (bdm_poll_deliver),
	                             * not polled here */
} BdmDelivery;

#define BDM_SIGNAL_PROTOCOL_ADDED       "branddm-protocol-added"
#define BDM_SIGNAL_AGENT_TYPING         "branddm-agent-typing"
#define BDM_SIGNAL_ACCOUNT_CONNECTING   "branddm-account-connecting"
#define BDM_SIGNAL_ACCOUNT_CONNECTED    "branddm-account-connected"
#define BDM_SIGNAL_ACCOUNT_DISCONNECTED "branddm-account-disconnected"
#define BDM_SIGNAL_MESSAGE_RECORDED     "branddm-message-recorded"
#define BDM_SIGNAL_MESSAGE_SHOWN        "branddm-message-shown"
#define BDM_SIGNAL_REPLY_SENDING        "branddm-reply-sending"
#define BDM_SIGNAL_REPLY_CONFIRMED      "branddm-reply-confirmed"

/** Register the host's signals on handle (the loader plugin).
 *  Call once when the loader loads, before anyone connects. */
void bdm_signals_register(PurplePlugin *handle);

/** Unregister them; handlers connected to them are dropped.
 *  Call when the loader unloads. */
void bdm_signals_unregister(void);

/** The handle the signals live on (NULL before registration).
 *  Listeners pass it to purple_signal_connect. */
PurplePlugin *bdm_signals_handle(void);

/** Emit an account signal (BDM_SIGNAL_ACCOUNT_*).
 *  Does nothing before registration. */
void bdm_signals_emit_account(const char *signal, PurpleAccount *account);

/** Emit a message signal (BDM_SIGNAL_MESSAGE_*, BDM_SIGNAL_REPLY_*).
 *  Does nothing before registration. */
void bdm_signals_emit_delivery(const char *signal, PurpleAccount *account, const BdmDelivery *d);

/** Emit BDM_SIGNAL_AGENT_TYPING: the agent's typing state towards who.
 *  Does nothing before registration. */
void bdm_signals_emit_typing(PurpleAccount *account, const char *who, guint state);

/** Emit BDM_SIGNAL_PROTOCOL_ADDED for prpl.
 *  Does nothing before registration. */
void bdm_signals_emit_protocol_added(PurplePlugin *prpl);

#endif /* BRANDDM_HOST_SIGNALS_H */
