/*
 * Desk configuration: the built-in defaults and the accessors.  Reading the
 * files is desk_config_load.c's job.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "desk_config_private.h"

typedef struct {
	const char *name;
	const char *label;
} DefaultDepartment;

static const DefaultDepartment default_departments[] = {
	{ "billing", N_("Billing") },
	{ "legal", N_("Legal") },
	{ "technical", N_("Technical support") },
	{ "privacy", N_("Privacy") },
};

typedef struct {
	const char *name;
	const char *department;
	gboolean urgent;
	const char *keywords[12];
} DefaultTrigger;

/* Legal threats and data-subject requests must never wait in the queue. */
static const DefaultTrigger default_triggers[] = {
	{ "legal", "legal", TRUE,
	  { "lawyer", "attorney", "sue", "suing", "lawsuit", "court", "legal action",
	    "Anwalt", "Rechtsanwalt", "Klage", NULL } },
	{ "privacy", "privacy", FALSE,
	  { "GDPR", "DSGVO", "delete my data", "data access request", "right to be forgotten",
	    "Datenauskunft", "meine Daten löschen", NULL } },
};

static void department_free(gpointer data)
{
	BdmDepartment *d = data;

	g_free(d->name);
	g_free(d->label);
	g_free(d->webhook);
	g_free(d);
}

static void trigger_free(gpointer data)
{
	BdmTrigger *t = data;

	g_free(t->name);
	g_strfreev(t->keywords);
	g_free(t->department);
	g_free(t->tag);
	g_free(t);
}

void bdm_desk_config_free(BdmDeskConfig *cfg)
{
	if (cfg == NULL)
		return;
	g_free(cfg->brand);
	g_ptr_array_unref(cfg->departments);
	g_ptr_array_unref(cfg->labels);
	g_ptr_array_unref(cfg->triggers);
	bdm_business_hours_free(cfg->hours);
	g_free(cfg->webhook_default_url);
	g_free(cfg->auto_reply_template);
	g_strfreev(cfg->auto_reply_accounts);
	g_free(cfg->team_database);
	g_free(cfg->team_agent);
	g_free(cfg);
}

BdmDeskConfig *bdm_desk_config_alloc(void)
{
	BdmDeskConfig *cfg = g_new0(BdmDeskConfig, 1);

	cfg->departments = g_ptr_array_new_with_free_func(department_free);
	cfg->labels = g_ptr_array_new_with_free_func(g_free);
	cfg->triggers = g_ptr_array_new_with_free_func(trigger_free);
	cfg->sla_target[TRUE] = 2 * 3600;
	cfg->sla_mode[TRUE] = BDM_COUNT_BUSINESS_HOURS;
	cfg->sla_target[FALSE] = 24 * 3600;
	cfg->sla_mode[FALSE] = BDM_COUNT_BUSINESS_DAYS;
	cfg->warn_percent = 75;
	cfg->history_lines = 20;
	cfg->hours = bdm_business_hours_new_default();
	cfg->webhook_retries = 3;
	cfg->webhook_timeout = 10;
	cfg->auto_reply_template = g_strdup("out_of_hours");
	return cfg;
}

void bdm_desk_config_add_department(BdmDeskConfig *cfg, const char *name, const char *label)
{
	BdmDepartment *d = g_new0(BdmDepartment, 1);

	d->name = g_strdup(name);
	d->label = g_strdup(label != NULL ? label : name);
	g_ptr_array_add(cfg->departments, d);
}

void bdm_desk_config_add_default_departments(BdmDeskConfig *cfg)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(default_departments); i++)
		bdm_desk_config_add_department(cfg, default_departments[i].name, _(default_departments[i].label));
}

/* Built-in triggers whose department the desk has; the others are left out
 * rather than escalating to a department nobody reads. */
void bdm_desk_config_add_default_triggers(BdmDeskConfig *cfg)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(default_triggers); i++) {
		const DefaultTrigger *def = &default_triggers[i];
		BdmTrigger *t;

		if (bdm_desk_config_department(cfg, def->department) == NULL)
			continue;
		t = g_new0(BdmTrigger, 1);
		t->name = g_strdup(def->name);
		t->keywords = g_strdupv((char **)def->keywords);
		t->department = g_strdup(def->department);
		t->urgent = def->urgent;
		g_ptr_array_add(cfg->triggers, t);
	}
}

