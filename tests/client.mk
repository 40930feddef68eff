# The headless libpurple test client (tests/client/) and the dummy protocol
# plugin that tests it; tests/e2e/harness.py drives the client.

# The top Makefile defines obj after including the fragments, but rule
# prerequisites are expanded as they are read: define the same function
# here if it is not there yet.
obj ?= $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

TESTCLIENT      := $(BUILD)/tests/bdm-testclient
TESTCLIENT_SRC  := tests/client/main.c tests/client/commands.c \
                   tests/client/cmd_account.c tests/client/cmd_conv.c \
                   tests/client/cmd_core.c tests/client/event.c \
                   tests/client/eventloop.c tests/client/ui_blist.c \
                   tests/client/ui_connection.c tests/client/ui_conv.c \
                   tests/client/ui_notify.c tests/client/ui_request.c \
                   tests/client/ui_request_ops.c tests/client/ui_xfer.c
TESTCLIENT_LIBS := $(shell $(PKG_CONFIG) --libs purple glib-2.0 gmodule-2.0 json-glib-1.0)
DUMMY_PRPL      := $(BUILD)/tests/plugins/dummy.so

$(TESTCLIENT): $(call obj,$(TESTCLIENT_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(TESTCLIENT_LIBS)

$(DUMMY_PRPL): $(call obj,tests/client/dummy_prpl.c)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -shared -o $@ $^ $(ALL_LDFLAGS) $(TESTCLIENT_LIBS)

CHECK_DEPS += $(TESTCLIENT) $(DUMMY_PRPL)
TESTS      += tests/e2e/test_client_smoke.py
