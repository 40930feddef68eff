# Translations: every message of the current sources is translated in every
# po/*.po, and the headless client shows the translations (po/README).
TESTS += tests/e2e/test_translations.py
CHECK_DEPS += $(MO_FILES) $(BUILD)/tests/bdm-testclient $(BUILD)/plugins/branddm.so \
              $(BUILD)/plugins/branddm-facebook.bdm
