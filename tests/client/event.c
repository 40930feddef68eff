/*
 * bdm-testclient: JSON events on stdout (see event.h).
 */
#include "event.h"

/* The one output channel of the process.  It is file-static because the
 * libpurple UI ops that emit most events carry no context to pass it in. */
static FILE *event_stream;

void bdm_event_set_stream(FILE *stream)
{
	event_stream = stream;
}

JsonBuilder *bdm_event_begin(const char *name)
{
	JsonBuilder *builder = json_builder_new();

	json_builder_begin_object(builder);
	bdm_event_add_string(builder, "event", name);
	return builder;
}

void bdm_event_emit(JsonBuilder *builder)
{
	FILE *stream = event_stream ? event_stream : stdout;
	JsonGenerator *generator;
	JsonNode *root;
	char *line;

	json_builder_end_object(builder);
	root = json_builder_get_root(builder);
	generator = json_generator_new();
	json_generator_set_root(generator, root);
	line = json_generator_to_data(generator, NULL);

	/* One object per line: json-glib escapes newlines inside strings, so a
	 * raw '\n' in the output can only be our own separator. */
	fputs(line, stream);
	fputc('\n', stream);
	fflush(stream);

	g_free(line);
	g_object_unref(generator);
	json_node_unref(root);
	g_object_unref(builder);
}

void bdm_event_add_string(JsonBuilder *builder, const char *key, const char *value)
{
	json_builder_set_member_name(builder, key);
	if (value == NULL) {
		json_builder_add_null_value(builder);
	} else if (g_utf8_validate(value, -1, NULL)) {
		json_builder_add_string_value(builder, value);
	} else {
		/* A prpl bug must show up as a visible U+FFFD in the test, not
		 * as output the harness cannot parse. */
		char *valid = g_utf8_make_valid(value, -1);

		json_builder_add_string_value(builder, valid);
		g_free(valid);
	}
}

void bdm_event_add_int(JsonBuilder *builder, const char *key, gint64 value)
{
	json_builder_set_member_name(builder, key);
	json_builder_add_int_value(builder, value);
}

void bdm_event_add_bool(JsonBuilder *builder, const char *key, gboolean value)
{
	json_builder_set_member_name(builder, key);
	json_builder_add_boolean_value(builder, value);
}

void bdm_event_add_account(JsonBuilder *builder, PurpleAccount *account)
{
	bdm_event_add_string(builder, "account",
		account ? purple_account_get_username(account) : NULL);
	bdm_event_add_string(builder, "protocol",
		account ? purple_account_get_protocol_id(account) : NULL);
}

static const struct {
	PurpleMessageFlags flag;
	const char *name;
} message_flag_names[] = {
	{ PURPLE_MESSAGE_SEND, "send" },
	{ PURPLE_MESSAGE_RECV, "recv" },
	{ PURPLE_MESSAGE_SYSTEM, "system" },
	{ PURPLE_MESSAGE_AUTO_RESP, "auto-reply" },
	{ PURPLE_MESSAGE_ACTIVE_ONLY, "active-only" },
	{ PURPLE_MESSAGE_NICK, "nick" },
	{ PURPLE_MESSAGE_NO_LOG, "no-log" },
	{ PURPLE_MESSAGE_WHISPER, "whisper" },
	{ PURPLE_MESSAGE_ERROR, "error" },
	{ PURPLE_MESSAGE_DELAYED, "delayed" },
	{ PURPLE_MESSAGE_RAW, "raw" },
	{ PURPLE_MESSAGE_IMAGES, "images" },
	{ PURPLE_MESSAGE_NOTIFY, "notify" },
	{ PURPLE_MESSAGE_NO_LINKIFY, "no-linkify" },
	{ PURPLE_MESSAGE_INVISIBLE, "invisible" },
	{ PURPLE_MESSAGE_REMOTE_SEND, "remote-send" },
};

void bdm_event_add_message_flags(JsonBuilder *builder, const char *key, PurpleMessageFlags flags)
{
	guint known = 0;
	gsize i;

	json_builder_set_member_name(builder, key);
	json_builder_begin_array(builder);
	for (i = 0; i < G_N_ELEMENTS(message_flag_names); i++) {
		known |= message_flag_names[i].flag;
		if (flags & message_flag_names[i].flag)
			json_builder_add_string_value(builder, message_flag_names[i].name);
	}
	if ((guint)flags & ~known) {
		char *rest = g_strdup_printf("0x%x", (guint)flags & ~known);

		json_builder_add_string_value(builder, rest);
		g_free(rest);
	}
	json_builder_end_array(builder);
}

static const char *const connection_error_names[] = {
	[PURPLE_CONNECTION_ERROR_NETWORK_ERROR] = "network-error",
	[PURPLE_CONNECTION_ERROR_INVALID_USERNAME] = "invalid-username",
	[PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED] = "authentication-failed",
	[PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE] = "authentication-impossible",
	[PURPLE_CONNECTION_ERROR_NO_SSL_SUPPORT] = "no-ssl-support",
	[PURPLE_CONNECTION_ERROR_ENCRYPTION_ERROR] = "encryption-error",
	[PURPLE_CONNECTION_ERROR_NAME_IN_USE] = "name-in-use",
	[PURPLE_CONNECTION_ERROR_INVALID_SETTINGS] = "invalid-settings",
	[PURPLE_CONNECTION_ERROR_CERT_NOT_PROVIDED] = "cert-not-provided",
	[PURPLE_CONNECTION_ERROR_CERT_UNTRUSTED] = "cert-untrusted",
	[PURPLE_CONNECTION_ERROR_CERT_EXPIRED] = "cert-expired",
	[PURPLE_CONNECTION_ERROR_CERT_NOT_ACTIVATED] = "cert-not-activated",
	[PURPLE_CONNECTION_ERROR_CERT_HOSTNAME_MISMATCH] = "cert-hostname-mismatch",
	[PURPLE_CONNECTION_ERROR_CERT_FINGERPRINT_MISMATCH] = "cert-fingerprint-mismatch",
	[PURPLE_CONNECTION_ERROR_CERT_SELF_SIGNED] = "cert-self-signed",
	[PURPLE_CONNECTION_ERROR_CERT_OTHER_ERROR] = "cert-other-error",
	[PURPLE_CONNECTION_ERROR_OTHER_ERROR] = "other-error",
};

const char *bdm_connection_error_name(PurpleConnectionError reason)
{
	if ((guint)reason >= G_N_ELEMENTS(connection_error_names) ||
	    connection_error_names[reason] == NULL)
		return "unknown";
	return connection_error_names[reason];
}

const char *bdm_connection_state_name(PurpleConnectionState state)
{
	switch (state) {
	case PURPLE_CONNECTED:
		return "connected";
	case PURPLE_CONNECTING:
		return "connecting";
	case PURPLE_DISCONNECTED:
		break;
	}
	return "disconnected";
}
