/*
 * Shared between the team_schema*.c files only: the migration scripts kept
 * in files of their own.
 */
#ifndef BRANDDM_TEAM_SCHEMA_PRIVATE_H
#define BRANDDM_TEAM_SCHEMA_PRIVATE_H

/** Script 2: the central conversation log and erasure orders.
 *  See team_schema_log.c. */
extern const char bdm_team_migration_log[];

#endif /* BRANDDM_TEAM_SCHEMA_PRIVATE_H */
