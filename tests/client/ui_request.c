/*
 * bdm-testclient: purple_request_* as pending questions (see ui_request.h).
 *
 * The pointer libpurple gets back as the request's ui_handle is our
 * PendingRequest; libpurple hands it to close_request when the request goes
 * away for any reason (answered, closed by the plugin, core shutdown), and
 * that is the only place a PendingRequest is freed.
 */
#include "client.h"
#include "event.h"
#include "ui_request.h"

/* What kind of answer a request expects, and how its callbacks are typed. */
typedef enum {
	KIND_ACTION,   /* one PurpleRequestActionCb per label */
	KIND_INPUT,    /* ok/cancel PurpleRequestInputCb with the text */
	KIND_CHOICE,   /* ok/cancel PurpleRequestChoiceCb with the choice value */
	KIND_FIELDS,   /* ok/cancel PurpleRequestFieldsCb with the fields */
	KIND_FILE      /* ok/cancel PurpleRequestFileCb with a path (file, folder) */
} RequestKind;

typedef struct {
	BdmRequests *owner;
	guint id;
	PurpleRequestType type;
	RequestKind kind;
	GPtrArray *labels;      /* char*: what "action" indexes */
	GArray *callbacks;      /* GCallback per label (NULL allowed) */
	int default_action;
	GPtrArray *choices;     /* KIND_CHOICE: char* labels */
	GArray *choice_values;  /* KIND_CHOICE: int value per label */
	int default_choice;     /* KIND_CHOICE: index into choices */
	char *default_text;     /* KIND_INPUT / KIND_FILE */
	PurpleRequestFields *fields; /* KIND_FIELDS: owned by the UI, freed on close */
	void *user_data;
	guint auto_source;
} PendingRequest;

struct _BdmRequests {
	GHashTable *pending;    /* id -> PendingRequest* (not owned) */
	guint next_id;
	gboolean auto_answer;
	int auto_action;
};

/* libpurple's request UI ops have no user-data argument: this is the table
 * bdm_requests_ui_ops() bound them to. */
static BdmRequests *bound_requests;

static const char *const kind_names[] = {
	[KIND_ACTION] = "action", [KIND_INPUT] = "input", [KIND_CHOICE] = "choice",
	[KIND_FIELDS] = "fields", [KIND_FILE] = "file",
};

BdmRequests *
bdm_requests_new(void)
{
	BdmRequests *requests = g_new0(BdmRequests, 1);

	requests->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	requests->next_id = 1;
	requests->auto_action = -1;
	return requests;
}

void
bdm_requests_set_auto(BdmRequests *requests, gboolean auto_answer, int action)
{
	requests->auto_answer = auto_answer;
	requests->auto_action = action;
}

static void
add_label(PendingRequest *request, const char *label, GCallback callback)
{
	g_ptr_array_add(request->labels, g_strdup(label));
	g_array_append_val(request->callbacks, callback);
}

static void
pending_free(PendingRequest *request)
{
	if (request->auto_source)
		g_source_remove(request->auto_source);
	g_ptr_array_unref(request->labels);
	g_array_unref(request->callbacks);
	if (request->choices)
		g_ptr_array_unref(request->choices);
	if (request->choice_values)
		g_array_unref(request->choice_values);
	g_free(request->default_text);
	if (request->fields)
		purple_request_fields_destroy(request->fields);
	g_free(request);
}

void
bdm_requests_free(BdmRequests *requests)
{
	GHashTableIter iter;
	gpointer value;

	if (requests == NULL)
		return;
	/* Close what is still open, as a UI closes its dialogs on exit; a
	 * request libpurple no longer knows about is freed directly. */
	g_hash_table_iter_init(&iter, requests->pending);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		PendingRequest *request = value;
		guint id = request->id;

		purple_request_close(request->type, request);
		if (g_hash_table_lookup(requests->pending, GUINT_TO_POINTER(id)) != NULL) {
			g_hash_table_remove(requests->pending, GUINT_TO_POINTER(id));
			pending_free(request);
		}
		g_hash_table_iter_init(&iter, requests->pending);
	}
	if (bound_requests == requests)
		bound_requests = NULL;
	g_hash_table_destroy(requests->pending);
	g_free(requests);
}

static PendingRequest *
pending_new(PurpleRequestType type, RequestKind kind, void *user_data)
{
	PendingRequest *request = g_new0(PendingRequest, 1);

	request->owner = bound_requests;
	request->id = bound_requests->next_id++;
	request->type = type;
	request->kind = kind;
	request->labels = g_ptr_array_new_with_free_func(g_free);
	request->callbacks = g_array_new(FALSE, TRUE, sizeof(GCallback));
	request->user_data = user_data;
	return request;
}

