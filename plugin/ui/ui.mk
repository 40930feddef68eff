# BrandDM's helper plugins for Pidgin and Finch (plugin/ui/): they put the
# templates the desk expands into the UI's message box and add template
# menus.  Each links the toolkit-free ui_*.c files, the template engine and
# its UI's headers; branddm.so itself stays UI-free.  The BrandDM loader
# loads the helper that matches the running UI.
#
# The top Makefile does not include plugin/ui/*.mk (yet): tests/ui.mk
# includes this file, and the guard lets both happen.
ifndef BDM_UI_MK
BDM_UI_MK := 1

obj ?= $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

UI_PIDGIN_SO  := $(BUILD)/plugins/branddm-pidgin.so
UI_FINCH_SO   := $(BUILD)/plugins/branddm-finch.so
UI_COMMON_SRC := plugin/ui/ui_compose.c plugin/ui/ui_templates.c \
                 plugin/core/templates.c plugin/core/templates_text.c plugin/core/conf_file.c
UI_PIDGIN_SRC := plugin/ui/pidgin_compose.c $(UI_COMMON_SRC)
UI_FINCH_SRC  := plugin/ui/finch_compose.c $(UI_COMMON_SRC)

# Pidgin plugins take pidgin_* symbols from the pidgin executable and Finch
# plugins finch_* from finch: link the toolkits, not the programs.
UI_PIDGIN_CFLAGS := $(shell $(PKG_CONFIG) --cflags pidgin 2>/dev/null)
UI_PIDGIN_LIBS   := $(shell $(PKG_CONFIG) --libs pidgin 2>/dev/null)
UI_FINCH_CFLAGS  := $(shell $(PKG_CONFIG) --cflags finch gnt 2>/dev/null)
UI_FINCH_LIBS    := $(shell $(PKG_CONFIG) --libs finch gnt 2>/dev/null)

# Where each UI looks for its own plugins (finch.pc has no plugindir).
PIDGIN_PLUGINDIR ?= $(shell $(PKG_CONFIG) --variable=plugindir pidgin 2>/dev/null)
FINCH_PLUGINDIR  ?= $(shell $(PKG_CONFIG) --variable=libdir finch 2>/dev/null)/finch

$(call obj,plugin/ui/pidgin_compose.c): ALL_CFLAGS += $(UI_PIDGIN_CFLAGS)
$(call obj,plugin/ui/finch_compose.c): ALL_CFLAGS += $(UI_FINCH_CFLAGS)
# Without the -dev packages the compiler would only say "gtkconv.h: No such file".
$(call obj,plugin/ui/pidgin_compose.c): | ui-check-pidgin
$(call obj,plugin/ui/finch_compose.c): | ui-check-finch

.PHONY: ui-check-pidgin ui-check-finch
ui-check-pidgin:
	@$(PKG_CONFIG) --exists pidgin || { echo "branddm-pidgin.so needs Pidgin's" \
	  "development files: install pidgin-dev (make deps)" >&2; exit 1; }
ui-check-finch:
	@$(PKG_CONFIG) --exists finch gnt || { echo "branddm-finch.so needs Finch's" \
	  "development files: install finch-dev (make deps)" >&2; exit 1; }

$(UI_PIDGIN_SO): $(call obj,$(UI_PIDGIN_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -shared -o $@ $^ $(ALL_LDFLAGS) $(UI_PIDGIN_LIBS) -lm

$(UI_FINCH_SO): $(call obj,$(UI_FINCH_SRC))
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) -shared -o $@ $^ $(ALL_LDFLAGS) $(UI_FINCH_LIBS) -lm

EXTRA_ALL += $(UI_PIDGIN_SO) $(UI_FINCH_SO)
POTFILES  += plugin/ui/ui_compose.c plugin/ui/ui_templates.c \
             plugin/ui/pidgin_compose.c plugin/ui/finch_compose.c

# System-wide each helper goes where only its UI looks; per user both share
# ~/.purple/plugins, and the other UI just fails to open the one not for it.
INSTALL_EXTRA += install -d $(DESTDIR)$(PIDGIN_PLUGINDIR) $(DESTDIR)$(FINCH_PLUGINDIR); \
  install -m 0644 $(UI_PIDGIN_SO) $(DESTDIR)$(PIDGIN_PLUGINDIR)/; \
  install -m 0644 $(UI_FINCH_SO) $(DESTDIR)$(FINCH_PLUGINDIR)/;
INSTALL_USER_EXTRA += install -m 0644 $(UI_PIDGIN_SO) $(UI_FINCH_SO) $(PURPLE_DIR)/plugins/;
UNINSTALL_EXTRA += rm -f $(DESTDIR)$(PIDGIN_PLUGINDIR)/branddm-pidgin.so \
  $(DESTDIR)$(FINCH_PLUGINDIR)/branddm-finch.so;

endif
