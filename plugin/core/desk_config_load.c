/*
 * Desk configuration: reading and validating the merged key files.
 *
 * Validation is strict (unknown groups and keys, unknown departments or
 * labels in triggers, malformed durations and URLs are all errors naming the
 * file and line) because a typo in this file silently changes who is alerted
 * about a legal threat, or sends customer data to the wrong place.
 */
#include <string.h>

#include <libpq-fe.h>

#include "branddm/i18n.h"
#include "conf_file.h"
#include "desk_config_private.h"

#define TRIGGER_GROUP_PREFIX "trigger "
#define DEPARTMENT_GROUP_PREFIX "department "

gboolean bdm_desk_parse_duration(const char *text, gint64 *seconds)
{
	const char *p = text;
	gint64 total = 0;
	gboolean any = FALSE;

	if (text == NULL)
		return FALSE;
	while (*p != '\0') {
		gint64 number = 0, unit;
		int digits = 0;

		while (g_ascii_isdigit(*p) && digits < 9) {
			number = number * 10 + (*p++ - '0');
			digits++;
		}
		if (digits == 0 || g_ascii_isdigit(*p))
			return FALSE;
		switch (*p) {
		case 'd': unit = 86400; p++; break;
		case 'h': unit = 3600; p++; break;
		case 'm': unit = 60; p++; break;
		case 's': unit = 1; p++; break;
		case '\0':
			if (any)
				return FALSE; /* "1h30" is ambiguous: minutes or seconds? */
			unit = 1;
			break;
		default: return FALSE;
		}
		total += number * unit;
		any = TRUE;
	}
	if (!any || total <= 0)
		return FALSE;
	*seconds = total;
	return TRUE;
}

/* Names agents type (/escalate legal, /tag vip): lower-case, no spaces. */
static gboolean is_valid_name(const char *name)
{
	const char *p;

	if (*name == '\0')
		return FALSE;
	for (p = name; *p != '\0'; p++)
		if (!(g_ascii_islower(*p) || g_ascii_isdigit(*p) || *p == '_' || *p == '-'))
			return FALSE;
	return TRUE;
}

/* Customer data goes in the payload: plain http only to this machine. */
static gboolean is_acceptable_url(const char *url)
{
	GUri *uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	const char *scheme, *host;
	gboolean ok = FALSE;

	if (uri == NULL)
		return FALSE;
	scheme = g_uri_get_scheme(uri);
	host = g_uri_get_host(uri);
	if (host != NULL && *host != '\0') {
		if (g_ascii_strcasecmp(scheme, "https") == 0)
			ok = TRUE;
		else if (g_ascii_strcasecmp(scheme, "http") == 0)
			ok = g_ascii_strcasecmp(host, "localhost") == 0 ||
			     g_str_has_prefix(host, "127.") || strcmp(host, "::1") == 0;
	}
	g_uri_unref(uri);
	return ok;
}

/* ---- reading groups ------------------------------------------------------------ */

typedef struct {
	const BdmConfFile *cf;
	GKeyFile *kf;
} Reader;

static gboolean check_keys(const Reader *r, const char *group, const char *const *known,
                           const char *known_text, GError **error)
{
	char **keys = g_key_file_get_keys(r->kf, group, NULL, NULL);
	gboolean ok = TRUE;
	char **k;

	for (k = keys; keys != NULL && ok && *k != NULL; k++) {
		char *base = g_strndup(*k, strcspn(*k, "["));

		if (!g_strv_contains(known, base))
			ok = bdm_conf_file_fail(r->cf, group, *k, error,
			                        _("unknown key (known: %s)"), known_text);
		g_free(base);
	}
	g_strfreev(keys);
	return ok;
}

/* *out becomes the trimmed string value when the key is there. */
static gboolean read_string(const Reader *r, const char *group, const char *key, char **out,
                            GError **error)
{
	GError *local = NULL;
	char *value;

	if (!g_key_file_has_key(r->kf, group, key, NULL))
		return TRUE;
	value = g_key_file_get_string(r->kf, group, key, &local);
	if (value == NULL) {
		bdm_conf_file_fail(r->cf, group, key, error, "%s", local->message);
		g_error_free(local);
		return FALSE;
	}
	g_free(*out);
	*out = g_strstrip(value);
	return TRUE;
}