/* ---- answering ---------------------------------------------------------- */

static gboolean
apply_field_value(PurpleRequestFields *fields, const char *id, JsonNode *value,
                  GError **error)
{
	PurpleRequestField *field;
	GType value_type = json_node_get_value_type(value);

	if (!purple_request_fields_exists(fields, id)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "request has no field \"%s\"", id);
		return FALSE;
	}
	field = purple_request_fields_get_field(fields, id);
	switch (purple_request_field_get_type(field)) {
	case PURPLE_REQUEST_FIELD_STRING:
		if (value_type != G_TYPE_STRING)
			break;
		purple_request_field_string_set_value(field, json_node_get_string(value));
		return TRUE;
	case PURPLE_REQUEST_FIELD_INTEGER:
		if (value_type != G_TYPE_INT64)
			break;
		purple_request_field_int_set_value(field, (int)json_node_get_int(value));
		return TRUE;
	case PURPLE_REQUEST_FIELD_BOOLEAN:
		if (value_type != G_TYPE_BOOLEAN)
			break;
		purple_request_field_bool_set_value(field, json_node_get_boolean(value));
		return TRUE;
	case PURPLE_REQUEST_FIELD_CHOICE:
		if (value_type != G_TYPE_INT64)
			break;
		purple_request_field_choice_set_value(field, (int)json_node_get_int(value));
		return TRUE;
	default:
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "field \"%s\" cannot be set by the test client", id);
		return FALSE;
	}
	g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
	            "wrong JSON type for field \"%s\"", id);
	return FALSE;
}

static gboolean
apply_fields(PendingRequest *request, JsonObject *answer, GError **error)
{
	JsonNode *node = json_object_get_member(answer, "fields");
	JsonObjectIter iter;
	const char *id;
	JsonNode *value;

	if (node == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "\"fields\" must be an object of field id to value");
		return FALSE;
	}
	json_object_iter_init(&iter, json_node_get_object(node));
	while (json_object_iter_next(&iter, &id, &value)) {
		if (!apply_field_value(request->fields, id, value, error))
			return FALSE;
	}
	return TRUE;
}

/* Call the callback the answer selects.  Validation happens before any
 * callback runs, so a rejected answer leaves the request pending. */
static gboolean
invoke_answer(PendingRequest *request, int action, JsonObject *answer,
              GError **error)
{
	GCallback callback;
	const char *text = request->default_text;
	int choice = request->default_choice;

	if (action < 0 || (guint)action >= request->labels->len) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "request %u has no action %d (it has %u)", request->id,
		            action, request->labels->len);
		return FALSE;
	}
	if (answer != NULL && json_object_has_member(answer, "text")) {
		JsonNode *node = json_object_get_member(answer, "text");

		if (json_node_get_value_type(node) != G_TYPE_STRING) {
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
			            "\"text\" must be a string");
			return FALSE;
		}
		text = json_node_get_string(node);
	}
	if (request->kind == KIND_CHOICE && answer != NULL &&
	    json_object_has_member(answer, "choice")) {
		JsonNode *node = json_object_get_member(answer, "choice");

		if (json_node_get_value_type(node) != G_TYPE_INT64 ||
		    json_node_get_int(node) < 0 ||
		    json_node_get_int(node) >= request->choices->len) {
			g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
			            "\"choice\" must be an index below %u",
			            request->choices->len);
			return FALSE;
		}
		choice = (int)json_node_get_int(node);
	}
	if (request->kind == KIND_FIELDS && answer != NULL &&
	    !apply_fields(request, answer, error))
		return FALSE;

	callback = g_array_index(request->callbacks, GCallback, action);
	if (callback == NULL)
		return TRUE;
	switch (request->kind) {
	case KIND_ACTION:
		((PurpleRequestActionCb)callback)(request->user_data, action);
		break;
	case KIND_INPUT:
		((PurpleRequestInputCb)callback)(request->user_data, text);
		break;
	case KIND_CHOICE:
		((PurpleRequestChoiceCb)callback)(request->user_data,
			request->choices->len ?
			g_array_index(request->choice_values, int, choice) : -1);
		break;
	case KIND_FIELDS:
		((PurpleRequestFieldsCb)callback)(request->user_data, request->fields);
		break;
	case KIND_FILE:
		((PurpleRequestFileCb)callback)(request->user_data, text);
		break;
	}
	return TRUE;
}

