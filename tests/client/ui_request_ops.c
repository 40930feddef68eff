/*
 * bdm-testclient: libpurple's request UI ops (see ui_request.h): each
 * request becomes a "request" event and an entry in the pending table.
 */
#include "event.h"
#include "ui_request_private.h"

/* libpurple's request UI ops have no user-data argument: this is the table
 * bdm_requests_ui_ops() bound them to. */
static BdmRequests *bound_requests;

static void add_string_array(JsonBuilder *builder, const char *key, GPtrArray *strings)
{
	guint i;

	json_builder_set_member_name(builder, key);
	json_builder_begin_array(builder);
	for (i = 0; i < strings->len; i++) {
		char *valid = g_utf8_make_valid(g_ptr_array_index(strings, i), -1);

		json_builder_add_string_value(builder, valid);
		g_free(valid);
	}
	json_builder_end_array(builder);
}

static void add_field(JsonBuilder *builder, PurpleRequestField *field)
{
	static const char *const type_names[] = {
		"none", "string", "integer", "boolean", "choice", "list", "label",
		"image", "account",
	};
	PurpleRequestFieldType type = purple_request_field_get_type(field);
	GList *item;

	json_builder_begin_object(builder);
	bdm_event_add_string(builder, "id", purple_request_field_get_id(field));
	bdm_event_add_string(builder, "label", purple_request_field_get_label(field));
	bdm_event_add_string(builder, "type", (guint)type < G_N_ELEMENTS(type_names) ?
	                     type_names[type] : "unknown");
	bdm_event_add_bool(builder, "required", purple_request_field_is_required(field));
	switch (type) {
	case PURPLE_REQUEST_FIELD_STRING:
		bdm_event_add_string(builder, "value",
			purple_request_field_string_get_value(field));
		bdm_event_add_bool(builder, "masked",
			purple_request_field_string_is_masked(field));
		break;
	case PURPLE_REQUEST_FIELD_INTEGER:
		bdm_event_add_int(builder, "value", purple_request_field_int_get_value(field));
		break;
	case PURPLE_REQUEST_FIELD_BOOLEAN:
		bdm_event_add_bool(builder, "value", purple_request_field_bool_get_value(field));
		break;
	case PURPLE_REQUEST_FIELD_CHOICE:
		bdm_event_add_int(builder, "value", purple_request_field_choice_get_value(field));
		json_builder_set_member_name(builder, "choices");
		json_builder_begin_array(builder);
		for (item = purple_request_field_choice_get_labels(field); item; item = item->next)
			json_builder_add_string_value(builder, item->data);
		json_builder_end_array(builder);
		break;
	default:
		break;
	}
	json_builder_end_object(builder);
}

static void add_fields(JsonBuilder *builder, PurpleRequestFields *fields)
{
	GList *group, *field;

	json_builder_set_member_name(builder, "fields");
	json_builder_begin_array(builder);
	for (group = purple_request_fields_get_groups(fields); group; group = group->next) {
		field = purple_request_field_group_get_fields(group->data);
		for (; field; field = field->next)
			add_field(builder, field->data);
	}
	json_builder_end_array(builder);
}

/* Report request as a "request" event and enter it in the table; returns
 * the ui_handle libpurple will give back to close_request. */
static void *pending_publish(BdmPendingRequest *request, const char *title, const char *primary,
                             const char *secondary, PurpleAccount *account, const char *who,
                             PurpleConversation *conv)
{
	JsonBuilder *builder = bdm_event_begin("request");

	bdm_event_add_int(builder, "request", request->id);
	bdm_event_add_string(builder, "kind", bdm_pending_kind_name(request));
	bdm_event_add_string(builder, "title", title);
	bdm_event_add_string(builder, "primary", primary);
	bdm_event_add_string(builder, "secondary", secondary);
	add_string_array(builder, "actions", request->labels);
	bdm_event_add_int(builder, "default", request->default_action);
	bdm_event_add_account(builder, account);
	bdm_event_add_string(builder, "who", who);
	bdm_event_add_string(builder, "conv", conv ? purple_conversation_get_name(conv) : NULL);
	if (request->kind == BDM_REQUEST_CHOICE) {
		add_string_array(builder, "choices", request->choices);
		bdm_event_add_int(builder, "default_choice", request->default_choice);
	}
	if (request->kind == BDM_REQUEST_INPUT || request->kind == BDM_REQUEST_FILE)
		bdm_event_add_string(builder, "default_text", request->default_text);
	if (request->kind == BDM_REQUEST_FIELDS)
		add_fields(builder, request->fields);
	bdm_event_emit(builder);
	bdm_requests_add(request);
	return request;
}

/* ---- the UI ops --------------------------------------------------------- */

