/*
 * Who may send on which account: the [agents] group of a policy file.
 *
 *   [agents]
 *   facebook:1000123 = alice;bob     one account
 *   instagram:*      = carol         every account of a platform
 *   *                = *             everything else, everybody
 *
 * The most specific key that matches decides; when none does, nobody may
 * send (once an administrator lists agents, an unlisted account is
 * read-only, which is the safe reading of a forgotten line).  A policy
 * without any [agents] group lets everyone send.  Names are OS user names,
 * compared exactly.
 */
#include <string.h>

#include "branddm/i18n.h"
#include "policy_private.h"

struct BdmAgentTable {
	GHashTable *entries;  /* key -> char** names ("*" = everyone) */
	GPtrArray *keys;      /* char*, the keys in file order, for the summary */
};

static gboolean is_platform_name(const char *s, gsize len)
{
	if (len == 0)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_islower(s[i]) && !g_ascii_isdigit(s[i]) && s[i] != '_' && s[i] != '-')
			return FALSE;
	}
	return TRUE;
}

static gboolean has_blank(const char *s)
{
	for (; *s != '\0'; s++) {
		if (g_ascii_isspace(*s))
			return TRUE;
	}
	return FALSE;
}

/* "*", "platform:*" or "platform:account". */
static gboolean is_agent_key(const char *key)
{
	const char *colon = strchr(key, ':');

	if (strcmp(key, "*") == 0)
		return TRUE;
	return colon != NULL && is_platform_name(key, (gsize)(colon - key)) &&
	       colon[1] != '\0' && !has_blank(colon + 1) && strchr(colon + 1, ':') == NULL;
}

BdmAgentTable *bdm_agent_table_read(const BdmConfFile *file, GError **error)
{
	GKeyFile *kf = bdm_conf_file_keyfile(file);
	BdmAgentTable *table = g_new0(BdmAgentTable, 1);
	char **keys = g_key_file_get_keys(kf, "agents", NULL, NULL);
	gboolean ok = TRUE;

	table->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	                                       (GDestroyNotify)g_strfreev);
	table->keys = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; ok && keys != NULL && keys[i] != NULL; i++) {
		char **names = g_key_file_get_string_list(kf, "agents", keys[i], NULL, NULL);
		GPtrArray *clean = g_ptr_array_new_with_free_func(g_free);

		if (!is_agent_key(keys[i]))
			ok = bdm_conf_file_fail(file, "agents", keys[i], error,
			                        _("the key must be \"*\", \"platform:*\" or "
			                          "\"platform:account\" (platform in lower case)"));
		for (guint j = 0; ok && names != NULL && names[j] != NULL; j++) {
			char *name = g_strstrip(names[j]);

			if (*name == '\0')
				continue;
			if (has_blank(name))
				ok = bdm_conf_file_fail(file, "agents", keys[i], error,
				                        _("\"%s\" is not a user name (names are "
				                          "separated by ';')"), name);
			else
				g_ptr_array_add(clean, g_strdup(name));
		}
		g_strfreev(names);
		if (ok) {
			g_ptr_array_add(clean, NULL);
			g_hash_table_insert(table->entries, g_strdup(keys[i]),
			                    g_ptr_array_free(clean, FALSE));
			g_ptr_array_add(table->keys, g_strdup(keys[i]));
		} else {
			g_ptr_array_unref(clean);
		}
	}
	g_strfreev(keys);
	if (!ok) {
		bdm_agent_table_free(table);
		return NULL;
	}
	return table;
}

void bdm_agent_table_free(BdmAgentTable *table)
{
	if (table == NULL)
		return;
	g_hash_table_destroy(table->entries);
	g_ptr_array_free(table->keys, TRUE);
	g_free(table);
}

static gboolean names_allow(char **names, const char *agent)
{
	for (guint i = 0; names[i] != NULL; i++) {
		if (strcmp(names[i], "*") == 0 || (agent != NULL && strcmp(names[i], agent) == 0))
			return TRUE;
	}
	return FALSE;
}

gboolean bdm_agent_table_allows(const BdmAgentTable *table, const char *platform,
                                const char *account, const char *agent)
{
	char **names = NULL;

	if (platform != NULL && *platform != '\0') {
		char *key;

		if (account != NULL && *account != '\0') {
			key = g_strconcat(platform, ":", account, NULL);
			names = g_hash_table_lookup(table->entries, key);
			g_free(key);
		}
		if (names == NULL) {
			key = g_strconcat(platform, ":*", NULL);
			names = g_hash_table_lookup(table->entries, key);
			g_free(key);
		}
	}
	if (names == NULL)
		names = g_hash_table_lookup(table->entries, "*");
	return names != NULL && names_allow(names, agent);
}

void bdm_agent_table_describe(const BdmAgentTable *table, GString *out)
{
	for (guint i = 0; i < table->keys->len; i++) {
		const char *key = g_ptr_array_index(table->keys, i);
		char **names = g_hash_table_lookup(table->entries, key);
		char *who;

		if (names[0] == NULL)
			who = g_strdup(_("nobody"));
		else if (names_allow(names, NULL))
			who = g_strdup(_("everyone"));
		else
			who = g_strjoinv(", ", names);
		g_string_append_printf(out, "    %s: %s\n",
		                       strcmp(key, "*") == 0 ? _("any other account") : key, who);
		g_free(who);
	}
}
