/*
 * bdm-testclient: the JSON commands read from stdin.
 *
 * Each command is an object {"cmd": name, "id": any, ...}; the client
 * answers every line with exactly one "result" event carrying the same "id"
 * and "cmd", "ok" and, on failure, "error".  Handlers live in one file per
 * concern (cmd_account.c, cmd_conv.c, cmd_core.c), each exporting a table;
 * the argument helpers here give every handler the same error messages.
 */
#ifndef BDM_CLIENT_COMMANDS_H
#define BDM_CLIENT_COMMANDS_H

#include <json-glib/json-glib.h>
#include <purple.h>

#include "client.h"

/* A command handler: read args, add result members to the open result
 * object in result, return FALSE with error set when the command failed. */
typedef gboolean (*BdmCommandFunc)(BdmClient *client, JsonObject *args,
                                   JsonBuilder *result, GError **error);

/* One entry of a command table; tables end with a { NULL, NULL } entry. */
typedef struct {
	const char *name;
	BdmCommandFunc run;
} BdmCommand;

/* Accounts and protocol actions: account-add, account-enable,
 * account-disable, account-set-password, accounts, actions, action. */
extern const BdmCommand bdm_account_commands[];

/* Conversations and the buddy list: send, command, conversations,
 * buddies, compose-get, compose-set, die-on-write. */
extern const BdmCommand bdm_conv_commands[];

/* Everything else: pref-set, pref-get, plugins, plugin-load, plugin-ipc,
 * requests, request-answer, request-policy, search-button, quit. */
extern const BdmCommand bdm_core_commands[];

/* Parse one input line, run the command and emit its result event.  Never
 * fails: bad JSON or an unknown command is an ok:false result. */
void bdm_commands_run_line(BdmClient *client, const char *line);

/* Answer input that never became a command with an ok:false result
 * carrying reason, so the harness still gets its one result. */
void bdm_commands_reject_line(const char *reason);

/* The required string member name of args; NULL with error if it is
 * missing or not a string. */
const char *bdm_arg_string(JsonObject *args, const char *name, GError **error);

/* The optional string member name in *value (NULL when absent or null);
 * FALSE with error only when it is present with another type. */
gboolean bdm_arg_string_opt(JsonObject *args, const char *name,
                            const char **value, GError **error);

/* The optional boolean member name in *value (unchanged when absent);
 * FALSE with error when it is present with another type. */
gboolean bdm_arg_bool_opt(JsonObject *args, const char *name, gboolean *value,
                          GError **error);

/* The account named by the "protocol" and "username" members; NULL with
 * error when they are missing or no such account exists. */
PurpleAccount *bdm_arg_account(JsonObject *args, GError **error);

/* The connection of the account named in args; NULL with error when the
 * account is unknown or not (yet) connected. */
PurpleConnection *bdm_arg_connection(JsonObject *args, GError **error);

#endif /* BDM_CLIENT_COMMANDS_H */
