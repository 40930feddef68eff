/*
 * Desk configuration: the brand, departments, labels, auto-escalation
 * triggers, response-time (SLA) targets, business hours, escalation webhooks
 * and the out-of-hours auto-acknowledgement.
 *
 * Read from a system-wide key file the administrator owns
 * (SYSCONFDIR "/branddm/desk.conf") and a per-user one, merged by the rules
 * of conf_file.h: the user's keys override the system's, a user's
 * [trigger NAME] replaces the system's trigger of that name whole, and a
 * system group with locked=true cannot be changed.  docs/desk.conf.example
 * describes every key.  Plain C + GLib; no libpurple.
 */
#ifndef BRANDDM_DESK_CONFIG_H
#define BRANDDM_DESK_CONFIG_H

#include <glib.h>

#include "business_hours.h"

/** Where the administrator's desk configuration lives. */
#define BDM_SYSTEM_DESK_CONF_PATH SYSCONFDIR "/branddm/desk.conf"

/** How conversations are assigned in a team ([team] assign). */
typedef enum {
	BDM_ASSIGN_FIRST_REPLY = 0,  /* the first human reply assigns it to its author */
	BDM_ASSIGN_MANUAL            /* only /assign and /handover do */
} BdmAssignMode;

typedef struct BdmDeskConfig BdmDeskConfig;

/** A department escalations go to ([departments] names, [department NAME]). */
typedef struct {
	char *name;    /* what agents type after /escalate: "legal" */
	char *label;   /* shown to agents: "Legal department"; the name when unset */
	char *webhook; /* the department's webhook URL, NULL: [webhook] default_url */
} BdmDepartment;

/** An auto-escalation trigger ([trigger NAME]). */
typedef struct {
	char *name;       /* "refund" */
	char **keywords;  /* NULL-terminated, as configured: "money back" */
	char *department; /* escalate there, NULL: only tag */
	gboolean urgent;  /* the conversation gets the urgent response-time target */
	char *tag;        /* a label of [labels] to tag with, NULL for none */
} BdmTrigger;

/** A desk with no configuration files: departments billing, legal, technical,
 *  privacy; the built-in triggers; default SLA and business hours. */
BdmDeskConfig *bdm_desk_config_new_default(void);

/** Load and merge the system and user files (either may be NULL or absent).
 *  A broken file or bad value: NULL and an error naming file and line. */
BdmDeskConfig *bdm_desk_config_load(const char *system_path, const char *user_path,
                                    GError **error);

/** Release a configuration; NULL is allowed.
 *  Every pointer the accessors returned dies with it. */
void bdm_desk_config_free(BdmDeskConfig *cfg);

/** [desk] brand, the {brand} of templates and webhooks.
 *  NULL when not configured. */
const char *bdm_desk_config_brand(const BdmDeskConfig *cfg);

/** [desk] history: how many earlier messages a conversation shows when it
 *  opens (default 20, 0: none, at most 200). */
guint bdm_desk_config_history_lines(const BdmDeskConfig *cfg);

/** The departments in configuration order, as BdmDepartment pointers.
 *  Never empty: a desk without [departments] has the default four. */
const GPtrArray *bdm_desk_config_departments(const BdmDeskConfig *cfg);

/** The department called name (exact, lower-case), or NULL.
 *  Used to validate /escalate and to find a webhook. */
const BdmDepartment *bdm_desk_config_department(const BdmDeskConfig *cfg, const char *name);

/** The labels of [labels] names, as strings, in configuration order.
 *  Empty when none are configured. */
const GPtrArray *bdm_desk_config_labels(const BdmDeskConfig *cfg);

/** TRUE when label is one of the configured labels.
 *  Tags outside the list are refused so reports stay comparable. */
gboolean bdm_desk_config_has_label(const BdmDeskConfig *cfg, const char *label);

/** The auto-escalation triggers, as BdmTrigger pointers, in configuration order.
 *  The built-in ones (legal threats, data requests) when the files define none. */
const GPtrArray *bdm_desk_config_triggers(const BdmDeskConfig *cfg);

/** The response-time target in seconds ([sla] urgent= or normal=).
 *  Counted in business time by bdm_desk_config_sla_mode(). */
gint64 bdm_desk_config_sla_target(const BdmDeskConfig *cfg, gboolean urgent);

/** How the urgent or normal target is counted ([sla] urgent_mode, normal_mode).
 *  Defaults: business hours for urgent, business days for normal. */
BdmCountMode bdm_desk_config_sla_mode(const BdmDeskConfig *cfg, gboolean urgent);

/** [sla] warn_at: the percentage of the target at which to warn (1..100).
 *  Default 75. */
guint bdm_desk_config_sla_warn_percent(const BdmDeskConfig *cfg);

/** The desk's [business_hours], owned by cfg.
 *  Also decides when the out-of-hours auto-reply is sent. */
const BdmBusinessHours *bdm_desk_config_business_hours(const BdmDeskConfig *cfg);

/** The webhook URL for an escalation to department: its own, else [webhook]
 *  default_url, else NULL (no webhook).  department may be NULL. */
const char *bdm_desk_config_webhook_url(const BdmDeskConfig *cfg, const char *department);

/** [webhook] retries: how often the plugin retries a failed POST (default 3).
 *  Retries are the plugin's job; this only carries the setting. */
guint bdm_desk_config_webhook_retries(const BdmDeskConfig *cfg);

/** How long the conversation log keeps records ([log] retention), in seconds;
 *  0 (the default) keeps everything. */
gint64 bdm_desk_config_log_retention(const BdmDeskConfig *cfg);

/** [webhook] timeout in seconds for one POST (default 10).
 *  Applied by the plugin's HTTP layer. */
guint bdm_desk_config_webhook_timeout(const BdmDeskConfig *cfg);

/** [auto_reply] enabled: send the out-of-hours acknowledgement (default FALSE).
 *  Once per conversation, only while the desk is closed. */
gboolean bdm_desk_config_auto_reply_enabled(const BdmDeskConfig *cfg);

/** [auto_reply] template: the template sent as acknowledgement ("out_of_hours").
 *  It must be marked automated=true (see bdm_template_expand_automated). */
const char *bdm_desk_config_auto_reply_template(const BdmDeskConfig *cfg);

/** TRUE when the auto-reply is enabled and [auto_reply] accounts covers the
 *  account ("facebook:1000", "x:*", "*"; no accounts= key means every account). */
gboolean bdm_desk_config_auto_reply_applies(const BdmDeskConfig *cfg, const char *platform,
                                            const char *account_id);

/** [team] database: the team's PostgreSQL (a libpq keyword string or a
 *  postgresql:// URI, checked when read); NULL when this agent works alone. */
const char *bdm_desk_config_team_database(const BdmDeskConfig *cfg);

/** [team] agent: the agent's name for colleagues and {agent.name}; NULL when
 *  unset (the OS real name stands in).  Usually in the agent's own file. */
const char *bdm_desk_config_team_agent(const BdmDeskConfig *cfg);

/** [team] assign: who a conversation belongs to.  FIRST_REPLY (the default)
 *  gives it to the first agent who answers; MANUAL waits for /assign. */
BdmAssignMode bdm_desk_config_team_assign(const BdmDeskConfig *cfg);

/** Parse a duration: "90s", "30m", "2h", "1d", "1h30m" or plain seconds.
 *  Returns FALSE for anything else, zero and negative durations included. */
gboolean bdm_desk_parse_duration(const char *text, gint64 *seconds);

#endif /* BRANDDM_DESK_CONFIG_H */
