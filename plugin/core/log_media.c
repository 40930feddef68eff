/*
 * Attachment files that go with log records.
 *
 * A message record's detail lists its attachments ({"attachments":[{...,
 * "sha256":...}]}); the files are stored content-addressed beside the log,
 * in <log dir>/media/<sha256>.<ext>.  When records leave the log (erase,
 * retention) the files they named go too, unless a record still kept names
 * the same content (two customers may send the same picture).
 */
#include <string.h>

#include <glib/gstdio.h>

#include "log_internal.h"

static gboolean is_sha256_hex(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 64)
		return FALSE;
	for (i = 0; i < 64; i++)
		if (!g_ascii_isxdigit(s[i]) || g_ascii_isupper(s[i]))
			return FALSE;
	return TRUE;
}

void bdm_log_media_of_detail(const char *detail, GHashTable *shas)
{
	JsonParser *parser;
	JsonObject *obj;
	JsonNode *list;
	guint i, n;

	if (detail == NULL || strstr(detail, "\"attachments\"") == NULL)
		return;
	parser = json_parser_new();
	obj = bdm_log_detail_object(parser, detail);
	list = obj ? json_object_get_member(obj, "attachments") : NULL;
	n = list && JSON_NODE_HOLDS_ARRAY(list) ? json_array_get_length(json_node_get_array(list)) : 0;
	for (i = 0; i < n; i++) {
		JsonNode *item = json_array_get_element(json_node_get_array(list), i);
		JsonNode *sha = JSON_NODE_HOLDS_OBJECT(item)
		                ? json_object_get_member(json_node_get_object(item), "sha256") : NULL;

		/* A forged detail must not name "../log.sqlite": hex digests only. */
		if (sha && JSON_NODE_HOLDS_VALUE(sha) && json_node_get_value_type(sha) == G_TYPE_STRING &&
		    is_sha256_hex(json_node_get_string(sha)))
			g_hash_table_add(shas, g_strdup(json_node_get_string(sha)));
	}
	g_object_unref(parser);
}

/* TRUE when a record still kept (not erased) names this content. */
static gboolean still_named(BdmLog *log, const char *sha)
{
	sqlite3_stmt *stmt = NULL;
	char *pattern = g_strdup_printf("%%\"sha256\":\"%s\"%%", sha);
	gboolean named = TRUE;   /* on a database error, keep the file */

	if (sqlite3_prepare_v2(log->db, "SELECT 1 FROM record WHERE erased = 0 AND detail LIKE ?1"
	                       " LIMIT 1", -1, &stmt, NULL) == SQLITE_OK) {
		int rc;

		bdm_log_bind_text(stmt, 1, pattern);
		rc = sqlite3_step(stmt);
		named = rc == SQLITE_ROW || rc != SQLITE_DONE;
	}
	sqlite3_finalize(stmt);
	g_free(pattern);
	return named;
}

guint bdm_log_media_delete(BdmLog *log, GHashTable *shas)
{
	char *dir_path, *log_dir;
	GDir *dir;
	const char *name;
	guint deleted = 0;

	if (g_hash_table_size(shas) == 0)
		return 0;
	log_dir = g_path_get_dirname(log->path);
	dir_path = g_build_filename(log_dir, "media", NULL);
	g_free(log_dir);
	dir = g_dir_open(dir_path, 0, NULL);
	while (dir && (name = g_dir_read_name(dir)) != NULL) {
		char *sha = g_strndup(name, 64);

		/* "<sha256>.<ext>": the name's first 64 characters, then a dot. */
		if (name[0] && strlen(name) > 64 && name[64] == '.' &&
		    g_hash_table_contains(shas, sha) && !still_named(log, sha)) {
			char *path = g_build_filename(dir_path, name, NULL);

			if (g_unlink(path) == 0)
				deleted++;
			g_free(path);
		}
		g_free(sha);
	}
	if (dir)
		g_dir_close(dir);
	g_free(dir_path);
	return deleted;
}
