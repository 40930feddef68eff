# Pidgin and Finch themselves, driven the way staff use them: Finch in tmux,
# Pidgin under Xvfb with xdotool, both against the Graph emulator.
include plugin/ui/ui.mk

UI_TEST_DEPS := $(BUILD)/plugins/branddm.so $(BUILD)/plugins/branddm-facebook.bdm \
                $(UI_PIDGIN_SO) $(UI_FINCH_SO)
CHECK_DEPS += $(UI_TEST_DEPS)
TESTS      += tests/ui/test_pidgin.py
# Sanitized plugins need the AddressSanitizer runtime preloaded, and Finch
# deadlocks with it (in glibc's gettext lock, before main() does anything):
# make check-asan runs the Pidgin test only.
ifeq ($(SANITIZE),)
TESTS      += tests/ui/test_finch.py
# make demo (tools/demo.py) in a terminal, as a new user runs it.
TESTS      += tests/ui/test_demo.py
endif
