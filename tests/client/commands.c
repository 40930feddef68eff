/*
 * bdm-testclient: command dispatch and argument helpers (see commands.h).
 */
#include "commands.h"
#include "event.h"
#include "ui_xfer.h"

static const BdmCommand *const command_tables[] = {
	bdm_account_commands,
	bdm_conv_commands,
	bdm_core_commands,
	bdm_xfer_commands,
};

static BdmCommandFunc find_command(const char *name)
{
	gsize i;
	const BdmCommand *command;

	for (i = 0; i < G_N_ELEMENTS(command_tables); i++) {
		for (command = command_tables[i]; command->name != NULL; command++) {
			if (strcmp(command->name, name) == 0)
				return command->run;
		}
	}
	return NULL;
}

/* Parse line into an object with a string "cmd"; the parser stays alive
 * as long as the returned object is used, so it is handed back too. */
static JsonObject *parse_command(const char *line, JsonParser *parser, const char **name,
                                 GError **error)
{
	GError *parse_error = NULL;
	JsonNode *root, *cmd;

	if (!json_parser_load_from_data(parser, line, -1, &parse_error)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_COMMAND,
		            "input is not JSON: %s", parse_error->message);
		g_error_free(parse_error);
		return NULL;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_COMMAND,
		            "a command must be a JSON object");
		return NULL;
	}
	cmd = json_object_get_member(json_node_get_object(root), "cmd");
	if (cmd == NULL || json_node_get_value_type(cmd) != G_TYPE_STRING) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_COMMAND,
		            "a command needs a string member \"cmd\"");
		return NULL;
	}
	*name = json_node_get_string(cmd);
	return json_node_get_object(root);
}

void bdm_commands_run_line(BdmClient *client, const char *line)
{
	JsonParser *parser = json_parser_new();
	JsonBuilder *result = bdm_event_begin("result");
	GError *error = NULL;
	const char *name = NULL;
	JsonObject *args;
	BdmCommandFunc run;
	gboolean ok = FALSE;

	args = parse_command(line, parser, &name, &error);
	if (args != NULL && json_object_has_member(args, "id")) {
		json_builder_set_member_name(result, "id");
		json_builder_add_value(result,
			json_node_copy(json_object_get_member(args, "id")));
	}
	bdm_event_add_string(result, "cmd", name);
	if (args != NULL) {
		run = find_command(name);
		if (run == NULL)
			g_set_error(&error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_COMMAND,
			            "unknown command \"%s\"", name);
		else
			ok = run(client, args, result, &error);
	}
	/* A handler that fails must say why; one that forgets is a client bug
	 * the tests should see rather than an empty error. */
	if (!ok && error == NULL)
		g_set_error(&error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "command failed without a reason");
	bdm_event_add_bool(result, "ok", ok);
	if (!ok)
		bdm_event_add_string(result, "error", error->message);
	bdm_event_emit(result);

	g_clear_error(&error);
	g_object_unref(parser);
}

void bdm_commands_reject_line(const char *reason)
{
	JsonBuilder *result = bdm_event_begin("result");

	bdm_event_add_string(result, "cmd", NULL);
	bdm_event_add_bool(result, "ok", FALSE);
	bdm_event_add_string(result, "error", reason);
	bdm_event_emit(result);
}

static JsonNode *get_member(JsonObject *args, const char *name)
{
	JsonNode *node = json_object_get_member(args, name);

	return (node == NULL || JSON_NODE_HOLDS_NULL(node)) ? NULL : node;
}

const char *bdm_arg_string(JsonObject *args, const char *name, GError **error)
{
	const char *value = NULL;

	if (!bdm_arg_string_opt(args, name, &value, error))
		return NULL;
	if (value == NULL)
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "missing string member \"%s\"", name);
	return value;
}

gboolean bdm_arg_string_opt(JsonObject *args, const char *name, const char **value, GError **error)
{
	JsonNode *node = get_member(args, name);

	*value = NULL;
	if (node == NULL)
		return TRUE;
	if (json_node_get_value_type(node) != G_TYPE_STRING) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "member \"%s\" must be a string", name);
		return FALSE;
	}
	*value = json_node_get_string(node);
	return TRUE;
}

gboolean bdm_arg_bool_opt(JsonObject *args, const char *name, gboolean *value, GError **error)
{
	JsonNode *node = get_member(args, name);

	if (node == NULL)
		return TRUE;
	if (json_node_get_value_type(node) != G_TYPE_BOOLEAN) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "member \"%s\" must be true or false", name);
		return FALSE;
	}
	*value = json_node_get_boolean(node);
	return TRUE;
}

PurpleAccount *bdm_arg_account(JsonObject *args, GError **error)
{
	const char *protocol, *username;
	PurpleAccount *account;

	if ((protocol = bdm_arg_string(args, "protocol", error)) == NULL ||
	    (username = bdm_arg_string(args, "username", error)) == NULL)
		return NULL;
	account = purple_accounts_find(username, protocol);
	if (account == NULL)
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "no account \"%s\" of protocol \"%s\"", username, protocol);
	return account;
}

PurpleConnection *bdm_arg_connection(JsonObject *args, GError **error)
{
	PurpleAccount *account = bdm_arg_account(args, error);
	PurpleConnection *gc;

	if (account == NULL)
		return NULL;
	gc = purple_account_get_connection(account);
	if (gc == NULL || purple_connection_get_state(gc) != PURPLE_CONNECTED) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "account \"%s\" is not connected",
		            purple_account_get_username(account));
		return NULL;
	}
	return gc;
}
