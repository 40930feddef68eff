/*
 * log_writer: appends records through the real log API, for tests that need
 * a log made by BrandDM itself (real hashes) rather than by hand-written SQL.
 *
 *   log_writer burst DB N            N messages; prints each platform id once
 *                                    bdm_log_message has returned (kill -9 test)
 *   log_writer append DB AGENT       one JSON object per stdin line:
 *     {"type":"message","platform","account","conversation","customer","name",
 *      "dir":"in"|"out","text","id","platform_time","time","automated","template",
 *      "detail":{...}}
 *     {"type":"event","kind","platform","account","conversation","customer",
 *      "detail":{...},"text","time"}
 *     {"type":"purge","before":T}    {"type":"state","key","value"}
 *   log_writer generate DB AGENT N   N synthetic records (benchmarks)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "log.h"

static const char *str_member(JsonObject *o, const char *name)
{
	JsonNode *node = json_object_get_member(o, name);

	return node && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_string(node) : NULL;
}

static gint64 int_member(JsonObject *o, const char *name)
{
	JsonNode *node = json_object_get_member(o, name);

	return node && JSON_NODE_HOLDS_VALUE(node) ? json_node_get_int(node) : 0;
}

static gboolean append_message(BdmLog *log, JsonObject *o, GError **error)
{
	BdmLogMessage m = { 0 };
	gboolean inserted = FALSE, ok;
	JsonNode *detail;
	char *detail_text;

	m.platform = str_member(o, "platform");
	m.account = str_member(o, "account");
	m.conversation_id = str_member(o, "conversation");
	m.customer_id = str_member(o, "customer");
	m.customer_name = str_member(o, "name");
	m.direction = g_strcmp0(str_member(o, "dir"), "out") == 0 ? BDM_DIR_OUT : BDM_DIR_IN;
	m.text = str_member(o, "text");
	m.platform_message_id = str_member(o, "id");
	m.platform_time = int_member(o, "platform_time");
	m.logged_time = int_member(o, "time");
	m.automated = json_object_has_member(o, "automated") &&
	              json_object_get_boolean_member(o, "automated");
	m.template_name = str_member(o, "template");
	detail = json_object_get_member(o, "detail");
	detail_text = detail && !JSON_NODE_HOLDS_NULL(detail) ? json_to_string(detail, FALSE) : NULL;
	m.detail_json = detail_text;
	ok = bdm_log_message(log, &m, &inserted, error);
	g_free(detail_text);
	if (!ok)
		return FALSE;
	printf("%s\n", inserted ? "inserted" : "duplicate");
	return TRUE;
}

static gboolean append_event(BdmLog *log, JsonObject *o, GError **error)
{
	BdmLogEvent e = { 0 };
	JsonNode *detail = json_object_get_member(o, "detail");
	char *detail_text = detail && !JSON_NODE_HOLDS_NULL(detail)
	                    ? json_to_string(detail, FALSE) : NULL;
	gboolean ok;

	e.kind = str_member(o, "kind");
	e.platform = str_member(o, "platform");
	e.account = str_member(o, "account");
	e.conversation_id = str_member(o, "conversation");
	e.customer_id = str_member(o, "customer");
	e.detail_json = detail_text;
	e.text = str_member(o, "text");
	e.logged_time = int_member(o, "time");
	ok = bdm_log_event(log, &e, error);
	g_free(detail_text);
	if (ok)
		printf("event\n");
	return ok;
}

static gboolean append_line(BdmLog *log, const char *line, GError **error)
{
	JsonParser *parser = json_parser_new();
	JsonObject *o;
	const char *type;
	gboolean ok = FALSE;
	guint removed = 0;

	if (!json_parser_load_from_data(parser, line, -1, error))
		goto out;
	if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not an object: %s", line);
		goto out;
	}
	o = json_node_get_object(json_parser_get_root(parser));
	type = str_member(o, "type");
	if (g_strcmp0(type, "message") == 0) {
		ok = append_message(log, o, error);
	} else if (g_strcmp0(type, "event") == 0) {
		ok = append_event(log, o, error);
	} else if (g_strcmp0(type, "purge") == 0) {
		ok = bdm_log_purge(log, int_member(o, "before"), &removed, error);
		if (ok)
			printf("purged %u\n", removed);
	} else if (g_strcmp0(type, "state") == 0) {
		ok = bdm_log_state_set(log, str_member(o, "key"), str_member(o, "value"), error);
	} else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown type in: %s", line);
	}
out:
	g_object_unref(parser);
	return ok;
}

static int run_append(BdmLog *log)
{
	char line[65536];
	GError *error = NULL;

	while (fgets(line, sizeof line, stdin)) {
		g_strchomp(line);
		if (!*line)
			continue;
		if (!append_line(log, line, &error)) {
			fprintf(stderr, "log_writer: %s\n", error->message);
			g_error_free(error);
			return 1;
		}
	}
	return 0;
}

/* Print each id only after bdm_log_message returned: everything printed
 * must be found in the file after a SIGKILL at any moment. */
