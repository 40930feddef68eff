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
