/*
 * bdm-testclient: prefs, plugins, requests and quit (see commands.h).
 */
#include "commands.h"
#include "event.h"
#include "ui_notify.h"

/* Where the client remembers which standard plugins a test loaded, so a
 * restart brings them back as Pidgin's plugin dialog would. */
#define LOADED_PLUGINS_PREF "/" BDM_CLIENT_UI "/plugins/loaded"

/* ---- prefs -------------------------------------------------------------- */

static void add_pref_value(JsonBuilder *result, const char *path)
{
	GList *list, *item;

	json_builder_set_member_name(result, "value");
	switch (purple_prefs_get_type(path)) {
	case PURPLE_PREF_BOOLEAN:
		json_builder_add_boolean_value(result, purple_prefs_get_bool(path));
		bdm_event_add_string(result, "type", "bool");
		break;
	case PURPLE_PREF_INT:
		json_builder_add_int_value(result, purple_prefs_get_int(path));
		bdm_event_add_string(result, "type", "int");
		break;
	case PURPLE_PREF_STRING:
	case PURPLE_PREF_PATH:
		json_builder_add_string_value(result, purple_prefs_get_string(path));
		bdm_event_add_string(result, "type", "string");
		break;
	case PURPLE_PREF_STRING_LIST:
	case PURPLE_PREF_PATH_LIST:
		list = purple_prefs_get_type(path) == PURPLE_PREF_STRING_LIST ?
			purple_prefs_get_string_list(path) : purple_prefs_get_path_list(path);
		json_builder_begin_array(result);
		for (item = list; item; item = item->next)
			json_builder_add_string_value(result, item->data);
		json_builder_end_array(result);
		g_list_free_full(list, g_free);
		bdm_event_add_string(result, "type", "string-list");
		break;
	default:
		json_builder_add_null_value(result);
		bdm_event_add_string(result, "type", "none");
		break;
	}
}

/* Create the missing ancestors of path as "none" prefs: libpurple refuses
 * to add a pref whose parent does not exist, and a test may set a plugin's
 * pref before the plugin has registered it. */
static void add_pref_parents(const char *path)
{
	char **parts = g_strsplit(path + 1, "/", -1);
	GString *prefix = g_string_new(NULL);
	guint i, count = g_strv_length(parts);

	for (i = 0; i + 1 < count; i++) {
		g_string_append_c(prefix, '/');
		g_string_append(prefix, parts[i]);
		if (!purple_prefs_exists(prefix->str))
			purple_prefs_add_none(prefix->str);
	}
	g_string_free(prefix, TRUE);
	g_strfreev(parts);
}

static gboolean check_pref_path(const char *path, GError **error)
{
	if (path[0] != '/' || path[1] == '\0' || g_str_has_suffix(path, "/") ||
	    strstr(path, "//") != NULL) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "\"%s\" is not a pref path like /plugins/name/key", path);
		return FALSE;
	}
	return TRUE;
}

static gboolean cmd_pref_set(BdmClient *client, JsonObject *args, JsonBuilder *result,
                             GError **error)
{
	static const struct {
		const char *name;
		PurplePrefType type;
		GType json_type;
	} types[] = {
		{ "string", PURPLE_PREF_STRING, G_TYPE_STRING },
		{ "int", PURPLE_PREF_INT, G_TYPE_INT64 },
		{ "bool", PURPLE_PREF_BOOLEAN, G_TYPE_BOOLEAN },
	};
	const char *path, *type_name;
	JsonNode *value;
	gsize i;

	(void)client;
	if ((path = bdm_arg_string(args, "path", error)) == NULL ||
	    (type_name = bdm_arg_string(args, "type", error)) == NULL ||
	    !check_pref_path(path, error))
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS(types) && strcmp(types[i].name, type_name) != 0; i++)
		;
	if (i == G_N_ELEMENTS(types)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "pref type must be string, int or bool, not \"%s\"", type_name);
		return FALSE;
	}
	value = json_object_get_member(args, "value");
	if (value == NULL || !JSON_NODE_HOLDS_VALUE(value) ||
	    json_node_get_value_type(value) != types[i].json_type ||
	    (types[i].type == PURPLE_PREF_INT && (json_node_get_int(value) < G_MININT ||
	                                          json_node_get_int(value) > G_MAXINT))) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "\"value\" must be a %s", type_name);
		return FALSE;
	}
	/* libpurple only logs a type mismatch and keeps the old value. */
	if (purple_prefs_exists(path) && purple_prefs_get_type(path) != types[i].type) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "pref \"%s\" exists with another type", path);
		return FALSE;
	}
	add_pref_parents(path);
	if (types[i].type == PURPLE_PREF_STRING)
		purple_prefs_set_string(path, json_node_get_string(value));
	else if (types[i].type == PURPLE_PREF_INT)
		purple_prefs_set_int(path, (int)json_node_get_int(value));
	else
		purple_prefs_set_bool(path, json_node_get_boolean(value));
	if (!purple_prefs_exists(path)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "libpurple did not create pref \"%s\"", path);
		return FALSE;
	}
	bdm_event_add_string(result, "path", path);
	add_pref_value(result, path);
	return TRUE;
}

