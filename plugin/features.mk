# The desk's features in libpurple: templates, escalation and tags,
# response-time targets, escalation webhooks and the out-of-hours
# acknowledgement.  plugin.mk lists desk_features.c and desk_actions.c.
FEATURES_SRC := plugin/desk_conv.c plugin/desk_templates.c plugin/desk_escalation.c \
                plugin/desk_sla.c plugin/desk_webhook.c plugin/desk_autoreply.c

PLUGIN_SRC += $(FEATURES_SRC)
POTFILES += $(FEATURES_SRC)
