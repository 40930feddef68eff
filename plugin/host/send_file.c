/*
 * Sending the agent's files.  See send_file.h.
 *
 * A file lives in one of two places: conn->pending_files while it is read,
 * checked and uploaded (here), then send.c's pending sends while the
 * message carrying it is sent and retried.  Its libpurple transfer follows
 * it and ends, completed or cancelled, exactly once.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <debug.h>
#include <util.h>

#include "branddm/i18n.h"
#include "hooks.h"
#include "host_signals.h"
#include "journal.h"
#include "media.h"
#include "module_call.h"
#include "notice.h"
#include "send.h"
#include "send_file.h"

#define DEBUG_CAT "branddm-send"

struct BdmOutgoingFile {
	BdmConn *conn;
	char *who;
	char *path;              /* as the agent chose it */
	char *caption;           /* NULL or non-empty */
	GBytes *data;
	BdmMedia *media;         /* shown name, kind; type, sha256, path once archived */
	const char *type;        /* proven by the content */
	char *sha256;
	char *attachment_id;     /* from the upload */
	gboolean text_separate;  /* the caption goes as a message of its own */
	PurpleXfer *xfer;        /* NULL once it ended */
	BdmConnCall *upload;     /* while the upload runs */
	gboolean checked;        /* the policy let it through */
};

static BdmAttachmentKind kind_of(const char *type)
{
	if (g_str_has_prefix(type, "image/"))
		return BDM_ATTACHMENT_IMAGE;
	if (g_str_has_prefix(type, "video/"))
		return BDM_ATTACHMENT_VIDEO;
	if (g_str_has_prefix(type, "audio/"))
		return BDM_ATTACHMENT_AUDIO;
	return BDM_ATTACHMENT_FILE;
}

static BdmOutgoingFile *file_new(BdmConn *conn, const char *who, const char *path,
                                 const char *caption)
{
	BdmOutgoingFile *f = g_new0(BdmOutgoingFile, 1);

	f->conn = conn;
	f->who = g_strdup(who);
	f->path = g_strdup(path);
	if (caption != NULL && *caption != '\0')
		f->caption = g_strstrip(g_strdup(caption));
	if (f->caption != NULL && *f->caption == '\0')
		g_clear_pointer(&f->caption, g_free);
	return f;
}

/* Take the transfer from f: it no longer leads back to f.  The caller ends
 * it as it must, then drops the reference f held (purple_xfer_unref). */
static PurpleXfer *xfer_take(BdmOutgoingFile *f)
{
	PurpleXfer *xfer = f->xfer;

	if (xfer != NULL) {
		xfer->data = NULL;
		f->xfer = NULL;
	}
	return xfer;
}

/* End a transfer that did not complete and drop f's reference. */
static void xfer_cancel(PurpleXfer *xfer)
{
	if (xfer == NULL)
		return;
	if (!purple_xfer_is_canceled(xfer) && !purple_xfer_is_completed(xfer))
		purple_xfer_cancel_local(xfer);
	purple_xfer_unref(xfer);
}

void bdm_outgoing_file_free(BdmOutgoingFile *f)
{
	if (f == NULL)
		return;
	xfer_cancel(xfer_take(f));
	if (f->upload != NULL)
		bdm_conn_http_cancel(f->upload);
	if (f->data != NULL)
		g_bytes_unref(f->data);
	bdm_media_free(f->media);
	g_free(f->who);
	g_free(f->path);
	g_free(f->caption);
	g_free(f->sha256);
	g_free(f->attachment_id);
	g_free(f);
}

static void forget(BdmOutgoingFile *f)
{
	f->conn->pending_files = g_list_remove(f->conn->pending_files, f);
	bdm_outgoing_file_free(f);
}

/* Tell the agent, then end the transfer as cancelled: libpurple's own line
 * about it comes first, so this one, saying why, is the last word. */
static void fail(BdmOutgoingFile *f, const char *why, PurpleMessageFlags flags)
{
	xfer_cancel(xfer_take(f));
	bdm_notice(f->conn, f->who, why, flags);
}

/* ---- reading and checking ---------------------------------------------- */

/* Read the whole file: a regular file within the platforms' limit, never a
 * FIFO or device that could block the client.  NULL with *why on failure. */
