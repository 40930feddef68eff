/*
 * bdm-testclient: account and protocol-action commands (see commands.h).
 *
 * Accounts are created the way Pidgin's account editor does it — password
 * remembered, settings stored with the type the protocol declares — so a
 * test that passes here behaves the same after a restart in Pidgin.
 */
#include "commands.h"
#include "event.h"

/* The protocol's declared option for setting, or NULL; used to catch a test
 * storing a string where the protocol will read an int. */
static PurpleAccountOption *find_declared_option(PurplePluginProtocolInfo *prpl_info,
                                                 const char *setting)
{
	GList *item;

	for (item = prpl_info->protocol_options; item; item = item->next) {
		if (strcmp(purple_account_option_get_setting(item->data), setting) == 0)
			return item->data;
	}
	return NULL;
}

static gboolean json_type_fits(JsonNode *value, PurplePrefType declared)
{
	GType type = json_node_get_value_type(value);

	switch (declared) {
	case PURPLE_PREF_BOOLEAN:
		return type == G_TYPE_BOOLEAN;
	case PURPLE_PREF_INT:
		return type == G_TYPE_INT64;
	case PURPLE_PREF_STRING:
	case PURPLE_PREF_STRING_LIST:   /* a list option stores the chosen value */
		return type == G_TYPE_STRING;
	default:
		return FALSE;
	}
}

/* Check every option before the account exists, so a rejected command
 * leaves nothing half-created behind. */
static gboolean check_options(PurplePluginProtocolInfo *prpl_info, JsonObject *options,
                              GError **error)
{
	JsonObjectIter iter;
	const char *key;
	JsonNode *value;

	json_object_iter_init(&iter, options);
	while (json_object_iter_next(&iter, &key, &value)) {
		GType type = JSON_NODE_HOLDS_VALUE(value) ?
			json_node_get_value_type(value) : G_TYPE_INVALID;
		PurpleAccountOption *declared;

		if (type != G_TYPE_STRING && type != G_TYPE_INT64 && type != G_TYPE_BOOLEAN) {
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
			            "option \"%s\" must be a string, an integer or a boolean", key);
			return FALSE;
		}
		if (type == G_TYPE_INT64 && (json_node_get_int(value) < G_MININT ||
		                             json_node_get_int(value) > G_MAXINT)) {
			/* Account ints are C ints: a bigger id must be a string. */
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
			            "option \"%s\" does not fit a 32-bit account int", key);
			return FALSE;
		}
		declared = find_declared_option(prpl_info, key);
		if (declared != NULL &&
		    !json_type_fits(value, purple_account_option_get_type(declared))) {
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
			            "option \"%s\" has the wrong type for this protocol", key);
			return FALSE;
		}
	}
	return TRUE;
}

/* Store the options and report the keys the protocol does not declare:
 * allowed (plugins may read hidden settings) but usually a typo. */
static void apply_options(PurpleAccount *account, PurplePluginProtocolInfo *prpl_info,
                          JsonObject *options, JsonBuilder *result)
{
	JsonObjectIter iter;
	const char *key;
	JsonNode *value;

	json_builder_set_member_name(result, "undeclared_options");
	json_builder_begin_array(result);
	json_object_iter_init(&iter, options);
	while (json_object_iter_next(&iter, &key, &value)) {
		GType type = json_node_get_value_type(value);

		if (type == G_TYPE_STRING)
			purple_account_set_string(account, key, json_node_get_string(value));
		else if (type == G_TYPE_INT64)
			purple_account_set_int(account, key, (int)json_node_get_int(value));
		else
			purple_account_set_bool(account, key, json_node_get_boolean(value));
		if (find_declared_option(prpl_info, key) == NULL)
			json_builder_add_string_value(result, key);
	}
	json_builder_end_array(result);
}

