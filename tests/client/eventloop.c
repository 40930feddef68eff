/*
 * bdm-testclient: libpurple's event loop on a GLib main loop (see
 * eventloop.h).  The same adapter as libpurple's example nullclient, which
 * is what Pidgin and Finch do in spirit.
 */
#include "eventloop.h"

#define READ_CONDITIONS  (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define WRITE_CONDITIONS (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

/* One purple_input_add() watch: libpurple's callback and its data. */
typedef struct {
	PurpleInputFunction function;
	gpointer data;
} InputWatch;

static gboolean input_dispatch(GIOChannel *channel, GIOCondition condition, gpointer user_data)
{
	InputWatch *watch = user_data;
	int purple_condition = 0;

	if (condition & READ_CONDITIONS)
		purple_condition |= PURPLE_INPUT_READ;
	if (condition & WRITE_CONDITIONS)
		purple_condition |= PURPLE_INPUT_WRITE;

	watch->function(watch->data, g_io_channel_unix_get_fd(channel),
	                (PurpleInputCondition)purple_condition);
	/* libpurple removes watches with purple_input_remove(), never by
	 * returning FALSE: keep the source until it asks. */
	return TRUE;
}

static guint input_add(gint fd, PurpleInputCondition condition, PurpleInputFunction function,
                       gpointer data)
{
	InputWatch *watch = g_new0(InputWatch, 1);
	GIOCondition glib_condition = 0;
	GIOChannel *channel;
	guint id;

	watch->function = function;
	watch->data = data;
	if (condition & PURPLE_INPUT_READ)
		glib_condition |= READ_CONDITIONS;
	if (condition & PURPLE_INPUT_WRITE)
		glib_condition |= WRITE_CONDITIONS;

	channel = g_io_channel_unix_new(fd);
	id = g_io_add_watch_full(channel, G_PRIORITY_DEFAULT, glib_condition,
	                         input_dispatch, watch, g_free);
	/* The watch holds its own reference to the channel. */
	g_io_channel_unref(channel);
	return id;
}

static PurpleEventLoopUiOps eventloop_ui_ops = {
	g_timeout_add,
	g_source_remove,
	input_add,
	g_source_remove,
	NULL,                   /* input_get_error: libpurple falls back to getsockopt */
	g_timeout_add_seconds,
	NULL, NULL, NULL
};

PurpleEventLoopUiOps *bdm_eventloop_ui_ops(void)
{
	return &eventloop_ui_ops;
}
