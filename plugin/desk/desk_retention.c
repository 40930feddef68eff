/*
 * Record retention: the administrator's [log] retention in desk.conf.
 * Records older than that are purged when the plugin starts and once a day;
 * the log keeps the hash chain verifiable across a purge (an anchor and a
 * purge record), so retention never looks like tampering.
 */
#include <debug.h>

#include "desk_features.h"
#include "desk_internal.h"
#include "purple_logs.h"

#define DEBUG_CAT "branddm-desk"
#define PURGE_EVERY_S (24 * 60 * 60)

static guint purge_timer;

void bdm_desk_retention_run(void)
{
	gint64 retention = bdm_desk_config_log_retention(bdm_desk_config());
	GError *error = NULL;
	guint removed = 0;

	if (retention <= 0 || bdm_journal_log() == NULL)
		return;
	/* libpurple's own chat logs of BrandDM accounts are kept no longer. */
	bdm_purple_logs_prune(bdm_now() - retention);
	if (!bdm_log_purge(bdm_journal_log(), bdm_now() - retention, &removed, &error)) {
		purple_debug_error(DEBUG_CAT, "retention purge failed: %s\n", error->message);
		g_error_free(error);
		return;
	}
	if (removed > 0)
		purple_debug_info(DEBUG_CAT, "retention: purged %u records older than %" G_GINT64_FORMAT
		                  " days\n", removed, retention / 86400);
}

static gboolean purge_cb(gpointer data)
{
	(void)data;
	bdm_desk_retention_run();
	return TRUE;
}

void bdm_desk_retention_init(void)
{
	bdm_desk_retention_run();
	purge_timer = purple_timeout_add_seconds(PURGE_EVERY_S, purge_cb, NULL);
}

void bdm_desk_retention_shutdown(void)
{
	if (purge_timer)
		purple_timeout_remove(purge_timer);
	purge_timer = 0;
}
