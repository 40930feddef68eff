/*
 * bdm-testclient: start-up, the stdin command reader and shutdown.
 *
 *   bdm-testclient --purple-dir DIR [--plugin-path DIR]...
 *
 * DIR plays the part of ~/.purple (accounts.xml, blist.xml, prefs.xml and
 * DIR/plugins).  Plugin paths are searched before libpurple's system plugin
 * directory.  Exit status: 0 after "quit" or end of input, 2 when libpurple
 * cannot start; a libpurple critical warning aborts the process on purpose.
 */
#include <locale.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "event.h"
#include "eventloop.h"
#include "ui_blist.h"
#include "ui_connection.h"
#include "ui_conv.h"
#include "ui_notify.h"
#include "ui_request.h"
#include "ui_xfer.h"

/* A line this long is a broken harness, not a command. */
#define MAX_LINE_BYTES (16 * 1024 * 1024)

/* The client the core UI ops act on: libpurple's ui_init takes no user
 * data, and it runs inside purple_core_init() before main() could pass it. */
static BdmClient *starting_client;

G_DEFINE_QUARK(bdm-client-error-quark, bdm_client_error)

/* libpurple's debug output uses g_print() once debugging is enabled;
 * stdout is reserved for events, so the whole of g_print goes to stderr. */
static void print_to_stderr(const char *text)
{
	fputs(text, stderr);
}

/* Keep the event stream for events only: events go to a private copy of
 * the original stdout, and fd 1 becomes stderr, so a plugin or library
 * that prints to stdout ends up in the debug log. */
static FILE *take_over_stdout(void)
{
	int events_fd = dup(STDOUT_FILENO);
	FILE *events;

	if (events_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		g_printerr("bdm-testclient: cannot set up the event stream: %s\n",
		           g_strerror(errno));
		if (events_fd >= 0)
			close(events_fd);
		return NULL;
	}
	events = fdopen(events_fd, "w");
	if (events == NULL) {
		g_printerr("bdm-testclient: fdopen: %s\n", g_strerror(errno));
		close(events_fd);
	}
	return events;
}

static void ui_init(void)
{
	BdmClient *client = starting_client;

	purple_blist_set_ui_ops(bdm_blist_ui_ops());
	purple_conversations_set_ui_ops(bdm_conv_ui_ops());
	purple_connections_set_ui_ops(bdm_connection_ui_ops());
	purple_notify_set_ui_ops(bdm_notify_ui_ops());
	purple_request_set_ui_ops(bdm_requests_ui_ops(client->requests));
	purple_xfers_set_ui_ops(bdm_xfer_ui_ops());
}

static GHashTable *get_ui_info(void)
{
	static GHashTable *info;

	/* libpurple keeps asking for the same table and never frees it. */
	if (info == NULL) {
		info = g_hash_table_new(g_str_hash, g_str_equal);
		g_hash_table_insert(info, "name", "BrandDM test client");
		g_hash_table_insert(info, "version", "1");
		g_hash_table_insert(info, "client_type", "bot");
	}
	return info;
}

static PurpleCoreUiOps core_ui_ops = {
	NULL,                   /* ui_prefs_init */
	NULL,                   /* debug_ui_init */
	ui_init,
	NULL,                   /* quit */
	get_ui_info,
	NULL, NULL, NULL
};

/* ---- stdin -------------------------------------------------------------- */

static void run_complete_lines(BdmClient *client)
{
	char *newline;

	while (!client->quit_requested &&
	       (newline = memchr(client->input->str, '\n', client->input->len)) != NULL) {
		gsize length = (gsize)(newline - client->input->str);
		char *line = g_strndup(client->input->str, length);

		g_string_erase(client->input, 0, (gssize)length + 1);
		g_strchomp(line);   /* tolerate CRLF from a Windows-edited script */
		if (line[0] != '\0')
			bdm_commands_run_line(client, line);
		g_free(line);
	}
	if (client->input->len > MAX_LINE_BYTES) {
		g_string_truncate(client->input, 0);
		bdm_commands_reject_line("input line longer than 16 MiB: dropped");
	}
}

static gboolean input_cb(GIOChannel *channel, GIOCondition condition, gpointer data)
{
	BdmClient *client = data;
	char buffer[65536];
	ssize_t got;

	(void)channel;
	(void)condition;
	got = read(STDIN_FILENO, buffer, sizeof buffer);
	if (got < 0 && (errno == EINTR || errno == EAGAIN))
		return G_SOURCE_CONTINUE;
	if (got <= 0) {
		/* End of input is a quit: the harness died or closed the pipe. */
		if (got < 0)
			g_printerr("bdm-testclient: reading stdin: %s\n", g_strerror(errno));
		client->input_watch = 0;
		client->quit_requested = TRUE;
		bdm_client_quit(client);
		return G_SOURCE_REMOVE;
	}
	g_string_append_len(client->input, buffer, got);
	run_complete_lines(client);
	return G_SOURCE_CONTINUE;
}

