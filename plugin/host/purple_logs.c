/*
 * libpurple's own copies of BrandDM conversations.  See purple_logs.h.
 */
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <blist.h>
#include <connection.h>
#include <conversation.h>
#include <debug.h>
#include <log.h>
#include <prpl.h>

#include "conn.h"
#include "journal.h"
#include "purple_logs.h"

#define DEBUG_CAT "branddm-purple-logs"

/* Who owns the callbacks, and whether conversation-created is watched. */
static void *owner;
static gboolean watching_conversations;

static gboolean is_branddm_account(PurpleAccount *account)
{
	return account != NULL &&
	       g_str_has_prefix(purple_account_get_protocol_id(account), "prpl-branddm-");
}

/* The module's platform name of an account ("facebook"), or NULL. */
static const char *platform_of(PurpleAccount *account)
{
	PurpleConnection *gc = purple_account_get_connection(account);
	BdmConn *conn = gc ? bdm_conn_of(gc) : NULL;

	return conn ? bdm_conn_platform(conn) : NULL;
}

/* Logging is decided when a conversation is made: undo it before anything
 * is written (libpurple opens the file at the first message). */
static void on_conversation_created(PurpleConversation *conv, gpointer data)
{
	(void)data;
	if (is_branddm_account(purple_conversation_get_account(conv)))
		purple_conversation_set_logging(conv, FALSE);
}

/* Delete the files below dir last modified before older_than (not
 * following links), and with remove_dirs the emptied folders and dir too.
 * Quietly: the folder may not exist. */
static void delete_below(const char *dir, gint64 older_than, gboolean remove_dirs)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);
		GStatBuf st;

		if (g_lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				delete_below(path, older_than, remove_dirs);
			else if (st.st_mtime < older_than && g_unlink(path) != 0)
				purple_debug_warning(DEBUG_CAT, "cannot delete a chat-log file\n");
		}
		g_free(path);
	}
	g_dir_close(d);
	if (remove_dirs && g_rmdir(dir) != 0)
		purple_debug_warning(DEBUG_CAT, "cannot delete a chat-log folder\n");
}

/* Before BrandDM had icons of its own, its protocols borrowed Pidgin's
 * "facebook" and "jabber", and libpurple named chat-log folders after them:
 * logs/facebook/<account>/ for Messenger, logs/jabber/<account>/ for the
 * others (never a real XMPP account's folder: those are user@server).
 * Erasure and retention visit that folder too.  account_dir is the folder
 * under the current name, logs/<icon>/<account>. */
static char *legacy_account_dir(PurpleAccount *account, const char *account_dir)
{
	const char *id = purple_account_get_protocol_id(account);
	const char *old_name = strcmp(id, "prpl-branddm-facebook") == 0 ? "facebook" : "jabber";
	char *icon_dir = g_path_get_dirname(account_dir);
	char *logs = g_path_get_dirname(icon_dir);
	char *base = g_path_get_basename(account_dir);
	char *legacy = g_build_filename(logs, old_name, base, NULL);

	g_free(base);
	g_free(logs);
	g_free(icon_dir);
	return legacy;
}

static void forget_on_account(PurpleAccount *account, const char *customer)
{
	char *dir = purple_log_get_log_dir(PURPLE_LOG_IM, customer, account);
	PurpleConversation *conv;
	GSList *buddies, *l;

	if (dir != NULL) {
		char *account_dir = g_path_get_dirname(dir);
		char *legacy = legacy_account_dir(account, account_dir);
		char *base = g_path_get_basename(dir);
		char *old = g_build_filename(legacy, base, NULL);

		delete_below(dir, G_MAXINT64, TRUE);
		delete_below(old, G_MAXINT64, TRUE);
		g_free(old);
		g_free(base);
		g_free(legacy);
		g_free(account_dir);
	}
	g_free(dir);
	buddies = purple_find_buddies(account, customer);
	for (l = buddies; l != NULL; l = l->next)
		purple_blist_remove_buddy(l->data);
	g_slist_free(buddies);
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, customer, account);
	if (conv != NULL)
		purple_conversation_destroy(conv);
}

