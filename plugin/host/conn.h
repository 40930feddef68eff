/*
 * One connected brand account: its module, its HTTP calls, its poll timer.
 *
 * protocol_info.c registers one libpurple protocol per module; every connection of
 * those protocols gets a BdmConn as its protocol data.  conn.c owns the
 * connection's life (login with whoami, close), poller.c fetches and delivers
 * customer messages, send.c carries the agent's replies out, journal.c keeps
 * what was delivered.
 */
#ifndef BRANDDM_CONN_H
#define BRANDDM_CONN_H

#include <glib.h>
#include <gmodule.h>
#include <connection.h>
#include <plugin.h>
#include <prpl.h>

#include "branddm/protocol.h"
#include "clock.h"
#include "http.h"

/** A loaded module and the libpurple protocol made from it. */
typedef struct {
	const BdmModule *module;
	GModule *handle;
	PurplePluginInfo info;
	PurplePluginProtocolInfo prpl_info;
	char *summary;
	char *list_icon;            /* "branddm-<platform>": icon file and chat-log folder name */
	int slot;                   /* protocol_info.c's per-protocol callbacks, -1 if none */
} BdmProtocol;

typedef struct BdmPoll BdmPoll;
typedef struct BdmDisplay BdmDisplay;

/** Per-connection state (purple_connection_get_protocol_data). */
typedef struct {
	PurpleConnection *gc;
	PurpleAccount *account;
	const BdmProtocol *proto;
	BdmAccountCtx ctx;          /* what the module sees */
	char *api_base;
	char *self_id;
	char *self_name;
	GHashTable *customer_names; /* customer id -> display name */
	GHashTable *calls;          /* BdmHttpCall* in flight, cancelled on close */
	BdmPoll *poll;              /* poller.c's state */
	guint poll_timer;
	guint login_timer;          /* whoami retry after a transient failure */
	guint login_attempts;
	GList *pending_sends;       /* send.c's unconfirmed replies */
	GList *pending_files;       /* send_file.c's files not uploaded yet */
	BdmDisplay *display;        /* journal_display.c: what is logged but not yet shown */
	gboolean connected;
} BdmConn;

/** The BdmProtocol behind a connection's protocol plugin.
 *  NULL when the connection is not one of ours. */
const BdmProtocol *bdm_protocol_of(PurpleConnection *gc);

/** The BdmConn of a connection, or NULL when not connected through us.
 *  Safe on a connection that is being torn down. */
BdmConn *bdm_conn_of(PurpleConnection *gc);

/** libpurple login callback for every BrandDM protocol.
 *  Verifies the token with the module's whoami request, then starts polling. */
void bdm_account_login(PurpleAccount *account);

/** libpurple close callback: cancel calls and timers, free the BdmConn.
 *  Nothing runs for this connection afterwards. */
void bdm_account_close(PurpleConnection *gc);

/** An HTTP call a connection owns. */
typedef struct BdmConnCall BdmConnCall;

/** Start an HTTP call owned by conn: cancelled automatically on close.
 *  cb gets the result; the call is forgotten before cb runs (the handle dies then). */
BdmConnCall *bdm_conn_http(BdmConn *conn, const BdmRequest *req, BdmHttpCallback cb,
                           gpointer data);

/** bdm_conn_http for a file going to the platform: progress (may be NULL)
 *  hears how much of the body has gone. */
BdmConnCall *bdm_conn_http_upload(BdmConn *conn, const BdmRequest *req,
                                  BdmHttpProgress progress, gpointer progress_data,
                                  BdmHttpCallback cb, gpointer data);

/** Cancel a call that has not called back: cb never runs.
 *  A handle whose cb already ran must not be passed. */
void bdm_conn_http_cancel(BdmConnCall *call);

/** Turn a transport failure into a module-style error for uniform handling.
 *  Returns TRUE when result carries an HTTP response for the module to parse. */
gboolean bdm_conn_result_usable(const BdmHttpResult *result, BdmError *err);

/** React to an error every request kind shares: authentication failure ends the
 *  connection (no reconnect loop).  Returns TRUE when the connection was ended. */
gboolean bdm_conn_fatal_error(BdmConn *conn, const BdmError *err);

/** The module's platform name ("facebook"), as the log records it.
 *  Owned by the module. */
const char *bdm_conn_platform(const BdmConn *conn);

/** The brand account's id as the log records it (the login name).
 *  Owned by the account. */
const char *bdm_conn_account_id(const BdmConn *conn);

/** The customer's display name as the platform last gave it, else NULL.
 *  Owned by conn. */
const char *bdm_conn_customer_name(const BdmConn *conn, const char *customer_id);

/** A customer as the buddy list and the conversation title name them: name
 *  and the account's platform, "Ada Lovelace · X" (g_free it). */
char *bdm_customer_title(PurpleAccount *account, const char *name);

#endif /* BRANDDM_CONN_H */
