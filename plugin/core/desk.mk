# Desk engines: business hours, templates, desk configuration, escalation and
# response-time targets.  UI-free (GLib + json-glib, no libpurple), linked
# into the plugin and branddm-admin, and tested on their own.

DESK_SRC := plugin/core/business_hours.c plugin/core/conf_file.c \
            plugin/core/templates.c plugin/core/templates_text.c \
            plugin/core/desk_config.c \
            plugin/core/desk_config_load.c plugin/core/text_fold.c \
            plugin/core/escalation.c plugin/core/sla.c

CORE_SRC += $(DESK_SRC)
POTFILES += $(filter-out plugin/core/text_fold.c,$(DESK_SRC))

# What reading desk.conf needs; the tests below link exactly what they use.
DESK_CONFIG_SRC := plugin/core/desk_config.c plugin/core/desk_config_load.c \
                   plugin/core/conf_file.c plugin/core/business_hours.c

UNIT_TESTS += test_business_hours test_templates test_desk_config test_escalation test_sla

test_business_hours_SRC := tests/unit/test_business_hours.c plugin/core/business_hours.c
test_templates_SRC := tests/unit/test_templates.c plugin/core/templates.c plugin/core/templates_text.c \
                      plugin/core/conf_file.c
test_desk_config_SRC := tests/unit/test_desk_config.c $(DESK_CONFIG_SRC)
test_escalation_SRC := tests/unit/test_escalation.c plugin/core/escalation.c \
                       plugin/core/text_fold.c $(DESK_CONFIG_SRC)
test_sla_SRC := tests/unit/test_sla.c plugin/core/sla.c $(DESK_CONFIG_SRC)