static gboolean cmd_pref_get(BdmClient *client, JsonObject *args, JsonBuilder *result,
                             GError **error)
{
	const char *path;

	(void)client;
	if ((path = bdm_arg_string(args, "path", error)) == NULL ||
	    !check_pref_path(path, error))
		return FALSE;
	if (!purple_prefs_exists(path)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "no pref \"%s\"", path);
		return FALSE;
	}
	bdm_event_add_string(result, "path", path);
	add_pref_value(result, path);
	return TRUE;
}

/* ---- plugins ------------------------------------------------------------ */

static const char *plugin_type_name(PurplePluginType type)
{
	switch (type) {
	case PURPLE_PLUGIN_STANDARD:
		return "standard";
	case PURPLE_PLUGIN_LOADER:
		return "loader";
	case PURPLE_PLUGIN_PROTOCOL:
		return "protocol";
	default:
		return "unknown";
	}
}

static gboolean cmd_plugins(BdmClient *client, JsonObject *args, JsonBuilder *result,
                            GError **error)
{
	GList *item;

	(void)client;
	(void)args;
	(void)error;
	json_builder_set_member_name(result, "plugins");
	json_builder_begin_array(result);
	for (item = purple_plugins_get_all(); item; item = item->next) {
		PurplePlugin *plugin = item->data;

		json_builder_begin_object(result);
		bdm_event_add_string(result, "id", purple_plugin_get_id(plugin));
		bdm_event_add_string(result, "name", purple_plugin_get_name(plugin));
		bdm_event_add_string(result, "type", plugin->info ?
		                     plugin_type_name(plugin->info->type) : "unknown");
		bdm_event_add_bool(result, "loaded", purple_plugin_is_loaded(plugin));
		bdm_event_add_string(result, "path", plugin->path);
		bdm_event_add_string(result, "error", plugin->error);
		json_builder_end_object(result);
	}
	json_builder_end_array(result);
	return TRUE;
}

static PurplePlugin *arg_plugin(JsonObject *args, GError **error)
{
	const char *id = bdm_arg_string(args, "plugin", error);
	PurplePlugin *plugin;

	if (id == NULL)
		return NULL;
	plugin = purple_plugins_find_with_id(id);
	if (plugin == NULL)
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "no plugin with id \"%s\"", id);
	return plugin;
}

static gboolean cmd_plugin_load(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                GError **error)
{
	PurplePlugin *plugin = arg_plugin(args, error);

	(void)client;
	if (plugin == NULL)
		return FALSE;
	if (!purple_plugin_is_loaded(plugin) && !purple_plugin_load(plugin)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "plugin \"%s\" did not load: %s", purple_plugin_get_id(plugin),
		            plugin->error ? plugin->error : "no reason given");
		return FALSE;
	}
	purple_plugins_save_loaded(LOADED_PLUGINS_PREF);
	bdm_event_add_string(result, "plugin", purple_plugin_get_id(plugin));
	return TRUE;
}

/* The test-hook contract: every argument is a string (or NULL) and the
 * return value, if any, a g_malloc'ed string.  Anything else would make
 * the call below read or free memory of the wrong type. */
static gboolean check_ipc_signature(PurplePlugin *plugin, const char *command, GError **error)
{
	PurpleValue *ret = NULL, **params = NULL;
	int count = 0, i;

	if (!purple_plugin_ipc_get_params(plugin, command, &ret, &count, &params)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "plugin \"%s\" has no IPC command \"%s\"",
		            purple_plugin_get_id(plugin), command);
		return FALSE;
	}
	if (ret != NULL && purple_value_get_type(ret) != PURPLE_TYPE_STRING) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "IPC command \"%s\" does not return a string", command);
		return FALSE;
	}
	if (count > 3) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "IPC command \"%s\" takes %d arguments, the client passes 3",
		            command, count);
		return FALSE;
	}
	for (i = 0; i < count; i++) {
		if (params[i] == NULL || purple_value_get_type(params[i]) != PURPLE_TYPE_STRING) {
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
			            "argument %d of IPC command \"%s\" is not a string",
			            i + 1, command);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean cmd_plugin_ipc(BdmClient *client, JsonObject *args, JsonBuilder *result,
                               GError **error)
{
	const char *argv[3] = { NULL, NULL, NULL };
	PurplePlugin *plugin;
	const char *command;
	JsonNode *node;
	JsonArray *list;
	gboolean ok = FALSE;
	char *answer;
	guint i;

	(void)client;
	if ((plugin = arg_plugin(args, error)) == NULL ||
	    (command = bdm_arg_string(args, "command", error)) == NULL)
		return FALSE;
	node = json_object_get_member(args, "args");
	if (node != NULL && !JSON_NODE_HOLDS_NULL(node)) {
		if (!JSON_NODE_HOLDS_ARRAY(node) ||
		    json_array_get_length(json_node_get_array(node)) > 3) {
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
			            "\"args\" must be an array of at most 3 strings");
			return FALSE;
		}
		list = json_node_get_array(node);
		for (i = 0; i < json_array_get_length(list); i++) {
			JsonNode *item = json_array_get_element(list, i);

			if (JSON_NODE_HOLDS_NULL(item))
				continue;
			if (json_node_get_value_type(item) != G_TYPE_STRING) {
				g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
				            "IPC argument %u is not a string", i + 1);
				return FALSE;
			}
			argv[i] = json_node_get_string(item);
		}
	}
	if (!check_ipc_signature(plugin, command, error))
		return FALSE;
	answer = purple_plugin_ipc_call(plugin, command, &ok, argv[0], argv[1], argv[2]);
	if (!ok) {
		g_free(answer);
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "IPC call \"%s\" failed", command);
		return FALSE;
	}
	bdm_event_add_string(result, "value", answer);
	g_free(answer);
	return TRUE;
}