static void *request_input(const char *title, const char *primary, const char *secondary,
                           const char *default_value, gboolean multiline, gboolean masked,
                           gchar *hint, const char *ok_text, GCallback ok_cb,
                           const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
                           const char *who, PurpleConversation *conv, void *user_data)
{
	BdmPendingRequest *request = bdm_pending_new(bound_requests, PURPLE_REQUEST_INPUT,
		BDM_REQUEST_INPUT, user_data);

	(void)multiline;
	(void)masked;
	(void)hint;
	request->default_text = g_strdup(default_value ? default_value : "");
	bdm_pending_add_label(request, ok_text, ok_cb);
	bdm_pending_add_label(request, cancel_text, cancel_cb);
	return pending_publish(request, title, primary, secondary, account, who, conv);
}

static void *request_choice(const char *title, const char *primary, const char *secondary,
                            int default_value, const char *ok_text, GCallback ok_cb,
                            const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
                            const char *who, PurpleConversation *conv, void *user_data,
                            va_list choices)
{
	BdmPendingRequest *request = bdm_pending_new(bound_requests, PURPLE_REQUEST_CHOICE,
		BDM_REQUEST_CHOICE, user_data);
	const char *label;

	request->choices = g_ptr_array_new_with_free_func(g_free);
	request->choice_values = g_array_new(FALSE, FALSE, sizeof(int));
	while ((label = va_arg(choices, const char *)) != NULL) {
		int value = va_arg(choices, int);

		if (value == default_value)
			request->default_choice = (int)request->choices->len;
		g_ptr_array_add(request->choices, g_strdup(label));
		g_array_append_val(request->choice_values, value);
	}
	bdm_pending_add_label(request, ok_text, ok_cb);
	bdm_pending_add_label(request, cancel_text, cancel_cb);
	return pending_publish(request, title, primary, secondary, account, who, conv);
}

static void *request_action(const char *title, const char *primary, const char *secondary,
                            int default_action, PurpleAccount *account, const char *who,
                            PurpleConversation *conv, void *user_data, size_t action_count,
                            va_list actions)
{
	BdmPendingRequest *request = bdm_pending_new(bound_requests, PURPLE_REQUEST_ACTION,
		BDM_REQUEST_ACTION, user_data);
	size_t i;

	for (i = 0; i < action_count; i++) {
		const char *label = va_arg(actions, const char *);
		GCallback callback = va_arg(actions, GCallback);

		bdm_pending_add_label(request, label, callback);
	}
	request->default_action = default_action;
	return pending_publish(request, title, primary, secondary, account, who, conv);
}

static void *request_fields(const char *title, const char *primary, const char *secondary,
                            PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
                            const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
                            const char *who, PurpleConversation *conv, void *user_data)
{
	BdmPendingRequest *request = bdm_pending_new(bound_requests, PURPLE_REQUEST_FIELDS,
		BDM_REQUEST_FIELDS, user_data);

	request->fields = fields;
	bdm_pending_add_label(request, ok_text, ok_cb);
	bdm_pending_add_label(request, cancel_text, cancel_cb);
	return pending_publish(request, title, primary, secondary, account, who, conv);
}

static void *request_file(const char *title, const char *filename, gboolean savedialog,
                          GCallback ok_cb, GCallback cancel_cb, PurpleAccount *account,
                          const char *who, PurpleConversation *conv, void *user_data)
{
	BdmPendingRequest *request = bdm_pending_new(bound_requests, PURPLE_REQUEST_FILE,
		BDM_REQUEST_FILE, user_data);

	request->default_text = g_strdup(filename ? filename : "");
	bdm_pending_add_label(request, savedialog ? "Save" : "Open", ok_cb);
	bdm_pending_add_label(request, "Cancel", cancel_cb);
	return pending_publish(request, title, NULL, NULL, account, who, conv);
}

static void *request_folder(const char *title, const char *dirname, GCallback ok_cb,
                            GCallback cancel_cb, PurpleAccount *account, const char *who,
                            PurpleConversation *conv, void *user_data)
{
	BdmPendingRequest *request = bdm_pending_new(bound_requests, PURPLE_REQUEST_FOLDER,
		BDM_REQUEST_FILE, user_data);

	request->default_text = g_strdup(dirname ? dirname : "");
	bdm_pending_add_label(request, "Select", ok_cb);
	bdm_pending_add_label(request, "Cancel", cancel_cb);
	return pending_publish(request, title, NULL, NULL, account, who, conv);
}

static void close_request(PurpleRequestType type, void *ui_handle)
{
	BdmPendingRequest *request = ui_handle;
	JsonBuilder *builder = bdm_event_begin("request-closed");

	(void)type;
	bdm_event_add_int(builder, "request", request->id);
	bdm_event_emit(builder);
	bdm_requests_remove(request);
}

static PurpleRequestUiOps request_ui_ops = {
	request_input,
	request_choice,
	request_action,
	request_fields,
	request_file,
	close_request,
	request_folder,
	NULL,   /* request_action_with_icon: libpurple falls back to request_action */
	NULL,   /* request_screenshare_media */
	NULL, NULL
};

PurpleRequestUiOps *bdm_requests_ui_ops(BdmRequests *requests)
{
	bound_requests = requests;
	return &request_ui_ops;
}
