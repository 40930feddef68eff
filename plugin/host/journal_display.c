/*
 * Logging a delivery turn in one transaction, and the display marker that
 * makes "logged" and "shown" agree across a crash.  See journal.h.
 *
 * A turn's records and the marker (the ids of the customer messages about
 * to be shown, in order) are committed together.  Each message leaves the
 * marker once it is on screen, so after a kill the marker names exactly the
 * messages that may not have been shown: the first may have been (it gets
 * the "may be a repeat" notice), the others were not.
 */
#include <string.h>

#include <debug.h>

#include "branddm/i18n.h"
#include "journal.h"

#define DEBUG_CAT "branddm-journal"

struct BdmDisplay {
	GPtrArray *pending;      /* char*: this turn's ids not yet on screen, in order */
	GHashTable *interrupted; /* ids a crash left in the marker, until shown again */
	char *maybe_on_screen;   /* the first of them: the kill may have come after it showed */
};

static BdmDisplay *display_of(BdmConn *conn)
{
	if (conn->display == NULL) {
		conn->display = g_new0(BdmDisplay, 1);
		conn->display->pending = g_ptr_array_new_with_free_func(g_free);
		conn->display->interrupted = g_hash_table_new_full(g_str_hash, g_str_equal,
		                                                   g_free, NULL);
	}
	return conn->display;
}

void bdm_journal_display_free(BdmConn *conn)
{
	BdmDisplay *d = conn->display;

	if (d == NULL)
		return;
	g_ptr_array_free(d->pending, TRUE);
	g_hash_table_destroy(d->interrupted);
	g_free(d->maybe_on_screen);
	g_free(d);
	conn->display = NULL;
}

static char *marker_key(BdmConn *conn)
{
	return g_strdup_printf("display/%s/%s", bdm_conn_platform(conn), bdm_conn_account_id(conn));
}

/* The marker's value: ids one per line (platform ids hold no line breaks;
 * a marker of an older BrandDM, one id, reads the same).  NULL deletes it. */
static gboolean store_marker(BdmConn *conn, GPtrArray *ids, GError **error)
{
	char *key = marker_key(conn);
	char *value = NULL;
	gboolean ok;

	if (ids->len > 0) {
		g_ptr_array_add(ids, NULL);
		value = g_strjoinv("\n", (char **)ids->pdata);
		g_ptr_array_remove_index(ids, ids->len - 1);
	}
	ok = bdm_log_state_set(bdm_journal_log(), key, value, error);
	g_free(value);
	g_free(key);
	return ok;
}

gboolean bdm_journal_turn_begin(BdmConn *conn)
{
	GError *error = NULL;

	if (!bdm_journal_writable(conn))
		return FALSE;
	if (bdm_log_batch_begin(bdm_journal_log(), &error))
		return TRUE;
	bdm_journal_alert(conn, _("Customer messages could not be written to the log."),
	                           error);
	g_error_free(error);
	return FALSE;
}

gboolean bdm_journal_turn_commit(BdmConn *conn, const GPtrArray *to_show)
{
	BdmDisplay *d = display_of(conn);
	GError *error = NULL;
	guint i;

	g_assert(bdm_log_in_batch(bdm_journal_log()));
	/* A turn with nothing to show leaves the marker as it is: what an
	 * earlier crash left there still waits to be shown. */
	if (to_show->len > 0) {
		g_ptr_array_set_size(d->pending, 0);
		for (i = 0; i < to_show->len; i++)
			g_ptr_array_add(d->pending, g_strdup(g_ptr_array_index(to_show, i)));
	}
	if ((to_show->len == 0 || store_marker(conn, d->pending, &error)) &&
	    bdm_log_batch_commit(bdm_journal_log(), &error))
		return TRUE;
	bdm_log_batch_abort(bdm_journal_log());
	g_ptr_array_set_size(d->pending, 0);
	bdm_journal_alert(conn, _("Customer messages could not be written to the log."),
	                           error);
	g_error_free(error);
	return FALSE;
}

void bdm_journal_shown(BdmConn *conn, const char *message_id)
{
	BdmDisplay *d = display_of(conn);
	GError *error = NULL;
	guint i;

	g_hash_table_remove(d->interrupted, message_id);
	for (i = 0; i < d->pending->len; i++) {
		if (strcmp(g_ptr_array_index(d->pending, i), message_id) == 0) {
			g_ptr_array_remove_index(d->pending, i);
			break;
		}
	}
	/* Should this fail, a restart shows the message again, announced. */
	if (bdm_journal_log() && !store_marker(conn, d->pending, &error)) {
		purple_debug_error(DEBUG_CAT, "display marker not updated: %s\n", error->message);
		g_error_free(error);
	}
}

void bdm_journal_recover(BdmConn *conn)
{
	BdmDisplay *d = display_of(conn);
	char *key = marker_key(conn);
	char *value = bdm_journal_log() ? bdm_log_state_get(bdm_journal_log(), key, NULL) : NULL;
	char **ids = g_strsplit(value ? value : "", "\n", -1);
	char **id;

	g_hash_table_remove_all(d->interrupted);
	g_clear_pointer(&d->maybe_on_screen, g_free);
	for (id = ids; *id; id++) {
		if (**id == '\0')
			continue;
		if (d->maybe_on_screen == NULL)
			d->maybe_on_screen = g_strdup(*id);
		g_hash_table_add(d->interrupted, g_strdup(*id));
	}
	if (d->maybe_on_screen)
		purple_debug_warning(DEBUG_CAT, "%u message(s) were logged but maybe never shown; "
		                     "showing them again\n", g_hash_table_size(d->interrupted));
	g_strfreev(ids);
	g_free(value);
	g_free(key);
}

gboolean bdm_journal_interrupted(BdmConn *conn, const char *message_id)
{
	return conn->display != NULL && message_id != NULL &&
	       g_hash_table_contains(conn->display->interrupted, message_id);
}

gboolean bdm_journal_maybe_repeat(BdmConn *conn, const char *message_id)
{
	return bdm_journal_interrupted(conn, message_id) &&
	       g_strcmp0(conn->display->maybe_on_screen, message_id) == 0;
}
