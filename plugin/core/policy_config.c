/*
 * Building a policy from the defaults and two policy files.
 *
 * Each file is read on its own with conf_file.c (which gives errors their
 * line numbers and handles "locked = true"), then merged here, because the
 * policy merges the other way round from the desk's other files:
 * the administrator's system file wins.  The agent's user file may set
 * whatever the system file leaves open, unless the system file locks it
 * ("locked = true" in a [rule ...] group for that rule, in [policy] for
 * everything); and it may always make a setting stricter:
 *   severity          a higher one (off < warn < block)
 *   deny lists        entries are added to the list in force
 *                     (shorteners, offensive words, promotional phrases)
 *   allow lists       a subset of the list in force
 *                     (allowed link domains, own e-mail and phone, disclosures)
 *   numbers           a lower one (shouting threshold)
 *   [agents]          both files must allow
 * A user setting that would loosen a set or locked one is ignored and noted
 * (bdm_policy_notices).  Every file is validated in full either way: an
 * unknown group, rule, key or a bad value is an error naming file and line.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

typedef enum {
	KIND_SEVERITY,
	KIND_DENY_LIST,
	KIND_ALLOW_LIST,
	KIND_NUMBER
} SettingKind;

/* Validate one list entry; on success set *normalised (newly allocated). */
typedef gboolean (*EntryCheck)(const char *entry, char **normalised);

typedef struct {
	BdmRule rule;
	const char *key;
	SettingKind kind;
	int index;            /* BdmList or BdmNumber */
	int min, max;         /* KIND_NUMBER */
	EntryCheck check;     /* list kinds */
	const char *what;     /* N_(): what an entry must be, for errors */
} SettingDesc;

static gboolean check_domain(const char *entry, char **normalised);
static gboolean check_email(const char *entry, char **normalised);
static gboolean check_phone(const char *entry, char **normalised);
static gboolean check_word(const char *entry, char **normalised);
static gboolean check_phrase(const char *entry, char **normalised);
static gboolean check_mime(const char *entry, char **normalised);
static gboolean check_extension(const char *entry, char **normalised);

/* Settings besides each rule's severity; setting number BDM_RULE_COUNT + i. */
static const SettingDesc extra_settings[] = {
	{ BDM_RULE_LINKS_DOMAIN, "allow", KIND_ALLOW_LIST, BDM_LIST_LINK_ALLOW, 0, 0,
	  check_domain, N_("a domain such as example.com") },
	{ BDM_RULE_LINKS_SHORTENER, "domains", KIND_DENY_LIST, BDM_LIST_SHORTENERS, 0, 0,
	  check_domain, N_("a domain such as bit.ly") },
	{ BDM_RULE_SENSITIVE_EMAIL, "allow", KIND_ALLOW_LIST, BDM_LIST_EMAIL_ALLOW, 0, 0,
	  check_email, N_("an address such as help@example.com, or @example.com") },
	{ BDM_RULE_SENSITIVE_PHONE, "allow", KIND_ALLOW_LIST, BDM_LIST_PHONE_ALLOW, 0, 0,
	  check_phone, N_("a phone number of 7 to 15 digits") },
	{ BDM_RULE_LANGUAGE_OFFENSIVE, "words", KIND_DENY_LIST, BDM_LIST_OFFENSIVE, 0, 0,
	  check_word, N_("a word of letters, optionally ending in *") },
	{ BDM_RULE_LANGUAGE_SHOUTING, "min_letters", KIND_NUMBER, BDM_NUMBER_SHOUT_MIN_LETTERS,
	  1, 100000, NULL, NULL },
	{ BDM_RULE_LANGUAGE_SHOUTING, "percent", KIND_NUMBER, BDM_NUMBER_SHOUT_PERCENT,
	  1, 100, NULL, NULL },
	{ BDM_RULE_OUTREACH_PROMOTIONAL, "phrases", KIND_DENY_LIST, BDM_LIST_PROMOTIONAL, 0, 0,
	  check_phrase, N_("a phrase of one to eight words") },
	{ BDM_RULE_OUTREACH_AUTOMATED_DISCLOSURE, "phrases", KIND_ALLOW_LIST, BDM_LIST_DISCLOSURE,
	  0, 0, check_phrase, N_("a phrase of one to eight words") },
	{ BDM_RULE_ATTACHMENT_TYPE, "allow", KIND_ALLOW_LIST, BDM_LIST_ATTACH_TYPES, 0, 0,
	  check_mime, N_("a file type such as image/png or application/pdf") },
	{ BDM_RULE_ATTACHMENT_SIZE, "max_mb", KIND_NUMBER, BDM_NUMBER_ATTACH_MAX_MB,
	  1, 100, NULL, NULL },
	{ BDM_RULE_ATTACHMENT_NAME, "extensions", KIND_DENY_LIST, BDM_LIST_ATTACH_EXTENSIONS, 0, 0,
	  check_extension, N_("a file name extension such as exe, without the dot") },
};

