/*
 * bdm-testclient: file transfers (see ui_xfer.h).
 */
#include "commands.h"
#include "event.h"
#include "ui_xfer.h"

/* Numbers stay with a transfer for its whole life: tests name it by them. */
static GHashTable *numbers;    /* PurpleXfer* -> number */
static GList *live;            /* PurpleXfer*, oldest first */
static guint next_number = 1;

static const char *status_name(PurpleXferStatusType status)
{
	switch (status) {
	case PURPLE_XFER_STATUS_NOT_STARTED:
		return "not-started";
	case PURPLE_XFER_STATUS_ACCEPTED:
		return "accepted";
	case PURPLE_XFER_STATUS_STARTED:
		return "started";
	case PURPLE_XFER_STATUS_DONE:
		return "done";
	case PURPLE_XFER_STATUS_CANCEL_LOCAL:
		return "cancel-local";
	case PURPLE_XFER_STATUS_CANCEL_REMOTE:
		return "cancel-remote";
	case PURPLE_XFER_STATUS_UNKNOWN:
	default:
		return "unknown";
	}
}

static void add_xfer_members(JsonBuilder *b, PurpleXfer *xfer)
{
	bdm_event_add_int(b, "xfer", GPOINTER_TO_UINT(g_hash_table_lookup(numbers, xfer)));
	bdm_event_add_account(b, purple_xfer_get_account(xfer));
	bdm_event_add_string(b, "who", purple_xfer_get_remote_user(xfer));
	bdm_event_add_string(b, "type",
	                     purple_xfer_get_type(xfer) == PURPLE_XFER_SEND ? "send" : "receive");
	bdm_event_add_string(b, "status", status_name(purple_xfer_get_status(xfer)));
	bdm_event_add_string(b, "filename", purple_xfer_get_filename(xfer));
	bdm_event_add_string(b, "local_filename", purple_xfer_get_local_filename(xfer));
	bdm_event_add_int(b, "size", (gint64)purple_xfer_get_size(xfer));
	bdm_event_add_int(b, "bytes_sent", (gint64)purple_xfer_get_bytes_sent(xfer));
}

static void emit(PurpleXfer *xfer, const char *what)
{
	JsonBuilder *b = bdm_event_begin("xfer");

	bdm_event_add_string(b, "change", what);
	add_xfer_members(b, xfer);
	bdm_event_emit(b);
}

static void on_new(PurpleXfer *xfer)
{
	if (numbers == NULL)
		numbers = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_insert(numbers, xfer, GUINT_TO_POINTER(next_number++));
	live = g_list_append(live, xfer);
	emit(xfer, "new");
}

static void on_destroy(PurpleXfer *xfer)
{
	emit(xfer, "destroy");
	live = g_list_remove(live, xfer);
	g_hash_table_remove(numbers, xfer);
}

static void on_add(PurpleXfer *xfer)
{
	emit(xfer, "add");
}

static void on_progress(PurpleXfer *xfer, double percent)
{
	(void)percent;
	emit(xfer, "progress");
}

static void on_cancel_local(PurpleXfer *xfer)
{
	emit(xfer, "cancel-local");
}

static void on_cancel_remote(PurpleXfer *xfer)
{
	emit(xfer, "cancel-remote");
}

static PurpleXferUiOps xfer_ui_ops = {
	.new_xfer = on_new,
	.destroy = on_destroy,
	.add_xfer = on_add,
	.update_progress = on_progress,
	.cancel_local = on_cancel_local,
	.cancel_remote = on_cancel_remote,
};

PurpleXferUiOps *bdm_xfer_ui_ops(void)
{
	return &xfer_ui_ops;
}

static PurpleXfer *find(gint64 number)
{
	GList *l;

	for (l = live; l; l = l->next)
		if (GPOINTER_TO_UINT(g_hash_table_lookup(numbers, l->data)) == (guint)number)
			return l->data;
	return NULL;
}

/* What Send File does (file absent: libpurple asks for one, a "request"
 * event) and what dropping a file on the conversation does (file given). */
static gboolean cmd_send_file(BdmClient *client, JsonObject *args, JsonBuilder *result,
                              GError **error)
{
	PurpleConnection *gc;
	PurplePluginProtocolInfo *info;
	const char *who, *file = NULL;

	(void)client;
	if ((gc = bdm_arg_connection(args, error)) == NULL ||
	    (who = bdm_arg_string(args, "who", error)) == NULL ||
	    !bdm_arg_string_opt(args, "file", &file, error))
		return FALSE;
	info = PURPLE_PLUGIN_PROTOCOL_INFO(purple_connection_get_prpl(gc));
	/* Pidgin greys Send File out when the protocol says it cannot. */
	bdm_event_add_bool(result, "offered", info->send_file != NULL &&
	                   (info->can_receive_file == NULL || info->can_receive_file(gc, who)));
	serv_send_file(gc, who, file);
	return TRUE;
}

static gboolean cmd_xfer_cancel(BdmClient *client, JsonObject *args, JsonBuilder *result,
                                GError **error)
{
	JsonNode *node = json_object_get_member(args, "xfer");
	PurpleXfer *xfer;

	(void)client;
	if (node == NULL || json_node_get_value_type(node) != G_TYPE_INT64 ||
	    (xfer = find(json_node_get_int(node))) == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
		            "\"xfer\" must be the number of a live transfer");
		return FALSE;
	}
	bdm_event_add_int(result, "xfer", json_node_get_int(node));
	purple_xfer_cancel_local(xfer);
	return TRUE;
}

static gboolean cmd_xfers(BdmClient *client, JsonObject *args, JsonBuilder *result,
                          GError **error)
{
	GList *l;

	(void)client;
	(void)args;
	(void)error;
	json_builder_set_member_name(result, "xfers");
	json_builder_begin_array(result);
	for (l = live; l; l = l->next) {
		json_builder_begin_object(result);
		add_xfer_members(result, l->data);
		json_builder_end_object(result);
	}
	json_builder_end_array(result);
	return TRUE;
}

const BdmCommand bdm_xfer_commands[] = {
	{ "send-file", cmd_send_file },
	{ "xfer-cancel", cmd_xfer_cancel },
	{ "xfers", cmd_xfers },
	{ NULL, NULL }
};
