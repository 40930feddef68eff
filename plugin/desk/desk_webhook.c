/*
 * Escalation webhooks: the JSON document POSTed to a department's URL.
 * See desk_features.h.
 *
 * A POST is retried ([webhook] retries, backoff 1 s, 2 s, 4 s ...) only when
 * the receiver could not have acted on it or asks for a retry: no response
 * at all, a timeout, 5xx and 429.  Any other answer is final.  Every outcome
 * is a "webhook" event in the log; a final failure is also written into the
 * conversation, so a department that never heard of an escalation is never
 * a silent surprise.  The URL is not logged: webhook URLs carry secrets.
 */
#include <string.h>

#include <account.h>
#include <debug.h>
#include <notify.h>

#include "branddm/i18n.h"
#include "desk_features.h"
#include "http.h"

#define DEBUG_CAT "branddm-webhook"

typedef struct {
	char *protocol_id;      /* the account, found again when the POST ends */
	char *username;
	char *customer;
	char *department;
	char *url;
	char *payload;
	guint attempts;         /* POSTs started so far */
	guint max_attempts;     /* 1 + [webhook] retries */
	guint timeout_s;        /* [webhook] timeout of one POST */
	BdmHttpCall *call;      /* the POST in flight, NULL between attempts */
	guint timer;            /* the running POST's timeout, or the retry backoff */
	long status;            /* last HTTP status, 0 for none */
	char *error;            /* last failure in plain words */
} Webhook;

static struct {
	GList *pending;     /* Webhook* in flight or waiting to retry */
} hooks;

static void attempt(Webhook *wh);

static void webhook_free(Webhook *wh)
{
	hooks.pending = g_list_remove(hooks.pending, wh);
	if (wh->call)
		bdm_http_cancel(wh->call);
	if (wh->timer)
		purple_timeout_remove(wh->timer);
	g_free(wh->protocol_id);
	g_free(wh->username);
	g_free(wh->customer);
	g_free(wh->department);
	g_free(wh->url);
	g_free(wh->payload);
	g_free(wh->error);
	g_free(wh);
}

/* The connection to tell, if the account is still online. */
static BdmConn *webhook_conn(const Webhook *wh)
{
	PurpleAccount *account = purple_accounts_find(wh->username, wh->protocol_id);
	return account ? bdm_conn_of(purple_account_get_connection(account)) : NULL;
}

static void finish(Webhook *wh, gboolean ok)
{
	BdmConn *conn = webhook_conn(wh);
	char *detail = bdm_desk_json_detail("s:department", wh->department, "b:ok", ok,
	                                    "i:status", (gint64)wh->status,
	                                    "i:attempts", (gint64)wh->attempts,
	                                    "s:error", ok ? NULL : wh->error, NULL);

	bdm_journal_event(conn, "webhook", wh->customer, detail, NULL);
	g_free(detail);
	if (!ok) {
		char *text = g_strdup_printf(dngettext(GETTEXT_PACKAGE,
		                                       "The escalation to %s did not reach its "
		                                       "webhook (%u attempt): %s. Tell the "
		                                       "department another way.",
		                                       "The escalation to %s did not reach its "
		                                       "webhook (%u attempts): %s. Tell the "
		                                       "department another way.", wh->attempts),
		                             wh->department, wh->attempts, wh->error);
		purple_debug_error(DEBUG_CAT, "%s\n", text);
		if (conn != NULL)
			bdm_notice(conn, wh->customer, text, PURPLE_MESSAGE_ERROR);
		else
			purple_notify_error(bdm_desk.plugin, _("BrandDM escalation"),
			                    _("An escalation webhook failed."), text);
		g_free(text);
	}
	webhook_free(wh);
}

static gboolean retry_cb(gpointer data)
{
	Webhook *wh = data;

	wh->timer = 0;
	attempt(wh);
	return FALSE;
}

