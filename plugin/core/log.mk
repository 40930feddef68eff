# Conversation log: SQLite with a SHA-256 hash chain (docs/LOG.md).

LOG_SRC := plugin/core/log.c plugin/core/log_schema.c plugin/core/log_write.c \
           plugin/core/log_chain.c plugin/core/log_state.c plugin/core/log_read.c \
           plugin/core/log_erase.c plugin/core/log_retention.c
CORE_SRC += $(LOG_SRC)
POTFILES += $(LOG_SRC)

UNIT_TESTS += test_log
test_log_SRC := tests/unit/test_log.c tests/unit/test_log_util.c $(LOG_SRC)
UNIT_TESTS += test_log_chain
test_log_chain_SRC := tests/unit/test_log_chain.c tests/unit/test_log_util.c $(LOG_SRC)
UNIT_TESTS += test_log_erase
test_log_erase_SRC := tests/unit/test_log_erase.c tests/unit/test_log_util.c $(LOG_SRC)