static GBytes *read_file(const char *path, const char *shown, char **why)
{
	struct stat st;
	guint8 *buf;
	gsize done = 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		*why = g_strdup_printf(_("Not sent: “%s” cannot be read: %s."), shown,
		                       g_strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*why = g_strdup_printf(_("Not sent: “%s” is not a file."), shown);
		close(fd);
		return NULL;
	}
	if ((guint64)st.st_size > BDM_MEDIA_MAX_BYTES) {
		/* In the platforms' own unit: their "25 MB" is 25 × 1024 × 1024 bytes. */
		*why = g_strdup_printf(_("Not sent: “%s” is %.1f MB; Messenger, Instagram and X take "
		                         "files up to %u MB."), shown,
		                       (double)st.st_size / (1024.0 * 1024.0),
		                       BDM_MEDIA_MAX_BYTES / (1024u * 1024u));
		close(fd);
		return NULL;
	}
	buf = g_malloc((gsize)st.st_size + 1);
	while (done < (gsize)st.st_size) {
		ssize_t n = read(fd, buf + done, (gsize)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = g_strdup_printf(_("Not sent: “%s” could not be read to the end: %s."),
			                       shown, n < 0 ? g_strerror(errno) : _("it got shorter"));
			g_free(buf);
			close(fd);
			return NULL;
		}
		done += (gsize)n;
	}
	close(fd);
	return g_bytes_new_take(buf, done);
}

/* Read f and ask the desk; FALSE when the agent was told why not. */
static gboolean prepare(BdmOutgoingFile *f)
{
	BdmConn *conn = f->conn;
	char *raw_name = g_path_get_basename(f->path);
	char *shown = g_filename_display_name(raw_name);
	BdmAttachment a = { 0 };
	BdmFileToSend check = { 0 };
	PurpleMessageFlags flags = PURPLE_MESSAGE_ERROR;
	gboolean program;
	char *why = NULL;
	gsize len;
	const guint8 *data;
	int w, h;

	if (!bdm_call_can_upload(conn->proto->module)) {
		why = g_strdup_printf(_("Not sent: BrandDM cannot send files on %s; send a link "
		                        "to the file instead."), purple_account_get_protocol_name(
		                        conn->account));
		goto refused;
	}
	f->data = read_file(f->path, shown, &why);
	if (f->data == NULL)
		goto refused;
	data = g_bytes_get_data(f->data, &len);
	f->type = bdm_media_sniff(data, len, &program, &w, &h);
	f->sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
	a.kind = kind_of(f->type);
	a.name = shown;
	f->media = bdm_media_new(&a);

	check.path = f->path;
	check.name = raw_name;
	check.data = data;
	check.len = len;
	check.type = f->type;
	check.sha256 = f->sha256;
	check.caption = f->caption;
	if (!bdm_hooks_may_send_file(conn, f->who, &check, &why, &flags))
		goto refused;
	if (f->media->name == NULL) {
		why = g_strdup(_("Not sent: the file's name has nothing that can be shown."));
		goto refused;
	}
	f->checked = TRUE;
	g_free(shown);
	g_free(raw_name);
	return TRUE;

refused:
	fail(f, why, flags);
	g_free(why);
	g_free(shown);
	g_free(raw_name);
	return FALSE;
}

/* ---- uploading ----------------------------------------------------------- */

static void on_progress(guint64 sent, guint64 total, gpointer data)
{
	BdmOutgoingFile *f = data;
	gsize size;

	if (f->xfer == NULL || total == 0)
		return;
	/* The body is the file plus a little framing: show the file's share. */
	size = purple_xfer_get_size(f->xfer);
	purple_xfer_set_bytes_sent(f->xfer, (size_t)((double)size * ((double)sent / total)));
	purple_xfer_update_progress(f->xfer);
}

static void on_uploaded(const BdmHttpResult *result, gpointer data)
{
	BdmOutgoingFile *f = data;
	BdmConn *conn = f->conn;
	BdmUploadResult up = { 0 };
	BdmError err = { 0 };
	char *why;

	f->upload = NULL;
	conn->ctx.now = bdm_now();
	if (bdm_conn_result_usable(result, &err) &&
	    bdm_call_parse_upload(&conn->ctx, &result->response, &up, &err) == 0) {
		f->attachment_id = g_strdup(up.attachment_id);
		f->text_separate = up.text_separate != 0;
		bdm_upload_result_clear(&up);
		conn->pending_files = g_list_remove(conn->pending_files, f);
		bdm_send_uploaded_file(conn, f->who, f);
		return;
	}
	bdm_conn_fatal_error(conn, &err);
	why = g_strdup_printf(_("Not sent: “%s” could not be uploaded: %s"), f->media->name,
	                      err.message ? err.message : _("unknown error"));
	bdm_journal_send_failed(conn, f->who, f->media->name, &err);
	fail(f, why, PURPLE_MESSAGE_ERROR);
	g_free(why);
	bdm_error_clear(&err);
	forget(f);
}

