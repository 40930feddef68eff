# Fuzzing (tests/fuzz/): libFuzzer targets for everything that reads hostile
# input, and the replay of their corpora in `make check`.
#
#   make fuzz                    build every target with clang
#                                -fsanitize=fuzzer,address,undefined into
#                                build-fuzz/ and run each FUZZ_SECONDS (60)
#   make fuzz FUZZ_TARGETS=fuzz_x FUZZ_SECONDS=600    one target, longer
#
# New inputs go to build-fuzz/corpus/<target>/ (seeded from
# tests/fuzz/corpus/<target>/), crashes to build-fuzz/artifacts/<target>/.
# A crash that was fixed is copied to tests/fuzz/regressions/<target>/.
#
# `make check` replays every seed and regression input through each target
# built without libFuzzer (tests/fuzz/replay_main.c), always with
# AddressSanitizer and UndefinedBehaviorSanitizer, so an old crash that
# comes back fails the suite (tests/fuzz/test_fuzz_regressions.py).

obj ?= $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

FUZZ_TARGETS   ?= fuzz_facebook fuzz_instagram fuzz_x fuzz_templates fuzz_policy fuzz_config \
                  fuzz_team_notice fuzz_team_log
FUZZ_SECONDS   ?= 60
FUZZ_MAX_LEN   ?= 65536
FUZZ_BUILD     := build-fuzz
FUZZ_CC        ?= clang
FUZZ_SANITIZE  := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                  -fno-omit-frame-pointer
FUZZ_CFLAGS     = -std=gnu11 -g -O1 $(WARNINGS) -Iinclude -Iplugin -Iplugin/core -Iprotocols \
                  -Itests/fuzz -Itools $(PKG_CFLAGS) -DLOCALEDIR='"$(LOCALEDIR)"' \
                  -DSYSCONFDIR='"$(SYSCONFDIR)"' -DBRANDDM_VERSION='"$(VERSION)"' \
                  -DFUZZ_REPO_ROOT='"$(CURDIR)"'
FUZZ_LIBS      := $(PKG_LIBS) -lm

# What each target links: its libFuzzer entry point and the code under test.
fuzz_facebook_LINK  := tests/fuzz/fuzz_module.c $(facebook_SRC)
fuzz_instagram_LINK := tests/fuzz/fuzz_module.c $(instagram_SRC)
fuzz_x_LINK         := tests/fuzz/fuzz_module.c $(x_SRC)
fuzz_templates_LINK := tests/fuzz/fuzz_templates.c plugin/core/templates.c \
                       plugin/core/templates_text.c plugin/core/conf_file.c
fuzz_policy_LINK    := tests/fuzz/fuzz_policy.c $(POLICY_TEST_SRC)
fuzz_config_LINK    := tests/fuzz/fuzz_config.c $(POLICY_TEST_SRC) plugin/core/templates.c \
                       plugin/core/templates_text.c \
                       plugin/core/escalation.c $(DESK_CONFIG_SRC)
fuzz_team_notice_LINK := tests/fuzz/fuzz_team_notice.c plugin/core/team_schema.c plugin/core/team_schema_log.c
fuzz_team_log_LINK  := tests/fuzz/fuzz_team_log.c plugin/core/team_log.c tools/admin_pg.c \
                       tools/admin_util.c $(TEAM_SRC) $(LOG_SRC)

# ---- libFuzzer builds (clang) ------------------------------------------------

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$<)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE) -MMD -MP -c $< -o $@

define fuzz_rule
$(FUZZ_BUILD)/$(1): $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(sort $($(1)_LINK)))
	@mkdir -p $$(dir $$@)
	$$(call say,LINK,$$@)
	$$(Q)$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SANITIZE) -o $$@ $$^ $(FUZZ_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

.PHONY: fuzz fuzz-build
fuzz-build: $(foreach t,$(FUZZ_TARGETS),$(FUZZ_BUILD)/$(t))

# One target after the other, each for FUZZ_SECONDS; stops at the first crash.
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/artifacts/$$t; \
	  cp -n tests/fuzz/corpus/$$t/* $(FUZZ_BUILD)/corpus/$$t/ 2>/dev/null; \
	  echo "  FUZZ   $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$(FUZZ_MAX_LEN) \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -dict=tests/fuzz/branddm.dict \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$t/ \
	    $(FUZZ_BUILD)/corpus/$$t $$(ls -d tests/fuzz/regressions/$$t 2>/dev/null) \
	    > $(FUZZ_BUILD)/$$t.log 2>&1 \
	  || { tail -60 $(FUZZ_BUILD)/$$t.log; exit 1; }; \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)' $(FUZZ_BUILD)/$$t.log; \
	done

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

# ---- the replay in `make check` ---------------------------------------------
# Built by $(CC) without libFuzzer but always with the sanitizers: an
# old crash that is an over-read would pass silently without them.

FUZZ_REPLAY_DIR := $(BUILD)/fuzz-replay
FUZZ_REPLAY_BINS := $(foreach t,$(FUZZ_TARGETS),$(FUZZ_REPLAY_DIR)/replay-$(t))
FUZZ_REPLAY_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                        -fno-omit-frame-pointer

$(FUZZ_REPLAY_DIR)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(FUZZ_REPLAY_SANITIZE) -Itests/fuzz -Itools -DFUZZ_REPO_ROOT='"$(CURDIR)"' \
	  -MMD -MP -c $< -o $@

define fuzz_replay_rule
$(FUZZ_REPLAY_DIR)/replay-$(1): $(patsubst %.c,$(FUZZ_REPLAY_DIR)/obj/%.o,$(sort tests/fuzz/replay_main.c $($(1)_LINK)))
	@mkdir -p $$(dir $$@)
	$$(call say,LINK,$$@)
	$$(Q)$(CC) -o $$@ $$^ $(ALL_LDFLAGS) $(FUZZ_REPLAY_SANITIZE) $(FUZZ_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_replay_rule,$(t))))

-include $(shell find $(FUZZ_REPLAY_DIR)/obj -name '*.d' 2>/dev/null)

CHECK_DEPS += $(FUZZ_REPLAY_BINS)
TESTS += tests/fuzz/test_fuzz_regressions.py