#define N_SETTINGS (BDM_RULE_COUNT + G_N_ELEMENTS(extra_settings))

/* A value read from a file, before it is merged. */
typedef struct {
	BdmVerdictLevel severity;
	GPtrArray *list;
	int number;
} Value;

typedef struct {
	BdmPolicy *p;
	gboolean system_set[N_SETTINGS];
	gboolean locked[N_SETTINGS];
	gboolean version_from_system;
	GPtrArray *files_read;   /* char* paths, for bdm_policy_source() */
} Loader;

/* ---- list entries -------------------------------------------------------- */

static gboolean check_domain(const char *entry, char **normalised)
{
	char *d = g_ascii_strdown(entry, -1);
	const char *start = d;

	if (g_str_has_prefix(start, "*."))
		start += 2;
	else if (*start == '.')
		start++;
	if (!bdm_domain_is_valid(start)) {
		g_free(d);
		return FALSE;
	}
	*normalised = g_strdup(start);
	g_free(d);
	return TRUE;
}

static gboolean check_email(const char *entry, char **normalised)
{
	char *e = g_ascii_strdown(entry, -1);
	char *at = strchr(e, '@');
	gboolean ok = at != NULL && strchr(at + 1, '@') == NULL && bdm_domain_is_valid(at + 1);

	for (const char *c = e; ok && c < at; c++)
		ok = g_ascii_isgraph(*c);
	if (ok)
		*normalised = e;
	else
		g_free(e);
	return ok;
}

static gboolean check_phone(const char *entry, char **normalised)
{
	GString *digits = g_string_new(NULL);

	for (const char *c = entry; *c != '\0'; c++) {
		if (g_ascii_isdigit(*c)) {
			g_string_append_c(digits, *c);
		} else if (strchr(" -.()+/", *c) == NULL) {
			g_string_free(digits, TRUE);
			return FALSE;
		}
	}
	if (digits->len < 7 || digits->len > 15) {
		g_string_free(digits, TRUE);
		return FALSE;
	}
	*normalised = g_string_free(digits, FALSE);
	return TRUE;
}

static gboolean check_word(const char *entry, char **normalised)
{
	if (!bdm_word_is_valid(entry))
		return FALSE;
	*normalised = g_utf8_strdown(entry, -1);
	return TRUE;
}

static gboolean check_phrase(const char *entry, char **normalised)
{
	if (!bdm_phrase_is_valid(entry))
		return FALSE;
	*normalised = g_strdup(entry);
	return TRUE;
}

/* "image/png", or "image/" and a star for every image type: the shape of a MIME type, lower-case, no parameters. */
static gboolean check_mime(const char *entry, char **normalised)
{
	char *m = g_ascii_strdown(entry, -1);
	const char *slash = strchr(m, '/');
	gboolean ok = slash != NULL && slash != m && slash[1] != '\0' &&
	              strchr(slash + 1, '/') == NULL;

	/* A star subtype stands for every type of its kind. */
	if (ok && strcmp(slash + 1, "*") == 0)
		ok = strchr(m, '*') == slash + 1;
	else
		for (const char *c = m; ok && *c != '\0'; c++)
			ok = g_ascii_isalnum(*c) || strchr("/.+-", *c) != NULL;
	if (ok)
		*normalised = m;
	else
		g_free(m);
	return ok;
}