static gboolean read_bool(const Reader *r, const char *group, const char *key,
                          gboolean *out, GError **error)
{
	GError *local = NULL;
	gboolean value;

	if (!g_key_file_has_key(r->kf, group, key, NULL))
		return TRUE;
	value = g_key_file_get_boolean(r->kf, group, key, &local);
	if (local != NULL) {
		g_error_free(local);
		return bdm_conf_file_fail(r->cf, group, key, error, _("expected true or false"));
	}
	*out = value;
	return TRUE;
}

/* A whole number in [min, max]; with percent, "75%" is read as 75. */
static gboolean read_uint(const Reader *r, const char *group, const char *key, guint min,
                          guint max, gboolean percent, guint *out, GError **error)
{
	char *text = NULL;
	guint64 value;
	gsize len;

	if (!read_string(r, group, key, &text, error))
		return FALSE;
	if (text == NULL)
		return TRUE;
	len = strlen(text);
	if (percent && len > 1 && text[len - 1] == '%')
		text[len - 1] = '\0';
	if (!g_ascii_string_to_unsigned(text, 10, min, max, &value, NULL)) {
		g_free(text);
		return bdm_conf_file_fail(r->cf, group, key, error,
		                          _("expected a whole number from %u to %u"), min, max);
	}
	g_free(text);
	*out = (guint)value;
	return TRUE;
}

/* A ';' list, items trimmed, empty items dropped; *out NULL when absent. */
static char **read_list(const Reader *r, const char *group, const char *key)
{
	char **items = g_key_file_get_string_list(r->kf, group, key, NULL, NULL);
	GPtrArray *kept;
	char **p;

	if (items == NULL)
		return NULL;
	kept = g_ptr_array_new();
	for (p = items; *p != NULL; p++) {
		g_strstrip(*p);
		if (**p != '\0')
			g_ptr_array_add(kept, g_strdup(*p));
	}
	g_strfreev(items);
	g_ptr_array_add(kept, NULL);
	return (char **)g_ptr_array_free(kept, FALSE);
}

static gboolean read_names(const Reader *r, const char *group, char ***out, GError **error)
{
	char **names = read_list(r, group, "names");
	char **p;

	for (p = names; p != NULL && *p != NULL; p++)
		if (!is_valid_name(*p) || g_strv_contains((const char *const *)(p + 1), *p)) {
			gboolean ok = bdm_conf_file_fail(r->cf, group, "names", error,
			                                 _("“%s”: names must be unique and use "
			                                   "lower-case letters, digits, “_” and “-”"),
			                                 *p);
			g_strfreev(names);
			return ok;
		}
	*out = names;
	return TRUE;
}

static gboolean read_url(const Reader *r, const char *group, const char *key, char **out,
                         GError **error)
{
	if (!read_string(r, group, key, out, error))
		return FALSE;
	if (*out != NULL && **out == '\0')
		g_clear_pointer(out, g_free);
	if (*out != NULL && !is_acceptable_url(*out))
		return bdm_conf_file_fail(r->cf, group, key, error,
		                          _("“%s” is not an https:// URL (plain http:// is only "
		                            "allowed to localhost)"), *out);
	return TRUE;
}

static gboolean load_desk(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	static const char *const known[] = { "brand", "history", NULL };

	if (!check_keys(r, "desk", known, "brand, history", error) ||
	    !read_string(r, "desk", "brand", &cfg->brand, error) ||
	    !read_uint(r, "desk", "history", 0, 200, FALSE, &cfg->history_lines, error))
		return FALSE;
	if (cfg->brand != NULL && *cfg->brand == '\0')
		g_clear_pointer(&cfg->brand, g_free);
	return TRUE;
}

/* The optional [department NAME] group of one department: label, webhook. */
static gboolean load_department_details(BdmDepartment *d, const Reader *r, GError **error)
{
	static const char *const known[] = { "label", "webhook", NULL };
	char *group = g_strconcat(DEPARTMENT_GROUP_PREFIX, d->name, NULL);
	char *label;
	gboolean ok;

	if (!g_key_file_has_group(r->kf, group)) {
		g_free(group);
		return TRUE;
	}
	ok = check_keys(r, group, known, "label, webhook", error) &&
	     read_url(r, group, "webhook", &d->webhook, error);
	label = g_key_file_get_locale_string(r->kf, group, "label", NULL, NULL);
	if (label != NULL && *g_strstrip(label) != '\0') {
		g_free(d->label);
		d->label = label;
	} else {
		g_free(label);
	}
	g_free(group);
	return ok;
}

