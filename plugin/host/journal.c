/*
 * The delivery journal's log and records.  See journal.h.
 */
#include <string.h>

#include <debug.h>
#include <notify.h>
#include <util.h>

#include <json-glib/json-glib.h>

#include "branddm/i18n.h"
#include "clock.h"
#include "hooks.h"
#include "journal.h"
#include "media.h"

#define DEBUG_CAT "branddm-journal"
/* Tell the agent about a failing log at most this often. */
#define LOG_ALERT_INTERVAL_S 300

static struct {
	BdmLog *log;             /* NULL when it could not be opened */
	GError *error;           /* why, when log is NULL */
	char *path;
	gint64 last_alert;
} journal;

void bdm_journal_open(const char *agent)
{
	GError *error = NULL;

	g_assert(journal.log == NULL && journal.path == NULL);
	journal.path = g_build_filename(purple_user_dir(), "branddm", "log.sqlite", NULL);
	journal.log = bdm_log_open(journal.path, agent, &error);
	if (journal.log == NULL) {
		/* Keep loading: protocols must exist, and the agent must be told why
		 * nothing can be sent.  Every send and delivery checks the log. */
		purple_debug_error(DEBUG_CAT, "cannot open the conversation log: %s\n", error->message);
		journal.error = error;
	}
}

void bdm_journal_close(void)
{
	bdm_log_close(journal.log);
	if (journal.error)
		g_error_free(journal.error);
	g_free(journal.path);
	memset(&journal, 0, sizeof(journal));
}

BdmLog *bdm_journal_log(void)
{
	return journal.log;
}

const GError *bdm_journal_error(void)
{
	return journal.log ? NULL : journal.error;
}

const char *bdm_journal_path(void)
{
	return journal.path;
}

void bdm_journal_alert(BdmConn *conn, const char *what, const GError *error)
{
	gint64 now = bdm_now();
	char *secondary;

	purple_debug_error(DEBUG_CAT, "%s: %s\n", what, error ? error->message : "log not open");
	if (now - journal.last_alert < LOG_ALERT_INTERVAL_S)
		return;
	journal.last_alert = now;
	secondary = g_strdup_printf(_("%s\n\nIncoming messages are held and replies are refused "
	                              "until the log can be written again (check free disk space "
	                              "and the permissions of %s)."),
	                            error ? error->message : _("The conversation log is not open."),
	                            journal.path ? journal.path : "?");
	purple_notify_error(conn ? (void *)conn->gc : NULL, _("BrandDM conversation log"), what,
	                    secondary);
	g_free(secondary);
}

gboolean bdm_journal_writable(BdmConn *conn)
{
	if (journal.log != NULL)
		return TRUE;
	bdm_journal_alert(conn, _("The conversation log is not available."), journal.error);
	return FALSE;
}

gboolean bdm_journal_seen(BdmConn *conn, const char *message_id)
{
	if (journal.log == NULL || message_id == NULL)
		return FALSE;
	if (bdm_journal_interrupted(conn, message_id))
		return FALSE;
	return bdm_log_seen(journal.log, bdm_conn_platform(conn), bdm_conn_account_id(conn),
	                    message_id);
}

/* Append lm; the result says whether to show it.  what names the record for
 * the agent when the log refuses it. */
static BdmRecordResult record(BdmConn *conn, const BdmLogMessage *lm, const char *what)
{
	GError *error = NULL;
	gboolean inserted = FALSE;

	if (!bdm_journal_writable(conn))
		return BDM_RECORD_FAILED;
	if (!bdm_log_message(journal.log, lm, &inserted, &error)) {
		bdm_journal_alert(conn, what, error);
		g_error_free(error);
		return BDM_RECORD_FAILED;
	}
	return inserted ? BDM_RECORD_NEW : BDM_RECORD_DUPLICATE;
}

/* The detail of a message with attachments, NULL without: old-style
 * records stay byte for byte what they were (and hash as before). */
static char *media_detail(const GPtrArray *media)
{
	JsonBuilder *b;
	JsonNode *root;
	char *detail;

	if (media == NULL || media->len == 0)
		return NULL;
	b = json_builder_new();
	json_builder_begin_object(b);
	bdm_media_detail_add(b, media);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	detail = json_to_string(root, FALSE);
	json_node_unref(root);
	g_object_unref(b);
	return detail;
}

BdmRecordResult bdm_journal_record_incoming(BdmConn *conn, const BdmMessage *msg,
                                            const char *customer_name, const GPtrArray *media)
{
	BdmLogMessage lm = { 0 };
	BdmRecordResult rec;
	char *detail = media_detail(media);

	lm.platform = bdm_conn_platform(conn);
	lm.account = bdm_conn_account_id(conn);
	lm.conversation_id = msg->conversation_id;
	lm.customer_id = msg->sender_id;
	lm.customer_name = customer_name;
	lm.direction = BDM_DIR_IN;
	lm.text = msg->text ? msg->text : "";
	lm.platform_message_id = msg->id;
	lm.platform_time = msg->created;
	lm.logged_time = bdm_now();
	lm.detail_json = detail;
	rec = record(conn, &lm, _("A customer message could not be written to the log."));
	g_free(detail);
	return rec;
}

