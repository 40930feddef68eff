# branddm-admin: export, report, verify, erase, subject-export, policy-check,
# team (the team database; the schema is plugin/core/team_schema.c).
# Links CORE_SRC (the log, business hours, policy) as well.
ADMIN_SRC := tools/admin_main.c tools/admin_util.c tools/admin_export.c \
             tools/admin_report.c tools/admin_report_stats.c tools/admin_report_text.c \
             tools/admin_report_html.c tools/admin_verify.c tools/admin_erase.c \
             tools/admin_team.c tools/admin_pg.c tools/admin_source.c \
             tools/admin_team_log.c
TOOLS_SRC += $(ADMIN_SRC) tools/admin_policy.c
POTFILES += $(ADMIN_SRC)

TESTS += tests/e2e/test_admin.py
# The HTML report laid out by headless Chromium in a 1280-pixel window.
TESTS += tests/e2e/test_report_html.py
CHECK_DEPS += $(BUILD)/branddm-admin
# Export speed against sqlite3 -json (BDM_SPEED_RECORDS=250000 for a million).
TESTS += tests/e2e/test_admin_speed.py
