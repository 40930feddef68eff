/*
 * The delivery journal: what makes delivery exactly-once whatever desk is
 * installed.  It owns the agent's conversation log (core/log.h) and keeps
 * in it which platform messages were delivered (written before a message is
 * shown), the display marker (what a crash may have kept off screen), and
 * the record of every reply sent.
 *
 * The poller logs a turn's messages in one transaction and only then shows
 * them.  Shown-after-logged holds across a crash too: at least once, never
 * lost, and a possible repeat is announced.
 */
#ifndef BRANDDM_JOURNAL_H
#define BRANDDM_JOURNAL_H

#include "conn.h"
#include "log.h"

/** Outcome of recording a message in the log. */
typedef enum {
	BDM_RECORD_NEW = 0,     /* recorded now: show it */
	BDM_RECORD_DUPLICATE,   /* recorded before: never show it again */
	BDM_RECORD_FAILED       /* not recorded: do not show it; retry later */
} BdmRecordResult;

/* ---- the log (journal.c) --------------------------------------------------- */

/** Open <purple user dir>/branddm/log.sqlite for agent (the OS user name).
 *  A log that cannot be opened is remembered with its reason; the agent is told. */
void bdm_journal_open(const char *agent);

/** Close the log (a batch still open is dropped).
 *  Safe when never opened. */
void bdm_journal_close(void);

/** The open log, NULL when it could not be opened.
 *  Owned by the journal; the desk writes its events and state through it. */
BdmLog *bdm_journal_log(void);

/** Why the log is not open (NULL when it is).
 *  Owned by the journal. */
const GError *bdm_journal_error(void);

/** The log file's path (set once bdm_journal_open ran).
 *  Owned by the journal. */
const char *bdm_journal_path(void);

/** Tell the agent that the log failed (what, and why), at most every few
 *  minutes; always noted in the debug log.  conn and error may be NULL. */
void bdm_journal_alert(BdmConn *conn, const char *what, const GError *error);

/** TRUE when the log can be written; otherwise tells the agent (rate-limited).
 *  conn may be NULL. */
gboolean bdm_journal_writable(BdmConn *conn);

/** TRUE when this platform message id was delivered before (logged or erased)
 *  and is not waiting in the display marker. */
gboolean bdm_journal_seen(BdmConn *conn, const char *message_id);

/** Record a customer's message, with its attachments (BdmMedia*, may be NULL),
 *  before it is shown.  On BDM_RECORD_FAILED the agent has been told why. */
BdmRecordResult bdm_journal_record_incoming(BdmConn *conn, const BdmMessage *msg,
                                            const char *customer_name, const GPtrArray *media);

/** Record a reply this client sent (its platform id, or NULL when the send
 *  failed).  The desk names the template, if any. */
BdmRecordResult bdm_journal_record_outgoing(BdmConn *conn, const char *customer_id,
                                            const char *text, const char *message_id,
                                            gint64 platform_time, gboolean automated);

/** bdm_journal_record_outgoing for a reply carrying files (BdmMedia*): their
 *  metadata joins the record and its hash, as for a customer's message. */
BdmRecordResult bdm_journal_record_outgoing_media(BdmConn *conn, const char *customer_id,
                                                  const char *text, const char *message_id,
                                                  gint64 platform_time, const GPtrArray *media);

/** Record a brand message polling found that this client did not send (a
 *  colleague's, another tool's): kept as sent elsewhere, with the author if known. */
BdmRecordResult bdm_journal_record_brand_seen(BdmConn *conn, const BdmMessage *msg,
                                              const char *customer_id, const GPtrArray *media);

/** Unix time of the customer's last message, 0 if never.
 *  The platforms' reply windows count from it. */
gint64 bdm_journal_last_customer_message(BdmConn *conn, const char *customer_id);

/** Before a reply leaves: write a marker, so a full disk or a read-only log
 *  stops the reply before the platform has it.  FALSE: do not send. */
gboolean bdm_journal_sending(BdmConn *conn, const char *who);

/** Append an event (kind, detail JSON, text) for conn's account, or desk-wide
 *  when conn is NULL.  FALSE, the agent told, when the log refused it. */
gboolean bdm_journal_event(BdmConn *conn, const char *kind, const char *customer_id,
                           const char *detail_json, const char *text);

/** Record a failed send (the agent has been or will be told).
 *  Kept as a "send_error" event with the platform's error codes. */
void bdm_journal_send_failed(BdmConn *conn, const char *customer_id, const char *text,
                             const BdmError *err);

/* ---- delivery turns and the display marker (journal_display.c) ------------- */

/** Open the transaction of a delivery turn: records join it until
 *  bdm_journal_turn_commit.  FALSE, the agent told, when the log cannot be written. */
gboolean bdm_journal_turn_begin(BdmConn *conn);

/** Commit the turn with the display marker: to_show (char* message ids, in the order
 *  they will be shown).  FALSE, agent told, nothing kept: the messages stay unseen. */
gboolean bdm_journal_turn_commit(BdmConn *conn, const GPtrArray *to_show);

/** message_id is on screen now: it leaves the marker (persisted), so a later
 *  crash does not show it again. */
void bdm_journal_shown(BdmConn *conn, const char *message_id);

/** At login: pick up the marker a crash left, so bdm_journal_seen reports those
 *  messages unseen until they have been shown. */
void bdm_journal_recover(BdmConn *conn);

/** TRUE for a message the marker named at login and not shown since: logged,
 *  but perhaps never on screen. */
gboolean bdm_journal_interrupted(BdmConn *conn, const char *message_id);

/** TRUE for the one interrupted message that may have been on screen when
 *  BrandDM stopped: show it with a notice that it may be a repeat. */
gboolean bdm_journal_maybe_repeat(BdmConn *conn, const char *message_id);

/** Free what the display keeps for conn (at sign-off).
 *  The persisted marker stays. */
void bdm_journal_display_free(BdmConn *conn);

#endif /* BRANDDM_JOURNAL_H */
