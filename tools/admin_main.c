/*
 * branddm-admin: the administrator's tool for BrandDM's conversation logs.
 * This file only dispatches to the subcommands declared in admin.h.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "branddm/i18n.h"
#include "admin.h"

#ifndef BRANDDM_VERSION
#define BRANDDM_VERSION "unknown"
#endif

/* Usage errors exit with this status, as most Unix tools do. */
#define EXIT_USAGE 2

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} Subcommand;

static const Subcommand subcommands[] = {
	{ "export", bdm_admin_export, N_("merge agents' logs into one time-ordered jsonl or csv stream") },
	{ "report", bdm_admin_report, N_("response times, volumes, blocks and escalations") },
	{ "verify", bdm_admin_verify, N_("check the hash chains; name the first broken record") },
	{ "erase", bdm_admin_erase, N_("erase one customer's personal data everywhere (GDPR)") },
	{ "subject-export", bdm_admin_subject_export,
	  N_("everything stored about one customer, as JSON") },
	{ "policy-check", bdm_admin_policy_check, N_("check a message on stdin against the policy") },
	{ "team", bdm_admin_team, N_("create or migrate the team database (PostgreSQL); its status") },
};

static void usage(FILE *fp)
{
	gsize i;

	fprintf(fp, _("Usage: branddm-admin <subcommand> [options]\n\nSubcommands:\n"));
	for (i = 0; i < G_N_ELEMENTS(subcommands); i++)
		fprintf(fp, "  %-16s %s\n", subcommands[i].name, _(subcommands[i].summary));
	fprintf(fp, _("\n\"branddm-admin <subcommand> --help\" describes a subcommand's options.\n"
	              "Logs are read from ~/.purple/branddm/log.sqlite unless --db is given.\n"));
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	gsize i;

	setlocale(LC_ALL, "");
	/* Numbers in json and csv must not follow the locale's decimal comma. */
	setlocale(LC_NUMERIC, "C");
	bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");

	if (!name) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "--version") == 0) {
		printf("branddm-admin %s\n", BRANDDM_VERSION);
		return 0;
	}
	for (i = 0; i < G_N_ELEMENTS(subcommands); i++) {
		if (strcmp(name, subcommands[i].name) == 0) {
			char *prgname = g_strdup_printf("branddm-admin %s", name);
			int status;

			g_set_prgname(prgname);
			status = subcommands[i].run(argc - 1, argv + 1);
			g_free(prgname);
			return status;
		}
	}
	fprintf(stderr, _("branddm-admin: unknown subcommand \"%s\"\n\n"), name);
	usage(stderr);
	return EXIT_USAGE;
}
