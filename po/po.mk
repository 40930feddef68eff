# Translations.  `make pot` refreshes po/POTFILES and po/branddm.pot from the
# sources the fragments list; `make update-po` merges the template into every
# catalogue; the .mo files are built beside the plugin (branddm-locale/), which
# is where the plugin looks first, so a per-user install is translated too.
# po/README has the translator's routine.
LINGUAS  := de es
MO_FILES := $(foreach l,$(LINGUAS),$(BUILD)/plugins/branddm-locale/$(l)/LC_MESSAGES/branddm.mo)
EXTRA_ALL += $(MO_FILES)

$(BUILD)/plugins/branddm-locale/%/LC_MESSAGES/branddm.mo: po/%.po
	@mkdir -p $(dir $@)
	$(call say,MSGFMT,$<)
	$(Q)msgfmt --check -o $@ $<

# One xgettext command line for `make pot` and for `make pot-check`, which
# tests/e2e/test_translations.py runs: the test cannot look for other
# strings than the catalogue gets.  The keywords are every marking macro of
# <glib/gi18n-lib.h> and the plural calls (bare, libintl and GLib); plural
# and context keywords must be named or xgettext takes only the first
# argument and the translation loses its plural form.
XGETTEXT_KEYWORDS := --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
                     --keyword=Q_:1g --keyword=ngettext:1,2 --keyword=dngettext:2,3 \
                     --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3
XGETTEXT := xgettext --language=C --from-code=UTF-8 $(XGETTEXT_KEYWORDS) \
            --add-comments=TRANSLATORS --package-name=branddm --package-version=$(VERSION)

.PHONY: pot pot-check print-potfiles print-linguas update-po
pot:
	printf '%s\n' $(sort $(POTFILES)) > po/POTFILES
	$(XGETTEXT) --files-from=po/POTFILES -o po/branddm.pot

# A template of the current sources in $(POT), leaving po/ untouched.
POT ?= $(BUILD)/branddm-check.pot
pot-check:
	@mkdir -p $(dir $(POT))
	$(Q)$(XGETTEXT) -o $(POT) $(sort $(POTFILES))

# The sources the fragments list, one a line, for the test to scan.
print-potfiles:
	@printf '%s\n' $(sort $(POTFILES))

# The languages, for the test to compare with the po/*.po files there are.
print-linguas:
	@printf '%s\n' $(LINGUAS)

update-po: pot
	for l in $(LINGUAS); do msgmerge --update --backup=none --previous po/$$l.po po/branddm.pot; done

INSTALL_EXTRA += for l in $(LINGUAS); do install -D -m 0644 \
  $(BUILD)/plugins/branddm-locale/$$l/LC_MESSAGES/branddm.mo \
  $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/branddm.mo; done;
INSTALL_USER_EXTRA += for l in $(LINGUAS); do install -D -m 0644 \
  $(BUILD)/plugins/branddm-locale/$$l/LC_MESSAGES/branddm.mo \
  $(PURPLE_DIR)/plugins/branddm-locale/$$l/LC_MESSAGES/branddm.mo; done;
UNINSTALL_EXTRA += for l in $(LINGUAS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/branddm.mo; done;
