# End-to-end tests: the headless client against the platform emulators.
TESTS += tests/e2e/test_facebook.py
TESTS += tests/e2e/test_policy.py
# The shipped example files agree with each other and with the demo.
TESTS += tests/e2e/test_examples.py
TESTS += tests/e2e/test_log_e2e.py
TESTS += tests/e2e/test_instagram.py tests/e2e/test_x.py tests/e2e/test_attachments.py \
         tests/e2e/test_attach_send.py
TESTS += tests/e2e/test_install.py
TESTS += tests/e2e/test_desk.py tests/e2e/test_history_search.py
# Team mode against a real PostgreSQL server (tests/e2e/pgserver.py starts
# one as the postgres user): the schema and branddm-admin team, then several
# clients as agents on one Page.
TESTS += tests/e2e/test_team_admin.py tests/e2e/test_team.py tests/e2e/test_team_log.py
