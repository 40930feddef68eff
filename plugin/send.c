/*
 * Carrying the agent's replies to the platform.  See send.h.
 *
 * send_im returns 0 ("sent, but do not echo") and the reply is echoed into
 * the conversation only once the platform confirmed it and the log recorded
 * it, so what the agent sees as sent really was sent.  Failures are retried
 * only where the platform cannot have acted on the request (rate limits,
 * 5xx answers, connections that never carried the request); an ambiguous
 * failure is reported instead of retried, so a customer never gets a reply
 * twice.
 */
#include <string.h>

#include <account.h>
#include <conversation.h>
#include <debug.h>
#include <util.h>

#include "branddm/i18n.h"
#include "desk.h"
#include "desk_internal.h"
#include "send.h"

#define DEBUG_CAT "branddm-send"
#define MAX_ATTEMPTS 4
/* A platform that asks for a longer pause gets the reply back as not sent:
 * the agent must not believe a reply is on its way for hours. */
#define MAX_SEND_WAIT_S 300

typedef struct {
	BdmConn *conn;
	char *who;
	char *text;
	gboolean automated;
	guint attempt;
	guint retry_timer;
} PendingSend;

static void attempt_send(PendingSend *ps);

static void pending_free(PendingSend *ps)
{
	if (ps->retry_timer)
		purple_timeout_remove(ps->retry_timer);
	g_free(ps->who);
	g_free(ps->text);
	g_free(ps);
}

static void forget(PendingSend *ps)
{
	ps->conn->pending_sends = g_list_remove(ps->conn->pending_sends, ps);
	pending_free(ps);
}

static void report_failure(PendingSend *ps, const BdmError *err, const char *prefix)
{
	char *text = g_strdup_printf("%s %s", prefix,
	                             err->message ? err->message : _("unknown error"));
	bdm_desk_send_failed(ps->conn, ps->who, ps->text, err);
	bdm_desk_notice(ps->conn, ps->who, text, PURPLE_MESSAGE_ERROR);
	g_free(text);
}

static gboolean retry_cb(gpointer data)
{
	PendingSend *ps = data;
	ps->retry_timer = 0;
	attempt_send(ps);
	return FALSE;
}

static void retry_later(PendingSend *ps, gint64 seconds)
{
	purple_debug_info(DEBUG_CAT, "retrying send to %s in %" G_GINT64_FORMAT " s (attempt %u)\n",
	                  ps->who, seconds, ps->attempt + 1);
	ps->retry_timer = purple_timeout_add_seconds((guint)MAX(seconds, 1), retry_cb, ps);
}

static void on_sent(const BdmHttpResult *result, gpointer data)
{
	PendingSend *ps = data;
	BdmConn *conn = ps->conn;
	BdmSendResult sent = { 0 };
	BdmError err = { 0 };
	gboolean have_response = bdm_conn_result_usable(result, &err);

	conn->ctx.now = bdm_now();
	if (have_response &&
	    conn->proto->module->parse_send(&conn->ctx, &result->response, &sent, &err) == 0) {
		PurpleConversation *conv;
		char *escaped;

		if (bdm_desk_record_outgoing(conn, ps->who, ps->text, sent.message_id, bdm_now(),
		                             ps->automated) == BDM_RECORD_FAILED)
			purple_debug_error(DEBUG_CAT, "sent %s but could not log it\n", sent.message_id);
		conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, ps->who, conn->account);
		if (conv == NULL)
			conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, conn->account, ps->who);
		escaped = purple_markup_escape_text(ps->text, -1);
		purple_conv_im_write(PURPLE_CONV_IM(conv), NULL, escaped,
		                     PURPLE_MESSAGE_SEND | (ps->automated ? PURPLE_MESSAGE_AUTO_RESP : 0),
		                     time(NULL));
		g_free(escaped);
		bdm_send_result_clear(&sent);
		forget(ps);
		return;
	}
	bdm_send_result_clear(&sent);
	ps->attempt++;
	if (bdm_conn_fatal_error(conn, &err)) {
		report_failure(ps, &err, _("Not sent:"));
	} else if (err.retry_after > MAX_SEND_WAIT_S) {
		/* Only 429s and 5xx answers carry a wait: the platform did not send it. */
		char *text = g_strdup_printf(_("Not sent: the platform asks for a pause of %lld "
		                               "minutes; send the reply again after it."),
		                             (err.retry_after + 59) / 60);
		bdm_desk_send_failed(conn, ps->who, ps->text, &err);
		bdm_desk_notice(conn, ps->who, text, PURPLE_MESSAGE_ERROR);
		g_free(text);
	} else if (ps->attempt < MAX_ATTEMPTS && err.cls == BDM_ERR_RATE_LIMIT) {
		retry_later(ps, err.retry_after > 0 ? err.retry_after : 30);
		bdm_error_clear(&err);
		return;
	} else if (ps->attempt < MAX_ATTEMPTS &&
	           (result->outcome == BDM_HTTP_NOT_SENT ||
	            (have_response && result->response.status >= 500 &&
	             (err.cls == BDM_ERR_TRANSIENT || err.cls == BDM_ERR_MALFORMED)))) {
		/* The platform answered 5xx or never got the request: it did not send it. */
		retry_later(ps, err.retry_after > 0 ? err.retry_after : (1 << ps->attempt));
		bdm_error_clear(&err);
		return;
	} else if (result->outcome == BDM_HTTP_AMBIGUOUS ||
	           (have_response && result->response.status < 300)) {
		report_failure(ps, &err, _("The platform did not confirm this reply; it may or may not "
		                           "have been delivered. Check the conversation before sending "
		                           "it again:"));
	} else {
		report_failure(ps, &err, _("Not sent:"));
	}
	bdm_error_clear(&err);
	forget(ps);
}

