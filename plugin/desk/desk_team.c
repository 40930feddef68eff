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

/* Authors remembered at most; beyond, the oldest knowledge is dropped
 * (a message shown long ago is not shown again). */
#define MAX_AUTHORS 10000
/* "Alice is replying" is sent at most this often per conversation, and shown
 * at most this often per colleague and conversation. */
#define TYPING_SEND_S 10
#define TYPING_SHOW_S 30

/* Who wrote one brand message. */
typedef struct {
	char *agent;
	gboolean automated;
} Author;

static struct {
	BdmTeamDb *db;          /* owned by the store once it exists */
	BdmStore *store;        /* owned by desk_conv.c */
	char *shown;            /* the connection string, redacted */
	gboolean told_down;     /* the agent was told the link is down */
	GHashTable *authors;    /* platform message id, or text_key() -> Author* */
	GHashTable *typing;     /* "sent:<conv>" or "shown:<conv>\n<agent>" -> last time */
} team;

/* A reply announced before the platform gave it an id: known by its
 * conversation and a digest of its text. */
static char *text_key(const char *platform, const char *account, const char *customer,
                      const char *digest)
{
	return g_strdup_printf("text:%s/%s/%s\n%s", platform, account, customer, digest);
}

static char *digest_of(const char *text)
{
	return g_compute_checksum_for_string(G_CHECKSUM_SHA256, text ? text : "", -1);
}

static void author_free(gpointer p)
{
	Author *a = p;

	g_free(a->agent);
	g_free(a);
}

static void remember_author(const char *message_id, const char *agent, gboolean automated)
{
	Author *a;

	if (message_id == NULL || team.authors == NULL)
		return;
	if (g_hash_table_size(team.authors) >= MAX_AUTHORS)
		g_hash_table_remove_all(team.authors);
	a = g_new0(Author, 1);
	a->agent = g_strdup(agent);
	a->automated = automated;
	g_hash_table_replace(team.authors, g_strdup(message_id), a);
}

/* Who wrote a brand message: by its id, else by the announcement of its
 * text (the poll may show it before its record arrives). */
static const Author *author_of(const char *platform, const char *account, const char *customer,
                               const char *message_id, const char *text)
{
	const Author *a = NULL;
	char *digest, *key;

	if (team.authors == NULL)
		return NULL;
	if (message_id != NULL)
		a = g_hash_table_lookup(team.authors, message_id);
	if (a == NULL && text != NULL && customer != NULL) {
		digest = digest_of(text);
		key = text_key(platform, account, customer, digest);
		a = g_hash_table_lookup(team.authors, key);
		g_free(key);
		g_free(digest);
	}
	return a;
}

const char *bdm_desk_reply_author(BdmConn *conn, const char *customer_id,
                                  const char *message_id, const char *text)
{
	const Author *a = author_of(bdm_conn_platform(conn), bdm_conn_account_id(conn), customer_id,
	                            message_id, text);

	if (a == NULL)
		return NULL;
	/* TRANSLATORS: shown as the author of an automatic reply: "Acme (automatic)". */
	return a->automated ? _("automatic") : a->agent;
}

gboolean bdm_desk_team_automated(const BdmDelivery *d)
{
	const Author *a = author_of(d->platform, d->account, d->customer_id, d->message_id, d->text);

	return a != NULL && a->automated;
}

/* A client announced a reply it is sending: more is "<agent>\n<0|1>\n<digest>". */
static void reply_announced(const BdmTeamNotice *n)
{
	char **parts = g_strsplit(n->more ? n->more : "", "\n", 3);

	if (g_strv_length(parts) == 3) {
		char *key = text_key(n->platform, n->account, n->customer, parts[2]);

		remember_author(key, parts[0], strcmp(parts[1], "1") == 0);
		g_free(key);
	}
	g_strfreev(parts);
}

/* A notice of this client's own to its colleagues (team_schema.h). */
static void notify_team(const char *payload)
{
	const char *params[1] = { payload };

	bdm_team_db_query(team.db, "SELECT pg_notify('" BDM_TEAM_NOTIFY_CHANNEL "', $1)", 1,
	                  params, NULL, NULL);
}

static void on_reply_sending(PurpleAccount *account, const BdmDelivery *d, gpointer data)
{
	char *digest, *key, *payload;

	(void)account;
	(void)data;
	if (team.store == NULL)
		return;
	digest = digest_of(d->text);
	key = text_key(d->platform, d->account, d->customer_id, digest);
	remember_author(key, bdm_desk_agent_name(), d->automated);
	payload = g_strdup_printf("sending:%s/%s/%s\n%s\n%d\n%s", d->platform, d->account,
	                          d->customer_id, bdm_desk_agent_name(), d->automated ? 1 : 0,
	                          digest);
	notify_team(payload);
	g_free(payload);
	g_free(key);
	g_free(digest);
}