static gboolean cmd_account_add(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                GError **error)
{
	const char *protocol, *username, *password, *alias;
	JsonObject *options = NULL;
	JsonNode *options_node;
	PurplePlugin *prpl;
	PurpleAccount *account;

	(void)client;
	if ((protocol = bdm_arg_string(args, "protocol", error)) == NULL ||
	    (username = bdm_arg_string(args, "username", error)) == NULL ||
	    !bdm_arg_string_opt(args, "password", &password, error) ||
	    !bdm_arg_string_opt(args, "alias", &alias, error))
		return FALSE;
	prpl = purple_find_prpl(protocol);
	if (prpl == NULL) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "no protocol \"%s\" is loaded", protocol);
		return FALSE;
	}
	if (purple_accounts_find(username, protocol) != NULL) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "account \"%s\" of protocol \"%s\" already exists",
		            username, protocol);
		return FALSE;
	}
	options_node = json_object_get_member(args, "options");
	if (options_node != NULL && !JSON_NODE_HOLDS_NULL(options_node)) {
		if (!JSON_NODE_HOLDS_OBJECT(options_node)) {
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
			            "\"options\" must be an object of setting to value");
			return FALSE;
		}
		options = json_node_get_object(options_node);
		if (!check_options(PURPLE_PLUGIN_PROTOCOL_INFO(prpl), options, error))
			return FALSE;
	}

	account = purple_account_new(username, protocol);
	if (password != NULL) {
		purple_account_set_password(account, password);
		purple_account_set_remember_password(account, TRUE);
	}
	if (alias != NULL)
		purple_account_set_alias(account, alias);
	if (options != NULL)
		apply_options(account, PURPLE_PLUGIN_PROTOCOL_INFO(prpl), options, result);
	purple_accounts_add(account);
	bdm_event_add_account(result, account);
	return TRUE;
}

static gboolean cmd_account_enable(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                   GError **error)
{
	PurpleAccount *account = bdm_arg_account(args, error);
	PurpleStatusType *available;
	gboolean was_enabled, was_online;

	(void)client;
	if (account == NULL)
		return FALSE;
	available = purple_account_get_status_type_with_primitive(account,
		PURPLE_STATUS_AVAILABLE);
	if (available == NULL) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_FAILED,
		            "protocol \"%s\" has no available status",
		            purple_account_get_protocol_id(account));
		return FALSE;
	}
	was_enabled = purple_account_get_enabled(account, BDM_CLIENT_UI);
	was_online = purple_presence_is_online(purple_account_get_presence(account));

	/* libpurple connects on either change: enabling an account whose
	 * status is online, or an enabled account's status going online
	 * (using the protocol's own "available" status, whatever its id). */
	purple_account_set_enabled(account, BDM_CLIENT_UI, TRUE);
	purple_account_set_status(account, purple_status_type_get_id(available),
	                          TRUE, NULL);
	/* When neither changed (enabled and online, yet offline after an
	 * error) nothing connects: do it as re-enabling in Pidgin does.  A
	 * second connect in the other cases would replace a pending password
	 * request with a new one. */
	if (was_enabled && was_online && purple_account_is_disconnected(account))
		purple_account_connect(account);
	bdm_event_add_account(result, account);
	return TRUE;
}

static gboolean cmd_account_disable(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                    GError **error)
{
	PurpleAccount *account = bdm_arg_account(args, error);

	(void)client;
	if (account == NULL)
		return FALSE;
	purple_account_set_enabled(account, BDM_CLIENT_UI, FALSE);
	bdm_event_add_account(result, account);
	return TRUE;
}

static gboolean cmd_account_set_password(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                         GError **error)
{
	PurpleAccount *account = bdm_arg_account(args, error);
	const char *password;

	(void)client;
	if (account == NULL ||
	    (password = bdm_arg_string(args, "password", error)) == NULL)
		return FALSE;
	purple_account_set_password(account, password);
	purple_account_set_remember_password(account, TRUE);
	bdm_event_add_account(result, account);
	return TRUE;
}