static gboolean
answer_pending(PendingRequest *request, int action, JsonObject *answer,
               GError **error)
{
	BdmRequests *requests = request->owner;
	guint id = request->id;

	if (!invoke_answer(request, action, answer, error))
		return FALSE;
	/* The callback may have closed the request itself (or everything its
	 * plugin had open): only close what is still there, as Pidgin does. */
	request = g_hash_table_lookup(requests->pending, GUINT_TO_POINTER(id));
	if (request != NULL)
		purple_request_close(request->type, request);
	return TRUE;
}

gboolean
bdm_requests_answer(BdmRequests *requests, guint id, JsonObject *answer,
                    GError **error)
{
	PendingRequest *request;
	JsonNode *node;

	request = g_hash_table_lookup(requests->pending, GUINT_TO_POINTER(id));
	if (request == NULL) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "no pending request %u", id);
		return FALSE;
	}
	node = json_object_get_member(answer, "action");
	if (node == NULL || json_node_get_value_type(node) != G_TYPE_INT64) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "\"action\" must be an integer index into the request's actions");
		return FALSE;
	}
	return answer_pending(request, (int)json_node_get_int(node), answer, error);
}

static gboolean
auto_answer_cb(gpointer data)
{
	PendingRequest *request = data;
	int action = request->owner->auto_action;
	GError *error = NULL;

	request->auto_source = 0;
	if (action < 0)
		action = request->default_action;
	if (!answer_pending(request, action, NULL, &error)) {
		/* Visible in the debug log and as an event: a test that relies on
		 * the auto policy must not silently wait forever. */
		JsonBuilder *builder = bdm_event_begin("request-auto-failed");

		bdm_event_add_int(builder, "request", request->id);
		bdm_event_add_string(builder, "error", error->message);
		bdm_event_emit(builder);
		g_error_free(error);
	}
	return G_SOURCE_REMOVE;
}

/* ---- reporting ---------------------------------------------------------- */

static void
add_string_array(JsonBuilder *builder, const char *key, GPtrArray *strings)
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

static void
add_field(JsonBuilder *builder, PurpleRequestField *field)
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

static void
add_fields(JsonBuilder *builder, PurpleRequestFields *fields)
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

/* Register request, report it, and arm the auto answer if the policy says
 * so; returns the ui_handle libpurple will give back to close_request. */
static void *
pending_publish(PendingRequest *request, const char *title, const char *primary,
                const char *secondary, PurpleAccount *account, const char *who,
                PurpleConversation *conv)
{
	BdmRequests *requests = request->owner;
	JsonBuilder *builder = bdm_event_begin("request");

	g_hash_table_insert(requests->pending, GUINT_TO_POINTER(request->id), request);

	bdm_event_add_int(builder, "request", request->id);
	bdm_event_add_string(builder, "kind", request->type == PURPLE_REQUEST_FOLDER ?
	                     "folder" : kind_names[request->kind]);
	bdm_event_add_string(builder, "title", title);
	bdm_event_add_string(builder, "primary", primary);
	bdm_event_add_string(builder, "secondary", secondary);
	add_string_array(builder, "actions", request->labels);
	bdm_event_add_int(builder, "default", request->default_action);
	bdm_event_add_account(builder, account);
	bdm_event_add_string(builder, "who", who);
	bdm_event_add_string(builder, "conv", conv ? purple_conversation_get_name(conv) : NULL);
	if (request->kind == KIND_CHOICE) {
		add_string_array(builder, "choices", request->choices);
		bdm_event_add_int(builder, "default_choice", request->default_choice);
	}
	if (request->kind == KIND_INPUT || request->kind == KIND_FILE)
		bdm_event_add_string(builder, "default_text", request->default_text);
	if (request->kind == KIND_FIELDS)
		add_fields(builder, request->fields);
	bdm_event_emit(builder);

	/* Answer from the main loop, never from inside the request call:
	 * libpurple only records the handle after this function returns. */
	if (requests->auto_answer)
		request->auto_source = g_idle_add(auto_answer_cb, request);
	return request;
}

static gint
compare_ids(gconstpointer a, gconstpointer b)
{
	guint left = GPOINTER_TO_UINT(a), right = GPOINTER_TO_UINT(b);

	return left < right ? -1 : left > right;
}

