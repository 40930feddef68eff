# Desk engines: business hours, templates, desk configuration, SLA targets
# and escalation.  UI-free (GLib only), shared by the plugin, branddm-admin
# and the unit tests.

CORE_SRC += plugin/core/business_hours.c

UNIT_TESTS += test_business_hours
test_business_hours_SRC := tests/unit/test_business_hours.c plugin/core/business_hours.c

CORE_SRC += plugin/core/conf_file.c plugin/core/templates.c
POTFILES += plugin/core/business_hours.c plugin/core/conf_file.c plugin/core/templates.c

UNIT_TESTS += test_templates
test_templates_SRC := tests/unit/test_templates.c plugin/core/templates.c plugin/core/conf_file.c

CORE_SRC += plugin/core/desk_config.c plugin/core/desk_config_load.c \
            plugin/core/text_fold.c plugin/core/escalation.c plugin/core/sla.c
POTFILES += plugin/core/desk_config.c plugin/core/desk_config_load.c \
            plugin/core/escalation.c plugin/core/sla.c

DESK_CONFIG_SRC := plugin/core/desk_config.c plugin/core/desk_config_load.c \
                   plugin/core/conf_file.c plugin/core/business_hours.c

UNIT_TESTS += test_escalation
test_escalation_SRC := tests/unit/test_escalation.c plugin/core/escalation.c \
                       plugin/core/text_fold.c $(DESK_CONFIG_SRC)

UNIT_TESTS += test_sla
test_sla_SRC := tests/unit/test_sla.c plugin/core/sla.c $(DESK_CONFIG_SRC)

UNIT_TESTS += test_desk_config
test_desk_config_SRC := tests/unit/test_desk_config.c $(DESK_CONFIG_SRC)