static gboolean load_departments(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	static const char *const known[] = { "names", NULL };
	char **names = NULL, **p;
	gboolean ok = TRUE;
	guint i;

	if (!g_key_file_has_group(r->kf, "departments")) {
		bdm_desk_config_add_default_departments(cfg);
	} else {
		if (!check_keys(r, "departments", known, "names", error) ||
		    !read_names(r, "departments", &names, error))
			return FALSE;
		if (names == NULL || names[0] == NULL) {
			g_strfreev(names);
			return bdm_conf_file_fail(r->cf, "departments", "names", error,
			                          _("at least one department is needed"));
		}
		for (p = names; *p != NULL; p++)
			bdm_desk_config_add_department(cfg, *p, NULL);
		g_strfreev(names);
	}
	for (i = 0; ok && i < cfg->departments->len; i++)
		ok = load_department_details(g_ptr_array_index(cfg->departments, i), r, error);
	return ok;
}

static gboolean load_labels(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	static const char *const known[] = { "names", NULL };
	char **names = NULL, **p;

	if (!check_keys(r, "labels", known, "names", error) ||
	    !read_names(r, "labels", &names, error))
		return FALSE;
	for (p = names; p != NULL && *p != NULL; p++)
		g_ptr_array_add(cfg->labels, g_strdup(*p));
	g_strfreev(names);
	return TRUE;
}

static gboolean load_trigger(BdmDeskConfig *cfg, const Reader *r, const char *group,
                             GError **error)
{
	static const char *const known[] = { "keywords", "department", "urgent", "tag", NULL };
	BdmTrigger *t = g_new0(BdmTrigger, 1);

	t->name = g_strdup(group + strlen(TRIGGER_GROUP_PREFIX));
	g_ptr_array_add(cfg->triggers, t);
	if (!is_valid_name(t->name))
		return bdm_conf_file_fail(r->cf, group, NULL, error,
		                          _("trigger names use lower-case letters, digits, “_” "
		                            "and “-”"));
	if (!check_keys(r, group, known, "keywords, department, urgent, tag", error) ||
	    !read_string(r, group, "department", &t->department, error) ||
	    !read_bool(r, group, "urgent", &t->urgent, error) ||
	    !read_string(r, group, "tag", &t->tag, error))
		return FALSE;
	t->keywords = read_list(r, group, "keywords");
	if (t->keywords == NULL || t->keywords[0] == NULL)
		return bdm_conf_file_fail(r->cf, group, "keywords", error,
		                          _("a trigger needs at least one keyword"));
	if (t->department != NULL && *t->department == '\0')
		g_clear_pointer(&t->department, g_free);
	if (t->tag != NULL && *t->tag == '\0')
		g_clear_pointer(&t->tag, g_free);
	if (t->department != NULL && bdm_desk_config_department(cfg, t->department) == NULL)
		return bdm_conf_file_fail(r->cf, group, "department", error,
		                          _("“%s” is not in [departments] names"), t->department);
	if (t->tag != NULL && !bdm_desk_config_has_label(cfg, t->tag))
		return bdm_conf_file_fail(r->cf, group, "tag", error,
		                          _("“%s” is not in [labels] names"), t->tag);
	if (t->department == NULL && t->tag == NULL && !t->urgent)
		return bdm_conf_file_fail(r->cf, group, NULL, error,
		                          _("a trigger must set a department, a tag or "
		                            "urgent=true, or it does nothing"));
	return TRUE;
}

static gboolean read_mode(const Reader *r, const char *key, BdmCountMode *mode,
                          GError **error)
{
	char *text = NULL;
	gboolean ok = TRUE;

	if (!read_string(r, "sla", key, &text, error))
		return FALSE;
	if (text == NULL)
		return TRUE;
	if (strcmp(text, "business_hours") == 0)
		*mode = BDM_COUNT_BUSINESS_HOURS;
	else if (strcmp(text, "business_days") == 0)
		*mode = BDM_COUNT_BUSINESS_DAYS;
	else
		ok = bdm_conf_file_fail(r->cf, "sla", key, error,
		                        _("expected business_hours or business_days"));
	g_free(text);
	return ok;
}

