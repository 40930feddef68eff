# Pre-send policy engine: compliance checks on every outgoing message
# (sensitive data, links, language, outreach, platform limits, agents).
# UI-free (GLib only), shared by the plugin, branddm-admin and the tests.
# It reads its files with conf_file.c and matches phrases with text_fold.c,
# both added to CORE_SRC by desk.mk.

POLICY_SRC := plugin/core/policy.c plugin/core/policy_defaults.c \
              plugin/core/policy_config.c plugin/core/policy_agents.c \
              plugin/core/policy_sensitive.c plugin/core/policy_secrets.c \
              plugin/core/policy_contact.c plugin/core/policy_links.c \
              plugin/core/policy_language.c plugin/core/policy_outreach.c \
              plugin/core/policy_platform.c plugin/core/policy_report.c \
              plugin/core/policy_attachments.c

# media_sniff.c: a file's type by its content, shared with the receive side.
CORE_SRC += $(POLICY_SRC) plugin/core/media_sniff.c
# tools/tools.mk links tools/admin_policy.c (policy-check) into branddm-admin.
POTFILES += $(POLICY_SRC) tools/admin_policy.c

# Every policy test goes through bdm_policy_check(), which runs all scanners.
POLICY_TEST_SRC := $(POLICY_SRC) plugin/core/conf_file.c plugin/core/text_fold.c \
                   plugin/core/media_sniff.c
UNIT_TESTS += test_policy_sensitive test_policy_links test_policy_language \
              test_policy_engine test_policy_config test_policy_attachments
test_policy_sensitive_SRC := tests/unit/test_policy_sensitive.c $(POLICY_TEST_SRC)
test_policy_links_SRC := tests/unit/test_policy_links.c $(POLICY_TEST_SRC)
test_policy_language_SRC := tests/unit/test_policy_language.c $(POLICY_TEST_SRC)
test_policy_engine_SRC := tests/unit/test_policy_engine.c $(POLICY_TEST_SRC)
test_policy_config_SRC := tests/unit/test_policy_config.c $(POLICY_TEST_SRC)
test_policy_attachments_SRC := tests/unit/test_policy_attachments.c $(POLICY_TEST_SRC)

# The corpus of other people's data (tests/policy_corpus/), through the
# counting bench_accuracy shares; the object finds the corpus by BDM_SRCDIR.
UNIT_TESTS += test_policy_corpus
test_policy_corpus_SRC := tests/unit/test_policy_corpus.c bench/policy_accuracy.c $(POLICY_TEST_SRC)
$(call obj,tests/unit/test_policy_corpus.c bench/policy_accuracy.c): \
	ALL_CFLAGS += -Ibench -DBDM_SRCDIR='"$(abspath .)"'

TESTS += tests/e2e/test_policy_check_cli.py
