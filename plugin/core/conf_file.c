/*
 * Loading and merging the system and user desk configuration files.
 *
 * GKeyFile reports a syntax error without its line number, and an
 * administrator with a 300-line templates.conf needs one.  We find it by
 * bisection: a prefix of the file parses exactly when the bad line lies
 * beyond it, because GKeyFile's syntax errors are local to one line.
 * For errors found later (a bad value), bdm_conf_file_where() scans the
 * text of the file the value came from for its group and key.
 */
#include <stdarg.h>
#include <string.h>

#include "branddm/i18n.h"
#include "conf_file.h"

enum { SOURCE_SYSTEM, SOURCE_USER, N_SOURCES };

typedef struct {
	char *path;
	char *text; /* NULL when the file was absent or not given */
	gsize len;
} Source;

struct BdmConfFile {
	GKeyFile *merged;
	Source sources[N_SOURCES];
	GHashTable *locked; /* group names the system file locked */
};

G_DEFINE_QUARK(bdm-conf-error-quark, bdm_conf_error)

void bdm_conf_file_free(BdmConfFile *cf)
{
	int i;

	if (cf == NULL)
		return;
	for (i = 0; i < N_SOURCES; i++) {
		g_free(cf->sources[i].path);
		g_free(cf->sources[i].text);
	}
	if (cf->merged != NULL)
		g_key_file_free(cf->merged);
	g_hash_table_destroy(cf->locked);
	g_free(cf);
}

static gboolean prefix_parses(const char *text, gsize len)
{
	GKeyFile *kf = g_key_file_new();
	gboolean ok = g_key_file_load_from_data(kf, text, len, G_KEY_FILE_KEEP_TRANSLATIONS,
	                                        NULL);

	g_key_file_free(kf);
	return ok;
}

/* The 1-based number of the first line GKeyFile refuses, 0 if none is. */
static int find_bad_line(const char *text, gsize len)
{
	GArray *ends = g_array_new(FALSE, FALSE, sizeof(gsize));
	int low = 1, high;
	gsize i;

	for (i = 0; i < len; i++)
		if (text[i] == '\n' || i + 1 == len) {
			gsize end = i + 1;
			g_array_append_val(ends, end);
		}
	high = (int)ends->len;
	if (high == 0 || prefix_parses(text, len)) {
		g_array_unref(ends);
		return 0;
	}
	while (low < high) {
		int mid = low + (high - low) / 2;

		if (prefix_parses(text, g_array_index(ends, gsize, mid - 1)))
			low = mid + 1;
		else
			high = mid;
	}
	g_array_unref(ends);
	return low;
}

/* Read one file into src and a new key file; an absent file gives an empty one. */
static GKeyFile *load_source(Source *src, const char *path, GError **error)
{
	GKeyFile *kf = g_key_file_new();
	GError *local = NULL;
	int line;
	char *safe;

	if (path == NULL)
		return kf;
	src->path = g_strdup(path);
	if (!g_file_get_contents(path, &src->text, &src->len, &local)) {
		if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_error_free(local);
			return kf;
		}
		g_set_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_READ,
		            _("Cannot read configuration file: %s"), local->message);
		g_error_free(local);
		g_key_file_free(kf);
		return NULL;
	}
	if (g_key_file_load_from_data(kf, src->text, src->len, G_KEY_FILE_KEEP_TRANSLATIONS,
	                              &local))
		return kf;
	line = find_bad_line(src->text, src->len);
	/* GLib quotes the offending bytes ("Invalid key name: ...") as they are. */
	safe = g_utf8_make_valid(local->message, -1);
	if (line > 0)
		g_set_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_PARSE, "%s:%d: %s", path, line,
		            safe);
	else
		g_set_error(error, BDM_CONF_ERROR, BDM_CONF_ERROR_PARSE, "%s: %s", path, safe);
	g_free(safe);
	g_error_free(local);
	g_key_file_free(kf);
	return NULL;
}

static gboolean has_replace_prefix(const char *group, const char *const *prefixes)
{
	for (; prefixes != NULL && *prefixes != NULL; prefixes++)
		if (g_str_has_prefix(group, *prefixes))
			return TRUE;
	return FALSE;
}

/* Note the system's locked groups, then strip every `locked` key. */
static gboolean collect_locks(BdmConfFile *cf, GError **error)
{
	char **groups = g_key_file_get_groups(cf->merged, NULL);
	gboolean ok = TRUE;
	char **g;

	for (g = groups; ok && *g != NULL; g++) {
		GError *local = NULL;
		gboolean locked;

		if (!g_key_file_has_key(cf->merged, *g, "locked", NULL))
			continue;
		locked = g_key_file_get_boolean(cf->merged, *g, "locked", &local);
		if (local != NULL) {
			ok = bdm_conf_file_fail(cf, *g, "locked", error,
			                        _("locked must be true or false"));
			g_error_free(local);
			break;
		}
		if (locked)
			g_hash_table_add(cf->locked, g_strdup(*g));
		g_key_file_remove_key(cf->merged, *g, "locked", NULL);
	}
	g_strfreev(groups);
	return ok;
}

/* Empty a group but keep its place, so replacing a template or trigger does
 * not move it to the end of the list. */