static void upload(BdmOutgoingFile *f)
{
	BdmConn *conn = f->conn;
	BdmUploadInput in = { 0 };
	BdmRequest req = { 0 };
	BdmError err = { 0 };
	char *why;

	in.data = g_bytes_get_data(f->data, &in.len);
	in.name = f->media->name;
	in.mime_type = f->type;
	in.kind = f->media->kind;
	in.recipient_id = f->who;
	conn->ctx.now = bdm_now();
	if (bdm_call_build_upload(&conn->ctx, &in, &req, &err) != 0) {
		why = g_strdup_printf(_("Not sent: %s"), err.message ? err.message
		                                                   : _("the file cannot be uploaded."));
		fail(f, why, PURPLE_MESSAGE_ERROR);
		g_free(why);
		bdm_error_clear(&err);
		forget(f);
		return;
	}
	if (f->xfer != NULL)
		purple_xfer_start(f->xfer, -1, NULL, 0);
	purple_debug_info(DEBUG_CAT, "uploading %s (%s, %" G_GSIZE_FORMAT " bytes) for %s\n",
	                  f->sha256, f->type, in.len, f->who);
	f->upload = bdm_conn_http_upload(conn, &req, on_progress, f, on_uploaded, f);
	bdm_request_clear(&req);
}

/* ---- the transfer -------------------------------------------------------- */

/* Cancelled in the transfer window (or by libpurple). */
static void xfer_cancelled(PurpleXfer *xfer)
{
	BdmOutgoingFile *f = xfer->data;

	if (f == NULL)
		return;
	/* Called from within purple_xfer_cancel_local, which holds its own
	 * reference until it returns: dropping f's here is safe. */
	purple_xfer_unref(xfer_take(f));
	if (g_list_find(f->conn->pending_files, f) != NULL) {
		forget(f);
		return;
	}
	/* Uploaded already: the message is on its way and cannot be recalled. */
	bdm_notice(f->conn, f->who,
	           _("The file was already uploaded when the transfer was cancelled; the "
	             "message carrying it may still reach the customer."), PURPLE_MESSAGE_SYSTEM);
}

/* The file is chosen (by the agent in libpurple's dialog, or given). */
static void xfer_init(PurpleXfer *xfer)
{
	BdmOutgoingFile *f = xfer->data;

	if (f == NULL)
		return;
	if (f->path == NULL)
		f->path = g_strdup(purple_xfer_get_local_filename(xfer));
	if (!f->checked && !prepare(f)) {
		forget(f);
		return;
	}
	upload(f);
}

/* The file chooser was closed without a file. */
static void xfer_denied(PurpleXfer *xfer)
{
	BdmOutgoingFile *f = xfer->data;

	if (f == NULL)
		return;
	/* libpurple still holds the transfer until this returns. */
	purple_xfer_unref(xfer_take(f));
	forget(f);
}

static PurpleXfer *xfer_for(BdmOutgoingFile *f)
{
	PurpleXfer *xfer = purple_xfer_new(f->conn->account, PURPLE_XFER_SEND, f->who);

	xfer->data = f;
	/* f's own reference: libpurple drops its own when it refuses a file
	 * (a path it cannot stat), and f must never point at a freed transfer. */
	purple_xfer_ref(xfer);
	purple_xfer_set_init_fnc(xfer, xfer_init);
	purple_xfer_set_cancel_send_fnc(xfer, xfer_cancelled);
	purple_xfer_set_request_denied_fnc(xfer, xfer_denied);
	f->xfer = xfer;
	f->conn->pending_files = g_list_prepend(f->conn->pending_files, f);
	return xfer;
}

void bdm_send_file(BdmConn *conn, const char *who, const char *path, const char *caption)
{
	BdmOutgoingFile *f;
	PurpleXfer *xfer;
	char *full;

	/* "~/label.pdf" as a shell would; libpurple refuses a path with "../". */
	if (g_str_has_prefix(path, "~/"))
		full = g_build_filename(g_get_home_dir(), path + 2, NULL);
	else
		full = g_canonicalize_filename(path, NULL);
	f = file_new(conn, who, full, caption);
	/* Checked before the transfer exists: the transfer window lists only
	 * files that really go out. */
	if (!prepare(f)) {
		bdm_outgoing_file_free(f);
		g_free(full);
		return;
	}
	xfer = xfer_for(f);
	purple_xfer_request_accepted(xfer, full);
	if (xfer->data == f && purple_xfer_get_status(xfer) != PURPLE_XFER_STATUS_STARTED) {
		/* libpurple refused it before our init ran (and told the agent). */
		purple_xfer_unref(xfer_take(f));
		forget(f);
	}
	g_free(full);
}

void bdm_prpl_send_file(PurpleConnection *gc, const char *who, const char *filename)
{
	BdmConn *conn = bdm_conn_of(gc);

	if (conn == NULL || !conn->connected)
		return;
	if (filename != NULL && *filename != '\0') {
		bdm_send_file(conn, who, filename, NULL);
		return;
	}
	purple_xfer_request(xfer_for(file_new(conn, who, NULL, NULL)));
}

