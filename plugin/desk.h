/*
 * The customer-service desk as the protocol glue sees it: the conversation
 * log, pre-send policy, and what happens around every message in and out.
 *
 * The desk lives once per libpurple process (one agent, one log file); it is
 * opened when the loader plugin loads and closed when it unloads.  poll.c and
 * send.c call these hooks; the libpurple signal handlers, /commands and
 * protocol actions that make up the rest of the desk live in desk_*.c.
 */
#ifndef BRANDDM_DESK_H
#define BRANDDM_DESK_H

#include "conn.h"

/** Outcome of recording a message in the log. */
typedef enum {
	BDM_RECORD_NEW = 0,     /* recorded now: show it */
	BDM_RECORD_DUPLICATE,   /* recorded before: never show it again */
	BDM_RECORD_FAILED       /* not recorded: do not show it; retry later */
} BdmRecordResult;

/** Open the log and load policy, templates and desk settings; connect signals.
 *  plugin is the loader, used as the signal and command handle. */
gboolean bdm_desk_init(PurplePlugin *plugin);

/** A protocol module was registered: add the desk's /commands to it.
 *  Called by the loader for each module it probes. */
void bdm_desk_protocol_added(const char *protocol_id);

/** Connect the desk's signals if that has not happened yet; every login calls
 *  this, because the UI may sign accounts on before the main loop runs. */
void bdm_desk_ensure_started(void);

/** Disconnect everything and close the log. */
void bdm_desk_shutdown(void);

/** TRUE when this platform message id was delivered before (logged or erased). */
gboolean bdm_desk_seen(BdmConn *conn, const char *message_id);

/** Record a customer's message before it is shown; remembers the customer
 *  name.  On BDM_RECORD_FAILED the agent has been told why. */
BdmRecordResult bdm_desk_record_incoming(BdmConn *conn, const BdmMessage *msg,
                                         const char *customer_name);

/** Record a message the brand sent (by us, with its platform id, or from
 *  another tool seen by polling). */
BdmRecordResult bdm_desk_record_outgoing(BdmConn *conn, const char *customer_id,
                                         const char *text, const char *message_id,
                                         gint64 platform_time, gboolean automated);

/* ---- delivery turns and the display marker (desk_display.c) ---------------- *
 * The poller logs a turn's messages in one transaction (bdm_log_batch_begin)
 * and only then shows them.  Shown-after-logged holds across a crash too: at
 * least once, never lost, and a possible repeat is announced. */

/** Open the transaction of a delivery turn: records join it until
 *  bdm_desk_turn_commit.  FALSE, the agent told, when the log cannot be written. */
gboolean bdm_desk_turn_begin(BdmConn *conn);

/** Commit the turn with the display marker: to_show (char* message ids, in the order
 *  they will be shown).  FALSE, agent told, nothing kept: the messages stay unseen. */
gboolean bdm_desk_turn_commit(BdmConn *conn, const GPtrArray *to_show);

/** message_id is on screen now: it leaves the marker (persisted), so a later
 *  crash does not show it again. */
void bdm_desk_display_shown(BdmConn *conn, const char *message_id);

/** At login: pick up the marker a crash left, so bdm_desk_seen reports those
 *  messages unseen until they have been shown. */
void bdm_desk_display_recover(BdmConn *conn);

/** TRUE for a message the marker named at login and not shown since: logged,
 *  but perhaps never on screen. */
gboolean bdm_desk_display_interrupted(BdmConn *conn, const char *message_id);

/** TRUE for the one interrupted message that may have been on screen when
 *  BrandDM stopped: show it with a notice that it may be a repeat. */
gboolean bdm_desk_display_maybe_repeat(BdmConn *conn, const char *message_id);

/** Free what the display keeps for conn (at sign-off).
 *  The persisted marker stays. */
void bdm_desk_display_free(BdmConn *conn);

/** Run the desk's reactions to a shown customer message: automatic escalation
 *  triggers, response-time clock, out-of-hours acknowledgement. */
void bdm_desk_incoming_shown(BdmConn *conn, const char *customer_id, const char *text);

/** The buddy-list alias for a customer: name (the platform's display name,
 *  may be NULL) plus the desk's badge " [legal, urgent, vip]".  g_free it. */
char *bdm_desk_buddy_alias(BdmConn *conn, const char *customer_id, const char *name);

/** Unix time of the customer's last message, 0 if never. */
gint64 bdm_desk_last_customer_message(BdmConn *conn, const char *customer_id);

/** The last line of defence in send_im: policy for the exact text about to go
 *  out.  FALSE when it must not be sent; *why (plain text) says why. */
gboolean bdm_desk_may_send(BdmConn *conn, const char *who, const char *text,
                           gboolean automated, char **why);

/** Record a failed send (the agent has been or will be told). */
void bdm_desk_send_failed(BdmConn *conn, const char *customer_id, const char *text,
                          const BdmError *err);

/** Write a plain-text notice into the IM conversation with who (creating it).
 *  flags are PurpleMessageFlags such as PURPLE_MESSAGE_ERROR. */
void bdm_desk_notice(BdmConn *conn, const char *who, const char *text, int flags);

#endif /* BRANDDM_DESK_H */
