# Protocol modules (sans-I/O, GLib + json-glib only) and their unit tests.

PROTO_UTIL_SRC := protocols/proto_json.c protocols/proto_time.c protocols/proto_url.c \
                  protocols/proto_http.c protocols/proto_text.c protocols/proto_page.c \
                  protocols/proto_multipart.c
GRAPH_SRC := protocols/graph.c protocols/graph_poll.c protocols/graph_error.c \
             protocols/graph_upload.c
PROTO_MODULE_NAMES := facebook instagram x

MODULES += $(PROTO_MODULE_NAMES)
facebook_SRC := protocols/facebook.c $(GRAPH_SRC) $(PROTO_UTIL_SRC)
instagram_SRC := protocols/instagram.c $(GRAPH_SRC) $(PROTO_UTIL_SRC)
x_SRC := protocols/x.c protocols/x_poll.c protocols/x_error.c protocols/x_upload.c \
         $(PROTO_UTIL_SRC)

PROTO_TEST_HELPERS := tests/unit/test_proto_helpers.c
UNIT_TESTS += test_proto_util test_facebook test_graph_errors test_graph_send test_instagram \
              test_x test_proto_modules test_graph_upload test_x_upload
test_proto_util_SRC := tests/unit/test_proto_util.c $(PROTO_TEST_HELPERS) $(PROTO_UTIL_SRC)
test_facebook_SRC := tests/unit/test_facebook.c $(PROTO_TEST_HELPERS) $(facebook_SRC)
test_graph_errors_SRC := tests/unit/test_graph_errors.c $(PROTO_TEST_HELPERS) $(facebook_SRC)
test_graph_send_SRC := tests/unit/test_graph_send.c $(PROTO_TEST_HELPERS) $(facebook_SRC)
test_instagram_SRC := tests/unit/test_instagram.c $(PROTO_TEST_HELPERS) $(instagram_SRC)
test_x_SRC := tests/unit/test_x.c $(PROTO_TEST_HELPERS) $(x_SRC)
test_graph_upload_SRC := tests/unit/test_graph_upload.c $(PROTO_TEST_HELPERS) $(facebook_SRC)
test_x_upload_SRC := tests/unit/test_x_upload.c $(PROTO_TEST_HELPERS) $(x_SRC)
test_proto_modules_SRC := tests/unit/test_proto_modules.c

# Tests that load the built modules: test_proto_modules from ../plugins next
# to itself, test_emulators.py from $(BUILD)/plugins.
PROTO_MODULE_FILES := $(foreach m,$(PROTO_MODULE_NAMES),$(BUILD)/plugins/branddm-$(m).bdm)
$(BUILD)/tests/test_proto_modules: $(PROTO_MODULE_FILES)
CHECK_DEPS += $(PROTO_MODULE_FILES)
TESTS += tests/e2e/test_emulators.py

POTFILES += $(sort $(foreach m,$(PROTO_MODULE_NAMES),$($(m)_SRC)))