static void failed(Webhook *wh, gboolean retriable)
{
	if (!retriable || wh->attempts >= wh->max_attempts) {
		finish(wh, FALSE);
		return;
	}
	purple_debug_info(DEBUG_CAT, "webhook for %s: %s; retrying in %u s\n", wh->department,
	                  wh->error, 1u << (wh->attempts - 1));
	/* Milliseconds: the seconds variant rounds to the next whole second, so
	 * "1 s" could come after a few milliseconds. */
	wh->timer = purple_timeout_add(1000u << (wh->attempts - 1), retry_cb, wh);
}

static void set_error(Webhook *wh, long status, char *error)
{
	g_free(wh->error);
	wh->error = error;
	wh->status = status;
}

static void on_response(const BdmHttpResult *result, gpointer data)
{
	Webhook *wh = data;
	long status = result->response.status;

	wh->call = NULL;
	if (wh->timer) {
		purple_timeout_remove(wh->timer);
		wh->timer = 0;
	}
	if (result->outcome == BDM_HTTP_OK && status >= 200 && status < 300) {
		wh->status = status;
		finish(wh, TRUE);
		return;
	}
	if (result->outcome == BDM_HTTP_OK) {
		set_error(wh, status, g_strdup_printf(_("HTTP status %ld"), status));
		failed(wh, status >= 500 || status == 429);
		return;
	}
	set_error(wh, 0, g_strdup(result->error && *result->error ? result->error
	                                                         : _("no answer")));
	/* Our own URL rules and oversized answers will not change on a retry. */
	failed(wh, result->outcome == BDM_HTTP_NOT_SENT || result->outcome == BDM_HTTP_AMBIGUOUS);
}

static gboolean timeout_cb(gpointer data)
{
	Webhook *wh = data;

	wh->timer = 0;
	bdm_http_cancel(wh->call);
	wh->call = NULL;
	set_error(wh, 0, g_strdup_printf(_("no answer within %u seconds"), wh->timeout_s));
	failed(wh, TRUE);
	return FALSE;
}

static void attempt(Webhook *wh)
{
	BdmRequest req = { 0 };

	wh->attempts++;
	req.method = g_strdup("POST");
	req.url = g_strdup(wh->url);
	req.body = g_strdup(wh->payload);
	req.body_len = strlen(wh->payload);
	req.content_type = g_strdup("application/json");
	/* No token: a webhook is not the platform, and ours must never leave. */
	wh->call = bdm_http_start(&req, NULL, on_response, wh);
	bdm_request_clear(&req);
	wh->timer = purple_timeout_add_seconds(wh->timeout_s, timeout_cb, wh);
}

void bdm_desk_webhook_post(BdmConn *conn, BdmDeskConv *conv, const char *department,
                           const char *url, char *payload)
{
	const BdmDeskConfig *cfg = bdm_desk_config();
	Webhook *wh = g_new0(Webhook, 1);

	wh->protocol_id = g_strdup(purple_account_get_protocol_id(conn->account));
	wh->username = g_strdup(purple_account_get_username(conn->account));
	wh->customer = g_strdup(conv->customer);
	wh->department = g_strdup(department);
	wh->url = g_strdup(url);
	wh->payload = payload;
	wh->max_attempts = 1 + bdm_desk_config_webhook_retries(cfg);
	wh->timeout_s = MAX(1u, bdm_desk_config_webhook_timeout(cfg));
	hooks.pending = g_list_prepend(hooks.pending, wh);
	/* http.c refuses anything but https and loopback http, from the loop. */
	if (!bdm_http_url_allowed(url)) {
		wh->attempts = 1;
		set_error(wh, 0, g_strdup(_("the webhook URL must use https (plain http only to "
		                            "this computer)")));
		finish(wh, FALSE);
		return;
	}
	attempt(wh);
}

void bdm_desk_webhook_shutdown(void)
{
	while (hooks.pending != NULL)
		webhook_free(hooks.pending->data);
}
