/*
 * Connection life of a brand account: login (token check through the
 * module's whoami request), the HTTP calls it owns, and close.
 */
#include <string.h>

#include <account.h>
#include <debug.h>

#include "branddm/i18n.h"
#include "conn.h"
#include "module_call.h"
#include "purple_logs.h"
#include "host_signals.h"
#include "journal.h"
#include "poller.h"
#include "send.h"
#include "send_file.h"

#define DEBUG_CAT "branddm"

const BdmProtocol *bdm_protocol_of(PurpleConnection *gc)
{
	PurplePlugin *prpl = gc ? purple_connection_get_prpl(gc) : NULL;
	return prpl ? prpl->extra : NULL;
}

BdmConn *bdm_conn_of(PurpleConnection *gc)
{
	if (gc == NULL || bdm_protocol_of(gc) == NULL)
		return NULL;
	return purple_connection_get_protocol_data(gc);
}

const char *bdm_conn_platform(const BdmConn *conn)
{
	return conn->proto->module->platform;
}

const char *bdm_conn_account_id(const BdmConn *conn)
{
	return purple_account_get_username(conn->account);
}

const char *bdm_conn_customer_name(const BdmConn *conn, const char *customer_id)
{
	return g_hash_table_lookup(conn->customer_names, customer_id);
}

static const char *ctx_get_option(const BdmAccountCtx *ctx, const char *key)
{
	BdmConn *conn = ctx->host_data;
	return purple_account_get_string(conn->account, key, NULL);
}

/* Modules log through here, as they do not link libpurple.  One module
 * line stays one log line: control characters (a newline in something a
 * server sent) become spaces. */