static void clear_group(GKeyFile *kf, const char *group)
{
	char **keys = g_key_file_get_keys(kf, group, NULL, NULL);
	char **k;

	for (k = keys; keys != NULL && *k != NULL; k++)
		g_key_file_remove_key(kf, group, *k, NULL);
	g_strfreev(keys);
}

static void merge_user(BdmConfFile *cf, GKeyFile *user, const char *const *replace_prefixes)
{
	char **groups = g_key_file_get_groups(user, NULL);
	char **g, **k;

	for (g = groups; *g != NULL; g++) {
		char **keys;

		if (g_hash_table_contains(cf->locked, *g))
			continue;
		keys = g_key_file_get_keys(user, *g, NULL, NULL);
		/* An empty user group changes nothing rather than deleting the system's. */
		if (keys != NULL && keys[0] != NULL && has_replace_prefix(*g, replace_prefixes))
			clear_group(cf->merged, *g);
		for (k = keys; keys != NULL && *k != NULL; k++) {
			char *value;

			if (strcmp(*k, "locked") == 0)
				continue;
			value = g_key_file_get_value(user, *g, *k, NULL);
			g_key_file_set_value(cf->merged, *g, *k, value);
			g_free(value);
		}
		g_strfreev(keys);
	}
	g_strfreev(groups);
}

BdmConfFile *bdm_conf_file_load(const char *system_path, const char *user_path,
                                const char *const *replace_prefixes, GError **error)
{
	BdmConfFile *cf = g_new0(BdmConfFile, 1);
	GKeyFile *user;

	cf->locked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	cf->merged = load_source(&cf->sources[SOURCE_SYSTEM], system_path, error);
	if (cf->merged == NULL || !collect_locks(cf, error)) {
		bdm_conf_file_free(cf);
		return NULL;
	}
	user = load_source(&cf->sources[SOURCE_USER], user_path, error);
	if (user == NULL) {
		bdm_conf_file_free(cf);
		return NULL;
	}
	merge_user(cf, user, replace_prefixes);
	g_key_file_free(user);
	return cf;
}

GKeyFile *bdm_conf_file_keyfile(const BdmConfFile *cf)
{
	return cf->merged;
}

gboolean bdm_conf_file_is_locked(const BdmConfFile *cf, const char *group)
{
	return g_hash_table_contains(cf->locked, group);
}

/* Line of [group] (key NULL) or of group's key in text; 0 when absent.
 * Follows GKeyFile's reading: leading blanks ignored, "key = value". */
static int find_line(const char *text, gsize len, const char *group, const char *key)
{
	char **lines;
	gboolean in_group = FALSE;
	int found = 0, i;
	char *copy = g_strndup(text, len);

	lines = g_strsplit(copy, "\n", -1);
	for (i = 0; found == 0 && lines[i] != NULL; i++) {
		char *line = g_strstrip(lines[i]);
		char *end;

		if (line[0] == '[' && (end = strrchr(line, ']')) != NULL) {
			*end = '\0';
			in_group = strcmp(line + 1, group) == 0;
			if (in_group && key == NULL)
				found = i + 1;
		} else if (in_group && key != NULL && line[0] != '#' &&
		           (end = strchr(line, '=')) != NULL) {
			*end = '\0';
			if (strcmp(g_strchomp(line), key) == 0)
				found = i + 1;
		}
	}
	g_strfreev(lines);
	g_free(copy);
	return found;
}

char *bdm_conf_file_where(const BdmConfFile *cf, const char *group, const char *key)
{
	/* The user's definition is the one in force unless the group is locked. */
	int order[N_SOURCES] = { SOURCE_USER, SOURCE_SYSTEM };
	int i;

	for (i = 0; i < N_SOURCES; i++) {
		const Source *src = &cf->sources[order[i]];
		int line;

		if (src->text == NULL ||
		    (order[i] == SOURCE_USER && bdm_conf_file_is_locked(cf, group)))
			continue;
		line = find_line(src->text, src->len, group, key);
		if (line > 0)
			return g_strdup_printf("%s:%d", src->path, line);
	}
	for (i = 0; i < N_SOURCES; i++)
		if (cf->sources[order[i]].text != NULL)
			return g_strdup(cf->sources[order[i]].path);
	return g_strdup(_("(built-in defaults)"));
}

gboolean bdm_conf_file_fail(const BdmConfFile *cf, const char *group, const char *key,
                            GError **error, const char *format, ...)
{
	char *where = bdm_conf_file_where(cf, group, key);
	char *message, *text, *safe;
	va_list args;

	va_start(args, format);
	message = g_strdup_vprintf(format, args);
	va_end(args);
	if (key != NULL)
		text = g_strdup_printf("%s: [%s] %s: %s", where, group, key, message);
	else
		text = g_strdup_printf("%s: [%s]: %s", where, group, message);
	/* GKeyFile takes any bytes as group and key names, and callers quote
	 * names and values from the file: the agent must still get text. */
	safe = g_utf8_make_valid(text, -1);
	g_set_error_literal(error, BDM_CONF_ERROR, BDM_CONF_ERROR_PARSE, safe);
	g_free(safe);
	g_free(text);
	g_free(message);
	g_free(where);
	return FALSE;
}
