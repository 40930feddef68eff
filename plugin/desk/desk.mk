# The desk (plugin/desk/): policy enforcement, templates, escalation and
# tags, response-time targets, webhooks, the out-of-hours acknowledgement,
# retention and the account actions, listening to the host's signals (see
# plugin/desk/README.md).
DESK_PLUGIN_SRC := plugin/desk/desk.c plugin/desk/desk_policy.c plugin/desk/desk_policy_file.c \
                   plugin/desk/desk_features.c \
                   plugin/desk/desk_actions.c plugin/desk/desk_retention.c \
                   plugin/desk/desk_conv.c plugin/desk/desk_templates.c \
                   plugin/desk/desk_template_ask.c \
                   plugin/desk/desk_escalation.c plugin/desk/desk_sla.c \
                   plugin/desk/desk_webhook.c plugin/desk/desk_autoreply.c \
                   plugin/desk/desk_assign.c plugin/desk/desk_team.c plugin/desk/desk_team_poll.c \
                   plugin/desk/desk_log_ship.c plugin/desk/desk_history.c plugin/desk/desk_search.c plugin/desk/desk_results.c \
                   plugin/desk/conv_store_team.c plugin/desk/team_db.c \
                   plugin/desk/team_db_connect.c plugin/desk/team_db_text.c

PLUGIN_SRC += $(DESK_PLUGIN_SRC)
POTFILES += $(DESK_PLUGIN_SRC)

# The desk may use the host's headers (it listens to the host); see host.mk.
$(call obj,$(DESK_PLUGIN_SRC)): ALL_CFLAGS += -Iplugin/host -Iplugin/desk
