/*
 * bdm-testclient: the table of pending requests and how answers reach
 * their callbacks (see ui_request.h; the UI ops are in ui_request_ops.c).
 */
#include "client.h"
#include "event.h"
#include "ui_request_private.h"

BdmRequests *bdm_requests_new(void)
{
	BdmRequests *requests = g_new0(BdmRequests, 1);

	requests->pending = g_hash_table_new(g_direct_hash, g_direct_equal);
	requests->next_id = 1;
	requests->auto_action = -1;
	return requests;
}

static void pending_free(BdmPendingRequest *request)
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

void bdm_requests_free(BdmRequests *requests)
{
	GHashTableIter iter;
	gpointer value;

	if (requests == NULL)
		return;
	/* Close what is still open, as a UI closes its dialogs on exit; a
	 * request libpurple no longer knows about is freed directly. */
	g_hash_table_iter_init(&iter, requests->pending);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		BdmPendingRequest *request = value;
		guint id = request->id;

		purple_request_close(request->type, request);
		if (g_hash_table_lookup(requests->pending, GUINT_TO_POINTER(id)) != NULL)
			bdm_requests_remove(request);
		g_hash_table_iter_init(&iter, requests->pending);
	}
	g_hash_table_destroy(requests->pending);
	g_free(requests);
}

void bdm_requests_set_auto(BdmRequests *requests, gboolean auto_answer, int action)
{
	requests->auto_answer = auto_answer;
	requests->auto_action = action;
}

BdmPendingRequest *bdm_pending_new(BdmRequests *requests, PurpleRequestType type,
                                   BdmRequestKind kind, void *user_data)
{
	BdmPendingRequest *request = g_new0(BdmPendingRequest, 1);

	request->owner = requests;
	request->id = requests->next_id++;
	request->type = type;
	request->kind = kind;
	request->labels = g_ptr_array_new_with_free_func(g_free);
	request->callbacks = g_array_new(FALSE, TRUE, sizeof(GCallback));
	request->user_data = user_data;
	return request;
}

void bdm_pending_add_label(BdmPendingRequest *request, const char *label, GCallback callback)
{
	g_ptr_array_add(request->labels, g_strdup(label));
	g_array_append_val(request->callbacks, callback);
}

const char *bdm_pending_kind_name(const BdmPendingRequest *request)
{
	static const char *const names[] = {
		[BDM_REQUEST_ACTION] = "action", [BDM_REQUEST_INPUT] = "input",
		[BDM_REQUEST_CHOICE] = "choice", [BDM_REQUEST_FIELDS] = "fields",
		[BDM_REQUEST_FILE] = "file",
	};

	if (request->type == PURPLE_REQUEST_FOLDER)
		return "folder";
	return names[request->kind];
}

/* ---- answering ---------------------------------------------------------- */

/* Check (set is FALSE) or store (set is TRUE) one answered field value. */
static gboolean field_value(PurpleRequestFields *fields, const char *id, JsonNode *value,
                            gboolean set, GError **error)
{
	PurpleRequestField *field;
	GType value_type = JSON_NODE_HOLDS_VALUE(value) ?
		json_node_get_value_type(value) : G_TYPE_INVALID;
	GType wanted;

	if (!purple_request_fields_exists(fields, id)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_NOT_FOUND,
		            "request has no field \"%s\"", id);
		return FALSE;
	}
	field = purple_request_fields_get_field(fields, id);
	switch (purple_request_field_get_type(field)) {
	case PURPLE_REQUEST_FIELD_STRING:
		wanted = G_TYPE_STRING;
		break;
	case PURPLE_REQUEST_FIELD_BOOLEAN:
		wanted = G_TYPE_BOOLEAN;
		break;
	case PURPLE_REQUEST_FIELD_INTEGER:
	case PURPLE_REQUEST_FIELD_CHOICE:   /* the index of the chosen label */
		wanted = G_TYPE_INT64;
		break;
	default:
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "field \"%s\" cannot be set by the test client", id);
		return FALSE;
	}
	if (value_type != wanted) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "wrong JSON type for field \"%s\"", id);
		return FALSE;
	}
	if (!set)
		return TRUE;
	switch (purple_request_field_get_type(field)) {
	case PURPLE_REQUEST_FIELD_STRING:
		purple_request_field_string_set_value(field, json_node_get_string(value));
		break;
	case PURPLE_REQUEST_FIELD_BOOLEAN:
		purple_request_field_bool_set_value(field, json_node_get_boolean(value));
		break;
	case PURPLE_REQUEST_FIELD_INTEGER:
		purple_request_field_int_set_value(field, (int)json_node_get_int(value));
		break;
	default:
		purple_request_field_choice_set_value(field, (int)json_node_get_int(value));
		break;
	}
	return TRUE;
}