/* The reply's own record can only be written once the platform confirmed
 * it, too late to refuse it: so every attempt first writes a marker, and a
 * full disk or a read-only log stops the reply before it leaves. */
static gboolean log_accepts_writes(BdmConn *conn, const char *who)
{
	char *key = g_strdup_printf("sending/%s/%s", bdm_desk_platform(conn),
	                            bdm_desk_account_id(conn));
	char *value = g_strdup_printf("%s %" G_GINT64_FORMAT, who, g_get_real_time());
	GError *error = NULL;
	gboolean ok = bdm_desk.log != NULL && bdm_log_state_set(bdm_desk.log, key, value, &error);

	if (!ok)
		purple_debug_error(DEBUG_CAT, "log refuses writes, reply to %s not sent: %s\n", who,
		                   error ? error->message : "log not open");
	g_clear_error(&error);
	g_free(value);
	g_free(key);
	return ok;
}

static void attempt_send(PendingSend *ps)
{
	BdmConn *conn = ps->conn;
	const BdmModule *m = conn->proto->module;
	BdmSendInput in = { 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	if (!log_accepts_writes(conn, ps->who)) {
		bdm_desk_notice(conn, ps->who,
		                _("Not sent: the conversation log cannot be written (disk full or "
		                  "read-only), and every reply must be logged. Ask your "
		                  "administrator."), PURPLE_MESSAGE_ERROR);
		forget(ps);
		return;
	}

	in.recipient_id = ps->who;
	in.text = ps->text;
	in.last_customer_message = bdm_desk_last_customer_message(conn, ps->who);
	in.allow_human_agent = purple_account_get_bool(conn->account, "human_agent", FALSE);
	in.automated = ps->automated;
	conn->ctx.now = bdm_now();
	if (m->build_send(&conn->ctx, &in, &req, &err) != 0) {
		report_failure(ps, &err, _("Not sent:"));
		bdm_error_clear(&err);
		forget(ps);
		return;
	}
	bdm_conn_http(conn, &req, on_sent, ps);
	bdm_request_clear(&req);
}

int bdm_send_im(PurpleConnection *gc, const char *who, const char *message,
                PurpleMessageFlags flags)
{
	BdmConn *conn = bdm_conn_of(gc);
	PendingSend *ps;
	char *text, *why = NULL;
	gboolean automated = (flags & PURPLE_MESSAGE_AUTO_RESP) != 0;

	if (conn == NULL || !conn->connected)
		return -ENOTCONN;
	/* Pidgin hands us HTML and Finch escaped text; platforms want plain text. */
	text = purple_markup_strip_html(message);
	g_strstrip(text);
	if (*text == '\0') {
		g_free(text);
		return 0;
	}
	/* Policy again here: libpurple's own auto-reply and other plugins call
	 * serv_send_im without passing our "sending-im-msg" check. */
	if (!bdm_desk_may_send(conn, who, text, automated, &why)) {
		bdm_desk_notice(conn, who, why, PURPLE_MESSAGE_ERROR);
		g_free(why);
		g_free(text);
		return 0;
	}
	ps = g_new0(PendingSend, 1);
	ps->conn = conn;
	ps->who = g_strdup(who);
	ps->text = text;
	ps->automated = automated;
	conn->pending_sends = g_list_prepend(conn->pending_sends, ps);
	attempt_send(ps);
	return 0;
}

void bdm_send_abort_all(BdmConn *conn)
{
	while (conn->pending_sends) {
		PendingSend *ps = conn->pending_sends->data;
		/* Its HTTP call, if any, is cancelled with the connection's calls. */
		bdm_desk_notice(conn, ps->who,
		                _("Not sent: the account was disconnected before the platform "
		                  "confirmed this reply. Check the conversation after reconnecting."),
		                PURPLE_MESSAGE_ERROR);
		forget(ps);
	}
}
