/*
 * Escalation: auto-escalation triggers matched against incoming messages,
 * validation and parsing of the agent's `/escalate DEPARTMENT [urgent]
 * REASON`, and the JSON document POSTed to a department's webhook (the POST
 * itself is the plugin's job).
 *
 * Keywords match case-insensitively, accent-insensitively and only as whole
 * words: "sue" fires on "I will sue you" but not on "issue" or "pursue".  A
 * keyword cannot tell a verb from a name, so "Sue" at the start of "Sue here,
 * my order is late" fires too; an agent's look at an escalation is cheaper
 * than a missed legal threat.  Word forms are not guessed: list "sued" and
 * "suing" separately if they should fire.  Plain C + GLib + json-glib.
 */
#ifndef BRANDDM_ESCALATION_H
#define BRANDDM_ESCALATION_H

#include <glib.h>

#include "desk_config.h"

#define BDM_ESCALATION_ERROR (bdm_escalation_error_quark())

/** Why an escalation request was refused. */
typedef enum {
	BDM_ESCALATION_ERROR_USAGE,              /* /escalate arguments malformed */
	BDM_ESCALATION_ERROR_UNKNOWN_DEPARTMENT, /* not in [departments] names */
	BDM_ESCALATION_ERROR_UNKNOWN_LABEL       /* not in [labels] names */
} BdmEscalationError;

/** The GError domain of BdmEscalationError.
 *  Messages are translated and meant for the agent. */
GQuark bdm_escalation_error_quark(void);

/** One trigger that fired on a message. */
typedef struct {
	char *trigger;    /* the trigger's name: "refund" */
	char *department; /* escalate there, NULL: tag only */
	gboolean urgent;
	char *tag;        /* label to tag with, NULL for none */
	char *keyword;    /* the keyword as configured: "money back" */
	gsize start, end; /* bytes of the matching text in the message (end exclusive) */
} BdmEscalationMatch;

/** Every trigger of cfg that fires on incoming_text, at most one match per
 *  trigger (its earliest keyword), ordered by position.  Never NULL; unref it. */
GPtrArray *bdm_escalation_match_triggers(const BdmDeskConfig *cfg, const char *incoming_text);

/** Check an escalation target: department and label may each be NULL (not
 *  given).  An unknown one is an error listing the valid names. */
gboolean bdm_escalation_validate(const BdmDeskConfig *cfg, const char *department,
                                 const char *label, GError **error);

/** The parsed arguments of /escalate. */
typedef struct {
	char *department; /* lower-cased */
	gboolean urgent;
	char *reason;     /* trimmed, never empty */
} BdmEscalateArgs;

/** Parse "DEPARTMENT [urgent] REASON" (the text after /escalate) into out,
 *  which the caller zero-initialises.  A missing department or reason is an error. */
gboolean bdm_escalation_parse_args(const char *args, BdmEscalateArgs *out, GError **error);

/** Free the strings of parsed arguments and zero them.
 *  Safe on zero-initialised and already cleared arguments. */
void bdm_escalate_args_clear(BdmEscalateArgs *args);

/** What the webhook is told about an escalation; NULL strings become JSON null. */
typedef struct {
	const char *department;
	gboolean urgent;
	const char *reason;
	const char *trigger;         /* trigger name, NULL when an agent escalated */
	const char *platform;        /* "facebook", "instagram", "x" */
	const char *account;         /* the brand's account id */
	const char *customer_id;
	const char *customer_name;
	const char *conversation_id;
	const char *agent;
	gint64 time;                 /* Unix seconds; sent as ISO 8601 UTC */
	const char *excerpt;         /* the customer's words; shortened to 500 characters */
} BdmEscalationEvent;

/** The longest excerpt sent, in characters, before "…" is appended.
 *  Webhooks usually land in chat rooms and tickets, not archives. */
#define BDM_ESCALATION_EXCERPT_MAX 500

/** The JSON document for the webhook: {"event":"escalation", "department", ...}.
 *  Always valid UTF-8 JSON (invalid input bytes are replaced).  g_free it. */
char *bdm_escalation_webhook_payload(const BdmEscalationEvent *event);

#endif /* BRANDDM_ESCALATION_H */