/* A brand message: sent here, or (with detail) seen by polling. */
static BdmRecordResult record_brand(BdmConn *conn, const char *customer_id, const char *text,
                                    const char *message_id, gint64 platform_time,
                                    gboolean automated, const char *detail, const char *what)
{
	BdmLogMessage lm = { 0 };

	lm.platform = bdm_conn_platform(conn);
	lm.account = bdm_conn_account_id(conn);
	lm.customer_id = customer_id;
	lm.customer_name = bdm_conn_customer_name(conn, customer_id);
	lm.direction = BDM_DIR_OUT;
	lm.text = text ? text : "";
	lm.platform_message_id = message_id;
	lm.platform_time = platform_time;
	lm.logged_time = bdm_now();
	lm.automated = automated;
	lm.template_name = bdm_hooks_template_of(conn, customer_id, lm.text);
	lm.detail_json = detail;
	return record(conn, &lm, what);
}

BdmRecordResult bdm_journal_record_outgoing(BdmConn *conn, const char *customer_id,
                                            const char *text, const char *message_id,
                                            gint64 platform_time, gboolean automated)
{
	return record_brand(conn, customer_id, text, message_id, platform_time, automated, NULL,
	                    _("A sent reply could not be written to the log."));
}

BdmRecordResult bdm_journal_record_outgoing_media(BdmConn *conn, const char *customer_id,
                                                  const char *text, const char *message_id,
                                                  gint64 platform_time, const GPtrArray *media)
{
	char *detail = media_detail(media);
	BdmRecordResult rec = record_brand(conn, customer_id, text, message_id, platform_time,
	                                   FALSE, detail,
	                                   _("A sent file could not be written to the log."));

	g_free(detail);
	return rec;
}

BdmRecordResult bdm_journal_record_brand_seen(BdmConn *conn, const BdmMessage *msg,
                                              const char *customer_id, const GPtrArray *media)
{
	const char *author = bdm_hooks_reply_author(conn, customer_id, msg->id, msg->text);
	JsonBuilder *b = json_builder_new();
	JsonGenerator *gen = json_generator_new();
	JsonNode *root;
	char *detail;
	BdmRecordResult rec;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sent_elsewhere");
	json_builder_add_boolean_value(b, TRUE);
	if (author != NULL) {
		json_builder_set_member_name(b, "author");
		json_builder_add_string_value(b, author);
	}
	if (media != NULL && media->len > 0)
		bdm_media_detail_add(b, media);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	detail = json_generator_to_data(gen, NULL);

	rec = record_brand(conn, customer_id, msg->text, msg->id, msg->created, FALSE, detail,
	                   _("A reply sent elsewhere could not be written to the log."));
	g_free(detail);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
	return rec;
}

gint64 bdm_journal_last_customer_message(BdmConn *conn, const char *customer_id)
{
	if (journal.log == NULL)
		return 0;
	return bdm_log_last_customer_message(journal.log, bdm_conn_platform(conn),
	                                     bdm_conn_account_id(conn), customer_id);
}

gboolean bdm_journal_sending(BdmConn *conn, const char *who)
{
	char *key = g_strdup_printf("sending/%s/%s", bdm_conn_platform(conn),
	                            bdm_conn_account_id(conn));
	char *value = g_strdup_printf("%s %" G_GINT64_FORMAT, who, g_get_real_time());
	GError *error = NULL;
	gboolean ok = journal.log != NULL && bdm_log_state_set(journal.log, key, value, &error);

	if (!ok)
		purple_debug_error(DEBUG_CAT, "log refuses writes, reply to %s not sent: %s\n", who,
		                   error ? error->message : "log not open");
	g_clear_error(&error);
	g_free(value);
	g_free(key);
	return ok;
}

gboolean bdm_journal_event(BdmConn *conn, const char *kind, const char *customer_id,
                           const char *detail_json, const char *text)
{
	BdmLogEvent ev = { 0 };
	GError *error = NULL;

	if (!bdm_journal_writable(conn))
		return FALSE;
	ev.kind = kind;
	ev.platform = conn ? bdm_conn_platform(conn) : NULL;
	ev.account = conn ? bdm_conn_account_id(conn) : NULL;
	ev.customer_id = customer_id;
	ev.detail_json = detail_json;
	ev.text = text;
	ev.logged_time = bdm_now();
	if (!bdm_log_event(journal.log, &ev, &error)) {
		bdm_journal_alert(conn, _("A desk event could not be written to the log."), error);
		g_error_free(error);
		return FALSE;
	}
	return TRUE;
}

void bdm_journal_send_failed(BdmConn *conn, const char *customer_id, const char *text,
                             const BdmError *err)
{
	char *detail = g_strdup_printf("{\"class\":%d,\"code\":%d,\"subcode\":%d}",
	                               err->cls, err->code, err->subcode);

	bdm_journal_event(conn, "send_error", customer_id, detail, text);
	g_free(detail);
}
