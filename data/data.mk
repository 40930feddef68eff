# BrandDM's protocol icons (data/icons, drawn by tools/make_icons.py: `make
# icons` redraws them).  Pidgin reads a protocol's icon only from its own data
# directory, DATADIR/pixmaps/pidgin/protocols/{16,22,48}/<list_icon>.png
# (notification plugins: scalable/<list_icon>.svg), never from ~/.purple: so
# `make install` puts them there, and `make install-icons` does only that,
# for a per-user install (it needs root, like any system directory).
PIDGIN_DATADIR ?= $(shell $(PKG_CONFIG) --variable=datadir pidgin 2>/dev/null)
PIDGIN_ICONDIR ?= $(or $(PIDGIN_DATADIR),/usr/share)/pixmaps/pidgin/protocols
ICON_FILES     := $(sort $(wildcard data/icons/*/branddm-*.png data/icons/*/branddm-*.svg))

.PHONY: icons install-icons uninstall-icons
icons:
	$(PYTHON) tools/make_icons.py data/icons

install-icons:
	$(INSTALL_ICONS)

uninstall-icons:
	$(UNINSTALL_ICONS)

INSTALL_ICONS = for f in $(ICON_FILES); do \
  install -D -m 0644 $$f $(DESTDIR)$(PIDGIN_ICONDIR)/$${f\#data/icons/} || exit 1; done;
UNINSTALL_ICONS = rm -f $(patsubst data/icons/%,$(DESTDIR)$(PIDGIN_ICONDIR)/%,$(ICON_FILES));

INSTALL_EXTRA += $(INSTALL_ICONS)
INSTALL_USER_EXTRA += echo "Pidgin shows BrandDM's protocol icons only from $(PIDGIN_ICONDIR):" \
  "'sudo make install-icons' puts them there.";
UNINSTALL_EXTRA += $(UNINSTALL_ICONS)
