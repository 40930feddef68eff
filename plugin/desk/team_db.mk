# The team desk's PostgreSQL link (team_db.c, in the plugin through
# desk.mk), tested on its own against a real server it starts.
UNIT_TESTS += test_team_db
test_team_db_SRC := tests/unit/test_team_db.c tests/client/eventloop.c plugin/desk/team_db.c \
                    plugin/desk/team_db_connect.c plugin/desk/team_db_text.c

$(call obj,tests/unit/test_team_db.c): ALL_CFLAGS += -Iplugin/host -Iplugin/desk
