/*
 * Internals of BdmDeskConfig shared by desk_config.c (defaults, accessors)
 * and desk_config_load.c (reading the files).  Not for other modules: they
 * use the accessors of desk_config.h.
 */
#ifndef BRANDDM_DESK_CONFIG_PRIVATE_H
#define BRANDDM_DESK_CONFIG_PRIVATE_H

#include "desk_config.h"

struct BdmDeskConfig {
	char *brand;
	guint history_lines;      /* [desk] history: earlier messages shown on opening */
	GPtrArray *departments; /* BdmDepartment* */
	GPtrArray *labels;      /* char* */
	GPtrArray *triggers;    /* BdmTrigger* */
	gint64 sla_target[2];   /* [urgent] seconds */
	BdmCountMode sla_mode[2];
	guint warn_percent;
	BdmBusinessHours *hours;
	gint64 log_retention;   /* seconds; 0 = keep everything */
	guint webhook_retries;
	guint webhook_timeout;
	char *webhook_default_url;
	gboolean auto_reply_enabled;
	char *auto_reply_template;
	char **auto_reply_accounts; /* NULL: every account */
	char *team_database;        /* [team] database: a libpq connection string; NULL: alone */
	char *team_agent;           /* [team] agent: the agent's display name; NULL: not set */
	BdmAssignMode team_assign;
};

/** A configuration with default settings but no departments or triggers.
 *  The loader fills those in after reading the files. */
BdmDeskConfig *bdm_desk_config_alloc(void);

/** Append a department; label NULL uses the name.
 *  No webhook: the caller sets one afterwards. */
void bdm_desk_config_add_department(BdmDeskConfig *cfg, const char *name, const char *label);

/** Append the default departments (billing, legal, technical, privacy).
 *  For a desk whose files have no [departments]. */
void bdm_desk_config_add_default_departments(BdmDeskConfig *cfg);

/** Append the built-in triggers whose department the desk has.
 *  For a desk whose files define no [trigger NAME]. */
void bdm_desk_config_add_default_triggers(BdmDeskConfig *cfg);

#endif /* BRANDDM_DESK_CONFIG_PRIVATE_H */