/* "exe" or ".exe": up to ten letters and digits, kept without the dot. */
static gboolean check_extension(const char *entry, char **normalised)
{
	const char *e = *entry == '.' ? entry + 1 : entry;
	gsize len = strlen(e);

	if (len == 0 || len > 10)
		return FALSE;
	for (const char *c = e; *c != '\0'; c++) {
		if (!g_ascii_isalnum(*c))
			return FALSE;
	}
	*normalised = g_ascii_strdown(e, -1);
	return TRUE;
}

/* ---- reading values ---------------------------------------------------- */

static gboolean parse_severity(const char *text, BdmVerdictLevel *level)
{
	if (strcmp(text, "block") == 0)
		*level = BDM_VERDICT_BLOCK;
	else if (strcmp(text, "warn") == 0)
		*level = BDM_VERDICT_WARN;
	else if (strcmp(text, "off") == 0)
		*level = BDM_VERDICT_ALLOW;
	else
		return FALSE;
	return TRUE;
}

static char *get_trimmed(const BdmConfFile *f, const char *group, const char *key)
{
	char *s = g_key_file_get_string(bdm_conf_file_keyfile(f), group, key, NULL);

	return s != NULL ? g_strstrip(s) : g_strdup("");
}

static gboolean read_value(const BdmConfFile *f, const char *group, const char *key,
                           const SettingDesc *desc, Value *value, GError **error)
{
	char *text;
	char **items;

	switch (desc->kind) {
	case KIND_SEVERITY:
		text = get_trimmed(f, group, key);
		if (!parse_severity(text, &value->severity)) {
			bdm_conf_file_fail(f, group, key, error,
			                   _("\"%s\" is not a severity: use block, warn or off"), text);
			g_free(text);
			return FALSE;
		}
		g_free(text);
		return TRUE;
	case KIND_NUMBER: {
		char *end = NULL;
		gint64 n;

		text = get_trimmed(f, group, key);
		n = g_ascii_strtoll(text, &end, 10);
		if (*text == '\0' || *end != '\0' || n < desc->min || n > desc->max) {
			bdm_conf_file_fail(f, group, key, error,
			                   _("\"%s\" is not a whole number from %d to %d"), text,
			                   desc->min, desc->max);
			g_free(text);
			return FALSE;
		}
		value->number = (int)n;
		g_free(text);
		return TRUE;
	}
	case KIND_DENY_LIST:
	case KIND_ALLOW_LIST:
		break;
	}
	items = g_key_file_get_string_list(bdm_conf_file_keyfile(f), group, key, NULL, NULL);
	value->list = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; items != NULL && items[i] != NULL; i++) {
		char *entry = g_strstrip(items[i]), *normalised = NULL;

		if (*entry == '\0')
			continue;
		if (!desc->check(entry, &normalised)) {
			bdm_conf_file_fail(f, group, key, error, _("\"%s\" is not %s"), entry,
			                   _(desc->what));
			g_strfreev(items);
			g_ptr_array_unref(value->list);
			value->list = NULL;
			return FALSE;
		}
		g_ptr_array_add(value->list, normalised);
	}
	g_strfreev(items);
	return TRUE;
}

/* ---- merging ------------------------------------------------------------ */

static const SettingDesc *setting_desc(guint s, SettingDesc *severity_desc)
{
	if (s >= BDM_RULE_COUNT)
		return &extra_settings[s - BDM_RULE_COUNT];
	memset(severity_desc, 0, sizeof(*severity_desc));
	severity_desc->rule = (BdmRule)s;
	severity_desc->key = "severity";
	severity_desc->kind = KIND_SEVERITY;
	return severity_desc;
}

static gboolean list_contains(const GPtrArray *list, const char *entry)
{
	for (guint i = 0; i < list->len; i++) {
		if (strcmp(g_ptr_array_index(list, i), entry) == 0)
			return TRUE;
	}
	return FALSE;
}

static gboolean list_is_subset(const GPtrArray *small, const GPtrArray *big)
{
	for (guint i = 0; i < small->len; i++) {
		if (!list_contains(big, g_ptr_array_index(small, i)))
			return FALSE;
	}
	return TRUE;
}

static void add_notice(BdmPolicy *p, char *notice)
{
	g_ptr_array_insert(p->notices, (gint)p->notices->len - 1, notice);
}

