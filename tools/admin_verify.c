/*
 * branddm-admin verify: check each log's hash chain.
 *
 * Exit 0 when every file is intact, 1 when a chain is broken, 2 when a file
 * cannot be read at all (2 wins over 1: an unreadable file may hide
 * anything).  Each intact file's head hash is printed so an administrator
 * can record it elsewhere: a later verify that prints a different head for
 * the same record id shows a rewritten chain, which the chain alone cannot.
 *
 * The team database's central log is checked chain by chain (one per
 * agent's log); a log file given with it is also compared with the copy its
 * client shipped, which shows a local rewrite after shipping, or an edit in
 * the team database, that neither chain alone can show.
 */
#include <inttypes.h>
#include "branddm/i18n.h"
#include "admin.h"
#include "admin_team_log.h"
#include "admin_util.h"

enum { VERIFY_INTACT = 0, VERIFY_BROKEN = 1, VERIFY_UNREADABLE = 2 };

static void progress_cb(gint64 done, gpointer user_data)
{
	bdm_progress_tick(user_data, done);
}

static int verify_one(const char *path, gboolean progress_forced)
{
	BdmLogVerifyResult res;
	BdmProgress progress;
	GError *error = NULL;
	char *label;
	BdmLog *log;
	gboolean ok;

	log = bdm_log_open_full(path, NULL, BDM_LOG_OPEN_READONLY | BDM_LOG_OPEN_UNTRUSTED,
	                        &error);
	if (!log && g_error_matches(error, BDM_LOG_ERROR, BDM_LOG_ERROR_BROKEN)) {
		/* A planted trigger, view, table or index: tampering, not damage. */
		printf(_("%s: BROKEN: %s\n"), path, error->message);
		g_error_free(error);
		return VERIFY_BROKEN;
	}
	if (!log) {
		bdm_admin_fail("%s", error->message);
		g_error_free(error);
		return VERIFY_UNREADABLE;
	}
	label = g_strdup_printf(_("verify %s"), path);
	bdm_progress_init(&progress, label, progress_forced);
	ok = bdm_log_verify_full(log, &res, progress_cb, &progress, &error);
	bdm_log_close(log);
	if (!ok) {
		bdm_admin_fail("%s", error->message);
		g_error_free(error);
		g_free(label);
		return VERIFY_UNREADABLE;
	}
	bdm_progress_end(&progress, res.records);
	g_free(label);

	if (res.first_broken_id == 0) {
		printf(_("%s: intact, %" PRId64 " records, head %" PRId64 " %s\n"),
		       path, res.records, res.head_id, res.head_hash);
		if (res.anchor_id > 0)
			printf(_("%s: records up to %" PRId64 " were purged by retention\n"),
			       path, res.anchor_id);
	} else {
		printf(_("%s: BROKEN at record %" PRId64 ": %s (%" PRId64
		         " problems in %" PRId64 " records)\n"),
		       path, res.first_broken_id, res.problem, res.broken, res.records);
	}
	ok = res.first_broken_id == 0;
	bdm_log_verify_result_clear(&res);
	return ok ? VERIFY_INTACT : VERIFY_BROKEN;
}

/* Compare a log file with what its client shipped to each team database. */
static int compare_with_teams(const char *path, GPtrArray *teams)
{
	GError *error = NULL;
	BdmLog *log = bdm_log_open_full(path, NULL, BDM_LOG_OPEN_READONLY | BDM_LOG_OPEN_UNTRUSTED,
	                                &error);
	int status = VERIFY_INTACT;
	guint i;

	if (!log) {
		g_error_free(error);  /* verify_one said why */
		return VERIFY_UNREADABLE;
	}
	for (i = 0; i < teams->len; i++) {
		int one = bdm_admin_team_compare(g_ptr_array_index(teams, i), path, log);

		status = MAX(status, one);
	}
	bdm_log_close(log);
	fflush(stdout);
	return status;
}

int bdm_admin_verify(int argc, char **argv)
{
	char **dbs = NULL;
	gboolean progress_forced = FALSE;
	GOptionEntry entries[] = {
		{ "db", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &dbs,
		  N_("a log file, or the team database as a postgresql:// URI or libpq "
		     "connection string (repeat for several)"), N_("FILE|CONNINFO") },
		{ "progress", 0, 0, G_OPTION_ARG_NONE, &progress_forced,
		  N_("report progress on stderr even when it is not a terminal"), NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	GPtrArray *teams;
	char **paths;
	int status, i;

	g_option_context_set_summary(ctx, _("Check the hash chain of each log, and of every "
	                                    "agent's log shipped to a team database; a log file "
	                                    "given with a team database is also compared with "
	                                    "its shipped copy.\nExit status: 0 all intact, 1 a "
	                                    "chain is broken or a copy differs, 2 a log is "
	                                    "unreadable."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	status = bdm_admin_parse(ctx, &argc, &argv, VERIFY_UNREADABLE);
	g_option_context_free(ctx);
	if (status >= 0) {
		g_strfreev(dbs);
		return status;
	}
	status = VERIFY_INTACT;
	paths = bdm_admin_db_list(dbs);
	teams = g_ptr_array_new_with_free_func((GDestroyNotify)bdm_admin_source_close);
	for (i = 0; paths[i]; i++) {
		int one;

		if (bdm_admin_is_conninfo(paths[i])) {
			BdmAdminSource *team = bdm_admin_source_open(paths[i], FALSE, &one);

			if (team) {
				one = bdm_admin_team_verify(team, progress_forced);
				g_ptr_array_add(teams, team);
			} else {
				one = VERIFY_UNREADABLE;
			}
		} else {
			one = verify_one(paths[i], progress_forced);
		}
		fflush(stdout);
		status = MAX(status, one);
	}
	for (i = 0; teams->len > 0 && paths[i]; i++) {
		int one;

		if (bdm_admin_is_conninfo(paths[i]))
			continue;
		one = compare_with_teams(paths[i], teams);
		status = MAX(status, one);
	}
	g_ptr_array_unref(teams);
	g_strfreev(paths);
	g_strfreev(dbs);
	return status;
}