static void ctx_debug(const BdmAccountCtx *ctx, BdmDebugLevel level, const char *line)
{
	PurpleDebugLevel purple_level = level == BDM_DEBUG_ERROR ? PURPLE_DEBUG_ERROR :
	                                level == BDM_DEBUG_WARNING ? PURPLE_DEBUG_WARNING :
	                                PURPLE_DEBUG_INFO;
	char *clean = g_strdup(line ? line : "");
	char *c;

	for (c = clean; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	purple_debug(purple_level, DEBUG_CAT, "%s: %s\n", ctx->module->platform, clean);
	g_free(clean);
}

/* ---- HTTP calls owned by a connection ---------------------------------- */

struct BdmConnCall {
	BdmConn *conn;
	BdmHttpCall *call;
	BdmHttpCallback cb;
	gpointer data;
};
typedef BdmConnCall OwnedCall;

static void owned_call_done(const BdmHttpResult *result, gpointer user_data)
{
	OwnedCall *oc = user_data;

	g_hash_table_remove(oc->conn->calls, oc);
	oc->cb(result, oc->data);
	g_free(oc);
}

BdmConnCall *bdm_conn_http(BdmConn *conn, const BdmRequest *req, BdmHttpCallback cb,
                           gpointer data)
{
	return bdm_conn_http_upload(conn, req, NULL, NULL, cb, data);
}

BdmConnCall *bdm_conn_http_upload(BdmConn *conn, const BdmRequest *req,
                                  BdmHttpProgress progress, gpointer progress_data,
                                  BdmHttpCallback cb, gpointer data)
{
	OwnedCall *oc = g_new0(OwnedCall, 1);

	oc->conn = conn;
	oc->cb = cb;
	oc->data = data;
	g_hash_table_add(conn->calls, oc);
	oc->call = bdm_http_start_upload(req, purple_connection_get_password(conn->gc),
	                                 BDM_HTTP_MAX_BODY, progress, progress_data,
	                                 owned_call_done, oc);
	return oc;
}

void bdm_conn_http_cancel(BdmConnCall *call)
{
	if (call == NULL || !g_hash_table_remove(call->conn->calls, call))
		return;
	bdm_http_cancel(call->call);
	g_free(call);
}

static void cancel_owned(gpointer key, gpointer value, gpointer data)
{
	OwnedCall *oc = key;
	(void)value;
	(void)data;
	bdm_http_cancel(oc->call);
	g_free(oc);
}

gboolean bdm_conn_result_usable(const BdmHttpResult *result, BdmError *err)
{
	switch (result->outcome) {
	case BDM_HTTP_OK:
		return TRUE;
	case BDM_HTTP_REFUSED:
		bdm_error_set(err, BDM_ERR_INVALID, 0, result->error);
		return FALSE;
	case BDM_HTTP_TOO_LARGE:
		bdm_error_set(err, BDM_ERR_MALFORMED, 0, _("The platform's answer was too large."));
		return FALSE;
	case BDM_HTTP_NOT_SENT:
	case BDM_HTTP_AMBIGUOUS:
	default:
		bdm_error_set(err, BDM_ERR_TRANSIENT, 0, result->error);
		return FALSE;
	}
}

/* What the username and the password are, for messages (labels are optional
 * in the module ABI). */
static const char *username_means(const BdmModule *m)
{
	return m->username_label ? _(m->username_label) : _("account ID");
}

static const char *password_means(const BdmModule *m)
{
	return m->password_label ? _(m->password_label) : _("access token");
}

/* A platform's own message as a sentence: it may lack the full stop. */
static char *sentence(const char *text)
{
	gsize n = strlen(text);

	if (n > 0 && strchr(".!?", text[n - 1]) == NULL)
		return g_strconcat(text, ".", NULL);
	return g_strdup(text);
}

gboolean bdm_conn_fatal_error(BdmConn *conn, const BdmError *err)
{
	char *text, *why;

	if (err->cls != BDM_ERR_AUTH)
		return FALSE;
	/* AUTHENTICATION_FAILED is fatal for the UIs: no reconnect loop on a dead token. */
	why = sentence(err->message ? err->message : _("The access token was refused."));
	/* TRANSLATORS: the second %s is what the password is, "Page access token". */
	text = g_strdup_printf(_("Authentication failed: %s Enter a valid %s as the account's "
	                         "password (Accounts, Manage Accounts, Modify)."),
	                       why, password_means(conn->proto->module));
	purple_connection_error_reason(conn->gc, PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED, text);
	g_free(text);
	g_free(why);
	return TRUE;
}

/* ---- login ------------------------------------------------------------- */

#define LOGIN_ATTEMPTS 5

static void send_whoami(BdmConn *conn);

static gboolean login_retry_cb(gpointer data)
{
	BdmConn *conn = data;
	conn->login_timer = 0;
	send_whoami(conn);
	return FALSE;
}

/* A busy or flaky platform at login is waited out here, as the poll does,
 * instead of bouncing the account through the UI's reconnect cycle. */
static gboolean retry_login(BdmConn *conn, const BdmError *err)
{
	gint64 wait;

	if (err->cls != BDM_ERR_TRANSIENT && err->cls != BDM_ERR_MALFORMED &&
	    err->cls != BDM_ERR_RATE_LIMIT)
		return FALSE;
	if (++conn->login_attempts >= LOGIN_ATTEMPTS)
		return FALSE;
	wait = err->retry_after > 0 ? err->retry_after : ((gint64)1 << conn->login_attempts);
	purple_debug_info(DEBUG_CAT, "%s: login attempt %u failed (%s); retrying in %" G_GINT64_FORMAT
	                  " s\n", conn->proto->module->protocol_id, conn->login_attempts,
	                  err->message ? err->message : "?", wait);
	purple_connection_update_progress(conn->gc, _("Waiting to retry"), 1, 3);
	conn->login_timer = purple_timeout_add_seconds((guint)wait, login_retry_cb, conn);
	return TRUE;
}

static void on_whoami(const BdmHttpResult *result, gpointer data)
{
	BdmConn *conn = data;
	const BdmModule *m = conn->proto->module;
	BdmError err = { 0 };
	BdmIdentity me = { 0 };

	conn->ctx.now = bdm_now();
	if (!bdm_conn_result_usable(result, &err) ||
	    bdm_call_parse_whoami(&conn->ctx, &result->response, &me, &err) != 0) {
		if (!bdm_conn_fatal_error(conn, &err) && !retry_login(conn, &err)) {
			char *why = sentence(err.message ? err.message : _("Unknown error."));
			char *text = g_strdup_printf(_("Could not sign in to %s: %s Check the username and "
			                               "the account's advanced settings, or try again "
			                               "later."), m->name, why);
			PurpleConnectionError reason = err.cls == BDM_ERR_INVALID || err.cls == BDM_ERR_REFUSED
				? PURPLE_CONNECTION_ERROR_OTHER_ERROR : PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
			purple_connection_error_reason(conn->gc, reason, text);
			g_free(text);
			g_free(why);
		}
		bdm_error_clear(&err);
		return;
	}
	conn->self_id = g_strdup(me.id ? me.id : purple_account_get_username(conn->account));
	conn->self_name = g_strdup(me.name);
	conn->ctx.self_id = conn->self_id;
	bdm_identity_clear(&me);
	if (conn->self_name && *conn->self_name)
		purple_connection_set_display_name(conn->gc, conn->self_name);
	purple_debug_info(DEBUG_CAT, "%s: signed in as %s\n", m->protocol_id, conn->self_id);
	conn->connected = TRUE;
	bdm_journal_recover(conn);
	purple_connection_set_state(conn->gc, PURPLE_CONNECTED);
	bdm_poll_show_customers(conn);
	bdm_purple_logs_connected(conn->account);
	bdm_signals_emit_account(BDM_SIGNAL_ACCOUNT_CONNECTED, conn->account);
	bdm_poll_start(conn);
}

static gboolean is_number(const char *text)
{
	return text != NULL && *text != '\0' && text[strspn(text, "0123456789")] == '\0';
}

void bdm_account_login(PurpleAccount *account)
{
	PurpleConnection *gc = purple_account_get_connection(account);
	const BdmProtocol *proto = bdm_protocol_of(gc);
	BdmConn *conn;
	const char *base;

	g_return_if_fail(proto != NULL);
	/* The desk may not have started yet (the UI signs accounts on before
	 * the main loop runs): this lets it, before anything can be sent. */
	bdm_purple_logs_logging_in(account);
	bdm_signals_emit_account(BDM_SIGNAL_ACCOUNT_CONNECTING, account);
	conn = g_new0(BdmConn, 1);
	conn->gc = gc;
	conn->account = account;
	conn->proto = proto;
	conn->customer_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	conn->calls = g_hash_table_new(g_direct_hash, g_direct_equal);
	purple_connection_set_protocol_data(gc, conn);
	/* Not a chat network: no formatting, and unknown /commands must not be sent. */
	gc->flags |= PURPLE_CONNECTION_NO_BGCOLOR | PURPLE_CONNECTION_NO_FONTSIZE |
	             PURPLE_CONNECTION_NO_URLDESC | PURPLE_CONNECTION_NO_IMAGES;

	base = purple_account_get_string(account, "api_base", proto->module->default_api_base);
	if (base == NULL || *base == '\0')
		base = proto->module->default_api_base;
	conn->api_base = g_strdup(base);
	while (g_str_has_suffix(conn->api_base, "/"))
		conn->api_base[strlen(conn->api_base) - 1] = '\0';
	conn->ctx.api_base = conn->api_base;
	conn->ctx.account_id = purple_account_get_username(account);
	conn->ctx.get_option = ctx_get_option;
	conn->ctx.host_data = conn;
	conn->ctx.now = bdm_now();
	conn->ctx.debug = ctx_debug;
	bdm_ctx_bind(&conn->ctx, proto->module);

	if ((proto->module->flags & BDM_MODULE_NUMERIC_USERNAME) && !is_number(conn->ctx.account_id)) {
		/* Said before any request: a name typed as the username would
		 * otherwise come back as a puzzling "no such object" from the API. */
		/* TRANSLATORS: %s are what the username and the password are:
		 * "Facebook Page ID", "Page access token". */
		char *text = g_strdup_printf(_("The username must be the %s, digits only (for example "
		                               "104857600123), and the password the %s. Correct them "
		                               "in the account's settings."),
		                             username_means(proto->module),
		                             password_means(proto->module));
		purple_connection_error_reason(gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS, text);
		g_free(text);
		return;
	}
	if (!bdm_http_url_allowed(conn->api_base)) {
		char *text = g_strdup_printf(_("The API base URL \"%s\" is not allowed. Use an "
		                               "https address (plain http only to this computer) "
		                               "in the account's advanced settings."), conn->api_base);
		purple_connection_error_reason(gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS, text);
		g_free(text);
		return;
	}
	purple_connection_set_state(gc, PURPLE_CONNECTING);
	send_whoami(conn);
}

static void send_whoami(BdmConn *conn)
{
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	purple_connection_update_progress(conn->gc, _("Checking access token"), 1, 3);
	conn->ctx.now = bdm_now();
	if (bdm_call_build_whoami(&conn->ctx, &req, &err) != 0) {
		purple_connection_error_reason(conn->gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
		                               err.message ? err.message : _("Invalid account settings."));
		bdm_error_clear(&err);
		return;
	}
	bdm_conn_http(conn, &req, on_whoami, conn);
	bdm_request_clear(&req);
}

void bdm_account_close(PurpleConnection *gc)
{
	BdmConn *conn = bdm_conn_of(gc);

	if (conn == NULL)
		return;
	if (conn->connected)
		bdm_signals_emit_account(BDM_SIGNAL_ACCOUNT_DISCONNECTED, conn->account);
	if (conn->login_timer)
		purple_timeout_remove(conn->login_timer);
	bdm_poll_stop(conn);
	bdm_send_file_abort_all(conn);
	bdm_send_abort_all(conn);
	g_hash_table_foreach(conn->calls, cancel_owned, NULL);
	g_hash_table_destroy(conn->calls);
	g_hash_table_destroy(conn->customer_names);
	g_free(conn->api_base);
	g_free(conn->self_id);
	g_free(conn->self_name);
	bdm_journal_display_free(conn);
	purple_connection_set_protocol_data(gc, NULL);
	g_free(conn);
}