static gboolean read_duration(const Reader *r, const char *group, const char *key,
                              gint64 *target, GError **error)
{
	char *text = NULL;
	gboolean ok = TRUE;

	if (!read_string(r, group, key, &text, error))
		return FALSE;
	if (text != NULL && !bdm_desk_parse_duration(text, target))
		ok = bdm_conf_file_fail(r->cf, group, key, error,
		                        _("expected a duration such as 2h, 30m, 1d or 1h30m"));
	g_free(text);
	return ok;
}

static gboolean load_sla(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	static const char *const known[] = {
		"urgent", "normal", "urgent_mode", "normal_mode", "warn_at", NULL
	};

	return check_keys(r, "sla", known, "urgent, normal, urgent_mode, normal_mode, warn_at",
	                  error) &&
	       read_duration(r, "sla", "urgent", &cfg->sla_target[TRUE], error) &&
	       read_duration(r, "sla", "normal", &cfg->sla_target[FALSE], error) &&
	       read_mode(r, "urgent_mode", &cfg->sla_mode[TRUE], error) &&
	       read_mode(r, "normal_mode", &cfg->sla_mode[FALSE], error) &&
	       read_uint(r, "sla", "warn_at", 1, 100, TRUE, &cfg->warn_percent, error);
}

static gboolean load_business_hours(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	GError *local = NULL;
	BdmBusinessHours *hours = bdm_business_hours_from_keyfile(r->kf, "business_hours",
	                                                          &local);

	if (hours == NULL) {
		/* Its message names group and key; add the file and line. */
		char *where = bdm_conf_file_where(r->cf, "business_hours", NULL);
		char *safe = g_utf8_make_valid(local->message, -1);   /* it quotes the file */

		g_set_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_PARSE, "%s: %s", where, safe);
		g_free(safe);
		g_free(where);
		g_error_free(local);
		return FALSE;
	}
	bdm_business_hours_free(cfg->hours);
	cfg->hours = hours;
	return TRUE;
}

static gboolean load_webhook(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	static const char *const known[] = { "retries", "timeout", "default_url", NULL };

	return check_keys(r, "webhook", known, "retries, timeout, default_url", error) &&
	       read_uint(r, "webhook", "retries", 0, 10, FALSE, &cfg->webhook_retries, error) &&
	       read_uint(r, "webhook", "timeout", 1, 300, FALSE, &cfg->webhook_timeout, error) &&
	       read_url(r, "webhook", "default_url", &cfg->webhook_default_url, error);
}

/* Retention is the administrator's: records older than this are purged. */
static gboolean load_log(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	static const char *const known[] = { "retention", NULL };

	return check_keys(r, "log", known, "retention", error) &&
	       read_duration(r, "log", "retention", &cfg->log_retention, error);
}

static gboolean load_auto_reply(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	static const char *const known[] = { "enabled", "template", "accounts", NULL };
	char **p;

	if (!check_keys(r, "auto_reply", known, "enabled, template, accounts", error) ||
	    !read_bool(r, "auto_reply", "enabled", &cfg->auto_reply_enabled, error) ||
	    !read_string(r, "auto_reply", "template", &cfg->auto_reply_template, error))
		return FALSE;
	if (*cfg->auto_reply_template == '\0')
		return bdm_conf_file_fail(r->cf, "auto_reply", "template", error,
		                          _("a template name is needed"));
	cfg->auto_reply_accounts = read_list(r, "auto_reply", "accounts");
	for (p = cfg->auto_reply_accounts; p != NULL && *p != NULL; p++) {
		const char *colon = strchr(*p, ':');

		if (strcmp(*p, "*") != 0 && (colon == NULL || colon == *p || colon[1] == '\0'))
			return bdm_conf_file_fail(r->cf, "auto_reply", "accounts", error,
			                          _("“%s”: expected PLATFORM:ACCOUNT, such as "
			                            "facebook:1000 or x:*"), *p);
	}
	return TRUE;
}

/* The team's shared database and this agent's name.  The connection string
 * is checked here, so a typo is reported with its file and key; libpq's
 * message names the fault, never the value (it may hold a password). */
