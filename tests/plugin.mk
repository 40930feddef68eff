# Tests of the libpurple glue that need no libpurple core: module loading.
FAKE_MODULES := good no_entry bad_magic newer_abi short_struct missing_function garbage
FAKE_FLAGS_good :=
FAKE_FLAGS_no_entry := -DFAKE_NO_ENTRY
FAKE_FLAGS_bad_magic := -DFAKE_BAD_MAGIC
FAKE_FLAGS_newer_abi := -DFAKE_NEWER_ABI
FAKE_FLAGS_short_struct := -DFAKE_SHORT_STRUCT
FAKE_FLAGS_missing_function := -DFAKE_MISSING_FUNCTION
FAKE_FLAGS_garbage := -DFAKE_GARBAGE
FAKE_MODULE_FILES := $(foreach f,$(FAKE_MODULES),$(BUILD)/tests/fixtures/$(f).bdm) \
                     $(BUILD)/tests/fixtures/corrupt.bdm

$(BUILD)/tests/fixtures/%.bdm: tests/unit/fixtures/fake_module.c include/branddm/protocol.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(FAKE_FLAGS_$*) -shared -o $@ $< $(MODULE_LIBS)

# Not an ELF file at all: what a truncated download or a stray file looks like.
$(BUILD)/tests/fixtures/corrupt.bdm:
	@mkdir -p $(dir $@)
	printf 'this is not a shared object\n' > $@

UNIT_TESTS += test_module_load
test_module_load_SRC := tests/unit/test_module_load.c plugin/host/module_load.c
CHECK_DEPS += $(FAKE_MODULE_FILES)

# The host's checked calls against a module that leaves garbage on failure.
UNIT_TESTS += test_module_call
test_module_call_SRC := tests/unit/test_module_call.c plugin/host/module_call.c \
                        plugin/host/module_load.c

# A working module of ABI version 1, built against the frozen v1 header
# (its include path comes first), for tests/e2e/test_module_v1.py.
V1_MODULE_FILE := $(BUILD)/tests/v1-plugins/branddm-oldfake.bdm
$(V1_MODULE_FILE): tests/unit/fixtures/v1_module.c tests/unit/fixtures/v1/branddm/protocol.h
	@mkdir -p $(dir $@)
	$(CC) -Itests/unit/fixtures/v1 $(ALL_CFLAGS) -shared -o $@ $< $(MODULE_LIBS)
CHECK_DEPS += $(V1_MODULE_FILE)
TESTS += tests/e2e/test_module_v1.py

UNIT_TESTS += test_http_rules
test_http_rules_SRC := tests/unit/test_http_rules.c plugin/host/http.c

# The retry decision of a failed reply, case by case.
UNIT_TESTS += test_send_retry
test_send_retry_SRC := tests/unit/test_send_retry.c plugin/host/send_retry.c

$(call obj,tests/unit/test_module_load.c tests/unit/test_module_call.c \
           tests/unit/test_http_rules.c tests/unit/test_send_retry.c): ALL_CFLAGS += -Iplugin/host

# The layers' one-way dependencies (at link level), the exports of the
# shared objects, and the C style.
TESTS += tests/arch/test_layers.py tests/arch/test_style.py