/* Check every answered field, then store them all: a refused answer must
 * not leave half its values in the dialog. */
static gboolean apply_fields(BdmPendingRequest *request, JsonObject *answer, GError **error)
{
	JsonNode *node = json_object_get_member(answer, "fields");
	JsonObjectIter iter;
	const char *id;
	JsonNode *value;
	int pass;

	if (node == NULL)
		return TRUE;
	if (!JSON_NODE_HOLDS_OBJECT(node)) {
		g_set_error(error, BDM_CLIENT_ERROR, BDM_CLIENT_ERROR_BAD_ARGUMENT,
		            "\"fields\" must be an object of field id to value");
		return FALSE;
	}
	for (pass = 0; pass < 2; pass++) {
		json_object_iter_init(&iter, json_node_get_object(node));
		while (json_object_iter_next(&iter, &id, &value)) {
			if (!field_value(request->fields, id, value, pass == 1, error))
				return FALSE;
		}
	}
	return TRUE;
}

/* Call the callback the answer selects.  Validation happens before any
 * callback runs, so a rejected answer leaves the request pending. */
static gboolean invoke_answer(BdmPendingRequest *request, int action, JsonObject *answer,
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
	if (request->kind == BDM_REQUEST_CHOICE && answer != NULL &&
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
	if (request->kind == BDM_REQUEST_FIELDS && answer != NULL &&
	    !apply_fields(request, answer, error))
		return FALSE;

	callback = g_array_index(request->callbacks, GCallback, action);
	if (callback == NULL)
		return TRUE;
	switch (request->kind) {
	case BDM_REQUEST_ACTION:
		((PurpleRequestActionCb)callback)(request->user_data, action);
		break;
	case BDM_REQUEST_INPUT:
		((PurpleRequestInputCb)callback)(request->user_data, text);
		break;
	case BDM_REQUEST_CHOICE:
		((PurpleRequestChoiceCb)callback)(request->user_data,
			request->choices->len ?
			g_array_index(request->choice_values, int, choice) : -1);
		break;
	case BDM_REQUEST_FIELDS:
		((PurpleRequestFieldsCb)callback)(request->user_data, request->fields);
		break;
	case BDM_REQUEST_FILE:
		((PurpleRequestFileCb)callback)(request->user_data, text);
		break;
	}
	return TRUE;
}

static gboolean answer_pending(BdmPendingRequest *request, int action, JsonObject *answer,
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

gboolean bdm_requests_answer(BdmRequests *requests, guint id, JsonObject *answer, GError **error)
{
	BdmPendingRequest *request;
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

static gboolean auto_answer_cb(gpointer data)
{
	BdmPendingRequest *request = data;
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

/* ---- the table ---------------------------------------------------------- */

void bdm_requests_add(BdmPendingRequest *request)
{
	BdmRequests *requests = request->owner;

	g_hash_table_insert(requests->pending, GUINT_TO_POINTER(request->id), request);
	/* Answer from the main loop, never from inside the request call:
	 * libpurple only records the handle after its UI op returns. */
	if (requests->auto_answer)
		request->auto_source = g_idle_add(auto_answer_cb, request);
}

void bdm_requests_remove(BdmPendingRequest *request)
{
	g_hash_table_remove(request->owner->pending, GUINT_TO_POINTER(request->id));
	pending_free(request);
}

static gint compare_ids(gconstpointer a, gconstpointer b)
{
	guint left = GPOINTER_TO_UINT(a), right = GPOINTER_TO_UINT(b);

	return left < right ? -1 : left > right;
}

void bdm_requests_list(BdmRequests *requests, JsonBuilder *builder)
{
	GList *ids = g_hash_table_get_keys(requests->pending);
	GList *item;

	ids = g_list_sort(ids, compare_ids);
	json_builder_set_member_name(builder, "requests");
	json_builder_begin_array(builder);
	for (item = ids; item; item = item->next) {
		BdmPendingRequest *request = g_hash_table_lookup(requests->pending, item->data);

		json_builder_begin_object(builder);
		bdm_event_add_int(builder, "request", request->id);
		bdm_event_add_string(builder, "kind", bdm_pending_kind_name(request));
		json_builder_end_object(builder);
	}
	json_builder_end_array(builder);
	g_list_free(ids);
}
