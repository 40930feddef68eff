/*
 * Carrying the agent's replies to the platform.  See send.h.
 *
 * send_im returns 0 ("sent, but do not echo") and the reply is echoed into
 * the conversation only once the platform confirmed it and the log recorded
 * it, so what the agent sees as sent really was sent.  What follows a
 * failure is decided in send_retry.c.
 */
#include <string.h>

#include <account.h>
#include <conversation.h>
#include <debug.h>
#include <util.h>

#include "branddm/i18n.h"
#include "hooks.h"
#include "host_signals.h"
#include "journal.h"
#include "module_call.h"
#include "notice.h"
#include "send.h"
#include "send_file.h"
#include "send_retry.h"

#define DEBUG_CAT "branddm-send"

typedef struct {
	BdmConn *conn;
	char *who;
	char *text;
	gboolean automated;
	guint attempt;
	guint retry_timer;
	BdmOutgoingFile *file;   /* an uploaded file this message carries, or NULL */
} PendingSend;

static void attempt_send(PendingSend *ps);

static void pending_free(PendingSend *ps)
{
	if (ps->retry_timer)
		purple_timeout_remove(ps->retry_timer);
	bdm_outgoing_file_free(ps->file);
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
	bdm_journal_send_failed(ps->conn, ps->who, ps->text, err);
	bdm_notice(ps->conn, ps->who, text, PURPLE_MESSAGE_ERROR);
	g_free(text);
	if (ps->file != NULL)
		bdm_outgoing_file_failed(ps->file);
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
	g_assert(ps->retry_timer == 0);
	purple_debug_info(DEBUG_CAT, "retrying send to %s in %" G_GINT64_FORMAT " s (attempt %u)\n",
	                  ps->who, seconds, ps->attempt + 1);
	ps->retry_timer = purple_timeout_add_seconds((guint)MAX(seconds, 1), retry_cb, ps);
}

/* The platform confirmed: log it, echo it, tell the listeners. */
static void confirmed(PendingSend *ps, const BdmSendResult *sent)
{
	BdmConn *conn = ps->conn;
	BdmRecordResult rec;
	BdmDelivery d = { 0 };
	char *escaped, *sender;

	if (ps->file != NULL) {
		bdm_outgoing_file_confirmed(ps->file, sent->message_id);
		return;
	}
	rec = bdm_journal_record_outgoing(conn, ps->who, ps->text, sent->message_id, bdm_now(),
	                                  ps->automated);
	if (rec == BDM_RECORD_FAILED)
		purple_debug_error(DEBUG_CAT, "sent %s but could not log it\n", sent->message_id);
	/* A reply the log already had is old news: a poll listed it before the
	 * platform answered the send (and showed it), or a retry was answered
	 * twice.  Only a new record is announced and echoed; announced before
	 * the echo, so the echo can name its author. */
	if (rec == BDM_RECORD_DUPLICATE)
		return;
	if (rec == BDM_RECORD_NEW) {
		d.platform = bdm_conn_platform(conn);
		d.account = bdm_conn_account_id(conn);
		d.customer_id = ps->who;
		d.customer_name = bdm_conn_customer_name(conn, ps->who);
		d.message_id = sent->message_id;
		d.text = ps->text;
		d.time = bdm_now();
		d.from_brand = TRUE;
		d.automated = ps->automated;
		bdm_signals_emit_delivery(BDM_SIGNAL_REPLY_CONFIRMED, conn->account, &d);
	}
	sender = bdm_hooks_brand_sender(conn, ps->who, sent->message_id, ps->text);
	escaped = purple_markup_escape_text(ps->text, -1);
	purple_conv_im_write(PURPLE_CONV_IM(bdm_conversation_with(conn, ps->who)), sender, escaped,
	                     PURPLE_MESSAGE_SEND | (ps->automated ? PURPLE_MESSAGE_AUTO_RESP : 0),
	                     time(NULL));
	g_free(escaped);
	g_free(sender);
}

static void on_sent(const BdmHttpResult *result, gpointer data)
{
	PendingSend *ps = data;
	BdmConn *conn = ps->conn;
	BdmSendResult sent = { 0 };
	BdmError err = { 0 };
	BdmSendFailure failure = { 0 };
	gint64 wait;
	char *text;

	conn->ctx.now = bdm_now();
	if (bdm_conn_result_usable(result, &err) &&
	    bdm_call_parse_send(&conn->ctx, &result->response, &sent, &err) == 0) {
		confirmed(ps, &sent);
		goto done;
	}
	failure.outcome = result->outcome;
	failure.status = result->outcome == BDM_HTTP_OK ? result->response.status : 0;
	failure.cls = err.cls;
	failure.retry_after = err.retry_after;
	failure.attempts = ++ps->attempt;
	switch (bdm_send_decide(&failure, &wait)) {
	case BDM_SEND_RETRY:
		retry_later(ps, wait);
		bdm_error_clear(&err);
		bdm_send_result_clear(&sent);
		return;
	case BDM_SEND_AUTH_FAILED:
		bdm_conn_fatal_error(conn, &err);
		report_failure(ps, &err, _("Not sent:"));
		break;
	case BDM_SEND_PAUSE:
		text = g_strdup_printf(_("Not sent: the platform asks for a pause of %lld "
		                         "minutes; send the reply again after it."),
		                       (long long)((err.retry_after + 59) / 60));
		bdm_journal_send_failed(conn, ps->who, ps->text, &err);
		bdm_notice(conn, ps->who, text, PURPLE_MESSAGE_ERROR);
		g_free(text);
		if (ps->file != NULL)
			bdm_outgoing_file_failed(ps->file);
		break;
	case BDM_SEND_UNCONFIRMED:
		report_failure(ps, &err, _("The platform did not confirm this reply; it may or may not "
		                           "have been delivered. Check the conversation before sending "
		                           "it again:"));
		break;
	case BDM_SEND_NOT_SENT:
		report_failure(ps, &err, _("Not sent:"));
		break;
	}
done:
	bdm_error_clear(&err);
	bdm_send_result_clear(&sent);
	forget(ps);
}

