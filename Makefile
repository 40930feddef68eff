# BrandDM — brand direct messages in Pidgin and Finch.
#
# Components describe themselves in small fragments (*.mk next to their
# sources, as curl's Makefile.inc files do); this file holds the rules.
# A fragment may append to:
#   CORE_SRC     UI-free desk engine (no libpurple): plugin, admin tool, tests
#   PLUGIN_SRC   libpurple glue, linked into branddm.so only
#   MODULES      protocol module names; each defines <name>_SRC
#   TOOLS_SRC    the branddm-admin command-line tool
#   UNIT_TESTS   GTest programs; each defines <name>_SRC
#   POTFILES     sources with translatable strings (see po/POTFILES)

# libpq: team mode's shared PostgreSQL database (plugin/core/team.mk).
PKGS        := purple glib-2.0 gmodule-2.0 json-glib-1.0 libcurl sqlite3 libpq
PKG_CONFIG  ?= pkg-config
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
DATADIR     ?= $(PREFIX)/share
LOCALEDIR   ?= $(DATADIR)/locale
SYSCONFDIR  ?= /etc
PLUGINDIR   ?= $(shell $(PKG_CONFIG) --variable=plugindir purple)
PURPLE_DIR  ?= $(HOME)/.purple
BUILD       ?= build
PYTHON      ?= python3
VERSION     := 0.1.0

CC          ?= cc
CFLAGS      ?= -O2 -g
SANITIZE    ?=
WARNINGS    := -Wall -Wextra -Werror -Wno-deprecated-declarations
PKG_CFLAGS  := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS    := $(shell $(PKG_CONFIG) --libs $(PKGS))
# Hidden by default: a shared object exports only its entry point
# (purple_init_plugin, branddm_module_entry), marked G_MODULE_EXPORT.
ALL_CFLAGS   = -std=gnu11 -fPIC -fvisibility=hidden $(WARNINGS) -Iinclude -Iplugin/core -Iprotocols \
               $(PKG_CFLAGS) -DLOCALEDIR='"$(LOCALEDIR)"' -DSYSCONFDIR='"$(SYSCONFDIR)"' \
               -DBRANDDM_VERSION='"$(VERSION)"' -DPURPLE_PLUGINS \
               $(CFLAGS) $(SANITIZE)
ALL_LDFLAGS  = $(LDFLAGS) $(SANITIZE)
# Shared objects must not leave symbols for load time: a typo would only show
# as "not loadable" in the user's debug window.
SO_LDFLAGS   = -Wl,-z,defs

CORE_SRC    :=
PLUGIN_SRC  :=
MODULES     :=
TOOLS_SRC   :=
UNIT_TESTS  :=
POTFILES    :=

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# Fragments may define rules; `make` alone still means `make all`.
.DEFAULT_GOAL := all