static gboolean cmd_accounts(BdmClient *client, JsonObject *args, JsonBuilder *result,
                             GError **error)
{
	GList *item;

	(void)client;
	(void)args;
	(void)error;
	json_builder_set_member_name(result, "accounts");
	json_builder_begin_array(result);
	for (item = purple_accounts_get_all(); item; item = item->next) {
		PurpleAccount *account = item->data;
		PurpleConnection *gc = purple_account_get_connection(account);

		json_builder_begin_object(result);
		bdm_event_add_account(result, account);
		bdm_event_add_string(result, "alias", purple_account_get_alias(account));
		bdm_event_add_bool(result, "enabled",
			purple_account_get_enabled(account, BDM_CLIENT_UI));
		bdm_event_add_string(result, "state", bdm_connection_state_name(
			gc ? purple_connection_get_state(gc) : PURPLE_DISCONNECTED));
		/* Whether a password is stored, never the password itself. */
		bdm_event_add_bool(result, "has_password",
			purple_account_get_password(account) != NULL);
		json_builder_end_object(result);
	}
	json_builder_end_array(result);
	return TRUE;
}

/* The protocol actions of gc as Pidgin builds its Accounts submenu: a fresh
 * list each time, NULL entries being separators. */
static GList *connection_actions(PurpleConnection *gc, PurplePlugin **prpl)
{
	*prpl = purple_connection_get_prpl(gc);
	if (*prpl == NULL || !PURPLE_PLUGIN_HAS_ACTIONS(*prpl))
		return NULL;
	return PURPLE_PLUGIN_ACTIONS(*prpl, gc);
}

static void free_actions(GList *actions)
{
	GList *item;

	for (item = actions; item; item = item->next) {
		if (item->data != NULL)
			purple_plugin_action_free(item->data);
	}
	g_list_free(actions);
}

static gboolean cmd_actions(BdmClient *client, JsonObject *args, JsonBuilder *result,
                            GError **error)
{
	PurpleConnection *gc = bdm_arg_connection(args, error);
	PurplePlugin *prpl;
	GList *actions, *item;

	(void)client;
	if (gc == NULL)
		return FALSE;
	actions = connection_actions(gc, &prpl);
	json_builder_set_member_name(result, "actions");
	json_builder_begin_array(result);
	for (item = actions; item; item = item->next) {
		if (item->data != NULL)
			json_builder_add_string_value(result,
				((PurplePluginAction *)item->data)->label);
	}
	json_builder_end_array(result);
	free_actions(actions);
	return TRUE;
}

static gboolean cmd_action(BdmClient *client, JsonObject *args, JsonBuilder *result, GError **error)
{
	PurpleConnection *gc = bdm_arg_connection(args, error);
	PurplePluginAction *chosen = NULL;
	PurplePlugin *prpl;
	GList *actions, *item;
	const char *label;

	(void)client;
	if (gc == NULL || (label = bdm_arg_string(args, "label", error)) == NULL)
		return FALSE;
	actions = connection_actions(gc, &prpl);
	for (item = actions; item && chosen == NULL; item = item->next) {
		PurplePluginAction *action = item->data;

		if (action != NULL && g_strcmp0(action->label, label) == 0)
			chosen = action;
	}
	if (chosen == NULL) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "protocol \"%s\" has no action \"%s\"",
		            purple_account_get_protocol_id(purple_connection_get_account(gc)),
		            label);
		free_actions(actions);
		return FALSE;
	}
	chosen->plugin = prpl;
	chosen->context = gc;
	bdm_event_add_string(result, "label", chosen->label);
	if (chosen->callback != NULL)
		chosen->callback(chosen);
	free_actions(actions);
	return TRUE;
}

const BdmCommand bdm_account_commands[] = {
	{ "account-add", cmd_account_add },
	{ "account-enable", cmd_account_enable },
	{ "account-disable", cmd_account_disable },
	{ "account-set-password", cmd_account_set_password },
	{ "accounts", cmd_accounts },
	{ "actions", cmd_actions },
	{ "action", cmd_action },
	{ NULL, NULL }
};