void
bdm_requests_list(BdmRequests *requests, JsonBuilder *builder)
{
	GList *ids = g_hash_table_get_keys(requests->pending);
	GList *item;

	ids = g_list_sort(ids, compare_ids);
	json_builder_set_member_name(builder, "requests");
	json_builder_begin_array(builder);
	for (item = ids; item; item = item->next) {
		PendingRequest *request = g_hash_table_lookup(requests->pending, item->data);

		json_builder_begin_object(builder);
		bdm_event_add_int(builder, "request", request->id);
		bdm_event_add_string(builder, "kind", kind_names[request->kind]);
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	g_list_free(ids);
}

/* ---- the UI ops --------------------------------------------------------- */

static void *
request_input(const char *title, const char *primary, const char *secondary,
              const char *default_value, gboolean multiline, gboolean masked,
              gchar *hint, const char *ok_text, GCallback ok_cb,
              const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
              const char *who, PurpleConversation *conv, void *user_data)
{
	PendingRequest *request = pending_new(PURPLE_REQUEST_INPUT, KIND_INPUT, user_data);

	(void)multiline;
	(void)masked;
	(void)hint;
	request->default_text = g_strdup(default_value ? default_value : "");
	add_label(request, ok_text, ok_cb);
	add_label(request, cancel_text, cancel_cb);
	return pending_publish(request, title, primary, secondary, account, who, conv);
}

static void *
request_choice(const char *title, const char *primary, const char *secondary,
               int default_value, const char *ok_text, GCallback ok_cb,
               const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
               const char *who, PurpleConversation *conv, void *user_data,
               va_list choices)
{
	PendingRequest *request = pending_new(PURPLE_REQUEST_CHOICE, KIND_CHOICE, user_data);
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
	add_label(request, ok_text, ok_cb);
	add_label(request, cancel_text, cancel_cb);
	return pending_publish(request, title, primary, secondary, account, who, conv);
}

static void *
request_action(const char *title, const char *primary, const char *secondary,
               int default_action, PurpleAccount *account, const char *who,
               PurpleConversation *conv, void *user_data, size_t action_count,
               va_list actions)
{
	PendingRequest *request = pending_new(PURPLE_REQUEST_ACTION, KIND_ACTION, user_data);
	size_t i;

	for (i = 0; i < action_count; i++) {
		const char *label = va_arg(actions, const char *);
		GCallback callback = va_arg(actions, GCallback);

		add_label(request, label, callback);
	}
	request->default_action = default_action;
	return pending_publish(request, title, primary, secondary, account, who, conv);
}

static void *
request_fields(const char *title, const char *primary, const char *secondary,
               PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
               const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
               const char *who, PurpleConversation *conv, void *user_data)
{
	PendingRequest *request = pending_new(PURPLE_REQUEST_FIELDS, KIND_FIELDS, user_data);

	request->fields = fields;
	add_label(request, ok_text, ok_cb);
	add_label(request, cancel_text, cancel_cb);
	return pending_publish(request, title, primary, secondary, account, who, conv);
}

static void *
request_file(const char *title, const char *filename, gboolean savedialog,
             GCallback ok_cb, GCallback cancel_cb, PurpleAccount *account,
             const char *who, PurpleConversation *conv, void *user_data)
{
	PendingRequest *request = pending_new(PURPLE_REQUEST_FILE, KIND_FILE, user_data);

	request->default_text = g_strdup(filename ? filename : "");
	add_label(request, savedialog ? "Save" : "Open", ok_cb);
	add_label(request, "Cancel", cancel_cb);
	return pending_publish(request, title, NULL, NULL, account, who, conv);
}

static void *
request_folder(const char *title, const char *dirname, GCallback ok_cb,
               GCallback cancel_cb, PurpleAccount *account, const char *who,
               PurpleConversation *conv, void *user_data)
{
	PendingRequest *request = pending_new(PURPLE_REQUEST_FOLDER, KIND_FILE, user_data);

	request->default_text = g_strdup(dirname ? dirname : "");
	add_label(request, "Select", ok_cb);
	add_label(request, "Cancel", cancel_cb);
	return pending_publish(request, title, NULL, NULL, account, who, conv);
}

static void
close_request(PurpleRequestType type, void *ui_handle)
{
	PendingRequest *request = ui_handle;
	JsonBuilder *builder;

	(void)type;
	g_hash_table_remove(request->owner->pending, GUINT_TO_POINTER(request->id));
	builder = bdm_event_begin("request-closed");
	bdm_event_add_int(builder, "request", request->id);
	bdm_event_emit(builder);
	pending_free(request);
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

PurpleRequestUiOps *
bdm_requests_ui_ops(BdmRequests *requests)
{
	bound_requests = requests;
	return &request_ui_ops;
}
