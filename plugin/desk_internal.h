/*
 * What the desk_*.c files share among themselves (not for poll.c/send.c).
 */
#ifndef BRANDDM_DESK_INTERNAL_H
#define BRANDDM_DESK_INTERNAL_H

#include <conversation.h>
#include "desk.h"
#include <cmds.h>
#include "log.h"
#include "policy.h"

/** The one desk of this libpurple process. */
typedef struct {
	PurplePlugin *plugin;     /* signal and command handle */
	char *config_dir;         /* <purple user dir>/branddm */
	char *log_path;
	char *agent;              /* OS user name */
	BdmLog *log;              /* NULL when it could not be opened */
	GError *log_error;        /* why, when log is NULL */
	gint64 last_log_alert;
	guint start_timer;        /* connects signals once the core is up */
	gboolean signals_connected;
} BdmDesk;

extern BdmDesk bdm_desk;

/** Tell the agent that the log failed (what, and why), at most every few
 *  minutes; always noted in the debug log.  conn and error may be NULL. */
void bdm_desk_alert_log_failure(BdmConn *conn, const char *what, const GError *error);

/** TRUE when the log can be written; otherwise tells the agent (rate-limited).
 *  conn may be NULL. */
gboolean bdm_desk_log_available(BdmConn *conn);

/** Append a desk event for conn's account (conn may be NULL for desk-wide ones).
 *  Returns FALSE, and tells the agent, when the log refused it. */
gboolean bdm_desk_log_event(BdmConn *conn, const char *kind, const char *customer_id,
                            const char *detail_json, const char *text);

/** Path of a system-wide config file: $BRANDDM_SYSCONFDIR/file, else
 *  SYSCONFDIR/branddm/file (admin-owned; wins over the user's). */
char *bdm_desk_system_path(const char *file);

/** Path of the agent's own config file: <purple user dir>/branddm/file. */
char *bdm_desk_user_path(const char *file);

/** The module's platform name and the account id, as recorded in the log.
 *  Both owned by conn. */
const char *bdm_desk_platform(BdmConn *conn);
const char *bdm_desk_account_id(BdmConn *conn);

/** The customer's display name if known, else NULL. */
const char *bdm_desk_customer_name(BdmConn *conn, const char *customer_id);

/** Plain text as libpurple markup: escaped, line breaks as <br> (g_free it).
 *  Every text from customers, configs or the agent goes through this before display. */
char *bdm_desk_text_to_html(const char *text);

/** Write plain text into conv as a notice (flags: PURPLE_MESSAGE_SYSTEM,
 *  _ERROR, ...); libpurple's own conversation log skips it. */
void bdm_desk_write_text(PurpleConversation *conv, const char *text, int flags);

/** Send text into conv through purple_conv_im_send, so every "sending-im-msg"
 *  check (policy) runs as if the agent had typed it. */
void bdm_desk_send_as_agent(PurpleConversation *conv, const char *text);

/** The IM conversation with who, created if needed. */
PurpleConversation *bdm_desk_conversation(BdmConn *conn, const char *who);

/** Register a /command for every BrandDM protocol, now and as modules load;
 *  help is shown by /help.  Unregistered by bdm_desk_shutdown. */
void bdm_desk_add_command(const char *name, const char *args, PurpleCmdFunc func,
                          const char *help);

/* desk_policy.c */
/** The policy in force (never NULL after init). */
const BdmPolicy *bdm_desk_policy(void);
/** Reload policy files; on failure the last good policy stays.  *message (may
 *  be NULL) says what happened, for the agent. */
gboolean bdm_desk_policy_reload(char **message);
/** The verdict for text to who on conn (platform rules included). */
BdmVerdict *bdm_desk_policy_check(BdmConn *conn, const char *who, const char *text,
                                  gboolean automated);

/** Load the policy and connect the pre-send signal and policy commands. */
void bdm_desk_policy_init(void);
/** Connect the pre-send signal (the conversation subsystem exists now). */
void bdm_desk_policy_connect_signals(void);
/** Free the policy and its per-conversation state. */
void bdm_desk_policy_shutdown(void);

/* desk_features.c: templates, escalation, response-time targets */
/** Load templates and desk settings, register commands, start SLA timers. */
void bdm_desk_features_init(void);
/** Connect the features' signals (conversation and buddy-list subsystems exist now). */
void bdm_desk_features_connect_signals(void);
/** Undo bdm_desk_features_init. */
void bdm_desk_features_shutdown(void);
/** Name of the template the agent inserted for this text, if the text is
 *  what it expanded to (for the log); NULL otherwise.  Forgets it. */
const char *bdm_desk_take_template(BdmConn *conn, const char *customer_id, const char *text);
/* desk_retention.c */
/** Purge records older than desk.conf's [log] retention now and once a day. */
void bdm_desk_retention_init(void);
/** Purge now (also after the test clock moves); nothing when retention is unset. */
void bdm_desk_retention_run(void);
/** Stop the daily purge. */
void bdm_desk_retention_shutdown(void);

/** A human reply went out: stop the customer's response-time clock. */
void bdm_desk_reply_sent(BdmConn *conn, const char *customer_id);

#endif /* BRANDDM_DESK_INTERNAL_H */