include $(sort $(wildcard plugin/host/*.mk plugin/desk/*.mk plugin/core/*.mk protocols/*.mk \
                          tools/*.mk tests/*.mk po/*.mk data/*.mk))

# Quiet by default, like the kernel and git; `make V=1` shows the commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

PLUGIN_SO   := $(BUILD)/plugins/branddm.so
MODULE_SOS  := $(foreach m,$(MODULES),$(BUILD)/plugins/branddm-$(m).bdm)
ADMIN_TOOL  := $(BUILD)/branddm-admin
UNIT_BINS   := $(foreach t,$(UNIT_TESTS),$(BUILD)/tests/$(t))

.PHONY: all deps check check-build check-asan check-valgrind install install-user uninstall clean demo
all: $(PLUGIN_SO) $(MODULE_SOS) $(ADMIN_TOOL) $(EXTRA_ALL)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(PLUGIN_SO): $(call obj,$(PLUGIN_SRC) $(CORE_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -shared -o $@ $^ $(ALL_LDFLAGS) $(SO_LDFLAGS) $(PKG_LIBS) -lm

# Modules link GLib and json-glib only: no libpurple in protocols/.
MODULE_LIBS := $(shell $(PKG_CONFIG) --libs glib-2.0 json-glib-1.0)
define module_rule
$(BUILD)/plugins/branddm-$(1).bdm: $(call obj,$($(1)_SRC))
	@mkdir -p $$(dir $$@)
	$$(call say,LINK,$$@)
	$$(Q)$(CC) -shared -o $$@ $$^ $(ALL_LDFLAGS) $(SO_LDFLAGS) $(MODULE_LIBS) -lm
endef
$(foreach m,$(MODULES),$(eval $(call module_rule,$(m))))

TOOL_LIBS := $(shell $(PKG_CONFIG) --libs glib-2.0 json-glib-1.0 sqlite3 libpq)
$(ADMIN_TOOL): $(call obj,$(TOOLS_SRC) $(CORE_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -o $@ $^ $(ALL_LDFLAGS) $(TOOL_LIBS) -lm

define unit_rule
$(BUILD)/tests/$(1): $(call obj,$($(1)_SRC))
	@mkdir -p $$(dir $$@)
	$$(call say,LINK,$$@)
	$$(Q)$(CC) -o $$@ $$^ $(ALL_LDFLAGS) $(PKG_LIBS) -lm
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- tests ---------------------------------------------------------------
TESTS ?=
# Everything the tests need, built but not run: then one test runs alone,
# e.g. BUILD=build python3 tests/e2e/test_desk.py
check-build: all $(UNIT_BINS) $(CHECK_DEPS)

check: all $(UNIT_BINS) $(CHECK_DEPS)
	BUILD=$(abspath $(BUILD)) $(PYTHON) tests/run-tests $(UNIT_BINS) $(TESTS)

# The whole suite again, with AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) --no-print-directory BUILD=build-asan CFLAGS="-O1 -g" \
	  SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  check

# The headless client under valgrind's memcheck: no memory error and no
# definite leak from BrandDM's code (about 4 minutes; not part of check).
# The real thing without a real Page: the Graph emulator with a scripted
# stream of customers, a throw-away purple directory with the account set up,
# and Finch in this terminal (DEMO_UI=pidgin: Pidgin).  tools/demo.py.
demo: all
	BUILD=$(abspath $(BUILD)) $(PYTHON) tools/demo.py

check-valgrind: all $(CHECK_DEPS)
	BUILD=$(abspath $(BUILD)) BDM_TEST_TIMEOUT=2400 $(PYTHON) tests/run-tests tests/sanitizer/valgrind_leaks.py

# ---- dependencies (Debian 12) --------------------------------------------
# pidgin-dev and finch-dev build the UI helpers; libclang-rt-14-dev is
# libFuzzer (clang only recommends it); DejaVu draws the screenshots;
# postgresql is the server the team-mode tests start (tests/e2e/pgserver.py);
# chromium lays out the HTML report (tests/e2e/test_report_html.py).
DEB_PACKAGES := build-essential pkg-config libpurple-dev libglib2.0-dev libjson-glib-dev \
                libcurl4-openssl-dev libsqlite3-dev sqlite3 python3 gettext \
                finch pidgin finch-dev pidgin-dev xvfb xdotool x11-apps imagemagick \
                fonts-dejavu-core tmux dbus valgrind clang libclang-rt-14-dev \
                postgresql libpq-dev chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
deps:
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(DEB_PACKAGES)

# ---- install -------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(BINDIR)
	install -m 0644 $(PLUGIN_SO) $(MODULE_SOS) $(DESTDIR)$(PLUGINDIR)/
	install -m 0755 $(ADMIN_TOOL) $(DESTDIR)$(BINDIR)/
	$(INSTALL_EXTRA)

install-user: all
	install -d $(PURPLE_DIR)/plugins
	install -m 0644 $(PLUGIN_SO) $(MODULE_SOS) $(PURPLE_DIR)/plugins/
	$(INSTALL_USER_EXTRA)

uninstall:
	rm -f $(DESTDIR)$(PLUGINDIR)/branddm.so $(DESTDIR)$(PLUGINDIR)/branddm-*.bdm
	rm -f $(DESTDIR)$(BINDIR)/branddm-admin
	$(UNINSTALL_EXTRA)

# Every build folder: build, build-asan, build-fuzz and any BUILD=build-*.
clean:
	rm -rf build build-*/