static void on_authors(const PGresult *res, const char *error, gpointer data)
{
	int row;

	(void)data;
	if (error != NULL) {
		purple_debug_warning(DEBUG_CAT, "authors not read: %s\n", error);
		return;
	}
	for (row = 0; row < PQntuples(res); row++)
		remember_author(PQgetvalue(res, row, 0),
		                PQgetisnull(res, row, 1) ? NULL : PQgetvalue(res, row, 1),
		                strcmp(PQgetvalue(res, row, 2), "t") == 0);
}

/* A message of this conversation was recorded: learn its author before the
 * poll shows it, and (without the poll lease) deliver it from the team. */
static void message_recorded(const BdmTeamNotice *n)
{
	const char *params[3] = { n->platform, n->account, n->customer };

	/* Authors first: queries run in order, so they are known before the
	 * messages are delivered. */
	bdm_team_db_query(team.db, "SELECT message_id, agent, automated FROM branddm.message "
	                  "WHERE platform = $1 AND account = $2 AND customer = $3 AND from_brand "
	                  "ORDER BY recorded_at DESC LIMIT 20", 3, params, on_authors, NULL);
	bdm_desk_team_poll_notified(n->platform, n->account, n->customer);
}

/* This client's reply: its author is known here, and told to the team. */
static void on_reply_confirmed(PurpleAccount *account, const BdmDelivery *d, gpointer data)
{
	char *created;
	const char *params[8];

	(void)account;
	(void)data;
	if (team.store == NULL || d->message_id == NULL)
		return;
	remember_author(d->message_id, bdm_desk_agent_name(), d->automated);
	created = g_strdup_printf("%" G_GINT64_FORMAT, d->time);
	params[0] = d->platform;
	params[1] = d->account;
	params[2] = d->message_id;
	params[3] = d->customer_id;
	params[4] = d->text;
	params[5] = created;
	params[6] = bdm_desk_agent_name();
	params[7] = d->automated ? "true" : "false";
	bdm_team_db_query(team.db, "INSERT INTO branddm.message (platform, account, message_id, "
	                  "customer, from_brand, text, created, agent, automated) VALUES ($1, $2, "
	                  "$3, $4, true, $5, $6::bigint, $7, $8::boolean) ON CONFLICT DO NOTHING",
	                  8, params, NULL, NULL);
	g_free(created);
}

gboolean bdm_desk_team_active(void)
{
	return team.store != NULL;
}

BdmTeamDb *bdm_desk_team_db(void)
{
	return team.db;
}

/* State and messages the team has for one account of this client. */
static void sync_account(BdmConn *conn)
{
	bdm_store_team_fetch(team.store, bdm_conn_platform(conn), bdm_conn_account_id(conn), NULL);
	bdm_desk_team_poll_sync(bdm_conn_platform(conn), bdm_conn_account_id(conn));
}

static void sync_connected_accounts(void)
{
	GList *l;

	for (l = purple_connections_get_all(); l != NULL; l = l->next) {
		BdmConn *conn = bdm_conn_of(l->data);

		if (conn != NULL && conn->connected)
			sync_account(conn);
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
	bdm_desk_team_poll_link(up);
	bdm_desk_log_ship_link(up);
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

/* TRUE, and the time noted, when key was not noted within the last `every` s. */
static gboolean due(const char *key, gint64 every)
{
	gint64 now = g_get_monotonic_time() / G_USEC_PER_SEC;
	gpointer last = g_hash_table_lookup(team.typing, key);

	if (last != NULL && now - (gint64)GPOINTER_TO_SIZE(last) < every)
		return FALSE;
	g_hash_table_replace(team.typing, g_strdup(key), GSIZE_TO_POINTER((gsize)MAX(now, 1)));
	return TRUE;
}

/* The agent types to a customer: colleagues with that conversation open
 * are told, so two people do not answer at once. */
static void on_agent_typing(PurpleAccount *account, const char *who, guint state, gpointer data)
{
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));
	char *key, *payload;

	(void)data;
	if (team.store == NULL || conn == NULL || state != PURPLE_TYPING || who == NULL)
		return;
	key = g_strdup_printf("sent:%s/%s/%s", bdm_conn_platform(conn), bdm_conn_account_id(conn),
	                      who);
	if (due(key, TYPING_SEND_S)) {
		payload = g_strdup_printf("typing:%s\n%s", key + strlen("sent:"),
		                          bdm_desk_agent_name());
		notify_team(payload);
		g_free(payload);
	}
	g_free(key);
}

