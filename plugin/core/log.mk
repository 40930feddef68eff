# Conversation log: SQLite with a SHA-256 hash chain (docs/LOG.md).

LOG_SRC := plugin/core/log.c plugin/core/log_schema.c plugin/core/log_write.c \
           plugin/core/log_chain.c plugin/core/log_state.c plugin/core/log_read.c \
           plugin/core/log_erase.c plugin/core/log_retention.c plugin/core/log_untrusted.c \
           plugin/core/log_media.c
CORE_SRC += $(LOG_SRC)
POTFILES += $(LOG_SRC)

UNIT_TESTS += test_log
test_log_SRC := tests/unit/test_log.c tests/unit/test_log_util.c $(LOG_SRC)
UNIT_TESTS += test_log_chain
test_log_chain_SRC := tests/unit/test_log_chain.c tests/unit/test_log_util.c $(LOG_SRC)
UNIT_TESTS += test_log_erase
test_log_erase_SRC := tests/unit/test_log_erase.c tests/unit/test_log_util.c $(LOG_SRC)
UNIT_TESTS += test_log_batch
test_log_batch_SRC := tests/unit/test_log_batch.c tests/unit/test_log_util.c $(LOG_SRC)
UNIT_TESTS += test_log_durability
test_log_durability_SRC := tests/unit/test_log_durability.c tests/unit/test_log_util.c $(LOG_SRC)

# log_writer appends records through the real API: the kill -9 durability
# test runs it, and tests/e2e/test_admin*.py make their logs with it.  It
# is a helper, not a test, so it has its own rule (the top Makefile keeps
# "all" the default goal).

LOG_WRITER := $(BUILD)/tests/log_writer
$(LOG_WRITER): $(patsubst %.c,$(BUILD)/obj/%.o,tests/unit/log_writer.c $(LOG_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS) -lm
$(BUILD)/tests/test_log_durability: | $(LOG_WRITER)
CHECK_DEPS += $(LOG_WRITER)
