# Protocol modules (sans-I/O, GLib + json-glib only) and their unit tests.

PROTO_UTIL_SRC := protocols/proto_json.c protocols/proto_time.c protocols/proto_url.c \
                  protocols/proto_http.c protocols/proto_text.c protocols/proto_page.c
GRAPH_SRC := protocols/graph.c protocols/graph_poll.c protocols/graph_error.c

MODULES += facebook
facebook_SRC := protocols/facebook.c $(GRAPH_SRC) $(PROTO_UTIL_SRC)

PROTO_TEST_HELPERS := tests/unit/test_proto_helpers.c
UNIT_TESTS += test_proto_util test_facebook test_proto_modules
test_proto_util_SRC := tests/unit/test_proto_util.c $(PROTO_TEST_HELPERS) $(PROTO_UTIL_SRC)
test_facebook_SRC := tests/unit/test_facebook.c $(PROTO_TEST_HELPERS) $(facebook_SRC)
test_proto_modules_SRC := tests/unit/test_proto_modules.c

# test_proto_modules dlopens the modules from ../plugins next to itself.
$(BUILD)/tests/test_proto_modules: $(foreach m,facebook,$(BUILD)/plugins/branddm-$(m).bdm)

POTFILES += $(GRAPH_SRC) $(PROTO_UTIL_SRC) protocols/facebook.c