static void watch_stdin(BdmClient *client)
{
	GIOChannel *channel = g_io_channel_unix_new(STDIN_FILENO);

	client->input_watch = g_io_add_watch(channel, G_IO_IN | G_IO_HUP | G_IO_ERR,
	                                     input_cb, client);
	g_io_channel_unref(channel);
}

/* ---- start and stop ----------------------------------------------------- */

static void emit_ready(void)
{
	JsonBuilder *builder = bdm_event_begin("ready");
	GList *item;

	json_builder_set_member_name(builder, "protocols");
	json_builder_begin_array(builder);
	for (item = purple_plugins_get_protocols(); item; item = item->next)
		json_builder_add_string_value(builder, purple_plugin_get_id(item->data));
	json_builder_end_array(builder);
	bdm_event_add_string(builder, "user_dir", purple_user_dir());
	bdm_event_add_int(builder, "pid", getpid());
	bdm_event_emit(builder);
}

static gboolean start_purple(BdmClient *client, const char *purple_dir, char **plugin_paths)
{
	char **path;

	purple_util_set_user_dir(purple_dir);
	purple_debug_set_enabled(TRUE);
	for (path = plugin_paths; path && *path; path++)
		purple_plugins_add_search_path(*path);

	purple_core_set_ui_ops(&core_ui_ops);
	purple_eventloop_set_ui_ops(bdm_eventloop_ui_ops());
	starting_client = client;
	if (!purple_core_init(BDM_CLIENT_UI))
		return FALSE;

	purple_set_blist(purple_blist_new());
	purple_blist_load();
	purple_prefs_load();
	purple_prefs_add_none("/" BDM_CLIENT_UI);
	purple_prefs_add_none("/" BDM_CLIENT_UI "/plugins");
	purple_prefs_add_path_list("/" BDM_CLIENT_UI "/plugins/loaded", NULL);
	purple_plugins_load_saved("/" BDM_CLIENT_UI "/plugins/loaded");

	bdm_connection_connect_signals(client);
	bdm_conv_connect_signals(client);
	bdm_blist_connect_signals(client);

	/* What Pidgin does at start-up: apply the saved status, then connect
	 * the accounts enabled for this UI whose status is online (activating
	 * an unchanged status alone connects nothing). */
	purple_savedstatus_activate(purple_savedstatus_get_startup());
	purple_accounts_restore_current_statuses();
	return TRUE;
}

void bdm_client_quit(BdmClient *client)
{
	if (client->shut_down)
		return;
	client->shut_down = TRUE;
	if (client->input_watch) {
		g_source_remove(client->input_watch);
		client->input_watch = 0;
	}
	/* Our signal handlers stay connected: shutdown closes conversations
	 * and connections, and the tests want to see that too. */
	purple_core_quit();
	bdm_notify_shutdown();
	g_main_loop_quit(client->loop);
}

int main(int argc, char **argv)
{
	char *purple_dir = NULL;
	char **plugin_paths = NULL;
	GOptionEntry entries[] = {
		{ "purple-dir", 0, 0, G_OPTION_ARG_FILENAME, &purple_dir,
		  "libpurple user directory (like ~/.purple)", "DIR" },
		{ "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_paths,
		  "extra plugin directory (repeatable)", "DIR" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *options = g_option_context_new("- headless libpurple UI for tests");
	GError *error = NULL;

	/* As Pidgin and Finch do: the agent's language decides the plugin's. */
	setlocale(LC_ALL, "");
	BdmClient client = { 0 };
	FILE *events;
	int status = 0;

	g_option_context_add_main_entries(options, entries, NULL);
	if (!g_option_context_parse(options, &argc, &argv, &error) || purple_dir == NULL) {
		g_printerr("bdm-testclient: %s\n", error ? error->message :
		           "--purple-dir DIR is required");
		g_clear_error(&error);
		g_option_context_free(options);
		return 2;
	}
	g_option_context_free(options);

	/* The harness may vanish; a write to its closed pipe must end us
	 * through EOF handling, not SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	events = take_over_stdout();
	if (events == NULL) {
		g_strfreev(plugin_paths);
		g_free(purple_dir);
		return 2;
	}
	bdm_event_set_stream(events);
	g_set_print_handler(print_to_stderr);
	/* A libpurple critical means a plugin misused the API: abort so the
	 * test fails loudly instead of carrying on in a corrupt state. */
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);

	client.loop = g_main_loop_new(NULL, FALSE);
	client.requests = bdm_requests_new();
	client.input = g_string_new(NULL);

	if (!start_purple(&client, purple_dir, plugin_paths)) {
		g_printerr("bdm-testclient: libpurple failed to initialise\n");
		status = 2;
	} else {
		emit_ready();
		watch_stdin(&client);
		g_main_loop_run(client.loop);
	}

	bdm_requests_free(client.requests);
	g_string_free(client.input, TRUE);
	g_main_loop_unref(client.loop);
	g_strfreev(plugin_paths);
	g_free(purple_dir);
	bdm_event_set_stream(NULL);
	fclose(events);
	return status;
}