/* Store value into setting s: as the system file says, or as the user file
 * says when that is allowed (see the top of this file).  Takes value. */
static void merge(Loader *ld, guint s, const SettingDesc *desc, Value *value,
                  gboolean is_system, const char *path, const char *group)
{
	BdmPolicy *p = ld->p;
	gboolean open = is_system || (!ld->system_set[s] && !ld->locked[s]);
	gboolean stricter = FALSE;

	if (is_system)
		ld->system_set[s] = TRUE;
	switch (desc->kind) {
	case KIND_SEVERITY:
		stricter = value->severity >= p->severity[desc->rule];
		if (open || stricter)
			p->severity[desc->rule] = value->severity;
		break;
	case KIND_NUMBER:
		stricter = value->number <= p->numbers[desc->index];
		if (open || stricter)
			p->numbers[desc->index] = value->number;
		break;
	case KIND_DENY_LIST:
		stricter = TRUE;
		if (open) {
			g_ptr_array_unref(p->lists[desc->index]);
			p->lists[desc->index] = g_steal_pointer(&value->list);
		} else {
			for (guint i = 0; i < value->list->len; i++) {
				const char *entry = g_ptr_array_index(value->list, i);

				if (!list_contains(p->lists[desc->index], entry))
					g_ptr_array_add(p->lists[desc->index], g_strdup(entry));
			}
		}
		break;
	case KIND_ALLOW_LIST:
		stricter = list_is_subset(value->list, p->lists[desc->index]);
		if (open || stricter) {
			g_ptr_array_unref(p->lists[desc->index]);
			p->lists[desc->index] = g_steal_pointer(&value->list);
		}
		break;
	}
	if (!open && !stricter)
		add_notice(p, g_strdup_printf(_("%s: [%s] %s was ignored: the administrator's "
		                                "policy sets or locks it, and it can only be made "
		                                "stricter"), path, group, desc->key));
	if (value->list != NULL)
		g_ptr_array_unref(value->list);
}

/* The system file's "locked = true": for one rule's settings, or in
 * [policy] for all of them. */
static void lock_rule(Loader *ld, BdmRule rule, gboolean all_rules)
{
	for (guint s = 0; s < N_SETTINGS; s++) {
		SettingDesc sev;

		if (all_rules || setting_desc(s, &sev)->rule == rule)
			ld->locked[s] = TRUE;
	}
}

static void note_user_lock(Loader *ld, const char *path, const char *group)
{
	add_notice(ld->p, g_strdup_printf(_("%s: [%s] locked was ignored: only the "
	                                    "administrator's policy can lock settings"),
	                                  path, group));
}

static gboolean read_rule_group(Loader *ld, const BdmConfFile *f, const char *path,
                                const char *group, BdmRule rule, gboolean is_system,
                                GError **error)
{
	char **keys = g_key_file_get_keys(bdm_conf_file_keyfile(f), group, NULL, NULL);
	gboolean ok = TRUE;

	for (guint i = 0; ok && keys != NULL && keys[i] != NULL; i++) {
		const SettingDesc *desc = NULL;
		SettingDesc sev;
		Value value = { 0 };
		guint s;

		for (s = 0; s < N_SETTINGS; s++) {
			const SettingDesc *d = setting_desc(s, &sev);

			if (d->rule == rule && strcmp(d->key, keys[i]) == 0) {
				desc = d;
				break;
			}
		}
		if (desc == NULL) {
			GString *known = g_string_new("severity, locked");

			for (guint j = 0; j < G_N_ELEMENTS(extra_settings); j++) {
				if (extra_settings[j].rule == rule)
					g_string_append_printf(known, ", %s", extra_settings[j].key);
			}
			ok = bdm_conf_file_fail(f, group, keys[i], error,
			                        _("unknown key; this group knows: %s"), known->str);
			g_string_free(known, TRUE);
			break;
		}
		ok = read_value(f, group, keys[i], desc, &value, error);
		if (ok)
			merge(ld, s, desc, &value, is_system, path, group);
	}
	g_strfreev(keys);
	return ok;
}