PurpleXfer *bdm_prpl_new_xfer(PurpleConnection *gc, const char *who)
{
	BdmConn *conn = bdm_conn_of(gc);

	if (conn == NULL || !conn->connected)
		return NULL;
	return xfer_for(file_new(conn, who, NULL, NULL));
}

gboolean bdm_prpl_can_receive_file(PurpleConnection *gc, const char *who)
{
	BdmConn *conn = bdm_conn_of(gc);

	(void)who;
	return conn != NULL && bdm_call_can_upload(conn->proto->module);
}

void bdm_send_file_abort_all(BdmConn *conn)
{
	while (conn->pending_files) {
		BdmOutgoingFile *f = conn->pending_files->data;

		fail(f, _("Not sent: the account was disconnected before the file was uploaded."),
		     PURPLE_MESSAGE_ERROR);
		forget(f);
	}
}

/* ---- the message that carries it (send.c) ------------------------------ */

const char *bdm_outgoing_file_attachment(const BdmOutgoingFile *f, BdmAttachmentKind *kind,
                                         const char **caption)
{
	*kind = f->media->kind;
	*caption = f->text_separate ? NULL : f->caption;
	return f->attachment_id;
}

/* The sent file in the conversation: its caption, the picture (Pidgin) and
 * the line with its name, type, size and where it is kept. */
static void echo(BdmOutgoingFile *f, const char *message_id)
{
	GPtrArray *one = g_ptr_array_new();
	GArray *img_ids = g_array_new(FALSE, FALSE, sizeof(int));
	const char *caption = f->text_separate ? NULL : f->caption;
	char *escaped = purple_markup_escape_text(caption ? caption : "", -1);
	char *html, *sender;

	g_ptr_array_add(one, f->media);
	html = bdm_media_message_html(escaped, one, img_ids);
	sender = bdm_hooks_brand_sender(f->conn, f->who, message_id, caption ? caption : "");
	purple_conv_im_write(PURPLE_CONV_IM(bdm_conversation_with(f->conn, f->who)), sender, html,
	                     PURPLE_MESSAGE_SEND | (img_ids->len ? PURPLE_MESSAGE_IMAGES : 0),
	                     time(NULL));
	bdm_media_release_images(img_ids);
	g_free(sender);
	g_free(html);
	g_free(escaped);
	g_ptr_array_free(one, TRUE);
}

void bdm_outgoing_file_confirmed(BdmOutgoingFile *f, const char *message_id)
{
	BdmConn *conn = f->conn;
	const char *caption = f->text_separate ? NULL : f->caption;
	gsize len;
	const guint8 *data = g_bytes_get_data(f->data, &len);
	BdmRecordResult rec;
	BdmDelivery d = { 0 };
	GPtrArray *one = g_ptr_array_new();

	/* A copy as sent, content-addressed like customers' files, so the log's
	 * sha256 always names a file the admin can produce. */
	f->media->platform_id = g_strdup(f->attachment_id);
	bdm_media_accept(f->media, data, len);
	if (f->media->state != BDM_MEDIA_SAVED)
		purple_debug_error(DEBUG_CAT, "sent %s but could not archive it: %s\n", message_id,
		                   f->media->reason ? f->media->reason : "?");
	g_ptr_array_add(one, f->media);
	rec = bdm_journal_record_outgoing_media(conn, f->who, caption ? caption : "", message_id,
	                                        bdm_now(), one);
	g_ptr_array_free(one, TRUE);
	if (rec == BDM_RECORD_FAILED)
		purple_debug_error(DEBUG_CAT, "sent %s but could not log it\n", message_id);
	if (rec == BDM_RECORD_NEW) {
		d.platform = bdm_conn_platform(conn);
		d.account = bdm_conn_account_id(conn);
		d.customer_id = f->who;
		d.customer_name = bdm_conn_customer_name(conn, f->who);
		d.message_id = message_id;
		d.text = caption ? caption : "";
		d.time = bdm_now();
		d.from_brand = TRUE;
		bdm_signals_emit_delivery(BDM_SIGNAL_REPLY_CONFIRMED, conn->account, &d);
	}
	/* A poll that listed it before the platform answered has shown it. */
	if (rec != BDM_RECORD_DUPLICATE)
		echo(f, message_id);
	if (f->xfer != NULL) {
		PurpleXfer *xfer = xfer_take(f);

		purple_xfer_set_bytes_sent(xfer, purple_xfer_get_size(xfer));
		purple_xfer_set_completed(xfer, TRUE);
		purple_xfer_end(xfer);
		purple_xfer_unref(xfer);
	}
	if (f->text_separate && f->caption != NULL)
		bdm_send_checked_text(conn, f->who, f->caption);
}

void bdm_outgoing_file_failed(BdmOutgoingFile *f)
{
	xfer_cancel(xfer_take(f));
}