BdmDeskConfig *bdm_desk_config_new_default(void)
{
	BdmDeskConfig *cfg = bdm_desk_config_alloc();

	bdm_desk_config_add_default_departments(cfg);
	bdm_desk_config_add_default_triggers(cfg);
	return cfg;
}

/* ---- accessors ------------------------------------------------------------------ */

const char *bdm_desk_config_brand(const BdmDeskConfig *cfg)
{
	return cfg->brand;
}

guint bdm_desk_config_history_lines(const BdmDeskConfig *cfg)
{
	return cfg->history_lines;
}

const GPtrArray *bdm_desk_config_departments(const BdmDeskConfig *cfg)
{
	return cfg->departments;
}

const BdmDepartment *bdm_desk_config_department(const BdmDeskConfig *cfg, const char *name)
{
	guint i;

	for (i = 0; name != NULL && i < cfg->departments->len; i++) {
		const BdmDepartment *d = g_ptr_array_index(cfg->departments, i);

		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

const GPtrArray *bdm_desk_config_labels(const BdmDeskConfig *cfg)
{
	return cfg->labels;
}

gboolean bdm_desk_config_has_label(const BdmDeskConfig *cfg, const char *label)
{
	guint i;

	for (i = 0; label != NULL && i < cfg->labels->len; i++)
		if (strcmp(g_ptr_array_index(cfg->labels, i), label) == 0)
			return TRUE;
	return FALSE;
}

const GPtrArray *bdm_desk_config_triggers(const BdmDeskConfig *cfg)
{
	return cfg->triggers;
}

gint64 bdm_desk_config_sla_target(const BdmDeskConfig *cfg, gboolean urgent)
{
	return cfg->sla_target[urgent ? TRUE : FALSE];
}

BdmCountMode bdm_desk_config_sla_mode(const BdmDeskConfig *cfg, gboolean urgent)
{
	return cfg->sla_mode[urgent ? TRUE : FALSE];
}

guint bdm_desk_config_sla_warn_percent(const BdmDeskConfig *cfg)
{
	return cfg->warn_percent;
}

const BdmBusinessHours *bdm_desk_config_business_hours(const BdmDeskConfig *cfg)
{
	return cfg->hours;
}

const char *bdm_desk_config_webhook_url(const BdmDeskConfig *cfg, const char *department)
{
	const BdmDepartment *d = bdm_desk_config_department(cfg, department);

	return d != NULL && d->webhook != NULL ? d->webhook : cfg->webhook_default_url;
}

gint64 bdm_desk_config_log_retention(const BdmDeskConfig *cfg)
{
	return cfg->log_retention;
}

guint bdm_desk_config_webhook_retries(const BdmDeskConfig *cfg)
{
	return cfg->webhook_retries;
}

guint bdm_desk_config_webhook_timeout(const BdmDeskConfig *cfg)
{
	return cfg->webhook_timeout;
}

gboolean bdm_desk_config_auto_reply_enabled(const BdmDeskConfig *cfg)
{
	return cfg->auto_reply_enabled;
}

const char *bdm_desk_config_auto_reply_template(const BdmDeskConfig *cfg)
{
	return cfg->auto_reply_template;
}

static gboolean part_matches(const char *pattern, gsize len, const char *value)
{
	return (len == 1 && pattern[0] == '*') ||
	       (value != NULL && strlen(value) == len && strncmp(pattern, value, len) == 0);
}

gboolean bdm_desk_config_auto_reply_applies(const BdmDeskConfig *cfg, const char *platform,
                                            const char *account_id)
{
	char **p;

	if (!cfg->auto_reply_enabled)
		return FALSE;
	if (cfg->auto_reply_accounts == NULL)
		return TRUE;
	for (p = cfg->auto_reply_accounts; *p != NULL; p++) {
		const char *colon = strchr(*p, ':');

		if (strcmp(*p, "*") == 0)
			return TRUE;
		if (colon != NULL && part_matches(*p, colon - *p, platform) &&
		    part_matches(colon + 1, strlen(colon + 1), account_id))
			return TRUE;
	}
	return FALSE;
}

const char *bdm_desk_config_team_database(const BdmDeskConfig *cfg)
{
	return cfg->team_database;
}

const char *bdm_desk_config_team_agent(const BdmDeskConfig *cfg)
{
	return cfg->team_agent;
}

BdmAssignMode bdm_desk_config_team_assign(const BdmDeskConfig *cfg)
{
	return cfg->team_assign;
}
