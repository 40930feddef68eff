/*
 * The desk in a team: the link to the team's PostgreSQL and the store that
 * shares conversation state through it.  See desk_features.h.
 *
 * Without [team] database the desk keeps the local store and nothing here
 * runs.  With it, every client is one of many: claims and tickets are
 * decided by the database, changes arrive by NOTIFY, and while the database
 * is away the agent is told once and works alone until it is back.
 */
#include <stdlib.h>
#include <string.h>

#include <connection.h>
#include <debug.h>
#include <notify.h>

#include "branddm/i18n.h"
#include "conv_store_team.h"
#include "desk_features.h"
#include "host_signals.h"
#include "team_schema.h"

#define DEBUG_CAT "branddm-team"

static struct {
	BdmTeamDb *db;          /* owned by the store once it exists */
	BdmStore *store;        /* owned by desk_conv.c */
	char *shown;            /* the connection string, redacted */
	gboolean told_down;     /* the agent was told the link is down */
	gboolean ever_up;
} team;

gboolean bdm_desk_team_active(void)
{
	return team.store != NULL;
}

static void sync_connected_accounts(void)
{
	GList *l;

	for (l = purple_connections_get_all(); l != NULL; l = l->next) {
		BdmConn *conn = bdm_conn_of(l->data);

		if (conn != NULL && conn->connected)
			bdm_store_team_sync_account(team.store, bdm_conn_platform(conn),
			                            bdm_conn_account_id(conn));
	}
}

static void on_schema_version(const PGresult *res, const char *error, gpointer data)
{
	int version = 0;
	char *text;

	(void)data;
	if (error == NULL && PQntuples(res) > 0)
		version = atoi(PQgetvalue(res, 0, 0));
	if (error == NULL && version == BDM_TEAM_SCHEMA_VERSION)
		return;
	text = error != NULL
	       ? g_strdup_printf(_("The team database %s cannot be used: %s. Ask your "
	                           "administrator to run \"branddm-admin team init --db …\"."),
	                         team.shown, error)
	       : g_strdup_printf(_("The team database %s has schema version %d; this BrandDM "
	                           "needs %d. Ask your administrator to run \"branddm-admin team "
	                           "init --db …\"."), team.shown, version, BDM_TEAM_SCHEMA_VERSION);
	purple_debug_error(DEBUG_CAT, "%s\n", text);
	purple_notify_error(bdm_desk.plugin, _("BrandDM team"), _("The team database cannot be used."),
	                    text);
	g_free(text);
}

static void on_link(gboolean up, const char *why, gpointer data)
{
	(void)data;
	if (up) {
		purple_debug_info(DEBUG_CAT, "team database %s is up\n", team.shown);
		bdm_team_db_query(team.db, "SELECT value FROM branddm.meta WHERE key = "
		                  "'schema_version'", 0, NULL, on_schema_version, NULL);
		if (team.told_down)
			purple_notify_info(bdm_desk.plugin, _("BrandDM team"),
			                   _("The team database is reachable again."),
			                   _("Automatic replies, triggers and tickets that waited are "
			                     "settled now, once each."));
		team.told_down = FALSE;
		team.ever_up = TRUE;
		sync_connected_accounts();
		return;
	}
	purple_debug_warning(DEBUG_CAT, "team database %s is down: %s\n", team.shown,
	                     why ? why : "?");
	if (team.told_down)
		return;
	team.told_down = TRUE;
	{
		char *secondary = g_strdup_printf(_("%s\n\nYou are working alone: conversations are "
		                                    "logged on this computer, and automatic replies, "
		                                    "triggers and tickets wait until the database "
		                                    "(%s) is back."), why ? why : "", team.shown);

		purple_notify_warning(bdm_desk.plugin, _("BrandDM team"),
		                      _("Team database unreachable: working alone."), secondary);
		g_free(secondary);
	}
}

static void on_notify(const char *channel, const char *payload, gpointer data)
{
	(void)data;
	if (team.store != NULL && g_strcmp0(channel, BDM_TEAM_NOTIFY_CHANNEL) == 0)
		bdm_store_team_notified(team.store, payload);
}

/* A colleague changed a conversation: show it as stored. */
static void on_changed(const char *platform, const char *account, const char *customer,
                       gpointer data)
{
	(void)data;
	bdm_desk_conv_changed_elsewhere(platform, account, customer);
}

static void on_account_connected(PurpleAccount *account, gpointer data)
{
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));

	(void)data;
	if (conn != NULL && team.store != NULL)
		bdm_store_team_sync_account(team.store, bdm_conn_platform(conn),
		                            bdm_conn_account_id(conn));
}

BdmStore *bdm_desk_team_init(BdmStore *local)
{
	const char *conninfo = bdm_desk_config_team_database(bdm_desk_config());

	memset(&team, 0, sizeof(team));
	if (conninfo == NULL)
		return local;
	team.shown = bdm_team_conninfo_redact(conninfo);
	team.db = bdm_team_db_new(conninfo, on_link, on_notify, NULL);
	bdm_team_db_listen(team.db, BDM_TEAM_NOTIFY_CHANNEL);
	team.store = bdm_store_team_new(local, team.db, bdm_desk_agent_name(), on_changed, NULL);
	purple_signal_connect(bdm_signals_handle(), BDM_SIGNAL_ACCOUNT_CONNECTED, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_account_connected), NULL);
	purple_debug_info(DEBUG_CAT, "team mode: %s as %s\n", team.shown, bdm_desk_agent_name());
	bdm_team_db_start(team.db);
	return team.store;
}

void bdm_desk_team_shutdown(void)
{
	/* The store (desk_conv.c) owns and frees the link. */
	g_free(team.shown);
	memset(&team, 0, sizeof(team));
}
