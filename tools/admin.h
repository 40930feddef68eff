/*
 * branddm-admin: one entry point per subcommand.  Each takes the arguments
 * after the subcommand name (argv[0] is the subcommand) and returns the
 * process exit status.  admin_main.c dispatches on argv[1].
 */
#ifndef BRANDDM_ADMIN_H
#define BRANDDM_ADMIN_H

/** `export`: merge agents' logs into one time-ordered jsonl or csv stream.
 *  Exit 0 on success, 1 on bad input. */
int bdm_admin_export(int argc, char **argv);

/** `report`: response times, volumes, blocks and escalations per account and agent.
 *  Formats: table (default), json, csv, html. */
int bdm_admin_report(int argc, char **argv);

/** `verify`: check every hash chain; exit non-zero naming the first broken record.
 *  Exit 0 when all chains are intact. */
int bdm_admin_verify(int argc, char **argv);

/** `erase --customer ID`: remove a customer's personal data everywhere (GDPR).
 *  The chains stay verifiable afterwards. */
int bdm_admin_erase(int argc, char **argv);

/** `subject-export --customer ID`: everything stored about one customer.
 *  For data-subject access requests; JSON on stdout. */
int bdm_admin_subject_export(int argc, char **argv);

/** `policy-check [--policy FILE] [--json]`: verdict for the message on stdin.
 *  Exit 0 allowed, 1 warn, 2 block, 3 on a usage or policy-file error. */
int bdm_admin_policy_check(int argc, char **argv);

/** `team init|status --db CONNINFO`: create or migrate the team mode's PostgreSQL
 *  schema, or show its version and roles.  Exit 0 ok, 1 failure, 2 usage. */
int bdm_admin_team(int argc, char **argv);

#endif /* BRANDDM_ADMIN_H */