/* A colleague types to a customer: more is the colleague's name. */
static void colleague_typing(const BdmTeamNotice *n)
{
	BdmConn *conn = bdm_desk_connection_of(n->platform, n->account);
	PurpleConversation *pconv;
	char *key, *text;

	if (conn == NULL || n->more == NULL || strcmp(n->more, bdm_desk_agent_name()) == 0)
		return;
	pconv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, n->customer,
	                                              conn->account);
	if (pconv == NULL)
		return;
	key = g_strdup_printf("shown:%s/%s/%s\n%s", n->platform, n->account, n->customer, n->more);
	if (due(key, TYPING_SHOW_S)) {
		text = g_strdup_printf(_("%s is replying…"), n->more);
		bdm_notice_write(pconv, text, PURPLE_MESSAGE_SYSTEM);
		g_free(text);
	}
	g_free(key);
}

static void on_notify(const char *channel, const char *payload, gpointer data)
{
	BdmTeamNotice n;

	(void)data;
	if (team.store == NULL || g_strcmp0(channel, BDM_TEAM_NOTIFY_CHANNEL) != 0 ||
	    !bdm_team_notice_parse(payload, &n))
		return;
	if (strcmp(n.kind, "message") == 0)
		message_recorded(&n);
	else if (strcmp(n.kind, "sending") == 0)
		reply_announced(&n);
	else if (strcmp(n.kind, "typing") == 0)
		colleague_typing(&n);
	else if (strcmp(n.kind, "conversation") == 0)
		bdm_store_team_fetch(team.store, n.platform, n.account, n.customer);
	else if (strcmp(n.kind, "erase") == 0)
		bdm_desk_log_ship_erasure_ordered();
	bdm_team_notice_clear(&n);
}

/* A colleague changed a conversation: show it as stored. */
static void on_changed(const char *platform, const char *account, const char *customer,
                       gpointer data)
{
	(void)data;
	bdm_desk_conv_changed_elsewhere(platform, account, customer);
}

void bdm_desk_team_assign_first(const BdmDeskConv *conv)
{
	const char *params[4] = { conv->platform, conv->account, conv->customer,
	                          bdm_desk_agent_name() };

	/* Only an unassigned row changes: the NOTIFY of the winner's update
	 * tells every client, this one included. */
	bdm_team_db_query(team.db, "INSERT INTO branddm.conversation (platform, account, customer, "
	                  "assigned, updated_by) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (platform, "
	                  "account, customer) DO UPDATE SET assigned = EXCLUDED.assigned, "
	                  "updated_at = now(), updated_by = EXCLUDED.updated_by "
	                  "WHERE branddm.conversation.assigned IS NULL", 4, params, NULL, NULL);
}

static void on_account_connected(PurpleAccount *account, gpointer data)
{
	BdmConn *conn = bdm_conn_of(purple_account_get_connection(account));

	(void)data;
	if (conn != NULL && team.store != NULL)
		sync_account(conn);
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
	team.authors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, author_free);
	bdm_desk_team_poll_init(team.db);
	bdm_desk_log_ship_init(team.db);
	purple_signal_connect(bdm_signals_handle(), BDM_SIGNAL_ACCOUNT_CONNECTED, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_account_connected), NULL);
	purple_signal_connect(bdm_signals_handle(), BDM_SIGNAL_REPLY_CONFIRMED, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_reply_confirmed), NULL);
	purple_signal_connect(bdm_signals_handle(), BDM_SIGNAL_REPLY_SENDING, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_reply_sending), NULL);
	purple_signal_connect(bdm_signals_handle(), BDM_SIGNAL_AGENT_TYPING, bdm_desk.plugin,
	                      PURPLE_CALLBACK(on_agent_typing), NULL);
	team.typing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	purple_debug_info(DEBUG_CAT, "team mode: %s as %s\n", team.shown, bdm_desk_agent_name());
	bdm_team_db_start(team.db);
	return team.store;
}

void bdm_desk_team_shutdown(void)
{
	/* The store (desk_conv.c) owns and frees the link. */
	bdm_desk_team_poll_shutdown();
	bdm_desk_log_ship_shutdown();
	if (team.authors)
		g_hash_table_destroy(team.authors);
	if (team.typing)
		g_hash_table_destroy(team.typing);
	g_free(team.shown);
	memset(&team, 0, sizeof(team));
}
