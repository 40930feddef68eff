/*
 * branddm-admin team: the shared PostgreSQL database of team mode.
 *
 *   team init --db CONNINFO     create the schema, or migrate it to this
 *                               BrandDM's version (nothing to do: exit 0)
 *   team status --db CONNINFO   the schema version and the roles present
 *
 * Exit 0 done, 1 when the database refused or could not be reached, 2 on a
 * usage error, a malformed connection string included.  CONNINFO may hold a
 * password: it is shown only through bdm_team_conninfo_redact, and every
 * message from libpq or the server is scrubbed of it as well, since a
 * message in a terminal or a CI log is as public as the log itself.
 */
#include <stdio.h>
#include <string.h>

#include "branddm/i18n.h"
#include "admin.h"
#include "admin_pg.h"
#include "admin_util.h"
#include "team_schema.h"

enum { TEAM_OK = 0, TEAM_FAILED = 1, TEAM_USAGE = 2 };

static void fail_with(const BdmAdminPg *db, const GError *error)
{
	char *message = bdm_admin_pg_scrub(db, error->message);

	bdm_admin_fail("%s: %s", db->shown, message);
	g_free(message);
}

/* Parse the options every team command shares; -1 to go on, else the exit
 * status.  *db gets --db (g_free it). */
static int parse_team(int *argc, char ***argv, const char *summary, char **db)
{
	GOptionEntry entries[] = {
		{ "db", 0, 0, G_OPTION_ARG_STRING, db,
		  N_("the team database: a libpq connection string or postgresql:// URI"),
		  N_("CONNINFO") },
		{ NULL, 0, 0, 0, NULL, NULL, NULL }
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	int status;

	g_option_context_set_summary(ctx, summary);
	g_option_context_set_description(ctx, _("Prefer ~/.pgpass (or PGPASSFILE) to a password in "
	                                        "CONNINFO: other users of the machine can see a "
	                                        "command line."));
	g_option_context_add_main_entries(ctx, entries, GETTEXT_PACKAGE);
	status = bdm_admin_parse(ctx, argc, argv, TEAM_USAGE);
	g_option_context_free(ctx);
	if (status >= 0)
		return status;
	if (!*db) {
		bdm_admin_fail(_("--db CONNINFO is required"));
		fprintf(stderr, _("Try \"%s --help\".\n"), g_get_prgname());
		return TEAM_USAGE;
	}
	return -1;
}

/* The options, then the connection: -1 to go on with *db open, else the
 * exit status (--help's 0 included), the reason given.  *conninfo gets --db. */
static int open_team(int *argc, char ***argv, const char *summary, char **conninfo, BdmAdminPg *db)
{
	int status = parse_team(argc, argv, summary, conninfo);

	if (status >= 0)
		return status;
	status = bdm_admin_pg_open(db, *conninfo);
	return status == TEAM_OK ? -1 : status;
}

static int team_init(int argc, char **argv)
{
	GError *error = NULL;
	char *conninfo = NULL;
	BdmAdminPg db;
	int status, from;

	status = open_team(&argc, &argv,
	                   _("Create the team schema in a PostgreSQL database, or migrate it to "
	                     "this BrandDM's version.\nExit status: 0 done (or nothing to do), "
	                     "1 failed, 2 usage."),
	                   &conninfo, &db);
	if (status >= 0)
		goto out;
	status = TEAM_OK;
	if (!bdm_team_schema_init(db.conn, &from, &error)) {
		fail_with(&db, error);
		g_error_free(error);
		status = TEAM_FAILED;
	} else if (from == 0) {
		printf(_("%s: created the team schema, version %d\n"), db.shown,
		       BDM_TEAM_SCHEMA_VERSION);
	} else if (from < BDM_TEAM_SCHEMA_VERSION) {
		printf(_("%s: migrated the team schema from version %d to %d\n"), db.shown, from,
		       BDM_TEAM_SCHEMA_VERSION);
	} else {
		printf(_("%s: the team schema is at version %d already: nothing to do\n"), db.shown,
		       from);
	}
	bdm_admin_pg_close(&db);
out:
	g_free(conninfo);
	return status;
}

/* The roles of the team schema that exist, "a b"; NULL with error set. */
static char *present_roles(const BdmAdminPg *db, GError **error)
{
	PGresult *res;
	GString *names;
	int i;

	res = PQexec(db->conn, "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname IN ('"
	                       BDM_TEAM_ROLE_AGENT "', '" BDM_TEAM_ROLE_ADMIN "') ORDER BY rolname");
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		char *message = g_strdup(PQerrorMessage(db->conn));

		g_set_error(error, BDM_TEAM_ERROR, BDM_TEAM_ERROR_QUERY,
		            _("cannot list the roles: %s"), g_strstrip(message));
		g_free(message);
		PQclear(res);
		return NULL;
	}
	names = g_string_new(NULL);
	for (i = 0; i < PQntuples(res); i++)
		g_string_append_printf(names, "%s%s", i ? " " : "", PQgetvalue(res, i, 0));
	PQclear(res);
	return g_string_free(names, FALSE);
}

