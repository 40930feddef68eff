# Benchmarks (bench/, docs/BENCHMARKS.md): `make bench` prints a table and
# writes bench/results.json.  Every number comes with a baseline measured in
# the same run on the same machine.  Not part of `make check`.

obj ?= $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

BENCH_UTIL_SRC := bench/bench_util.c
BENCH_POLICY := $(BUILD)/bench/bench_policy
BENCH_POLICY_SRC := bench/bench_policy.c bench/corpus.c $(BENCH_UTIL_SRC) $(POLICY_SRC) \
                    plugin/core/conf_file.c plugin/core/text_fold.c

$(BENCH_POLICY): $(call obj,$(BENCH_POLICY_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS) -lm

BENCH_LOG := $(BUILD)/bench/bench_log
BENCH_LOG_SRC := bench/bench_log.c bench/corpus.c $(BENCH_UTIL_SRC) $(LOG_SRC)

$(BENCH_LOG): $(call obj,$(BENCH_LOG_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS) -lm

# Precision and recall per category of tests/policy_corpus/ (policy_accuracy.c
# is shared with tests/unit/test_policy_corpus.c, which holds the targets).
BENCH_ACCURACY := $(BUILD)/bench/bench_accuracy
BENCH_ACCURACY_SRC := bench/bench_accuracy.c bench/policy_accuracy.c $(POLICY_SRC) \
                      plugin/core/conf_file.c plugin/core/text_fold.c

$(call obj,bench/bench_accuracy.c bench/policy_accuracy.c): ALL_CFLAGS += -Ibench

$(BENCH_ACCURACY): $(call obj,$(BENCH_ACCURACY_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS) -lm

BENCH_PROGRAMS := $(BENCH_POLICY) $(BENCH_LOG) $(BENCH_ACCURACY)

# The plugin, its modules, the admin tool and the headless client are what
# is measured; bench/run-bench finds them all under $(BUILD).  log_writer
# makes the logs bench_team_log.py ships and loads.  The client by its path:
# tests/client.mk, which names it $(TESTCLIENT), is read after this file.
BENCH_HELPERS := $(BUILD)/tests/bdm-testclient $(LOG_WRITER)
.PHONY: bench bench-quick
bench: all $(BENCH_PROGRAMS) $(BENCH_HELPERS)
	BUILD=$(BUILD) $(PYTHON) bench/run-bench

# The same with small sizes (about a minute): checks the benchmarks
# themselves; its numbers mean nothing.
bench-quick: all $(BENCH_PROGRAMS) $(BENCH_HELPERS)
	BUILD=$(BUILD) $(PYTHON) bench/run-bench --quick

# The text folding the policy and escalation match phrases with, against
# the original implementation kept in the test (performance work must not
# change a single folded byte).
UNIT_TESTS += test_text_fold
test_text_fold_SRC := tests/unit/test_text_fold.c plugin/core/text_fold.c