static gboolean read_policy_group(Loader *ld, const BdmConfFile *f, const char *path,
                                  gboolean is_system, GError **error)
{
	char **keys = g_key_file_get_keys(bdm_conf_file_keyfile(f), "policy", NULL, NULL);
	gboolean ok = TRUE;

	for (guint i = 0; ok && keys != NULL && keys[i] != NULL; i++) {
		if (strcmp(keys[i], "version") != 0) {
			ok = bdm_conf_file_fail(f, "policy", keys[i], error,
			                        _("unknown key; this group knows: version, locked"));
		} else if (is_system || !ld->version_from_system) {
			g_free(ld->p->version);
			ld->p->version = get_trimmed(f, "policy", "version");
			ld->version_from_system = is_system;
		} else {
			add_notice(ld->p, g_strdup_printf(_("%s: [policy] version was ignored: the "
			                                    "administrator's policy sets it"), path));
		}
	}
	g_strfreev(keys);
	return ok;
}

static gboolean read_group(Loader *ld, const BdmConfFile *f, const char *path,
                           const char *group, gboolean is_system, GError **error)
{
	BdmRule rule = BDM_RULE_COUNT;
	gboolean is_rule = g_str_has_prefix(group, "rule ");
	BdmAgentTable *table;

	if (is_rule && !bdm_rule_from_id(group + strlen("rule "), &rule))
		return bdm_conf_file_fail(f, group, NULL, error,
		                          _("\"%s\" is not a rule (see the list in "
		                            "policy.conf.example)"), group + strlen("rule "));
	if (!is_rule && strcmp(group, "policy") != 0 && strcmp(group, "agents") != 0)
		return bdm_conf_file_fail(f, group, NULL, error,
		                          _("unknown group; use [policy], [agents] or "
		                            "[rule <rule id>]"));
	if (bdm_conf_file_is_locked(f, group)) {
		if (!is_system)
			note_user_lock(ld, path, group);
		else if (strcmp(group, "agents") != 0)
			lock_rule(ld, rule, !is_rule);
	}
	if (is_rule)
		return read_rule_group(ld, f, path, group, rule, is_system, error);
	if (strcmp(group, "policy") == 0)
		return read_policy_group(ld, f, path, is_system, error);
	table = bdm_agent_table_read(f, error);
	if (table == NULL)
		return FALSE;
	g_ptr_array_add(ld->p->agent_tables, table);
	return TRUE;
}

/* Read one file; a path that is NULL or not on disk is skipped. */
static gboolean load_path(Loader *ld, const char *path, gboolean is_system, GError **error)
{
	BdmConfFile *f;
	char **groups;
	gboolean ok = TRUE;

	if (path == NULL || !g_file_test(path, G_FILE_TEST_EXISTS))
		return TRUE;
	f = bdm_conf_file_load(path, NULL, NULL, error);
	if (f == NULL)
		return FALSE;
	groups = g_key_file_get_groups(bdm_conf_file_keyfile(f), NULL);
	for (guint i = 0; ok && groups[i] != NULL; i++)
		ok = read_group(ld, f, path, groups[i], is_system, error);
	g_strfreev(groups);
	bdm_conf_file_free(f);
	if (ok)
		g_ptr_array_add(ld->files_read, g_strdup(path));
	return ok;
}

BdmPolicy *bdm_policy_load(const char *system_path, const char *user_path, GError **error)
{
	Loader ld = { 0 };

	g_return_val_if_fail(error == NULL || *error == NULL, NULL);
	ld.p = bdm_policy_new_uncompiled();
	ld.files_read = g_ptr_array_new_with_free_func(g_free);
	if (!load_path(&ld, system_path, TRUE, error) ||
	    !load_path(&ld, user_path, FALSE, error)) {
		g_ptr_array_unref(ld.files_read);
		bdm_policy_free(ld.p);
		return NULL;
	}
	for (guint r = 0; r < BDM_RULE_COUNT; r++)
		ld.p->severity_locked[r] = ld.locked[r];
	if (ld.files_read->len > 0) {
		g_free(ld.p->source);
		g_ptr_array_add(ld.files_read, NULL);
		ld.p->source = g_strjoinv(", ", (char **)ld.files_read->pdata);
	}
	g_ptr_array_unref(ld.files_read);
	bdm_policy_compile(ld.p);
	return ld.p;
}
