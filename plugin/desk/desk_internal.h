/*
 * What the desk's files share among themselves.  The desk may use the host
 * (connections, journal, notices, clock); the host never includes this.
 */
#ifndef BRANDDM_DESK_INTERNAL_H
#define BRANDDM_DESK_INTERNAL_H

#include <cmds.h>
#include <conversation.h>

#include "clock.h"
#include "conn.h"
#include "desk.h"
#include "hooks.h"
#include "journal.h"
#include "log.h"
#include "notice.h"
#include "policy.h"

/** The one desk of this libpurple process. */
typedef struct {
	PurplePlugin *plugin;     /* signal and command handle */
	char *config_dir;         /* <purple user dir>/branddm */
	char *agent;              /* OS user name */
	guint start_timer;        /* connects signals once the core is up */
	gboolean signals_connected;
} BdmDesk;

extern BdmDesk bdm_desk;

/** Path of a system-wide config file: $BRANDDM_SYSCONFDIR/file, else
 *  SYSCONFDIR/branddm/file (admin-owned; wins over the user's). */
char *bdm_desk_system_path(const char *file);

/** Path of the agent's own config file: <purple user dir>/branddm/file. */
char *bdm_desk_user_path(const char *file);

/** Send text into conv through purple_conv_im_send, so every "sending-im-msg"
 *  check (policy) runs as if the agent had typed it. */
void bdm_desk_send_as_agent(PurpleConversation *conv, const char *text);

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
/** "protocol\naccount\nwho" (who normalised): the key of a conversation's
 *  policy state (warned texts and files, overrides).  Newly allocated. */
char *bdm_desk_conv_key(PurpleAccount *account, const char *who);
/** TRUE when the agent acknowledged the policy in force (or it has no version). */
gboolean bdm_desk_policy_acknowledged(void);
/** Open the acknowledgement dialog (once; conn may be NULL). */
void bdm_desk_policy_ask_ack(BdmConn *conn);

/* desk_policy_file.c */
/** The host's may_send_file hook: who may send, the acknowledgement, the
 *  attachment rules for the file and the text rules for its caption. */
gboolean bdm_desk_may_send_file(BdmConn *conn, const char *who, const BdmFileToSend *file,
                                char **why, PurpleMessageFlags *flags);
/** Register /attach and /attach-anyway. */
void bdm_desk_policy_file_init(void);
/** Forget warned files. */
void bdm_desk_policy_file_shutdown(void);

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

/** The hook the host asks before sending (hooks.h, may_send): policy for
 *  the exact text about to go out.  FALSE when it must not be sent; *why says why. */
gboolean bdm_desk_may_send(BdmConn *conn, const char *who, const char *text,
                           gboolean automated, char **why);

#endif /* BRANDDM_DESK_INTERNAL_H */
