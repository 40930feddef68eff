# branddm.so: the loader plugin and the libpurple glue of the desk.
PLUGIN_SRC += plugin/loader.c plugin/module_load.c plugin/protocol_info.c plugin/conn.c \
              plugin/poller.c plugin/send.c plugin/http.c plugin/i18n_init.c \
              plugin/desk.c plugin/desk_display.c plugin/desk_policy.c plugin/desk_features.c \
              plugin/desk_actions.c plugin/desk_retention.c
POTFILES += plugin/loader.c plugin/protocol_info.c plugin/conn.c plugin/poller.c plugin/send.c \
            plugin/desk.c plugin/desk_display.c plugin/desk_policy.c plugin/desk_features.c \
            plugin/desk_actions.c