/* The reply's own record can only be written once the platform confirmed
 * it, too late to refuse it: so every attempt first writes a marker, and a
 * full disk or a read-only log stops the reply before it leaves. */
static void attempt_send(PendingSend *ps)
{
	BdmConn *conn = ps->conn;
	BdmSendInput in = { 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };

	if (!bdm_journal_sending(conn, ps->who)) {
		bdm_notice(conn, ps->who,
		           _("Not sent: the conversation log cannot be written (disk full or "
		             "read-only), and every reply must be logged. Ask your "
		             "administrator."), PURPLE_MESSAGE_ERROR);
		if (ps->file != NULL)
			bdm_outgoing_file_failed(ps->file);
		forget(ps);
		return;
	}

	in.recipient_id = ps->who;
	in.text = ps->text;
	if (ps->file != NULL)
		in.attachment_id = bdm_outgoing_file_attachment(ps->file, &in.attachment_kind,
		                                                &in.text);
	in.last_customer_message = bdm_journal_last_customer_message(conn, ps->who);
	in.allow_human_agent = purple_account_get_bool(conn->account, "human_agent", FALSE);
	in.automated = ps->automated;
	conn->ctx.now = bdm_now();
	if (bdm_call_build_send(&conn->ctx, &in, &req, &err) != 0) {
		report_failure(ps, &err, _("Not sent:"));
		bdm_error_clear(&err);
		forget(ps);
		return;
	}
	bdm_conn_http(conn, &req, on_sent, ps);
	bdm_request_clear(&req);
}

/* Before the platform has it, so a colleague's client that sees the reply
 * by polling can already know who wrote it. */
static void announce_sending(const PendingSend *ps)
{
	BdmDelivery d = { 0 };

	d.platform = bdm_conn_platform(ps->conn);
	d.account = bdm_conn_account_id(ps->conn);
	d.customer_id = ps->who;
	d.customer_name = bdm_conn_customer_name(ps->conn, ps->who);
	d.text = ps->text;
	d.time = bdm_now();
	d.from_brand = TRUE;
	d.automated = ps->automated;
	bdm_signals_emit_delivery(BDM_SIGNAL_REPLY_SENDING, ps->conn->account, &d);
}

static void queue(BdmConn *conn, const char *who, char *text, gboolean automated,
                  BdmOutgoingFile *file)
{
	PendingSend *ps = g_new0(PendingSend, 1);

	ps->conn = conn;
	ps->who = g_strdup(who);
	ps->text = text;
	ps->automated = automated;
	ps->file = file;
	announce_sending(ps);
	conn->pending_sends = g_list_prepend(conn->pending_sends, ps);
	attempt_send(ps);
}

void bdm_send_uploaded_file(BdmConn *conn, const char *who, BdmOutgoingFile *file)
{
	const char *caption = NULL;
	BdmAttachmentKind kind;

	bdm_outgoing_file_attachment(file, &kind, &caption);
	queue(conn, who, g_strdup(caption ? caption : ""), FALSE, file);
}

void bdm_send_checked_text(BdmConn *conn, const char *who, const char *text)
{
	queue(conn, who, g_strdup(text), FALSE, NULL);
}

int bdm_send_im(PurpleConnection *gc, const char *who, const char *message,
                PurpleMessageFlags flags)
{
	BdmConn *conn = bdm_conn_of(gc);
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
	if (!bdm_hooks_may_send(conn, who, text, automated, &why)) {
		bdm_notice(conn, who, why, PURPLE_MESSAGE_ERROR);
		g_free(why);
		g_free(text);
		return 0;
	}
	queue(conn, who, text, automated, NULL);
	return 0;
}

void bdm_send_abort_all(BdmConn *conn)
{
	while (conn->pending_sends) {
		PendingSend *ps = conn->pending_sends->data;
		/* Its HTTP call, if any, is cancelled with the connection's calls. */
		bdm_notice(conn, ps->who,
		           _("Not sent: the account was disconnected before the platform "
		             "confirmed this reply. Check the conversation after reconnecting."),
		           PURPLE_MESSAGE_ERROR);
		forget(ps);
	}
}