static int run_burst(BdmLog *log, long n)
{
	GError *error = NULL;
	long i;

	for (i = 0; i < n; i++) {
		char id[32], text[64];
		BdmLogMessage m = { 0 };

		g_snprintf(id, sizeof id, "burst-%ld", i);
		g_snprintf(text, sizeof text, "message %ld of a burst", i);
		m.platform = "messenger";
		m.account = "page1";
		m.customer_id = "burst-customer";
		m.direction = BDM_DIR_IN;
		m.text = text;
		m.platform_message_id = id;
		if (!bdm_log_message(log, &m, NULL, &error)) {
			fprintf(stderr, "log_writer: %s\n", error->message);
			g_error_free(error);
			return 1;
		}
		printf("%s\n", id);
		fflush(stdout);
	}
	return 0;
}

/* Conversations on two accounts, one record a second from a fixed start,
 * replies and the odd event, texts that need JSON and CSV escaping. */
static int run_generate(BdmLog *log, long n)
{
	static const char *const texts[] = {
		"Hello, I have a question about my order",
		"Where is my parcel? It was due \"yesterday\"",
		"Thanks, that helps!\nHave a nice day",
		"Können Sie mir bitte helfen? Die Rechnung ist falsch",
	};
	GError *error = NULL;
	long i;

	for (i = 0; i < n; i++) {
		char id[32], customer[32], conversation[32];
		gint64 t = 1767225600 + i;
		gboolean ok;

		g_snprintf(id, sizeof id, "g%ld", i);
		g_snprintf(customer, sizeof customer, "c%ld", (i / 4) % 5000);
		g_snprintf(conversation, sizeof conversation, "t_%ld", (i / 4) % 5000);
		if (i % 50 == 49) {
			BdmLogEvent e = { 0 };

			e.kind = "tag";
			e.platform = "messenger";
			e.account = i % 100 < 50 ? "page1" : "page2";
			e.customer_id = customer;
			e.conversation_id = conversation;
			e.detail_json = "{\"tag\":\"billing\"}";
			e.logged_time = t;
			ok = bdm_log_event(log, &e, &error);
		} else {
			BdmLogMessage m = { 0 };

			m.platform = "messenger";
			m.account = i % 100 < 50 ? "page1" : "page2";
			m.conversation_id = conversation;
			m.customer_id = customer;
			m.customer_name = "Erika Mustermann";
			m.direction = i % 2 ? BDM_DIR_OUT : BDM_DIR_IN;
			m.text = texts[i % G_N_ELEMENTS(texts)];
			m.platform_message_id = id;
			m.platform_time = t;
			m.logged_time = t;
			ok = bdm_log_message(log, &m, NULL, &error);
		}
		if (!ok) {
			fprintf(stderr, "log_writer: %s\n", error->message);
			g_error_free(error);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	GError *error = NULL;
	const char *mode = argc > 1 ? argv[1] : "";
	BdmLog *log;
	int status;

	if (argc < 4 || (strcmp(mode, "generate") == 0 && argc < 5)) {
		fprintf(stderr, "usage: log_writer burst DB N | append DB AGENT | "
		        "generate DB AGENT N\n");
		return 2;
	}
	log = bdm_log_open(argv[2], strcmp(mode, "burst") == 0 ? "writer" : argv[3], &error);
	if (!log) {
		fprintf(stderr, "log_writer: %s\n", error->message);
		g_error_free(error);
		return 1;
	}
	if (strcmp(mode, "burst") == 0)
		status = run_burst(log, atol(argv[3]));
	else if (strcmp(mode, "append") == 0)
		status = run_append(log);
	else if (strcmp(mode, "generate") == 0)
		status = run_generate(log, atol(argv[4]));
	else
		status = 2;
	bdm_log_close(log);
	return status;
}
