# Conversation-state store (conv_store.h): the backend-independent helpers
# and the "local" backend, which keeps the state in the agent's own log.

STORE_SRC := plugin/core/conv_store.c plugin/core/conv_store_local.c \
             plugin/core/conv_store_local_read.c
CORE_SRC += $(STORE_SRC)
POTFILES += $(STORE_SRC)

# log.mk comes first (the fragments are included in name order): LOG_SRC is set.
UNIT_TESTS += test_conv_store
test_conv_store_SRC := tests/unit/test_conv_store.c tests/unit/test_log_util.c $(STORE_SRC) \
                       $(LOG_SRC)
