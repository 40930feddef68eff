# The protocol host (plugin/host/): module loading, the libpurple protocol
# made of each module, connections, HTTP, polling, sending and the delivery
# journal.  It knows nothing of the desk (see plugin/host/README.md).
HOST_SRC := plugin/host/module_load.c plugin/host/module_call.c plugin/host/protocol_info.c plugin/host/conn.c \
            plugin/host/poller.c plugin/host/send.c plugin/host/send_file.c plugin/host/send_retry.c \
            plugin/host/http.c plugin/host/i18n_init.c plugin/host/clock.c \
            plugin/host/notice.c plugin/host/hooks.c plugin/host/host_signals.c \
            plugin/host/journal.c plugin/host/journal_display.c plugin/host/purple_logs.c \
            plugin/host/media.c plugin/host/media_show.c

PLUGIN_SRC += plugin/loader.c $(HOST_SRC)
POTFILES += plugin/loader.c plugin/host/protocol_info.c plugin/host/conn.c \
            plugin/host/poller.c plugin/host/send.c plugin/host/hooks.c \
            plugin/host/journal.c plugin/host/journal_display.c plugin/host/media.c \
            plugin/host/media_show.c plugin/host/module_call.c plugin/host/send_file.c

# Each layer sees only the headers it may use: a host file that included a
# desk header would not compile (tests/arch/test_layers.py checks the links as well).
$(call obj,$(HOST_SRC)): ALL_CFLAGS += -Iplugin/host
$(call obj,plugin/loader.c): ALL_CFLAGS += -Iplugin/host -Iplugin/desk