static gboolean load_team(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	static const char *const known[] = { "database", "agent", "assign", NULL };
	char *assign = NULL, *parse_error = NULL;
	PQconninfoOption *options;
	gboolean ok;

	if (!check_keys(r, "team", known, "database, agent, assign", error) ||
	    !read_string(r, "team", "database", &cfg->team_database, error) ||
	    !read_string(r, "team", "agent", &cfg->team_agent, error) ||
	    !read_string(r, "team", "assign", &assign, error))
		return FALSE;
	ok = TRUE;
	if (assign != NULL && strcmp(assign, "manual") == 0)
		cfg->team_assign = BDM_ASSIGN_MANUAL;
	else if (assign != NULL && strcmp(assign, "first_reply") != 0)
		ok = bdm_conf_file_fail(r->cf, "team", "assign", error,
		                        _("expected first_reply or manual"));
	g_free(assign);
	if (ok && cfg->team_agent != NULL && *cfg->team_agent == '\0')
		g_clear_pointer(&cfg->team_agent, g_free);
	if (!ok || cfg->team_database == NULL)
		return ok;
	if (*cfg->team_database == '\0')
		return bdm_conf_file_fail(r->cf, "team", "database", error,
		                          _("a connection string is needed, such as "
		                            "\"host=/var/run/postgresql dbname=branddm\""));
	options = PQconninfoParse(cfg->team_database, &parse_error);
	if (options == NULL) {
		ok = bdm_conf_file_fail(r->cf, "team", "database", error,
		                        _("not a valid PostgreSQL connection string: %s"),
		                        parse_error ? g_strstrip(parse_error)
		                                    : _("out of memory"));
		PQfreemem(parse_error);
		return ok;
	}
	PQconninfoFree(options);
	return TRUE;
}

static const char *const fixed_groups[] = {
	"desk", "departments", "labels", "sla", "business_hours", "webhook", "auto_reply", "log",
	"team", NULL
};

static const char *const known_groups_text =
	"desk, departments, department NAME, labels, trigger NAME, sla, business_hours, "
	"webhook, auto_reply, log, team";

/* Groups in dependency order: triggers refer to departments and labels. */
static gboolean load_groups(BdmDeskConfig *cfg, const Reader *r, GError **error)
{
	char **groups = g_key_file_get_groups(r->kf, NULL);
	gboolean ok = load_desk(cfg, r, error) && load_departments(cfg, r, error) &&
	              load_labels(cfg, r, error) && load_sla(cfg, r, error) &&
	              load_business_hours(cfg, r, error) && load_webhook(cfg, r, error) &&
	              load_auto_reply(cfg, r, error) && load_log(cfg, r, error) &&
	              load_team(cfg, r, error);
	gboolean any_trigger = FALSE;
	char **g;

	for (g = groups; ok && *g != NULL; g++) {
		if (g_str_has_prefix(*g, TRIGGER_GROUP_PREFIX)) {
			any_trigger = TRUE;
			ok = load_trigger(cfg, r, *g, error);
		} else if (g_str_has_prefix(*g, DEPARTMENT_GROUP_PREFIX)) {
			if (bdm_desk_config_department(cfg, *g + strlen(DEPARTMENT_GROUP_PREFIX)) == NULL)
				ok = bdm_conf_file_fail(r->cf, *g, NULL, error,
				                        _("this department is not in [departments] "
				                          "names"));
		} else if (!g_strv_contains(fixed_groups, *g)) {
			ok = bdm_conf_file_fail(r->cf, *g, NULL, error,
			                        _("unknown group (known: %s)"), known_groups_text);
		}
	}
	g_strfreev(groups);
	if (ok && !any_trigger)
		bdm_desk_config_add_default_triggers(cfg);
	return ok;
}

BdmDeskConfig *bdm_desk_config_load(const char *system_path, const char *user_path,
                                    GError **error)
{
	static const char *const replace_prefixes[] = { TRIGGER_GROUP_PREFIX, NULL };
	BdmConfFile *cf = bdm_conf_file_load(system_path, user_path, replace_prefixes, error);
	BdmDeskConfig *cfg;
	Reader reader;

	if (cf == NULL)
		return NULL;
	reader.cf = cf;
	reader.kf = bdm_conf_file_keyfile(cf);
	cfg = bdm_desk_config_alloc();
	if (!load_groups(cfg, &reader, error)) {
		bdm_desk_config_free(cfg);
		cfg = NULL;
	}
	bdm_conf_file_free(cf);
	return cfg;
}

