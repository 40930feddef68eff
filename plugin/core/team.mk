# Team mode: many agents on one brand account share their state in
# PostgreSQL (libpq).  The schema, its migrations and the redaction of
# connection strings; branddm-admin's "team" subcommand (tools/tools.mk)
# creates and migrates the schema.

TEAM_SRC := plugin/core/team_schema.c plugin/core/team_schema_log.c
CORE_SRC += $(TEAM_SRC)
POTFILES += $(TEAM_SRC)

# Shipping the conversation log to the team database (needs the log).
TEAM_LOG_SRC := plugin/core/team_log.c
CORE_SRC += $(TEAM_LOG_SRC)

UNIT_TESTS += test_team_log
test_team_log_SRC := tests/unit/test_team_log.c tests/unit/test_log_util.c $(TEAM_LOG_SRC) \
                     $(LOG_SRC)

UNIT_TESTS += test_team_conninfo
test_team_conninfo_SRC := tests/unit/test_team_conninfo.c $(TEAM_SRC)