/* ---- requests ----------------------------------------------------------- */

static gboolean cmd_requests(BdmClient *client, JsonObject *args, JsonBuilder *result,
                             GError **error)
{
	(void)args;
	(void)error;
	bdm_requests_list(client->requests, result);
	return TRUE;
}

static gboolean cmd_request_answer(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                   GError **error)
{
	JsonNode *node = json_object_get_member(args, "request");
	gint64 id;

	if (node == NULL || json_node_get_value_type(node) != G_TYPE_INT64 ||
	    (id = json_node_get_int(node)) <= 0 || id > G_MAXUINT) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "\"request\" must be the number of a request event");
		return FALSE;
	}
	bdm_event_add_int(result, "request", id);
	return bdm_requests_answer(client->requests, (guint)id, args, error);
}

/* Press a button of open search results: notify (the event's notify_id),
 * button ("im", ... or a label), row (0-based). */
static gboolean cmd_search_button(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                  GError **error)
{
	JsonNode *id = json_object_get_member(args, "notify");
	JsonNode *row = json_object_get_member(args, "row");
	const char *button;

	(void)client;
	(void)result;
	if (id == NULL || json_node_get_value_type(id) != G_TYPE_INT64 ||
	    json_node_get_int(id) <= 0 || json_node_get_int(id) > G_MAXUINT ||
	    row == NULL || json_node_get_value_type(row) != G_TYPE_INT64 ||
	    json_node_get_int(row) < 0 || json_node_get_int(row) > G_MAXUINT) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "\"notify\" must be a notify_id and \"row\" a row number");
		return FALSE;
	}
	if ((button = bdm_arg_string(args, "button", error)) == NULL)
		return FALSE;
	return bdm_notify_search_button((guint)json_node_get_int(id), button,
	                                (guint)json_node_get_int(row), error);
}

static gboolean cmd_request_policy(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                   GError **error)
{
	gboolean auto_answer = FALSE;
	JsonNode *node = json_object_get_member(args, "action");
	gint64 action = -1;

	if (!json_object_has_member(args, "auto")) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "missing boolean member \"auto\"");
		return FALSE;
	}
	if (!bdm_arg_bool_opt(args, "auto", &auto_answer, error))
		return FALSE;
	if (node != NULL && !JSON_NODE_HOLDS_NULL(node)) {
		if (json_node_get_value_type(node) != G_TYPE_INT64 ||
		    (action = json_node_get_int(node)) < 0 || action > G_MAXINT) {
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
			            "\"action\" must be an action index");
			return FALSE;
		}
	}
	bdm_requests_set_auto(client->requests, auto_answer, (int)action);
	bdm_event_add_bool(result, "auto", auto_answer);
	bdm_event_add_int(result, "action", action);
	return TRUE;
}

/* ---- quit --------------------------------------------------------------- */

static gboolean quit_idle(gpointer data)
{
	bdm_client_quit(data);
	return G_SOURCE_REMOVE;
}

/* Quit from the main loop, after the result event is out: the harness
 * waits for the result, then for the process to exit. */
static gboolean cmd_quit(BdmClient *client, JsonObject *args, JsonBuilder *result, GError **error)
{
	(void)args;
	(void)result;
	(void)error;
	client->quit_requested = TRUE;
	g_idle_add(quit_idle, client);
	return TRUE;
}

const BdmCommand bdm_core_commands[] = {
	{ "search-button", cmd_search_button },
	{ "pref-set", cmd_pref_set },
	{ "pref-get", cmd_pref_get },
	{ "plugins", cmd_plugins },
	{ "plugin-load", cmd_plugin_load },
	{ "plugin-ipc", cmd_plugin_ipc },
	{ "requests", cmd_requests },
	{ "request-answer", cmd_request_answer },
	{ "request-policy", cmd_request_policy },
	{ "quit", cmd_quit },
	{ NULL, NULL }
};