void bdm_purple_forget_customer(const char *platform, const char *customer)
{
	GList *l;

	for (l = purple_accounts_get_all(); l != NULL; l = l->next) {
		PurpleAccount *account = l->data;
		const char *own = platform_of(account);

		if (!is_branddm_account(account) ||
		    (platform != NULL && own != NULL && strcmp(platform, own) != 0))
			continue;
		forget_on_account(account, customer);
	}
	/* Done: the marker an erase left has served. */
	if (bdm_journal_log() != NULL) {
		char *key = bdm_log_forget_key(customer);

		bdm_log_state_set(bdm_journal_log(), key, NULL, NULL);
		g_free(key);
	}
}

/* The folder of an account's chat logs, one subfolder per customer (named by
 * the normalized id); NULL when libpurple cannot say.  libpurple only names
 * a customer's folder, hence the dummy name. */
static char *account_log_dir(PurpleAccount *account)
{
	char *dir = purple_log_get_log_dir(PURPLE_LOG_IM, "x", account);
	char *account_dir = dir ? g_path_get_dirname(dir) : NULL;

	g_free(dir);
	return account_dir;
}

/* The names of dir's subfolders (customers' ids), if it exists. */
static void add_folder_names(GHashTable *names, const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL)
		g_hash_table_add(names, g_strdup(name));
	if (d != NULL)
		g_dir_close(d);
}

/* An erase by branddm-admin left a marker per customer (a hash, not the id):
 * the names this account knows are checked against them at sign-on. */
static void forget_marked(PurpleAccount *account)
{
	GHashTable *marked = bdm_journal_log() != NULL
	                     ? bdm_log_state_get_prefix(bdm_journal_log(), "forget/", NULL) : NULL;
	GHashTable *names;
	GSList *buddies, *l;
	char *account_dir;
	GHashTableIter iter;
	gpointer name;

	if (marked == NULL || g_hash_table_size(marked) == 0) {
		if (marked != NULL)
			g_hash_table_unref(marked);
		return;
	}
	names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	buddies = purple_find_buddies(account, NULL);
	for (l = buddies; l != NULL; l = l->next)
		g_hash_table_add(names, g_strdup(purple_buddy_get_name(l->data)));
	g_slist_free(buddies);
	account_dir = account_log_dir(account);
	if (account_dir != NULL) {
		char *old = legacy_account_dir(account, account_dir);

		add_folder_names(names, account_dir);
		add_folder_names(names, old);
		g_free(old);
	}
	g_hash_table_iter_init(&iter, names);
	while (g_hash_table_iter_next(&iter, &name, NULL)) {
		char *key = bdm_log_forget_key(name);

		if (g_hash_table_contains(marked, key)) {
			purple_debug_info(DEBUG_CAT, "forgetting an erased customer\n");
			bdm_purple_forget_customer(platform_of(account), name);
		}
		g_free(key);
	}
	g_free(account_dir);
	g_hash_table_unref(names);
	g_hash_table_unref(marked);
}

void bdm_purple_logs_logging_in(PurpleAccount *account)
{
	(void)account;
	if (watching_conversations)
		return;
	purple_signal_connect(purple_conversations_get_handle(), "conversation-created", owner,
	                      PURPLE_CALLBACK(on_conversation_created), NULL);
	watching_conversations = TRUE;
}

void bdm_purple_logs_connected(PurpleAccount *account)
{
	forget_marked(account);
}

void bdm_purple_logs_prune(gint64 older_than)
{
	GList *l;

	for (l = purple_accounts_get_all(); l != NULL; l = l->next) {
		PurpleAccount *account = l->data;
		char *account_dir;

		if (!is_branddm_account(account))
			continue;
		account_dir = account_log_dir(account);
		if (account_dir != NULL) {
			char *old = legacy_account_dir(account, account_dir);

			delete_below(account_dir, older_than, FALSE);
			delete_below(old, older_than, FALSE);
			g_free(old);
		}
		g_free(account_dir);
	}
}

void bdm_purple_logs_init(void *handle)
{
	/* Nothing to connect yet: libpurple registers the conversation signals
	 * after it has loaded this plugin. */
	owner = handle;
	watching_conversations = FALSE;
}