static int team_status(int argc, char **argv)
{
	GError *error = NULL;
	char *conninfo = NULL, *roles = NULL;
	const char *server;
	BdmAdminPg db;
	int status, version;

	status = open_team(&argc, &argv,
	                   _("Show the team database's schema version and which of BrandDM's "
	                     "roles exist.\nExit status: 0 shown, 1 failed, 2 usage."),
	                   &conninfo, &db);
	if (status >= 0)
		goto out;
	status = TEAM_OK;
	version = bdm_team_schema_version(db.conn, &error);
	if (version >= 0)
		roles = present_roles(&db, &error);
	if (version < 0 || !roles) {
		fail_with(&db, error);
		g_error_free(error);
		status = TEAM_FAILED;
		goto close;
	}

	server = PQparameterStatus(db.conn, "server_version");
	printf(_("database: %s\n"), db.shown);
	printf(_("server: PostgreSQL %s\n"), server ? server : "?");
	if (version == 0)
		printf(_("schema version: none (run \"branddm-admin team init\")\n"));
	else if (version > BDM_TEAM_SCHEMA_VERSION)
		printf(_("schema version: %d, newer than this BrandDM (%d): upgrade BrandDM\n"), version,
		       BDM_TEAM_SCHEMA_VERSION);
	else if (version < BDM_TEAM_SCHEMA_VERSION)
		printf(_("schema version: %d, older than this BrandDM (%d): run \"branddm-admin team "
		         "init\"\n"), version, BDM_TEAM_SCHEMA_VERSION);
	else
		printf(_("schema version: %d (current)\n"), version);
	printf(_("roles: %s\n"), *roles ? roles : _("none"));
close:
	g_free(roles);
	bdm_admin_pg_close(&db);
out:
	g_free(conninfo);
	return status;
}

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} TeamCommand;

static const TeamCommand team_commands[] = {
	{ "init", team_init, N_("create the team schema, or migrate it to this version") },
	{ "status", team_status, N_("show the schema version and the roles present") },
};

static void team_usage(FILE *fp)
{
	gsize i;

	fprintf(fp, _("Usage: branddm-admin team <command> --db CONNINFO\n\nCommands:\n"));
	for (i = 0; i < G_N_ELEMENTS(team_commands); i++)
		fprintf(fp, "  %-8s %s\n", team_commands[i].name, _(team_commands[i].summary));
	fprintf(fp, _("\nCONNINFO is a libpq connection string (\"host=... dbname=... user=...\") "
	              "or a postgresql:// URI.\n"));
}

int bdm_admin_team(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	gsize i;

	if (!name) {
		team_usage(stderr);
		return TEAM_USAGE;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		team_usage(stdout);
		return TEAM_OK;
	}
	for (i = 0; i < G_N_ELEMENTS(team_commands); i++) {
		if (strcmp(name, team_commands[i].name) == 0) {
			char *prgname = g_strdup_printf("branddm-admin team %s", name);
			int status;

			g_set_prgname(prgname);
			status = team_commands[i].run(argc - 1, argv + 1);
			g_free(prgname);
			return status;
		}
	}
	bdm_admin_fail(_("unknown command \"%s\""), name);
	team_usage(stderr);
	return TEAM_USAGE;
}
